"""What a suspension stops, and that a reactivation brings everything back (in this process;
tests/console/test_suspension_live.py covers other processes and open WebSockets).

Decision on SMS that fell due during a suspension: nothing is deleted, and after reactivation
the due work is picked up again, each kind by its own rule. A reminder is still worth sending
late while its visit has not started (it says when the visit begins); once the visit has
started it is dropped unsent. Invitations and other messages whose booking events were held
back are dispatched after reactivation, and a message past its expiry fails as expired."""

import datetime

import pytest
from django_tenants.utils import schema_context

from careplatform.sms.models import DueKind, SmsDue
from tenant_apps.accounts.login.services import SESSION_KEY as LOGIN_KEY
from tenant_apps.notifications.models import SmsKind, SmsStatus
from tenant_apps.notifications.sweep import DISPATCH
from tenant_apps.video import prompts
from tenants import lifecycle
from tenants.tasks import run_in_provider
from tests.clients import logged_in
from tests.console.lifecycle_helpers import signature_of
from tests.login_support import InProcessBrowser, Simulator
from tests.notifications.helpers import confirmed, invite, messages, recover, sweep

HALF_HOUR = datetime.timedelta(minutes=30)
MINUTE = datetime.timedelta(minutes=1)


def suspend(cast, operator):
    with schema_context("public"):  # and back to the schema the test was in
        lifecycle.suspend(
            cast.provider,
            reason="Obetald faktura",
            actor=operator,
            ip_address=None,
            signature=signature_of(operator),
        )


def reactivate(cast, operator):
    with schema_context("public"):
        lifecycle.reactivate(cast.provider, reason="Betald", actor=operator, ip_address=None)


@pytest.fixture
def frozen():
    import time_machine

    from careplatform import clock

    with time_machine.travel(clock.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def simulator(live_server_process, settings) -> Simulator:
    settings.BANKID_URL = f"http://localhost:{live_server_process.port}/bankid-simulator/rp/v6.0"
    settings.BANKID_COLLECT_INTERVAL = 0
    return Simulator(live_server_process.port)


# -- pages and sessions ------------------------------------------------------------------------


def test_logged_in_users_see_the_suspended_page_until_reactivation(
    alfa, operator, django_capture_on_commit_callbacks
):
    clinician = logged_in(alfa.clinician, alfa)
    assert clinician.get("/oversikt/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        suspend(alfa, operator)
    page = clinician.get("/oversikt/")
    assert page.status_code == 403
    assert "tillfälligt avstängd" in page.content.decode()
    api = clinician.get("/api/v1/me/")
    assert (api.status_code, api.json()["code"]) == (403, "provider_suspended")

    with django_capture_on_commit_callbacks(execute=True):
        reactivate(alfa, operator)
    assert clinician.get("/oversikt/").status_code == 200  # the same session, nothing lost


def test_nobody_can_start_a_login_at_a_suspended_provider(
    alfa, operator, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        suspend(alfa, operator)
    assert client.get("/login/", HTTP_HOST=alfa.host).status_code == 403
    start = client.post(
        "/login/start/", {"mode": "qr"}, HTTP_HOST=alfa.host, HTTP_ACCEPT="application/json"
    )
    assert (start.status_code, start.json()["code"]) == (403, "provider_suspended")


def test_a_login_in_progress_does_not_complete_into_a_session(alfa, operator, client, simulator):
    browser = InProcessBrowser(client, alfa.host, simulator)
    started = browser.start()
    simulator.open(started.json()["autoStartToken"], alfa.clinician.personnummer)
    # Suspended while the person approves in the app. The routing cache of this process still
    # holds the provider as active (its invalidation comes after commit, which a test
    # transaction never does): the status poll gets through, as a request already under way
    # would, and the login itself refuses.
    suspend(alfa, operator)
    state = browser.poll_until_done()
    assert state["state"] == "failed" and "avstängd" in state["message"]
    assert "_auth_user_id" not in client.session
    assert LOGIN_KEY not in client.session


def test_a_login_started_before_a_suspension_fails_even_after_reactivation(
    alfa, operator, client, simulator
):
    browser = InProcessBrowser(client, alfa.host, simulator)
    started = browser.start()
    suspend(alfa, operator)
    reactivate(alfa, operator)
    simulator.open(started.json()["autoStartToken"], alfa.clinician.personnummer)
    state = browser.poll_until_done()
    assert state["state"] == "failed" and "_auth_user_id" not in client.session
    # A new login after the reactivation works.
    assert browser.login(alfa.clinician.personnummer)["state"] == "complete"
    assert client.session["_auth_user_id"] == str(alfa.clinician.pk)


# -- SMS, reminders and jobs -------------------------------------------------------------------


def reminders():
    return messages(kind=SmsKind.REMINDER)


def test_no_reminder_is_sent_while_suspended_and_a_late_one_after_reactivation(
    operator, ready, frozen
):
    booking = confirmed(ready)
    suspend(ready, operator)
    frozen.move_to(booking.starts_at - HALF_HOUR)
    sweep()
    frozen.move_to(booking.starts_at - 20 * MINUTE)
    sweep()
    assert reminders() == []

    reactivate(ready, operator)
    frozen.move_to(booking.starts_at - 10 * MINUTE)
    sweep()
    [sms] = reminders()  # still before the visit: it tells the patient when it begins
    assert sms.status == SmsStatus.SENT
    assert not SmsDue.objects.filter(kind=DueKind.REMINDER, object_id=booking.pk).exists()


def test_a_reminder_for_a_visit_that_started_during_the_suspension_is_dropped(
    operator, ready, frozen
):
    booking = confirmed(ready)
    suspend(ready, operator)
    frozen.move_to(booking.starts_at + MINUTE)
    reactivate(ready, operator)
    sweep()
    assert reminders() == []
    assert not SmsDue.objects.filter(kind=DueKind.REMINDER, object_id=booking.pk).exists()
    booking.refresh_from_db()
    assert booking.status == "confirmed"  # the booking itself is untouched


def test_jobs_are_dropped_while_suspended_and_their_work_is_done_after_reactivation(
    operator, ready, frozen
):
    invite(ready)  # its events are handed to a job after commit
    suspend(ready, operator)
    with schema_context("public"):  # as a worker starts, and back
        assert run_in_provider(ready.schema_name, DISPATCH) is None  # the job is dropped
    frozen.shift(datetime.timedelta(minutes=5))
    assert len(recover().queued) == 0  # nothing is recovered for a suspended provider
    assert messages(kind=SmsKind.INVITED) == []

    reactivate(ready, operator)
    assert len(recover().queued) == 1
    sweep()
    [invitation] = messages(kind=SmsKind.INVITED)
    assert invitation.status == SmsStatus.SENT


# -- video prompts -----------------------------------------------------------------------------


def test_the_prompt_watch_shows_a_suspended_providers_pages_nothing(alfa, operator):
    users = {alfa.schema_name: [alfa.clinician.pk]}
    assert prompts.look(users)  # the clinician's state is read
    suspend(alfa, operator)
    assert prompts.look(users) == {}  # as if logged out: the page is closed
    reactivate(alfa, operator)
    assert prompts.look(users)
