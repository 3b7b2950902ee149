"""Destructive console actions are signed with BankID (RP v6 /sign, through the simulator):
the text names the action and the provider, the signature's completion data lands in the
log, and a cancelled signature, one by another person, a stale or swapped action changes
nothing and logs nothing. Reactivate and undo need no signature."""

import datetime

import pytest
import time_machine

from careplatform import clock
from careplatform.bankid.simulator import store
from tenants.models import CareProvider, OperatorActionKind, ProviderStatus
from tests.clients import PUBLIC, logged_in
from tests.console.lifecycle_helpers import Operator, log_rows
from tests.login_support import Simulator
from tests.support import personnummer


@pytest.fixture
def simulator(live_server_process, settings) -> Simulator:
    settings.BANKID_URL = f"http://localhost:{live_server_process.port}/bankid-simulator/rp/v6.0"
    settings.BANKID_COLLECT_INTERVAL = 0
    return Simulator(live_server_process.port)


@pytest.fixture
def otto(operator, simulator) -> Operator:
    return Operator(operator, simulator)


def status_of(cast) -> str:
    return CareProvider.objects.get(pk=cast.provider.pk).status


def suspend_signed(otto, cast, reason="Obetald faktura") -> dict:
    token = otto.sign_token(otto.ask("stang-av", cast.provider.subdomain, reason))
    return otto.sign(token)


# -- suspend and terminate, signed -------------------------------------------------------------


def test_suspending_is_signed_with_a_text_naming_the_action_and_the_provider(otto, alfa):
    page = otto.get("/konsol/vardgivare/alfa/stang-av/")
    assert page.status_code == 200
    assert "Stäng av Vårdcentralen Alfa" in page.content.decode()
    token = otto.sign_token(otto.ask("stang-av", "alfa", "Obetald faktura"))
    assert status_of(alfa) == ProviderStatus.ACTIVE  # nothing before the signature
    sign_page = otto.get(f"/konsol/signera/{token}/").content.decode()
    text = "Jag stänger av Vårdcentralen Alfa (alfa). Skäl: Obetald faktura"
    assert text in sign_page and "Mobilt BankID på annan enhet" in sign_page

    started = otto.start(token).json()
    order = store.order_by_autostart(started["autoStartToken"])
    assert (order.kind, order.user_visible_data) == ("sign", text)
    otto.simulator.open(started["autoStartToken"], otto.user.personnummer)
    state = otto.poll_until_done(token)

    assert state["state"] == "complete" and state["redirect"] == "/konsol/vardgivare/alfa/"
    assert status_of(alfa) == ProviderStatus.SUSPENDED
    [row] = log_rows(alfa.provider)
    assert (row.action, row.actor_id, row.reason) == (
        OperatorActionKind.SUSPEND,
        otto.user.pk,
        "Obetald faktura",
    )
    assert row.ip_address == otto.ip
    signature = row.signature
    assert signature["orderRef"] == order.order_ref
    assert signature["userVisibleData"] == text
    assert signature["user"]["personalNumber"] == otto.user.personnummer
    assert signature["signature"] and signature["ocspResponse"]
    assert signature["device"]["ipAddress"]
    provider_page = otto.get(state["redirect"]).content.decode()
    assert "Vårdcentralen Alfa är avstängd." in provider_page


def test_terminating_is_signed_and_the_countdown_shows(otto, alfa):
    suspend_signed(otto, alfa)
    moment = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        token = otto.sign_token(otto.ask("avsluta", "alfa", "Avtalet är uppsagt"))
        assert (
            "Dess data raderas om 30 dagar"
            in otto.get(f"/konsol/signera/{token}/").content.decode()
        )
        assert otto.sign(token)["state"] == "complete"
    provider = CareProvider.objects.get(pk=alfa.provider.pk)
    assert provider.terminate_at == moment + datetime.timedelta(days=30)
    assert (
        log_rows(alfa.provider)[-1]
        .signature["userVisibleData"]
        .startswith("Jag avslutar Vårdcentralen Alfa (alfa).")
    )
    with time_machine.travel(moment + datetime.timedelta(days=1, seconds=1), tick=False):
        page = Operator(otto.user).get("/konsol/vardgivare/alfa/").content.decode()
    assert "Raderas om 29 dagar, ons 30 dec. 2026." in page
    assert "Ångra avslut" in page and "Återaktivera" not in page


# -- reactivate and undo: no signature ---------------------------------------------------------


def test_reactivating_and_undoing_need_a_reason_and_no_signature(otto, alfa):
    suspend_signed(otto, alfa)
    otto.sign(otto.sign_token(otto.ask("avsluta", "alfa", "Uppsagt")))
    response = otto.ask("angra-avslut", "alfa", "Kunden stannar")
    assert (response.status_code, response["Location"]) == (302, "/konsol/vardgivare/alfa/")
    assert CareProvider.objects.get(pk=alfa.provider.pk).terminate_at is None
    response = otto.ask("ateraktivera", "alfa", "Betald")
    assert response.status_code == 302
    assert status_of(alfa) == ProviderStatus.ACTIVE
    assert [row.action for row in log_rows(alfa.provider)] == [
        OperatorActionKind.SUSPEND,
        OperatorActionKind.TERMINATE,
        OperatorActionKind.TERMINATE_UNDONE,
        OperatorActionKind.REACTIVATE,
    ]
    assert (
        "Vårdcentralen Alfa är aktiv igen." in otto.get("/konsol/vardgivare/alfa/").content.decode()
    )


