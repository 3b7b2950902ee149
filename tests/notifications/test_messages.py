"""Booking events become messages: who gets what, in which language, exactly once."""

import pytest
from django.db import IntegrityError, transaction

from careplatform.sms.models import DueKind, OutboxMessage, SmsDue
from tenant_apps.accounts.models import User
from tenant_apps.bookings import services as bookings
from tenant_apps.bookings.models import BookingEvent
from tenant_apps.notifications.models import SmsKind, SmsMessage, SmsStatus
from tenant_apps.notifications.services import handle_events
from tests.bookings.helpers import in_days, patient_spec
from tests.notifications.helpers import dispatch, invite, messages


def test_invitation_goes_to_the_patient_through_the_outbox(ready):
    booking = invite(ready)
    assert dispatch() == 1
    [sms] = messages()
    patient = booking.participants.get().user
    assert (sms.kind, sms.booking_version, sms.recipient, sms.status) == (
        SmsKind.INVITED,
        1,
        patient,
        SmsStatus.SENT,
    )
    assert (sms.to, sms.sender, sms.language) == ("+46701234501", "CarePlatfrm", "sv")
    assert sms.text.startswith("Vårdcentralen Alfa: videobesök ")
    assert sms.text.endswith(f"Bekräfta med BankID: http://alfa.localhost/b/{booking.reference}")
    [sent] = OutboxMessage.objects.all()
    assert (sent.provider_id, sent.to, sent.text, sent.gateway_id) == (
        ready.provider.schema_name,
        "+46701234501",
        sms.text,
        sms.gateway_id,
    )
    assert not SmsDue.objects.filter(kind=DueKind.MESSAGE).exists()  # finished: off the index


def test_sender_name_comes_from_the_providers_settings(ready):
    ready.provider.sms_sender_name = "Alfavard"
    ready.provider.save()
    invite(ready)
    dispatch()
    assert messages()[0].sender == "Alfavard"
    assert OutboxMessage.objects.get().sender == "Alfavard"


def test_every_patient_of_a_group_visit_gets_the_invitation(ready):
    invite(ready, visit_type=ready.group, patients=[patient_spec(n) for n in (1, 2, 3)])
    dispatch()
    sent = messages(kind=SmsKind.INVITED)
    assert sorted(m.to for m in sent) == ["+46701234501", "+46701234502", "+46701234503"]
    assert {m.status for m in sent} == {SmsStatus.SENT}


def test_invited_colleague_gets_the_invitation_and_every_change(ready):
    ready.colleague.mobile = "+46709998877"
    ready.colleague.save()
    booking = invite(ready, patients=[], colleague=ready.colleague)
    dispatch()
    bookings.reschedule(
        booking, actor=ready.clinician, provider=ready.provider, starts_at=in_days(3)
    )
    dispatch()
    bookings.cancel(booking, actor=ready.clinician)
    dispatch()
    sent = messages(recipient=ready.colleague)
    assert [(m.kind, m.booking_version) for m in sent] == [
        (SmsKind.INVITED, 1),
        (SmsKind.RESCHEDULED, 2),
        (SmsKind.CANCELLED, 3),
    ]
    assert {m.to for m in sent} == {"+46709998877"}
    assert "ny tid för videobesök" in sent[1].text
    assert "är avbokat" in sent[2].text


def test_boka_nu_says_the_visit_starts_now(ready):
    booking = invite(ready, instant=True, starts_at=None)
    dispatch()
    [sms] = messages()
    assert sms.text == (
        "Vårdcentralen Alfa: ditt videobesök börjar nu. Logga in med BankID: "
        f"http://alfa.localhost/b/{booking.reference}"
    )


def test_confirmation_sends_nothing(ready):
    booking = invite(ready)
    dispatch()
    bookings.confirm(booking, booking.participants.get().user)
    assert dispatch() == 1
    assert [m.kind for m in messages()] == [SmsKind.INVITED]


def test_english_speaking_patient_gets_english(ready):
    booking = invite(ready)
    User.objects.filter(pk=booking.participants.get().user_id).update(language="en")
    dispatch()
    assert messages()[0].text.startswith("Vårdcentralen Alfa: video visit ")
    assert messages()[0].language == "en"


def test_no_health_information_in_any_text(ready):
    booking = invite(
        ready,
        visit_type=ready.group,
        patients=[patient_spec(1), patient_spec(2)],
        message="Ta med din medicinlista och provsvar för diabetes.",
    )
    dispatch()
    bookings.reschedule(
        booking, actor=ready.clinician, provider=ready.provider, starts_at=in_days(4)
    )
    dispatch()
    bookings.cancel(booking, actor=ready.clinician, reason="Sjukdom hos läkaren")
    dispatch()
    texts = [m.text for m in messages()]
    assert len(texts) == 6
    clinician = ready.clinician
    forbidden = [
        "Gruppsamtal",  # visit type
        "medicin",
        "diabetes",  # the clinician's message
        "Sjukdom",  # the cancellation reason
        clinician.first_name,
        clinician.last_name,
        "Sjuksköterska",  # the clinician's title
        *[p.user.personnummer for p in booking.participants.all()],
        *[p.user.last_name for p in booking.participants.all()],
    ]
    for text in texts:
        for word in forbidden:
            assert word not in text


def test_handling_the_same_events_again_creates_and_sends_nothing_new(ready):
    invite(ready)
    events = list(BookingEvent.objects.all())
    with transaction.atomic():
        first = handle_events(events)
    assert len(first) == 1
    with transaction.atomic():
        assert handle_events(events) == []
    assert SmsMessage.objects.count() == 1


def test_the_idempotency_key_is_unique_in_the_database(ready):
    invite(ready)
    dispatch()
    sms = messages()[0]
    sms.pk = None
    sms.status = SmsStatus.QUEUED
    with pytest.raises(IntegrityError), transaction.atomic():
        sms.save()


def test_invalid_number_is_refused_before_sending(ready):
    booking = invite(ready)
    User.objects.filter(pk=booking.participants.get().user_id).update(mobile="+46812345678")
    dispatch()
    [sms] = messages()
    assert sms.status == SmsStatus.FAILED
    assert sms.error.startswith("Ogiltigt mobilnummer")
    assert sms.attempts == 0
    assert not OutboxMessage.objects.exists()
    assert not SmsDue.objects.exists()


def test_colleague_without_a_mobile_number_is_refused_before_sending(ready):
    ready.colleague.mobile = ""
    ready.colleague.save()
    invite(ready, patients=[], colleague=ready.colleague)
    dispatch()
    [sms] = messages()
    assert (sms.status, sms.error) == (SmsStatus.FAILED, "Mobilnummer saknas.")
    assert not OutboxMessage.objects.exists()


def test_an_invitation_dispatched_after_the_visit_is_not_sent(ready, frozen):
    booking = invite(ready)
    frozen.move_to(booking.ends_at)  # the worker was down all along
    dispatch()
    [sms] = messages()
    assert sms.status == SmsStatus.FAILED and "redan passerat" in sms.error
    assert not OutboxMessage.objects.exists()


def test_messages_are_written_with_the_events_marked_dispatched(ready, monkeypatch):
    """A crash between creating messages and marking the events leaves neither."""
    invite(ready)

    def crash(*args, **kwargs):
        raise RuntimeError("worker died")

    monkeypatch.setattr("tenant_apps.bookings.models.BookingEvent.objects.bulk_update", crash)
    with pytest.raises(RuntimeError):
        dispatch()
    assert not SmsMessage.objects.exists()
    assert BookingEvent.objects.get().dispatched_at is None
