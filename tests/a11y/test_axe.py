"""axe-core over every page of tests/a11y/pages.py, as each person who opens it (staff on a
desktop, patients and anyone from an SMS on a 375 px wide phone): no serious or critical WCAG
2.1 A/AA violation. On the same visit: the skip link is the first stop of the keyboard and
leads into the content, every stop of the keyboard shows where the focus is, form errors
are tied to their fields, and every dialog traps the focus and gives it back."""

import pytest

from tests.a11y import axe
from tests.a11y.conftest import base_url, open_as
from tests.a11y.pages import PAGES, routes
from tests.a11y.walk import assert_accessible, check_dialogs, send_form_empty

pytestmark = pytest.mark.server

VISITS = [(key, visit) for key, visits in PAGES.items() for visit in visits]


def _id(item) -> str:
    (host, template), visit = item
    things = ",".join(visit.things.values())
    return f"{host}:/{template} as {visit.who}" + (f" ({things})" if things else "")


@pytest.mark.parametrize("key, visit", VISITS, ids=[_id(item) for item in VISITS])
def test_page_is_accessible(live_server_process, site, browser, key, visit):
    server = live_server_process
    page = open_as(browser, server, site, visit.who)
    url = base_url(server, site, visit.who) + site.path(routes()[key], visit)
    response = page.goto(url)
    assert response.status == visit.status, (url, response.status)
    page.wait_for_load_state("networkidle")
    if visit.ready:
        page.locator(visit.ready).first.wait_for()
    assert_accessible(page, f"{url} as {visit.who}", skip_link=visit.skip_link)
    if visit.form_errors:
        send_form_empty(page)
        assert_accessible(page, f"{url} as {visit.who}, its form sent empty", form_errors=True)
    assert page.problems == [], page.problems
    page.context.close()


def test_axe_finds_what_it_should(browser):
    """The rules run at all: a page with an unlabelled field and grey-on-white text fails."""
    page = browser.new_page()
    page.set_content(
        '<html lang="sv"><title>t</title><main><input type="text">'
        '<p style="color:#bbb;background:#fff">Grå text</p></main></html>'
    )
    found = {v["id"] for v in axe.failing(page)}
    assert {"label", "color-contrast"} <= found, found
    page.close()


# A confirmation as the project builds them: MODE is how it opens, TRAP whether it keeps Tab.
DIALOG = """<html lang="sv"><title>Avboka</title><main>
<form method="post"><button type="submit">Avboka besöket</button>
  <dialog aria-labelledby="title"><h2 id="title">Avboka besöket?</h2>
    <button type="button" data-close>Nej</button> <button type="submit">Ja, avboka</button>
  </dialog></form></main>
<script>
  const form = document.querySelector("form");
  const dialog = form.querySelector("dialog");
  const buttons = [...dialog.querySelectorAll("button")];
  let opener = null;
  form.addEventListener("submit", (event) => {
    if (dialog.contains(event.submitter)) return;
    event.preventDefault();
    opener = event.submitter;
    dialog.MODE();
    buttons[0].focus();
  });
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab" || !TRAP) return;
    const [first, last] = [buttons[0], buttons[buttons.length - 1]];
    const wrapTo = event.shiftKey ? (document.activeElement === first && last)
      : (document.activeElement === last && first);
    if (wrapTo) { event.preventDefault(); wrapTo.focus(); }
  });
  dialog.addEventListener("close", () => opener.focus());
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !dialog.matches(":modal")) dialog.close();
  });
</script></html>"""


@pytest.mark.parametrize(
    "mode, trap, fault",
    [
        ("showModal", "true", None),
        ("show", "true", "does not open it as modal"),
        ("showModal", "false", "leaves it"),
    ],
)
def test_the_dialog_check_tells_a_good_dialog_from_a_bad_one(browser, mode, trap, fault):
    page = browser.new_page()
    page.set_content(DIALOG.replace("MODE", mode).replace("TRAP", trap))
    if fault is None:
        check_dialogs(page, "a confirmation")
    else:
        with pytest.raises(AssertionError, match=fault):
            check_dialogs(page, "a confirmation")
    page.close()
