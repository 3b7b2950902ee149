"""Skicka igen: an admin sends an SMS that failed for good again, from the booking page. The
same message gets a new round of attempts; nothing that was sent or delivered goes out twice."""

import datetime
import re

import pytest
from django.test import Client, override_settings
from django_tenants.utils import schema_context

from careplatform.sms.models import DueKind, SmsDue
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import current_consent_version, give_consent
from tenant_apps.audit.models import AuditEvent
from tenant_apps.bookings import services as bookings
from tenant_apps.notifications.models import SmsKind, SmsStatus
from tenant_apps.notifications.services import apply_delivery_report, run_due
from tenant_apps.profiles import services as profiles
from tests.bookings.helpers import in_days, patient_spec
from tests.browser import chromium
from tests.clients import logged_in
from tests.login_support import phone_page
from tests.notifications.helpers import dispatch, invite, messages, sweep
from tests.support import personnummer, wait_for

SWEEP_EVERY = datetime.timedelta(seconds=4)


def resend_path(sms) -> str:
    return f"/bokningar/{sms.booking_id}/sms/{sms.pk}/skicka-igen/"


def resend_form(html: str, sms) -> str | None:
    """The csrf token of the page's "Skicka igen" form for `sms`, if the page has one."""
    form = re.search(
        rf'<form method="post" action="{re.escape(resend_path(sms))}"[^>]*>'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">'
        r'<button type="submit" class="button small">Skicka igen</button>',
        html,
    )
    return form.group(1) if form else None


def click_resend(client: Client, sms):
    """What the admin's browser does: open the booking page, submit the message's form."""
    page = client.get(f"/bokningar/{sms.booking_id}/")
    token = resend_form(page.content.decode(), sms)
    assert token, "no Skicka igen button for this message"
    return client.post(resend_path(sms), {"csrfmiddlewaretoken": token})


def failed_for_good(cast, elks, frozen):
    """An invitation the gateway answered with junk until the attempts ran out."""
    elks.default = "junk"
    with override_settings(SMS_MAX_ATTEMPTS=2):
        booking = invite(cast)
        dispatch()
        for _ in range(30):
            frozen.shift(SWEEP_EVERY)
            sweep()
    [sms] = messages()
    assert sms.status == SmsStatus.FAILED and sms.error.startswith("Gav upp efter 2 försök")
    elks.default = "ok"
    return booking, sms


def test_admin_sends_a_failed_message_again_from_the_booking_page(ready, elks, frozen):
    booking, sms = failed_for_good(ready, elks, frozen)
    admin = logged_in(ready.admin, ready, csrf=True)
    response = click_resend(admin, sms)
    assert response.status_code == 302
    assert response["Location"] == f"/bokningar/{booking.pk}/#sms"
    again = messages()[0]
    assert (again.pk, again.text, again.kind, again.booking_version) == (
        sms.pk,
        sms.text,
        sms.kind,
        sms.booking_version,
    )  # the same message, not a new one
    assert (again.status, again.attempts, again.resends, again.resent_by) == (
        SmsStatus.QUEUED,
        0,
        1,
        ready.admin,
    )
    assert SmsDue.objects.filter(kind=DueKind.MESSAGE, object_id=sms.pk).exists()
    [event] = AuditEvent.objects.filter(action="sms.resend")
    assert (event.actor, event.subject) == (ready.admin, sms.recipient)

    run_due([], [sms.pk])  # the job queued after commit
    again.refresh_from_db()
    assert again.status == SmsStatus.SENT and again.gateway_id == elks.accepted[0]["id"]
    assert [m["message"] for m in elks.accepted] == [sms.text]
    html = admin.get(f"/bokningar/{booking.pk}/").content.decode()
    assert "Skickat igen av Alma Admin" in html
    assert resend_form(html, again) is None  # sent: no button

    # A second click (a stale page, or two admins at once) sends nothing.
    posts = len(elks.posts)
    stale = logged_in(ready.admin, ready).post(resend_path(sms), follow=True)
    assert "Bara ett sms som har misslyckats kan skickas igen." in stale.content.decode()
    run_due([], [sms.pk])
    assert len(elks.posts) == posts and len(elks.accepted) == 1


