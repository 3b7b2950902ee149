"""axe-core, the accessibility rules engine, from the npm registry.

`make test` runs `python -m tests.a11y.axe`, which downloads the pinned tarball into `.cache/`
(not in git) and checks it against the integrity the registry publishes for that version; the
tests read it from there, checking it again, and never reach the network themselves.
"""

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
INTEGRITY = (  # the registry's dist.integrity for this version
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjC"
    "Kg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)
URL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
TARBALL = Path(__file__).resolve().parents[2] / ".cache" / f"axe-core-{VERSION}.tgz"

# WCAG 2.0 and 2.1, levels A and AA: what public-sector buyers require (DOS-lagen, EN 301 549).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def fetch() -> Path:
    """The tarball, downloaded unless a verified copy is there."""
    if TARBALL.exists() and integrity(TARBALL.read_bytes()) == INTEGRITY:
        return TARBALL
    with urllib.request.urlopen(URL, timeout=60) as response:
        data = response.read()
    if integrity(data) != INTEGRITY:
        raise SystemExit(f"{URL} does not match its pinned integrity {INTEGRITY}")
    TARBALL.parent.mkdir(parents=True, exist_ok=True)
    partial = TARBALL.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(TARBALL)
    return TARBALL


def source() -> str:
    """axe.min.js out of the verified tarball."""
    if not TARBALL.exists():
        raise AssertionError(f"{TARBALL} is missing: run `make test` (or python -m tests.a11y.axe)")
    data = TARBALL.read_bytes()
    if integrity(data) != INTEGRITY:
        raise AssertionError(f"{TARBALL} does not match its pinned integrity: delete it")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        member = archive.extractfile("package/axe.min.js")
        assert member is not None
        return member.read().decode()


_source: str | None = None

RUN = """async (tags) => {
  const result = await window.axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""


def violations(page) -> list[dict]:
    """Every WCAG 2.1 A/AA violation axe finds on the page as it is now. Injected through the
    DevTools protocol (page.evaluate), which the pages' Content Security Policy does not cover."""
    global _source
    if not page.evaluate("() => Boolean(window.axe)"):
        if _source is None:
            _source = source()
        page.evaluate(_source)
    return page.evaluate(RUN, WCAG_TAGS)


def failing(page) -> list[dict]:
    return [v for v in violations(page) if v["impact"] in FAILING_IMPACTS]


def describe(found: list[dict]) -> str:
    lines = []
    for v in found:
        lines.append(f"  {v['impact']}: {v['id']} ({v['help']})")
        for node in v["nodes"][:5]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(f"axe-core {VERSION}: {fetch()}", file=sys.stderr)
