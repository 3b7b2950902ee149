"""Operators and support staff are logged out after 30 minutes without a request and 8 hours
after logging in, however active; provider users are not (issue 14, staff sessions)."""

import datetime

import pytest
import time_machine
from django.http import JsonResponse
from django.urls import include, path

from careplatform import clock
from careplatform.access import role_required
from tenant_apps.accounts.staff_sessions import background_poll
from tests.clients import PUBLIC, logged_in
from tests.login_support import InProcessBrowser, Simulator

IDLE_MESSAGE = "Du har loggats ut efter 30 minuters inaktivitet."
MAX_MESSAGE = "Du har loggats ut efter 8 timmar."
MINUTES = datetime.timedelta(minutes=1)


@background_poll
@role_required("operator")
def progress(request):
    return JsonResponse({"step": 1})


# The public host's URLs plus a page's background poll (the console's progress pages are such).
urlpatterns = [
    path("", include("careplatform.urls_public")),
    path("test-progress/", progress),
]


@pytest.fixture
def staff_browser(client, settings, live_server_process):
    """An in-process browser on the public host that logs in through the BankID simulator."""
    settings.BANKID_URL = f"http://localhost:{live_server_process.port}/bankid-simulator/rp/v6.0"
    settings.BANKID_COLLECT_INTERVAL = 0
    return InProcessBrowser(client, PUBLIC.host, Simulator(live_server_process.port))


@pytest.fixture
def frozen():
    with time_machine.travel(clock.now(), tick=False) as traveller:
        yield traveller


def log_in(browser: InProcessBrowser, user) -> None:
    assert browser.login(user.personnummer)["state"] == "complete"
    assert browser.get("/konsol/" if user.is_operator else "/support/").status_code == 200


def home(user) -> str:
    return "/konsol/" if user.is_operator else "/support/"


def assert_logged_out_with(browser: InProcessBrowser, response, message: str, path: str) -> None:
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login/?next={path}"
    login_page = browser.get(response.headers["Location"])
    assert message in login_page.content.decode()
    # Out for good: the next page asks for a login again, without the message.
    again = browser.get(path)
    assert again.status_code == 302 and again.headers["Location"].startswith("/login/")


@pytest.mark.parametrize("role", ["operator", "support_user"])
def test_staff_idle_29_59_stays_logged_in_and_30_00_is_logged_out(
    role, request, staff_browser, frozen
):
    user = request.getfixturevalue(role)
    log_in(staff_browser, user)

    frozen.shift(29 * MINUTES + datetime.timedelta(seconds=59))
    assert staff_browser.get(home(user)).status_code == 200  # and counts as activity
    frozen.shift(29 * MINUTES + datetime.timedelta(seconds=59))
    assert staff_browser.get(home(user)).status_code == 200

    frozen.shift(30 * MINUTES)
    assert_logged_out_with(staff_browser, staff_browser.get(home(user)), IDLE_MESSAGE, home(user))


def test_operator_is_logged_out_8_hours_after_login_however_active(operator, staff_browser, frozen):
    log_in(staff_browser, operator)

    for _ in range(23):  # a request every 20 minutes, up to 7 h 40 min
        frozen.shift(20 * MINUTES)
        assert staff_browser.get("/konsol/").status_code == 200
    frozen.shift(19 * MINUTES + datetime.timedelta(seconds=59))  # 7:59:59 after login
    assert staff_browser.get("/konsol/").status_code == 200

    frozen.shift(datetime.timedelta(seconds=1))  # 8:00:00, active a second ago
    assert_logged_out_with(staff_browser, staff_browser.get("/konsol/"), MAX_MESSAGE, "/konsol/")


def test_background_polls_do_not_keep_a_staff_session_alive(
    operator, staff_browser, frozen, settings
):
    settings.PUBLIC_SCHEMA_URLCONF = __name__
    log_in(staff_browser, operator)

    for _ in range(29):  # the progress page polls every minute, nobody clicks
        frozen.shift(MINUTES)
        assert staff_browser.get("/test-progress/").json() == {"step": 1}
    frozen.shift(MINUTES)  # 30 minutes after the last page the operator asked for

    poll = staff_browser.get("/test-progress/")
    assert_logged_out_with(staff_browser, poll, IDLE_MESSAGE, "/test-progress/")


def test_a_post_after_expiry_changes_nothing_and_leads_to_the_login_page(
    operator, staff_browser, frozen
):
    log_in(staff_browser, operator)
    frozen.shift(30 * MINUTES)

    response = staff_browser.post("/sprak/", {"language": "en", "next": "/konsol/"})

    assert response.status_code == 302 and response.headers["Location"] == "/login/"
    page = staff_browser.get("/login/").content.decode()
    assert IDLE_MESSAGE in page and 'lang="sv"' in page  # the language was not changed


def test_limits_follow_the_settings_and_the_message_says_them(operator, settings, frozen):
    settings.STAFF_SESSION_IDLE_MINUTES = 5
    client = logged_in(operator, PUBLIC)
    assert client.get("/konsol/").status_code == 200  # a session from before: counted from now

    frozen.shift(5 * MINUTES)
    response = client.get("/konsol/")
    assert response.status_code == 302
    assert (
        "Du har loggats ut efter 5 minuters inaktivitet." in client.get("/login/").content.decode()
    )


def test_logging_out_leaves_no_session_behind(operator, staff_browser):
    log_in(staff_browser, operator)

    response = staff_browser.post("/logout/")

    assert response.status_code == 302
    assert "sessionid" not in staff_browser.client.cookies or not (
        staff_browser.client.cookies["sessionid"].value
    )


@pytest.mark.parametrize("who", ["admin", "clinician", "patient"])
def test_provider_users_are_not_logged_out_when_idle(who, alfa, frozen):
    user = getattr(alfa, who)
    client = logged_in(user, alfa)
    page = "/mina-besok/" if who == "patient" else "/oversikt/"
    assert client.get(page, HTTP_HOST=alfa.host).status_code == 200

    frozen.shift(3 * 60 * MINUTES)  # three hours without a request

    assert client.get(page, HTTP_HOST=alfa.host).status_code == 200