@pytest.mark.parametrize("status", ["sent", "delivered"])
def test_a_sent_or_delivered_message_is_never_sent_again(ready, elks, status):
    invite(ready)
    dispatch()
    [sms] = messages()
    if status == "delivered":
        apply_delivery_report(sms.gateway_id, "delivered", sms.created_at)
    admin = logged_in(ready.admin, ready)
    assert resend_form(admin.get(f"/bokningar/{sms.booking_id}/").content.decode(), sms) is None
    response = admin.post(resend_path(sms), follow=True)
    assert "Bara ett sms som har misslyckats" in response.content.decode()
    run_due([], [sms.pk])
    sms.refresh_from_db()
    assert sms.status == status and sms.resends == 0
    assert len(elks.posts) == 1 and not AuditEvent.objects.filter(action="sms.resend").exists()


@pytest.mark.parametrize("who", ["clinician", "patient"])
def test_only_admins_may_send_again(ready, elks, frozen, who):
    booking, sms = failed_for_good(ready, elks, frozen)
    user = ready.clinician if who == "clinician" else booking.participants.get().user
    if who == "patient":
        give_consent(user, current_consent_version(), "127.0.0.1")
    client = logged_in(user, ready)
    assert resend_form(client.get(f"/bokningar/{booking.pk}/").content.decode(), sms) is None
    assert client.post(resend_path(sms)).status_code == 403
    sms.refresh_from_db()
    assert (sms.status, sms.resends) == (SmsStatus.FAILED, 0)


def test_resend_is_post_only_and_needs_login(ready, elks, frozen):
    _booking, sms = failed_for_good(ready, elks, frozen)
    assert logged_in(ready.admin, ready).get(resend_path(sms)).status_code == 405
    anonymous = Client(HTTP_HOST=ready.host).post(resend_path(sms))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    sms.refresh_from_db()
    assert sms.status == SmsStatus.FAILED


def test_another_providers_admin_gets_404(beta, ready, elks, frozen):
    # `beta` before `ready`: the beta fixture leaves the connection in the public schema.
    _booking, sms = failed_for_good(ready, elks, frozen)
    with schema_context(beta.provider.schema_name):
        client = logged_in(beta.admin, beta)
        assert client.post(resend_path(sms)).status_code == 404
    sms.refresh_from_db()
    assert sms.status == SmsStatus.FAILED


def test_a_message_of_another_booking_is_404(ready, elks, frozen):
    _booking, sms = failed_for_good(ready, elks, frozen)
    other = invite(ready, n=2, starts_at=sms.booking.starts_at + datetime.timedelta(days=1))
    client = logged_in(ready.admin, ready)
    response = client.post(f"/bokningar/{other.pk}/sms/{sms.pk}/skicka-igen/")
    assert response.status_code == 404


def test_a_message_overtaken_by_a_newer_one_is_not_sent_again(ready, elks, frozen):
    booking, sms = failed_for_good(ready, elks, frozen)
    bookings.reschedule(
        booking,
        actor=ready.clinician,
        provider=ready.provider,
        starts_at=booking.starts_at + datetime.timedelta(hours=2),
    )
    dispatch()
    invited, rescheduled = messages()
    assert (invited.kind, rescheduled.kind) == (SmsKind.INVITED, SmsKind.RESCHEDULED)
    admin = logged_in(ready.admin, ready)
    assert resend_form(admin.get(f"/bokningar/{booking.pk}/").content.decode(), sms) is None
    response = admin.post(resend_path(sms), follow=True)
    assert "Mottagaren har fått ett nyare sms om bokningen." in response.content.decode()
    invited.refresh_from_db()
    assert invited.status == SmsStatus.FAILED


