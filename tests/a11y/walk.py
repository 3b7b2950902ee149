"""What every page must be for people who use a screen reader or only a keyboard, checked in a
browser page as it is now: axe-core's WCAG 2.1 A/AA rules, the page's language, the skip link,
a visible focus at every stop of the Tab key, form errors tied to their fields, and dialogs that
keep the focus inside while open and give it back when closed."""

from tests.a11y import axe

MAX_TAB_STOPS = 150

# The focused element as the keyboard left it: whether it shows the focus (the browser's own
# focus ring, an outline of at least 2 px or a box shadow) and takes up room on the screen;
# `repeat` once the walk has come round to an element it has seen.
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  window.__a11ySeen = window.__a11ySeen || new WeakSet();
  const repeat = window.__a11ySeen.has(el);
  window.__a11ySeen.add(el);
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
  return {
    repeat,
    element: `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} "${text.slice(0, 40)}"`,
    outlined: style.outlineStyle === "auto"
      || (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2),
    shadowed: style.boxShadow !== "none",
    sized: box.width > 0 && box.height > 0,
    inDialog: Boolean(el.closest("dialog[open]")),
  };
}"""

# Whether anything the keyboard stops at comes before <main>: then there is something to skip.
BEFORE_MAIN = """() => {
  const main = document.querySelector("main");
  if (!main) return false;
  const stops = document.querySelectorAll("a[href], button, input, select, textarea, [tabindex]");
  return [...stops].some((el) => !main.contains(el)
    && (main.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING));
}"""

SKIP = """() => {
  const el = document.activeElement;
  const box = el.getBoundingClientRect();
  return {
    isSkipLink: el.matches("a.skip-link") && el.hash === `#${document.querySelector("main").id}`,
    text: el.textContent.trim(),
    onScreen: box.width > 1 && box.height > 1 && box.top >= 0 && box.left >= 0
      && box.right <= window.innerWidth && box.bottom <= window.innerHeight,
  };
}"""

FORM_ERRORS = """() => {
  const problems = [];
  const invalid = [...document.querySelectorAll("[aria-invalid='true']")];
  const described = (el) => {
    const owner = el.closest("[aria-describedby]");
    const ids = owner ? owner.getAttribute("aria-describedby").split(/\\s+/) : [];
    return ids.map((id) => document.getElementById(id)).filter(Boolean);
  };
  for (const el of invalid) {
    const text = described(el).map((d) => d.textContent.trim()).join(" ");
    if (!text) problems.push(`${el.name || el.id}: aria-invalid without a described error`);
  }
  const lists = document.querySelectorAll("main .field .errorlist, main fieldset .errorlist");
  for (const list of lists) {
    const tied = list.id && document.querySelector(`[aria-describedby~='${list.id}']`);
    if (!tied) problems.push(`error "${list.textContent.trim()}" is tied to no field`);
  }
  return {invalid: invalid.length, problems};
}"""

# A dialog's opener: a control naming it (aria-controls) or, for a dialog inside a form, the
# form's submit button outside the dialog.
OPENERS = """() => [...document.querySelectorAll("dialog")].map((dialog, index) => {
  dialog.dataset.a11yDialog = index;
  let opener = dialog.id && document.querySelector(`[aria-controls='${dialog.id}']`);
  const form = dialog.closest("form");
  if (!opener && form) {
    opener = [...form.querySelectorAll("button[type=submit], button:not([type])")]
      .find((button) => !dialog.contains(button));
  }
  if (opener) opener.dataset.a11yOpener = index;
  return {index, opener: Boolean(opener), name: dialog.getAttribute("aria-labelledby")};
})"""

DIALOG_STATE = """(index) => {
  const dialog = document.querySelector(`dialog[data-a11y-dialog='${index}']`);
  return {
    open: dialog.open,
    modal: dialog.matches(":modal"),
    focusInside: dialog.contains(document.activeElement),
    focusOnOpener: document.activeElement === document.querySelector(
      `[data-a11y-opener='${index}']`),
  };
}"""


# What a screen reader would call the focused element, near enough for finding it by name.
FOCUSED_NAME = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  const name = el.getAttribute("aria-label") || label || el.innerText || el.value || "";
  return name.trim().replace(/:$/, "");  // a label's "Datum:" is "Datum"
}"""


def focused_name(page) -> str:
    return page.evaluate(FOCUSED_NAME)


