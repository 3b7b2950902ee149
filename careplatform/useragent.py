"""Which browser and operating system a User-Agent header names, as support reads them ("Safari
17", "iOS 17.5"), from ua-parser's maintained rules. Only these two short strings are kept,
never the header itself: it identifies a device more closely than support needs."""

import functools
from dataclasses import dataclass

import ua_parser

MAX_HEADER_CHARS = 1000  # a longer header is cut before parsing (the rules are regexes)
MAX_NAME_CHARS = 60

# The rules name a browser's mobile build apart; to people it is the same browser.
SAME_BROWSER = {
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "Safari (WebView)",
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Chrome Mobile WebView": "Chrome (WebView)",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Edge Mobile": "Edge",
}


@dataclass(frozen=True)
class Client:
    browser: str = ""  # "Safari 17"; empty when unknown
    os: str = ""  # "iOS 17.5"; empty when unknown


def _joined(family: str, *versions: str | None) -> str:
    numbers: list[str] = []
    for part in versions:  # major, minor, patch: as far as they go
        if not part:
            break
        numbers.append(part)
    return " ".join([family, ".".join(numbers)]).strip()[:MAX_NAME_CHARS]


@functools.lru_cache(maxsize=512)
def describe(header: str | None) -> Client:
    """Browser family and major version, operating system family and version."""
    if not header:
        return Client()
    result = ua_parser.parse(header[:MAX_HEADER_CHARS])
    browser = os = ""
    if result.user_agent is not None:
        agent = result.user_agent
        browser = _joined(SAME_BROWSER.get(agent.family, agent.family), agent.major)
    if result.os is not None:
        system = result.os
        os = _joined(system.family, system.major, system.minor, system.patch)
    return Client(browser, os)