def test_a_message_after_the_visit_is_not_sent_again(ready, elks, frozen):
    booking, sms = failed_for_good(ready, elks, frozen)
    frozen.move_to(booking.ends_at)
    admin = logged_in(ready.admin, ready)
    response = admin.post(resend_path(sms), follow=True)
    assert "Besöket har redan börjat eller passerat" in response.content.decode()


def test_a_corrected_number_is_used(ready, elks, frozen):
    booking = invite(ready, patients=[patient_spec(1)])
    patient = booking.participants.get().user
    User.objects.filter(pk=patient.pk).update(mobile="+4612")  # broken before the SMS
    dispatch()
    [sms] = messages()
    assert sms.status == SmsStatus.FAILED and "Ogiltigt mobilnummer" in sms.error
    admin = logged_in(ready.admin, ready)
    assert resend_form(admin.get(f"/bokningar/{booking.pk}/").content.decode(), sms) is None
    response = admin.post(resend_path(sms), follow=True)
    assert "Mottagarens mobilnummer saknas eller är ogiltigt" in response.content.decode()
    User.objects.filter(pk=patient.pk).update(mobile="+46701112233")  # the admin corrects it
    assert click_resend(logged_in(ready.admin, ready, csrf=True), sms).status_code == 302
    run_due([], [sms.pk])
    sms.refresh_from_db()
    assert (sms.status, sms.to) == (SmsStatus.SENT, "+46701112233")
    assert [m["to"] for m in elks.accepted] == ["+46701112233"]


@pytest.mark.server
def test_admin_clicks_skicka_igen_in_a_browser(live_server_process, committed):
    """On a phone-sized screen: the button is there, the click queues the message again and
    the page says so."""
    provider = committed.provider("skickaigen", name="Kliniken Skicka Igen")
    admin_personnummer = personnummer("19700707", "007")
    with schema_context(provider.schema_name):
        admin = User.objects.get()
        profiles.update_consultation(admin, title="Läkare", description="")
        visit = profiles.create_visit_type(admin, title="Besök", duration_minutes=30, kind="video")
        profiles.activate_booking(admin)
        booking = bookings.invite(
            actor=admin,
            clinician=admin,
            visit_type=visit,
            provider=provider,
            patients=[patient_spec(1)],
            starts_at=in_days(2),
        )
        patient = booking.participants.get().user
        User.objects.filter(pk=patient.pk).update(mobile="")  # no number when it was sent
        # The session's shared worker may take the booking's job first: either way the message
        # exists, and fails, within moments.
        dispatch()
        [sms] = wait_for(lambda: messages(status=SmsStatus.FAILED), timeout=30)
        User.objects.filter(pk=patient.pk).update(mobile="+46701234599")
    with chromium() as browser:
        page, base, refused = phone_page(
            browser, live_server_process, "skickaigen", admin_personnummer
        )
        page.goto(f"{base}/bokningar/{booking.pk}/")
        page.locator(f"#sms-{sms.pk}").get_by_role("button", name="Skicka igen").click()
        page.wait_for_url(f"**/bokningar/{booking.pk}/#sms")
        text = page.locator("body").inner_text()
        assert "Sms:et skickas igen." in text
        row = page.locator(f"#sms-{sms.pk}").inner_text()
        # Queued again, or being sent or already sent when the session's shared worker runs.
        status, resent_by = row.split("Skickat igen av")
        assert status.rstrip().endswith(("I kö", "Skickas", "Skickat"))
        assert "Tove Testadmin" in resent_by
        assert page.locator(f"#sms-{sms.pk}").get_by_role("button").count() == 0
        assert refused == []
    with schema_context(provider.schema_name):
        sms.refresh_from_db()
        assert (sms.to, sms.resends) == ("+46701234599", 1)
        # Queued again; the session's shared worker, when one runs, may have sent it already.
        assert sms.status in (SmsStatus.QUEUED, SmsStatus.SENDING, SmsStatus.SENT)
