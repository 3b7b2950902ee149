"""Text contrast in the stylesheets themselves (WCAG 1.4.3, at least 4.5:1), also for states the
browser tests may not reach: every rule that sets a text colour, against its own background or
else the page's and a card's; every rule that sets a background, against the text it inherits;
the focus ring (1.4.11, at least 3:1) against what it is drawn on."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STYLESHEETS = [
    ROOT / "careplatform/static/css",
    *sorted((ROOT / "tenant_apps").glob("*/static/*")),
]
TEXT, FOCUS_RING = 4.5, 3.0

# What a rule's text lies on when the rule does not say: its place on the page.
SITS_ON = {".topbar": "--accent"}
# Rules whose background holds no text of theirs.
NO_TEXT = ("video", "::backdrop", ".qr")


def stylesheets() -> list[Path]:
    return [path for folder in STYLESHEETS for path in sorted(folder.glob("*.css"))]


def palette() -> dict[str, str]:
    css = (ROOT / "careplatform/static/css/careplatform.css").read_text()
    root = re.search(r":root\s*\{([^}]*)\}", css).group(1)
    return dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", root))


def rules(css: str) -> list[tuple[str, dict[str, str]]]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declarations = dict(re.findall(r"([\w-]+)\s*:\s*([^;]+)", body))
        found.append((" ".join(selector.split()), {k: v.strip() for k, v in declarations.items()}))
    return found


def resolve(value: str, colours: dict[str, str]) -> str | None:
    """A hex colour, or None for what is not one (inherit, transparent, rgba, a gradient)."""
    value = value.split("!")[0].strip()
    while match := re.fullmatch(r"var\((--[\w-]+)\)", value):
        value = colours[match.group(1)].strip()
    if value == "#fff":
        value = "#ffffff"
    return value.lower() if re.fullmatch(r"#[0-9a-fA-F]{6}", value) else None


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def backgrounds(selector: str, declarations: dict[str, str], colours) -> list[str]:
    own = declarations.get("background-color") or declarations.get("background")
    if own and (resolved := resolve(own, colours)):
        return [resolved]
    for place, background in SITS_ON.items():
        if place in selector:
            return [resolve(f"var({background})", colours)]
    return [resolve("var(--bg)", colours), resolve("var(--card)", colours)]


def test_the_palette_is_read():
    colours = palette()
    assert {"--text", "--muted", "--accent", "--danger", "--bg", "--card", "--focus"} <= set(
        colours
    )
    assert len(stylesheets()) >= 5
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


STATES = re.compile(r":(hover|focus|focus-visible|active|visited)\b")


def inherited(selector: str, all_rules: dict[str, dict[str, str]], colours) -> str | None:
    """The text colour of a rule that sets only a background: its plain state's (".button"
    for ".button:hover"), else the page's."""
    plain = all_rules.get(STATES.sub("", selector), {})
    return resolve(plain.get("color", ""), colours) or resolve("var(--text)", colours)


def test_text_has_a_contrast_of_at_least_4_5_to_1():
    colours = palette()
    faint = []
    for path in stylesheets():
        all_rules = dict(rules(path.read_text()))
        for selector, declarations in rules(path.read_text()):
            if any(part in selector for part in NO_TEXT) or selector.startswith(("@", ":root")):
                continue
            text = resolve(declarations.get("color", ""), colours)
            sets_background = "background" in declarations or "background-color" in declarations
            if text is None and sets_background:
                text = inherited(selector, all_rules, colours)
            if text is None:
                continue
            for background in backgrounds(selector, declarations, colours):
                ratio = contrast(text, background)
                if ratio < TEXT:
                    where = path.relative_to(ROOT)
                    faint.append(f"{where}: {selector}: {text} on {background} is {ratio:.2f}:1")
    assert not faint, "text below 4.5:1:\n  " + "\n  ".join(faint)


def test_the_focus_ring_stands_out():
    colours = palette()
    ring = resolve("var(--focus)", colours)
    for background in ("--bg", "--card"):
        assert contrast(ring, resolve(f"var({background})", colours)) >= FOCUS_RING
    # White on the top bar and on the skip link.
    for background in ("--accent", "--accent-dark"):
        assert contrast("#ffffff", resolve(f"var({background})", colours)) >= FOCUS_RING
