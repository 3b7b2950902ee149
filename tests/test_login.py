"""BankID login on every host, through the simulator (manual 1, 6, 7 and 8)."""

import os
import subprocess
import sys
import uuid

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django_tenants.utils import schema_context

from careplatform import clock
from tenant_apps.accounts.login import services
from tenant_apps.accounts.login.services import LoginRefused, PendingLogin
from tenant_apps.accounts.models import Consent, User
from tenant_apps.accounts.services import publish_consent_text
from tests.login_support import HttpBrowser, InProcessBrowser, Simulator
from tests.support import personnummer

UNKNOWN_PERSONNUMMER = personnummer("19451212", "045")


@pytest.fixture
def simulator(live_server_process) -> Simulator:
    return Simulator(live_server_process.port)


@pytest.fixture
def bankid(settings, live_server_process, simulator):
    """In-process pages talking to the simulator served by the live server."""
    settings.BANKID_URL = f"http://localhost:{live_server_process.port}/bankid-simulator/rp/v6.0"
    settings.BANKID_COLLECT_INTERVAL = 0
    return simulator


@pytest.fixture
def browser_on(client, bankid):
    def make(cast_or_host) -> InProcessBrowser:
        host = cast_or_host if isinstance(cast_or_host, str) else cast_or_host.host
        return InProcessBrowser(client, host, bankid)

    return make


# -- whole login over real HTTP, one test per role ------------------------------------------


@pytest.mark.server
def test_admin_logs_in_and_lands_on_overview(live_server_process, simulator, alfa):
    browser = HttpBrowser(live_server_process, "alfa")
    result = browser.login(alfa.admin.personnummer, simulator)
    assert result["state"] == "complete"
    assert result["redirect"] == "/oversikt/"
    page = browser.http.get("/oversikt/")
    assert page.status_code == 200
    assert "Översikt" in page.text and "Alma Admin" in page.text and "Logga ut" in page.text


@pytest.mark.server
def test_clinician_logs_in_and_lands_on_overview(live_server_process, simulator, alfa):
    browser = HttpBrowser(live_server_process, "alfa")
    assert browser.login(alfa.clinician.personnummer, simulator)["redirect"] == "/oversikt/"
    assert "Klara Kliniker" in browser.http.get("/oversikt/").text


@pytest.mark.server
def test_patient_logs_in_gives_consent_then_reaches_start_page(
    live_server_process, simulator, beta
):
    browser = HttpBrowser(live_server_process, "beta")
    result = browser.login(beta.patient.personnummer, simulator)
    assert result["redirect"] == "/mina-besok/"
    blocked = browser.http.get("/mina-besok/")
    assert blocked.status_code == 302 and blocked.headers["location"] == "/samtycke/"
    consent_page = browser.http.get("/samtycke/")
    assert "Jag samtycker" in consent_page.text
    given = browser.http.post("/samtycke/", data={"version": "1"}, headers=browser.csrf())
    assert given.status_code == 302
    home = browser.http.get("/mina-besok/")
    assert home.status_code == 200 and "Hej Olle" in home.text


@pytest.mark.server
@pytest.mark.parametrize(("who", "start"), [("operator", "/konsol/"), ("support", "/support/")])
def test_staff_log_in_on_the_public_host(live_server_process, simulator, db, who, start):
    user = (
        User.objects.get(is_operator=True)
        if who == "operator"
        else User.objects.get(is_support=True)
    )
    browser = HttpBrowser(live_server_process, None)
    result = browser.login(user.personnummer, simulator)
    assert result["redirect"] == start
    page = browser.http.get(start)
    assert page.status_code == 200 and user.full_name in page.text


@pytest.mark.server
def test_session_made_on_a_is_not_accepted_on_b(live_server_process, simulator, alfa):
    on_alfa = HttpBrowser(live_server_process, "alfa")
    on_alfa.login(alfa.admin.personnummer, simulator)
    assert on_alfa.http.get("/oversikt/").status_code == 200
    on_beta = HttpBrowser(live_server_process, "beta")
    on_beta.http.cookies = on_alfa.http.cookies  # even if a browser sent it
    response = on_beta.http.get("/oversikt/")
    assert response.status_code == 302 and response.headers["location"].startswith("/login/")