# -- refusals: a message, nothing changed, no log row --------------------------------------------


@pytest.mark.parametrize("action", ["stang-av", "ateraktivera", "avsluta", "angra-avslut"])
def test_an_empty_reason_is_refused_on_the_form(otto, alfa, action):
    if action != "stang-av":
        suspend_signed(otto, alfa)
    if action == "angra-avslut":
        otto.sign(otto.sign_token(otto.ask("avsluta", "alfa", "Uppsagt")))
    before, rows = CareProvider.objects.get(pk=alfa.provider.pk), len(log_rows())
    response = otto.ask(action, "alfa", "   ")
    assert response.status_code == 400
    assert "Ange ett skäl." in response.content.decode()
    after = CareProvider.objects.get(pk=alfa.provider.pk)
    assert (after.status, after.terminate_at) == (before.status, before.terminate_at)
    assert len(log_rows()) == rows
    assert "signed_action" not in otto.client.session


def test_suspending_a_suspended_provider_is_refused(otto, alfa):
    suspend_signed(otto, alfa)
    rows = len(log_rows())
    page = otto.get("/konsol/vardgivare/alfa/stang-av/").content.decode()
    main = page.split("<main")[1].split("</main>")[0]
    assert "Vårdgivaren är redan avstängd." in main and "<form" not in main
    response = otto.ask("stang-av", "alfa", "Igen")
    assert response.status_code == 400 and "redan avstängd" in response.content.decode()
    assert "signed_action" not in otto.client.session  # nothing to sign
    assert len(log_rows()) == rows


def test_terminating_an_active_provider_is_refused(otto, alfa):
    response = otto.ask("avsluta", "alfa", "Uppsagt")
    assert response.status_code == 400
    assert "Stäng av vårdgivaren innan du avslutar den." in response.content.decode()
    assert status_of(alfa) == ProviderStatus.ACTIVE and log_rows(alfa.provider) == []


def test_a_cancelled_signature_changes_nothing_and_may_be_tried_again(otto, alfa):
    token = otto.sign_token(otto.ask("stang-av", "alfa", "Obetald faktura"))
    started = otto.start(token).json()
    assert otto.simulator.cancel_by_token(started["autoStartToken"]).status_code == 200
    state = otto.poll_until_done(token)
    assert state["state"] == "failed" and "Inget har ändrats." in state["message"]
    assert status_of(alfa) == ProviderStatus.ACTIVE and log_rows(alfa.provider) == []
    assert otto.sign(token)["state"] == "complete"  # the same action, signed this time
    assert status_of(alfa) == ProviderStatus.SUSPENDED


def test_cancelling_on_the_page_cancels_the_order(otto, alfa):
    token = otto.sign_token(otto.ask("stang-av", "alfa", "Obetald faktura"))
    started = otto.start(token).json()
    assert otto.post(f"/konsol/signera/{token}/avbryt/").json() == {"state": "none"}
    opened = otto.simulator.open(started["autoStartToken"], otto.user.personnummer)
    assert opened.status_code == 400  # the order is gone
    assert otto.poll(token)["state"] == "failed"
    assert status_of(alfa) == ProviderStatus.ACTIVE and log_rows(alfa.provider) == []


def test_a_signature_by_another_person_changes_nothing(otto, alfa):
    token = otto.sign_token(otto.ask("stang-av", "alfa", "Obetald faktura"))
    someone_else = personnummer("19550505", "055")
    state = otto.sign(token, someone_else)
    assert state["state"] == "failed"
    assert "någon annan än du som är inloggad" in state["message"]
    assert "Inget har ändrats." in state["message"]
    assert status_of(alfa) == ProviderStatus.ACTIVE and log_rows(alfa.provider) == []


def test_a_signature_by_another_operator_changes_nothing(otto, alfa, support_user):
    token = otto.sign_token(otto.ask("stang-av", "alfa", "Obetald faktura"))
    state = otto.sign(token, support_user.personnummer)  # a colleague on the platform
    assert state["state"] == "failed" and status_of(alfa) == ProviderStatus.ACTIVE
    assert log_rows(alfa.provider) == []


def test_a_failed_order_changes_nothing(otto, alfa, live_server_process):
    token = otto.sign_token(otto.ask("stang-av", "alfa", "Obetald faktura"))
    fault = Simulator(live_server_process.port)._post(
        "fault", endpoint="sign", errorCode="internalError", count=1
    )
    assert fault.status_code == 200
    started = otto.start(token)
    assert started.status_code == 400 and started.json()["state"] == "failed"
    assert status_of(alfa) == ProviderStatus.ACTIVE and log_rows(alfa.provider) == []