def tab_to(page, name: str, *, limit: int = 80) -> None:
    """Press Tab until the element named `name` has the focus."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(focused_name(page))
        if seen[-1] == name:
            return
    raise AssertionError(f"Tab never reaches {name!r}, only {seen}")


def assert_accessible(
    page, label: str, *, form_errors: bool = False, skip_link: bool = True
) -> None:
    found = axe.failing(page)
    assert not found, f"{label}: axe finds\n{axe.describe(found)}"
    lang = page.evaluate("() => document.documentElement.lang")
    assert lang == "sv", f"{label}: <html lang={lang!r}>"
    if skip_link:
        assert_skip_link(page, label)
    problems = focus_problems(page)
    assert not problems, f"{label}: no visible focus on\n  " + "\n  ".join(problems)
    if form_errors:
        errors = page.evaluate(FORM_ERRORS)
        assert errors["invalid"], f"{label}: the empty form shows no field as invalid"
        assert not errors["problems"], f"{label}: {errors['problems']}"
    check_dialogs(page, label)


def assert_skip_link(page, label: str) -> None:
    """The first Tab stop is "Hoppa till innehållet", on screen while focused; Enter moves the
    focus to the page's main content."""
    if not page.evaluate(BEFORE_MAIN):
        return
    from_the_top(page)
    page.keyboard.press("Tab")
    skip = page.evaluate(SKIP)
    assert skip["isSkipLink"], f"{label}: the first Tab stop is not the skip link"
    assert skip["text"] == "Hoppa till innehållet", f"{label}: skip link says {skip['text']!r}"
    assert skip["onScreen"], f"{label}: the focused skip link is not on the screen"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement === document.querySelector('main')"), (
        f"{label}: the skip link does not move the focus to <main>"
    )


def from_the_top(page) -> None:
    """The keyboard starts again at the top of the page: focus an element put first in <body>
    (not a Tab stop itself), gone again as soon as the focus leaves it."""
    page.evaluate(
        """() => {
          const start = document.createElement("span");
          start.tabIndex = -1;
          document.body.prepend(start);
          start.addEventListener("blur", () => start.remove());
          start.focus();
        }"""
    )


def focus_problems(page) -> list[str]:
    """Tab through the page from the top: every stop that does not show the focus."""
    from_the_top(page)
    problems = []
    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS)
        if state is None or state["repeat"]:
            break
        if not state["sized"]:
            problems.append(f"{state['element']} (takes no room on the screen)")
        elif not (state["outlined"] or state["shadowed"]):
            problems.append(state["element"])
    page.evaluate("() => { window.__a11ySeen = new WeakSet(); }")
    return problems


def check_dialogs(page, label: str) -> None:
    """Every <dialog>: opened with the keyboard from its opener it is modal with the focus
    inside, Tab and Shift+Tab keep the focus inside, axe finds nothing while it is open, and
    Escape closes it with the focus back on the opener."""
    for dialog in page.evaluate(OPENERS):
        index, name = dialog["index"], dialog["name"]
        where = f"{label}: dialog {name or index}"
        assert dialog["opener"], f"{where} has no opener (aria-controls, or its form's button)"
        page.evaluate(f"() => document.querySelector(\"[data-a11y-opener='{index}']\").focus()")
        page.keyboard.press("Enter")
        state = page.evaluate(DIALOG_STATE, index)
        assert state["open"] and state["modal"], f"{where}: Enter does not open it as modal"
        assert state["focusInside"], f"{where}: the focus is not in the open dialog"
        for key in ["Tab"] * 8 + ["Shift+Tab"] * 8:
            page.keyboard.press(key)
            assert page.evaluate(DIALOG_STATE, index)["focusInside"], f"{where}: {key} leaves it"
        found = axe.failing(page)
        assert not found, f"{where}: axe finds\n{axe.describe(found)}"
        page.keyboard.press("Escape")
        state = page.evaluate(DIALOG_STATE, index)
        assert not state["open"], f"{where}: Escape does not close it"
        assert state["focusOnOpener"], f"{where}: the focus does not return to its opener"


def send_form_empty(page) -> None:
    """The page's form (in <main>, the first with fields to fill) sent with its text fields
    empty, past the browser's own checks, as a person who skipped them would send it."""
    with page.expect_navigation():
        page.evaluate(
            """() => {
              const forms = [...document.querySelectorAll("main form[method=post]")];
              const form = forms.find((f) => f.querySelector(
                "input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea"));
              for (const field of form.querySelectorAll(
                  "input[type=text], input[type=date], input[type=time], input:not([type]), "
                  + "input[type=email], input[type=tel], input[type=number], textarea")) {
                field.value = "";
              }
              form.noValidate = true;
              form.requestSubmit();
            }"""
        )
