"""Delivery reports on the public host: secret token per provider, idempotent, no crossing
between providers."""

import pytest
from django.test import Client, override_settings
from django_tenants.utils import schema_context

from tenant_apps.notifications.callbacks import callback_url, webhook_token
from tenant_apps.notifications.models import SmsStatus
from tests.notifications.helpers import dispatch, invite, messages


@pytest.fixture
def public():
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def sent(ready):
    """Alfa's invitation, sent through the outbox."""
    invite(ready)
    dispatch()
    [sms] = messages()
    assert sms.status == SmsStatus.SENT
    return sms


def url_for(schema, token=None):
    return f"/sms/leveransrapport/{schema}/{token or webhook_token(schema)}/"


def report(client, schema, gateway_id, status="delivered", token=None, **extra):
    form = {"id": gateway_id, "status": status, **extra}
    with schema_context("public"):
        return client.post(url_for(schema, token), form)


def test_delivered_report_marks_the_message_delivered(ready, sent, public):
    schema = ready.provider.schema_name
    response = report(public, schema, sent.gateway_id, delivered="2026-11-28T09:52:10.123000")
    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.status == SmsStatus.DELIVERED
    assert sent.delivered_at.isoformat() == "2026-11-28T09:52:10.123000+00:00"


def test_the_same_report_twice_changes_nothing(ready, sent, public):
    schema = ready.provider.schema_name
    assert report(public, schema, sent.gateway_id).status_code == 200
    sent.refresh_from_db()
    first = (sent.status, sent.delivered_at)
    assert report(public, schema, sent.gateway_id).status_code == 200
    assert report(public, schema, sent.gateway_id, status="failed").status_code == 200
    assert report(public, schema, sent.gateway_id, status="sent").status_code == 200
    sent.refresh_from_db()
    assert (sent.status, sent.delivered_at) == first


def test_failed_report_marks_the_message_failed(ready, sent, public):
    assert report(public, ready.provider.schema_name, sent.gateway_id, "failed").status_code == 200
    sent.refresh_from_db()
    assert sent.status == SmsStatus.FAILED and sent.error == "Kunde inte levereras till mobilen."


def test_wrong_token_is_refused(ready, sent, public):
    response = report(public, ready.provider.schema_name, sent.gateway_id, token="0" * 40)
    assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.status == SmsStatus.SENT


def test_another_providers_token_is_refused(beta, ready, sent, public):
    token = webhook_token(beta.provider.schema_name)
    response = report(public, ready.provider.schema_name, sent.gateway_id, token=token)
    assert response.status_code == 403


def test_a_message_of_provider_a_cannot_be_touched_through_provider_bs_url(
    beta, ready, sent, public
):
    response = report(public, beta.provider.schema_name, sent.gateway_id)
    assert response.status_code == 404
    sent.refresh_from_db()
    assert sent.status == SmsStatus.SENT


def test_unknown_message_id_is_refused(ready, sent, public):
    response = report(public, ready.provider.schema_name, "s0000000000000000")
    assert response.status_code == 404


def test_unknown_provider_is_refused(db, public):
    assert report(public, "t_okand", "s1").status_code == 404


def test_unknown_status_is_refused(ready, sent, public):
    response = report(public, ready.provider.schema_name, sent.gateway_id, "exploded")
    assert response.status_code == 400


def test_get_is_not_allowed(ready, public):
    with schema_context("public"):
        assert public.get(url_for(ready.provider.schema_name)).status_code == 405


def test_provider_host_has_no_webhook(ready, sent):
    client = Client(HTTP_HOST=ready.host)
    with schema_context("public"):
        response = client.post(url_for(ready.provider.schema_name), {"id": sent.gateway_id})
    assert response.status_code == 404


@pytest.mark.server
def test_fake_gateway_reports_delivery_to_the_live_server(committed, live_server_process):
    """Over real HTTP: the fake 46elks posts the report to the URL it was given."""
    from careplatform.sms.fake_gateway import FakeElks46
    from careplatform.sms.gateway import OutgoingSms, get_backend
    from tenant_apps.accounts.models import User
    from tenant_apps.bookings.models import Booking
    from tenant_apps.notifications.models import SmsMessage
    from tests.notifications.helpers import ELKS_SETTINGS

    provider = committed.provider("gammasms")
    base = f"http://localhost:{live_server_process.port}"
    with (
        FakeElks46() as elks,
        override_settings(ELKS46_API_URL=elks.url, SMS_CALLBACK_URL=base, **ELKS_SETTINGS),
        schema_context(provider.schema_name),
    ):
        accepted = get_backend().send(
            OutgoingSms("Gamma", "+46701234567", "Hej", callback_url(provider.schema_name))
        )
        admin = User.objects.get()
        sms = _stored_message(admin, accepted.gateway_id)
        assert elks.deliver(accepted.gateway_id).status_code == 200
        sms.refresh_from_db()
        assert sms.status == SmsStatus.DELIVERED
        assert elks.deliver(accepted.gateway_id).status_code == 200  # again: fine
        assert Booking.objects.count() == 1 and SmsMessage.objects.count() == 1


def _stored_message(user, gateway_id):
    """A sent message for a bare booking of `user` (enough for the webhook)."""
    import datetime

    from careplatform import clock
    from tenant_apps.bookings.models import Booking
    from tenant_apps.notifications.models import SmsMessage
    from tenant_apps.profiles.models import VisitType

    now = clock.now()
    visit_type = VisitType.objects.create(
        clinician=user, title="Besök", duration_minutes=30, kind="video"
    )
    booking = Booking.objects.create(
        clinician=user,
        visit_type=visit_type,
        starts_at=now + datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=1, minutes=30),
        created_by=user,
        created_at=now,
    )
    return SmsMessage.objects.create(
        booking=booking, kind="invited", booking_version=1, recipient=user, to="+46701234567",
        sender="Gamma", language="sv", text="Hej", segments=1, status=SmsStatus.SENT,
        gateway_id=gateway_id, created_at=now, next_attempt_at=now, expires_at=booking.ends_at,
    )  # fmt: skip
