"""The room's signaling messages from the browser, checked before anything is relayed.

Only these shapes pass, with nothing extra in them; everything else is dropped (and counted by
the consumer). Limits keep one page from flooding the others.
"""

import re
import time
from typing import Any

from careplatform import jsonbounds
from tenant_apps.video.models import MEDIA_PROBLEMS

MAX_MESSAGE_BYTES = 64 * 1024
MAX_SDP_CHARS = 60_000
MAX_CANDIDATE_CHARS = 1_000
# The deepest message (signal → data → candidate) nests 3 levels.
MAX_DEPTH = 8
# Token bucket per connection: bursts of trickle ICE pass, floods do not.
RATE_PER_SECOND = 30.0
BURST = 100

PEER_ID = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
DESCRIPTION_TYPES = ("offer", "answer", "pranswer", "rollback")
CALL_STATES = ("connected", "failed")
# Diagnostics: what a page reports about itself (for support, never relayed). The error names
# are getUserMedia's (and older browsers' aliases); a page sends "UnknownError" for any other.
CANDIDATE_TYPES = ("host", "srflx", "prflx", "relay")
MEDIA_ERRORS = (
    "NotAllowedError",
    "PermissionDeniedError",
    "SecurityError",
    "NotFoundError",
    "DevicesNotFoundError",
    "OverconstrainedError",
    "NotReadableError",
    "TrackStartError",
    "AbortError",
    "TypeError",
    "UnknownError",
)
MAX_REPORTS = 50  # per connection; more is a page misbehaving
MAX_REPORT_BYTES = 1024  # the longest valid report is about 250 bytes


class Dropped(Exception):
    """A message that is not relayed; `reason` says why (the counter's name)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _keys(
    value: Any, required: set[str], optional: frozenset[str] | set[str] = frozenset()
) -> dict:
    if not isinstance(value, dict):
        raise Dropped("invalid")
    keys = set(value)
    if not required <= keys or not keys <= required | optional:
        raise Dropped("invalid")
    return value


def _string(value: Any, limit: int, *, nullable: bool = False) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise Dropped("invalid")
    return value


def _peer(value: Any) -> str:
    if not isinstance(value, str) or not PEER_ID.match(value):
        raise Dropped("invalid")
    return value


def _description(value: Any) -> dict:
    value = _keys(value, {"type"}, {"sdp"})
    if value["type"] not in DESCRIPTION_TYPES:
        raise Dropped("invalid")
    return {"type": value["type"], "sdp": _string(value.get("sdp", ""), MAX_SDP_CHARS)}


def _candidate(value: Any) -> dict:
    value = _keys(value, {"candidate"}, {"sdpMid", "sdpMLineIndex", "usernameFragment"})
    index = value.get("sdpMLineIndex")
    if index is not None and (type(index) is not int or not 0 <= index < 1024):
        raise Dropped("invalid")
    return {
        "candidate": _string(value["candidate"], MAX_CANDIDATE_CHARS),
        "sdpMid": _string(value.get("sdpMid"), 64, nullable=True),
        "sdpMLineIndex": index,
        "usernameFragment": _string(value.get("usernameFragment"), 256, nullable=True),
    }


def _signal(message: dict) -> dict:
    _keys(message, {"type", "to", "data"})
    data = _keys(message["data"], set(), {"description", "candidate"})
    if len(data) != 1:
        raise Dropped("invalid")
    if "description" in data:
        clean = {"description": _description(data["description"])}
    else:
        clean = {"candidate": _candidate(data["candidate"])}
    return {"type": "signal", "to": _peer(message["to"]), "data": clean}


def _state(message: dict) -> dict:
    _keys(message, {"type", "peer", "state"})
    if message["state"] not in CALL_STATES:
        raise Dropped("invalid")
    return {"type": "state", "peer": _peer(message["peer"]), "state": message["state"]}


def _media(message: dict) -> dict:
    _keys(message, {"type", "audio", "video"})
    if type(message["audio"]) is not bool or type(message["video"]) is not bool:
        raise Dropped("invalid")
    return {"type": "media", "audio": message["audio"], "video": message["video"]}


def _one_of(value: Any, allowed: tuple[str, ...], *, nullable: bool = False) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str) or value not in allowed:
        raise Dropped("invalid")
    return value


def _candidate_types(value: Any) -> list[str]:
    if not isinstance(value, list) or len(value) > len(CANDIDATE_TYPES):
        raise Dropped("invalid")
    types = [_one_of(item, CANDIDATE_TYPES) for item in value]
    if len(set(types)) != len(types):
        raise Dropped("invalid")
    return sorted(types, key=CANDIDATE_TYPES.index)  # type: ignore[arg-type]


def _ice(value: Any) -> dict:
    """The candidate types each side offered, and those of the pair in use (null: none)."""
    value = _keys(value, {"local", "remote", "selected"})
    selected = value["selected"]
    if selected is not None:
        selected = _keys(selected, {"local", "remote"})
        selected = {
            "local": _one_of(selected["local"], CANDIDATE_TYPES),
            "remote": _one_of(selected["remote"], CANDIDATE_TYPES),
        }
    return {
        "local": _candidate_types(value["local"]),
        "remote": _candidate_types(value["remote"]),
        "selected": selected,
    }


def _diagnostics(message: dict) -> dict:
    """A camera or microphone problem, or how a call with one peer connected or failed."""
    report = message.get("report")
    if report == "media":
        _keys(message, {"type", "report", "problem", "error"})
        return {
            "type": "diagnostics",
            "report": "media",
            "problem": _one_of(message["problem"], tuple(MEDIA_PROBLEMS)),
            "error": _one_of(message["error"], MEDIA_ERRORS),
        }
    if report == "call":
        _keys(message, {"type", "report", "peer", "state", "ice"})
        return {
            "type": "diagnostics",
            "report": "call",
            "peer": _peer(message["peer"]),
            "state": _one_of(message["state"], CALL_STATES),
            "ice": _ice(message["ice"]),
        }
    raise Dropped("invalid")


def _ping(message: dict) -> dict:
    _keys(message, {"type"})
    return {"type": "ping"}


PARSERS = {
    "signal": _signal,
    "state": _state,
    "media": _media,
    "diagnostics": _diagnostics,
    "ping": _ping,
}


def parse(text: str | None) -> dict:
    """The message as a clean dict, or Dropped."""
    if text is None:
        raise Dropped("binary")
    if len(text) > MAX_MESSAGE_BYTES or len(text.encode()) > MAX_MESSAGE_BYTES:
        raise Dropped("oversized")
    try:
        message = jsonbounds.loads(text, MAX_DEPTH)
    except jsonbounds.TooDeep:
        raise Dropped("too_deep") from None
    except ValueError:
        raise Dropped("malformed") from None
    if not isinstance(message, dict) or message.get("type") not in PARSERS:
        raise Dropped("invalid")
    if message["type"] == "diagnostics" and len(text) > MAX_REPORT_BYTES:
        raise Dropped("oversized")
    return PARSERS[message["type"]](message)


class TokenBucket:
    def __init__(self, rate: float = RATE_PER_SECOND, burst: int = BURST):
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
