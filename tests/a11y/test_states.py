"""What a page shows only after something happens, checked like every page (axe, skip link,
visible focus): the error pages, each step of BankID login, a video visit in progress on both
sides, and the camera refused in Testa video and in the room."""

import pytest
from django.test import RequestFactory

from careplatform.errors import server_error
from tests.a11y.conftest import ANDROID, base_url, open_as
from tests.a11y.pages import ERROR_PAGES
from tests.a11y.walk import assert_accessible, focused_name, tab_to
from tests.browser import ARGS, CHROMIUM
from tests.login_support import Simulator, unique_ip
from tests.video.pages import wait_until

pytestmark = pytest.mark.server

# Chromium with fake devices that refuses the camera (as tests/video/pages.py launches it).
WITHOUT_CAMERA_PERMISSION = [
    *(arg for arg in ARGS if arg != "--use-fake-ui-for-media-stream"),
    "--deny-permission-prompts",
]


HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.mark.parametrize("name", list(ERROR_PAGES))
def test_error_page_is_accessible(live_server_process, site, browser, name):
    error = ERROR_PAGES[name]
    server = live_server_process
    page = open_as(browser, server, site, error.who)
    if error.host:
        url = f"http://{server.host(site.hosts[error.host])}{error.path}"
    else:
        url = base_url(server, site, error.who) + error.path
    assert page.goto(url).status == error.status
    assert_accessible(page, f"{name}: {url}")
    page.context.close()


def test_server_error_page_is_accessible(live_server_process, site, browser):
    """The page a crash leaves (rendered without the request, so it cannot fail the same way)."""
    rendered = server_error(RequestFactory().get("/"))
    page = open_as(browser, live_server_process, site, "anonymous")
    url = base_url(live_server_process, site, "anonymous") + "/"
    page.route(url, lambda route: route.fulfill(status=500, body=rendered.content, headers=HTML))
    assert page.goto(url).status == 500
    assert "Ett oväntat fel inträffade." in page.locator("h1").inner_text()
    assert_accessible(page, "server error page")
    page.context.close()


@pytest.mark.parametrize("who", ["anonymous", "visitor"])  # a provider's host, the public host
def test_every_step_of_bankid_login_is_accessible(live_server_process, site, browser, who):
    """Each step moves the keyboard's focus to what comes next: Avbryt while BankID is asked,
    "Försök igen" after a failure, the first choice again after either."""
    server = live_server_process
    page = open_as(
        browser, server, site, who,
        user_agent=ANDROID, extra_http_headers={"X-Forwarded-For": unique_ip()},
    )  # fmt: skip
    page.context.route("https://app.bankid.com/**", lambda route: route.fulfill(status=204))
    page.goto(base_url(server, site, who) + "/login/")

    tab_to(page, "Mobilt BankID på annan enhet")
    page.keyboard.press("Enter")
    page.locator('img[data-role="qr"]').wait_for(state="visible")
    assert focused_name(page) == "Avbryt"
    assert_accessible(page, f"login as {who}: the QR code")
    tab_to(page, "Avbryt")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="BankID på den här enheten").wait_for()
    wait_until(page, "document.activeElement.dataset.mode === 'qr'")

    tab_to(page, "BankID på den här enheten")
    page.keyboard.press("Enter")
    opener = page.get_by_role("link", name="Öppna BankID")
    opener.wait_for()
    assert focused_name(page) == "Avbryt"
    assert_accessible(page, f"login as {who}: BankID on this device")

    # The person says no in the BankID app.
    token = opener.get_attribute("href").split("autostarttoken=")[1].split("&")[0]
    assert Simulator(server.port).cancel_by_token(token).status_code == 200
    page.get_by_role("button", name="Försök igen").wait_for()
    assert focused_name(page) == "Försök igen"
    assert page.get_by_role("alert").inner_text().strip()
    assert_accessible(page, f"login as {who}: refused in the app")
    tab_to(page, "Försök igen")
    page.keyboard.press("Enter")
    wait_until(page, "document.activeElement.dataset.mode === 'qr'")
    assert page.problems == [], page.problems
    page.context.close()


def test_a_visit_in_progress_is_accessible_on_both_sides(live_server_process, site, browser):
    server = live_server_process
    room = f"/besok/{site.things['booking']['open']}/"
    pages = {who: open_as(browser, server, site, who) for who in ("clinician", "patient")}
    for who, page in pages.items():
        page.goto(base_url(server, site, who) + room)
    for who, page in pages.items():
        other = "Karin Kliniker" if who == "patient" else "Pelle P."
        page.locator(".tile-name", has_text=other).wait_for()
        page.locator(".tile-state", has_text="ansluten").wait_for(timeout=30000)
        assert page.locator("#tiles").get_attribute("aria-live") == "polite"
        assert page.locator("#room-status").inner_text() == "Videobesöket pågår."
        assert_accessible(page, f"the room as {who}, in a call")
        assert page.problems == [], page.problems
    for page in pages.values():
        page.context.close()


@pytest.mark.parametrize("path", ["/testa-video/", "/besok/{open}/"])
def test_the_camera_refused_is_explained_accessibly(live_server_process, site, browser, path):
    server = live_server_process
    refusing = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=WITHOUT_CAMERA_PERMISSION
    )
    try:
        page = open_as(refusing, server, site, "patient")
        page.goto(base_url(server, site, "patient") + path.format(**site.things["booking"]))
        banner = page.locator('[data-problem="denied"]')
        banner.wait_for()
        assert banner.get_attribute("role") == "alert"
        assert_accessible(page, f"{path} without the camera")
    finally:
        refusing.close()