# -- who may log in --------------------------------------------------------------------------


def test_unknown_person_gets_a_clear_message_and_no_session(browser_on, alfa):
    browser = browser_on(alfa)
    result = browser.login(UNKNOWN_PERSONNUMMER)
    assert result["state"] == "failed"
    assert result["message"] == "Du har inget konto hos den här vårdgivaren."
    assert browser.get("/oversikt/").status_code == 302


def test_user_of_provider_a_cannot_log_in_on_b(browser_on, alfa, beta):
    result = browser_on(beta).login(alfa.clinician.personnummer)
    assert result["message"] == "Du har inget konto hos den här vårdgivaren."


def test_deactivated_user_cannot_log_in(browser_on, alfa):
    with schema_context(alfa.provider.schema_name):
        User.objects.filter(pk=alfa.colleague.pk).update(is_active=False)
    result = browser_on(alfa).login(alfa.colleague.personnummer)
    assert result["state"] == "failed"


def test_clinician_cannot_log_in_on_the_public_host(browser_on, alfa):
    result = browser_on("localhost").login(alfa.clinician.personnummer)
    assert result["message"] == "Du har inget konto som operatör eller supportpersonal."


def test_login_rotates_the_session_key(browser_on, alfa):
    browser = browser_on(alfa)
    started = browser.start()
    before = browser.client.cookies["sessionid"].value
    browser.simulator.open(started.json()["autoStartToken"], alfa.admin.personnummer)
    assert browser.poll_until_done()["state"] == "complete"
    assert browser.client.cookies["sessionid"].value != before


def test_completed_order_cannot_log_in_on_another_host(browser_on, client, alfa, beta):
    browser = browser_on(alfa)
    started = browser.start()
    browser.simulator.open(started.json()["autoStartToken"], alfa.admin.personnummer)
    # The same browser session presented to beta's host: beta knows no such login.
    response = client.post("/login/status/", HTTP_HOST=beta.host, REMOTE_ADDR=browser.ip)
    assert response.json()["state"] == "none"
    assert client.get("/oversikt/", HTTP_HOST=beta.host).status_code == 302


def test_next_page_is_followed_but_only_on_this_host(browser_on, alfa):
    browser = browser_on(alfa)
    browser.get("/login/?next=/oversikt/")
    started = browser.post("/login/start/", {"mode": "qr", "next": "/oversikt/"})
    browser.simulator.open(started.json()["autoStartToken"], alfa.admin.personnummer)
    for _ in range(20):
        state = browser.post("/login/status/", {"next": "https://evil.example/"}).json()
        if state["state"] != "pending":
            break
    assert state["redirect"] == "/oversikt/"


# -- the order, its messages and the QR code -------------------------------------------------


def test_browser_never_sees_order_ref_or_qr_secret(browser_on, alfa):
    browser = browser_on(alfa)
    started = browser.start(mode="qr").json()
    assert set(started) == {"state", "autoStartToken"}
    status = browser.poll()
    assert set(status) == {"state", "message", "rfa", "qr", "redirect"}
    assert status["qr"].startswith("data:image/svg+xml")


def test_qr_code_changes_every_second(browser_on, alfa, settings):
    settings.BANKID_COLLECT_INTERVAL = 2
    browser = browser_on(alfa)
    with time_machine.travel(clock.now(), tick=False) as traveller:
        browser.start(mode="qr")
        first = browser.poll()["qr"]
        assert browser.poll()["qr"] == first  # same second, same code
        traveller.shift(1)
        second = browser.poll()["qr"]
        assert second != first
        traveller.shift(1)
        assert browser.poll()["qr"] not in (first, second)


def test_collect_runs_about_every_two_seconds(browser_on, alfa, settings):
    settings.BANKID_COLLECT_INTERVAL = 2
    browser = browser_on(alfa)
    with time_machine.travel(clock.now(), tick=False) as traveller:
        started = browser.start(mode="qr").json()
        assert browser.poll()["rfa"] == "RFA1"  # outstandingTransaction, QR flow
        browser.simulator.open(started["autoStartToken"])  # the app opens the order
        assert browser.poll()["rfa"] == "RFA1"  # no new collect within 2 s
        traveller.shift(2)
        assert browser.poll()["rfa"] != "RFA1"  # collected again: started