# -- the pending action is this operator's, exactly as shown, once -------------------------------


def test_a_signed_action_is_done_once(otto, alfa):
    token = otto.sign_token(otto.ask("stang-av", "alfa", "Obetald faktura"))
    assert otto.sign(token)["state"] == "complete"
    assert otto.get(f"/konsol/signera/{token}/").status_code == 404
    again = otto.start(token)
    assert again.status_code == 400 and "finns inte längre" in again.json()["message"]
    assert otto.poll(token)["state"] == "failed"
    assert len(log_rows(alfa.provider)) == 1


def test_another_session_cannot_use_the_token(otto, alfa, operator, simulator):
    token = otto.sign_token(otto.ask("stang-av", "alfa", "Obetald faktura"))
    other = Operator(operator, simulator)  # the same operator in another browser
    assert other.get(f"/konsol/signera/{token}/").status_code == 404
    assert other.start(token).status_code == 400
    assert other.poll(token)["state"] == "failed"
    assert status_of(alfa) == ProviderStatus.ACTIVE


def test_a_new_action_replaces_the_pending_one(otto, alfa, beta):
    first = otto.sign_token(otto.ask("stang-av", "alfa", "Obetald faktura"))
    second = otto.sign_token(otto.ask("stang-av", "beta", "Avtalsbrott"))
    assert otto.get(f"/konsol/signera/{first}/").status_code == 404
    assert otto.sign(second)["state"] == "complete"
    assert status_of(alfa) == ProviderStatus.ACTIVE
    assert status_of(beta) == ProviderStatus.SUSPENDED


def test_what_is_signed_is_what_was_asked_whatever_the_browser_sends(otto, alfa, beta):
    token = otto.sign_token(otto.ask("stang-av", "alfa", "Obetald faktura"))
    started = otto.post(
        f"/konsol/signera/{token}/start/",
        {"mode": "same_device", "provider": "beta", "reason": "Något annat", "kind": "terminate"},
    ).json()
    otto.simulator.open(started["autoStartToken"], otto.user.personnummer)
    otto.post(f"/konsol/signera/{token}/status/", {"provider": "beta", "reason": "Något annat"})
    otto.poll_until_done(token)
    assert status_of(alfa) == ProviderStatus.SUSPENDED and status_of(beta) == ProviderStatus.ACTIVE
    assert log_rows(alfa.provider)[0].reason == "Obetald faktura"


def test_a_pending_action_expires(otto, alfa):
    token = otto.sign_token(otto.ask("stang-av", "alfa", "Obetald faktura"))
    with time_machine.travel(clock.now() + datetime.timedelta(minutes=11), tick=False):
        assert otto.get(f"/konsol/signera/{token}/").status_code == 404
    assert "signed_action" not in otto.client.session


def test_the_provider_changed_meanwhile_is_refused_at_completion(otto, alfa, beta, simulator):
    """Two operators (or tabs) suspend the same provider: the second signature is refused."""
    token = otto.sign_token(otto.ask("stang-av", "alfa", "Obetald faktura"))
    CareProvider.objects.filter(pk=alfa.provider.pk).update(status=ProviderStatus.SUSPENDED)
    state = otto.sign(token)
    assert state["state"] == "failed" and "redan avstängd" in state["message"]
    assert log_rows(alfa.provider) == []


# -- who may -------------------------------------------------------------------------------------

URLS = [
    "/konsol/vardgivare/alfa/",
    "/konsol/vardgivare/alfa/stang-av/",
    "/konsol/vardgivare/alfa/ateraktivera/",
    "/konsol/vardgivare/alfa/avsluta/",
    "/konsol/vardgivare/alfa/angra-avslut/",
    "/konsol/signera/abc/",
    "/konsol/logg/",
]


@pytest.mark.parametrize("url", URLS)
def test_support_staff_get_403_and_visitors_are_sent_to_log_in(support_user, url, alfa):
    assert logged_in(support_user, PUBLIC).get(url).status_code == 403
    response = logged_in(None, PUBLIC).get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", URLS)
def test_the_console_is_not_on_a_providers_host(alfa, url):
    assert logged_in(alfa.admin, alfa).get(url).status_code == 404


@pytest.mark.parametrize("path", ["stang-av/", "ateraktivera/", "avsluta/", "angra-avslut/"])
def test_support_staff_cannot_post_an_action(support_user, alfa, path):
    response = logged_in(support_user, PUBLIC).post(
        f"/konsol/vardgivare/alfa/{path}", {"reason": "x"}
    )
    assert response.status_code == 403 and log_rows(alfa.provider) == []


def test_an_unknown_provider_is_404(otto):
    assert otto.get("/konsol/vardgivare/finnsinte/stang-av/").status_code == 404
    assert otto.get("/konsol/vardgivare/template/stang-av/").status_code == 404


def test_a_token_in_any_spelling_is_just_not_found(otto, alfa):
    otto.sign_token(otto.ask("stang-av", "alfa", "Obetald faktura"))
    assert otto.get("/konsol/signera/åäö/").status_code == 404
    assert otto.poll("åäö")["state"] == "failed"
