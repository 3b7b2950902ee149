"""The SMS status on the booking page, and the outbox page on the public host."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import current_consent_version, give_consent
from tenant_apps.notifications.models import SmsStatus
from tests.clients import PUBLIC, logged_in
from tests.notifications.helpers import dispatch, invite, messages


def test_booking_page_shows_each_messages_status(ready):
    booking = invite(ready)
    patient = booking.participants.get().user
    dispatch()
    User.objects.filter(pk=patient.pk).update(mobile="+4612")
    from tenant_apps.bookings import services as bookings

    bookings.cancel(booking, actor=ready.clinician)
    dispatch()
    invited, cancelled = messages()
    assert (invited.status, cancelled.status) == (SmsStatus.SENT, SmsStatus.FAILED)
    page = logged_in(ready.clinician, ready).get(f"/bokningar/{booking.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="sms"' in html
    assert f"Inbjudan till {patient.full_name}" in html and "Skickat" in html
    assert f"Avbokning till {patient.full_name}" in html and "Misslyckades" in html
    assert "Ogiltigt mobilnummer" in html


def test_admin_sees_the_sms_log_too(ready):
    booking = invite(ready)
    dispatch()
    page = logged_in(ready.admin, ready).get(f"/bokningar/{booking.pk}/")
    assert 'id="sms"' in page.content.decode()


def test_patient_does_not_see_the_sms_log(ready):
    booking = invite(ready)
    dispatch()
    patient = booking.participants.get().user
    give_consent(patient, current_consent_version(), "127.0.0.1")
    page = logged_in(patient, ready).get(f"/bokningar/{booking.pk}/")
    assert page.status_code == 200
    assert 'id="sms"' not in page.content.decode()


@pytest.fixture
def outboxed(ready):
    invite(ready)
    dispatch()
    return messages()[0]


def operator() -> User:
    with schema_context("public"):
        return User.objects.get(is_operator=True)


@pytest.mark.parametrize("debug", [False, True], ids=["production", "development"])
def test_anonymous_visitor_is_sent_to_log_in_for_the_outbox(outboxed, settings, debug):
    settings.DEBUG = debug
    with schema_context("public"):
        page = Client(HTTP_HOST="localhost").get("/sms/utkorg/")
    assert page.status_code == 302 and page["Location"] == "/login/?next=/sms/utkorg/"
    assert b"+46701234501" not in page.content


@pytest.mark.parametrize("debug", [False, True], ids=["production", "development"])
def test_support_staff_may_not_see_the_outbox(outboxed, settings, debug):
    settings.DEBUG = debug
    with schema_context("public"):
        support = User.objects.get(is_support=True)
        page = logged_in(support, PUBLIC).get("/sms/utkorg/")
    assert page.status_code == 403 and "+46701234501" not in page.content.decode()


@pytest.mark.parametrize("debug", [False, True], ids=["production", "development"])
def test_operator_sees_the_outbox_with_each_messages_provider(outboxed, settings, debug):
    settings.DEBUG = debug
    with schema_context("public"):
        page = logged_in(operator(), PUBLIC).get("/sms/utkorg/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Vårdcentralen Alfa (alfa)" in html and "+46701234501" in html
    assert outboxed.text.split(":")[0] in html


def test_outbox_page_is_not_on_a_provider_host(ready, settings):
    settings.DEBUG = True
    assert Client(HTTP_HOST=ready.host).get("/sms/utkorg/").status_code == 404