def test_messages_follow_the_chosen_language(browser_on, alfa):
    browser = browser_on(alfa)
    browser.start(mode="qr")
    assert browser.poll()["message"].startswith("Starta BankID-appen")
    browser.post("/sprak/", {"language": "en", "next": "/login/"})
    assert browser.poll()["message"].startswith("Start your BankID app")


def test_browser_language_does_not_override_swedish(browser_on, alfa):
    browser = browser_on(alfa)
    browser.start(mode="qr")
    status = browser.post("/login/status/", HTTP_ACCEPT_LANGUAGE="en-US,en").json()
    assert status["message"].startswith("Starta BankID-appen")


def test_logged_in_users_language_is_stored_with_the_account(browser_on, alfa):
    browser = browser_on(alfa)
    browser.login(alfa.admin.personnummer)
    browser.post("/sprak/", {"language": "en"})
    with schema_context(alfa.provider.schema_name):
        assert User.objects.get(pk=alfa.admin.pk).language == "en"
    browser.client.cookies.pop("django_language")
    assert browser.get("/oversikt/")["Content-Language"] == "en"


def test_unsupported_language_is_refused(client, alfa):
    response = client.post("/sprak/", {"language": "de"}, HTTP_HOST=alfa.host)
    assert response.status_code == 400


def test_cancel_button_cancels_the_order(browser_on, alfa):
    browser = browser_on(alfa)
    token = browser.start().json()["autoStartToken"]
    assert browser.post("/login/cancel/").json() == {"state": "none"}
    assert browser.simulator.open(token, alfa.admin.personnummer).status_code == 400
    assert browser.poll()["state"] == "none"


def test_user_cancelling_in_the_app_shows_bankids_message(browser_on, alfa):
    browser = browser_on(alfa)
    token = browser.start().json()["autoStartToken"]
    browser.simulator.cancel_by_token(token)
    result = browser.poll_until_done()
    assert (result["state"], result["rfa"]) == ("failed", "RFA6")
    assert result["message"] == "Åtgärden avbruten."


def test_one_pending_order_per_session(browser_on, alfa):
    browser = browser_on(alfa)
    assert browser.start().status_code == 200
    second = browser.post("/login/start/", {"mode": "qr"})
    assert second.status_code == 429
    assert "pågår redan" in second.json()["message"]


def test_at_most_five_order_starts_per_ip_and_minute(browser_on, alfa):
    browser = browser_on(alfa)
    for _ in range(5):
        assert browser.start().status_code == 200  # reloading the page cancels the order
    refused = browser.start()
    assert refused.status_code == 429
    assert "För många inloggningsförsök" in refused.json()["message"]


def test_unknown_login_mode_is_refused(browser_on, alfa):
    browser = browser_on(alfa)
    browser.get("/login/")
    assert browser.post("/login/start/", {"mode": "fax"}).status_code == 400


def test_login_endpoints_refuse_get(client, alfa):
    for path in ("/login/start/", "/login/status/", "/login/cancel/", "/logout/"):
        assert client.get(path, HTTP_HOST=alfa.host).status_code == 405


def test_logout_ends_the_session(browser_on, alfa):
    browser = browser_on(alfa)
    assert browser.login(alfa.admin.personnummer)["state"] == "complete"
    assert browser.get("/oversikt/").status_code == 200
    assert browser.post("/logout/").status_code == 302
    assert browser.get("/oversikt/").status_code == 302


def test_login_page_on_every_host(client, alfa):
    provider_page = client.get("/login/", HTTP_HOST=alfa.host)
    assert "Logga in hos Vårdcentralen Alfa" in provider_page.content.decode()
    public_page = client.get("/login/", HTTP_HOST="localhost")
    assert "Logga in som operatör eller support" in public_page.content.decode()
    for page in (provider_page, public_page):
        assert "BankID på den här enheten" in page.content.decode()


# -- consent (manual 7.3) ---------------------------------------------------------------------


def test_consent_blocks_the_patient_until_given_and_is_recorded_once(browser_on, alfa):
    browser = browser_on(alfa)
    browser.login(alfa.patient.personnummer)
    assert browser.get("/mina-besok/")["Location"] == "/samtycke/"
    api = browser.get("/api/v1/provider/")
    assert (api.status_code, api.json()["code"]) == (403, "consent_required")
    browser.post("/samtycke/", {"version": "1"})
    browser.post("/samtycke/", {"version": "1"})
    assert browser.get("/mina-besok/").status_code == 200
    with schema_context(alfa.provider.schema_name):
        consent = Consent.objects.get(user=alfa.patient)
    assert consent.version.version == 1
    assert consent.ip_address == browser.ip
    assert consent.given_at is not None


def test_new_consent_version_asks_again(browser_on, alfa):
    browser = browser_on(alfa)
    browser.login(alfa.patient.personnummer)
    browser.post("/samtycke/", {"version": "1"})
    with schema_context(alfa.provider.schema_name):
        publish_consent_text("Ny text om personuppgifter.")
    assert browser.get("/mina-besok/")["Location"] == "/samtycke/"
    assert "Ny text om personuppgifter." in browser.get("/samtycke/").content.decode()
    stale = browser.post("/samtycke/", {"version": "1"})
    assert "Samtyckestexten har ändrats" in stale.content.decode()
    browser.post("/samtycke/", {"version": "2"})
    with schema_context(alfa.provider.schema_name):
        versions = sorted(c.version.version for c in Consent.objects.filter(user=alfa.patient))
    assert versions == [1, 2]


def test_clinicians_are_not_asked_for_consent(browser_on, alfa):
    browser = browser_on(alfa)
    browser.login(alfa.clinician.personnummer)
    assert browser.get("/oversikt/").status_code == 200


def test_patient_cannot_open_the_clinician_overview(browser_on, alfa):
    browser = browser_on(alfa)
    browser.login(alfa.patient.personnummer)
    browser.post("/samtycke/", {"version": "1"})
    assert browser.get("/oversikt/").status_code == 403


# -- staff users --------------------------------------------------------------------------------


def test_create_staff_user_command(db, capsys):
    majas_personnummer = personnummer("19550505", "055")
    call_command("create_staff_user", majas_personnummer, "Maja Operatör", role="operator")
    user = User.objects.get(personnummer=majas_personnummer)
    assert user.is_operator and not user.is_support and user.full_name == "Maja Operatör"
    assert "Skapade operator" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["19550505-0000", "Maja Operatör"], "kontrollsiffra"),
        ([personnummer("19550505", "055"), "Maja"], "för- och efternamn"),
    ],
)
def test_create_staff_user_refuses_bad_input(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_staff_user", *args, role="support")
    assert not User.objects.filter(is_support=True, first_name="Maja").exists()


def test_create_staff_user_refuses_duplicate(db):
    majas_personnummer = personnummer("19550505", "055")
    call_command("create_staff_user", majas_personnummer, "Maja Operatör", role="operator")
    with pytest.raises(CommandError, match="finns redan"):
        call_command("create_staff_user", majas_personnummer, "Maja Operatör", role="support")


def _request_on(cast):
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().post("/login/status/", HTTP_HOST=cast.host)
    request.session = SessionStore()
    request.tenant = cast.provider
    request.user = AnonymousUser()
    return request


def test_an_order_logs_in_only_once(alfa):
    pending = PendingLogin(
        order_ref=str(uuid.uuid4()),
        qr_start_token="t",
        qr_start_secret="s",
        auto_start_token="a",
        mode="qr",
        host=alfa.host,
        started_at=0.0,
    )
    with schema_context(alfa.provider.schema_name):
        first = services._complete(_request_on(alfa), pending, alfa.admin.personnummer)
        assert first.state == "complete"
        with pytest.raises(LoginRefused, match="redan använts"):
            services._complete(_request_on(alfa), pending, alfa.admin.personnummer)


def test_secret_key_is_required_outside_development():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "careplatform.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
