"""The elks46 backend against a fake 46elks over real HTTP: fields, basic auth, sender name,
each retry rule, reconciliation after a timeout. The clock is controlled; nobody waits for a
backoff."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.test import override_settings

from careplatform.sms.gateway import OutgoingSms, get_backend
from careplatform.sms.models import DueKind, SmsDue
from tenant_apps.bookings import services as bookings
from tenant_apps.notifications.callbacks import webhook_token
from tenant_apps.notifications.models import SmsKind, SmsMessage, SmsStatus
from tenant_apps.notifications.sending import send_messages
from tests.bookings.helpers import patient_spec
from tests.notifications.helpers import dispatch, invite, messages, sweep

SECOND = datetime.timedelta(seconds=1)


def one_message(cast) -> SmsMessage:
    invite(cast)
    dispatch()
    [sms] = messages()
    return sms


def due_row(sms):
    return SmsDue.objects.filter(kind=DueKind.MESSAGE, object_id=sms.pk).first()


def later(frozen, seconds: float):
    frozen.shift(datetime.timedelta(seconds=seconds))


def test_posts_from_to_message_and_callback_with_basic_auth(ready, elks, frozen):
    ready.provider.sms_sender_name = "AlfaVard"
    ready.provider.save()
    sms = one_message(ready)
    [post] = elks.posts
    assert post["authorized"] and urlsplit(post["path"]).path == "/a1/sms"
    form = post["form"]
    assert (form["from"], form["to"], form["message"]) == ("AlfaVard", "+46701234501", sms.text)
    schema = ready.provider.schema_name
    assert form["whendelivered"] == (
        f"http://localhost/sms/leveransrapport/{schema}/{webhook_token(schema)}/"
    )
    [accepted] = elks.accepted
    assert (sms.status, sms.gateway_id, sms.attempts) == (SmsStatus.SENT, accepted["id"], 1)
    assert sms.error == "" and due_row(sms) is None


def test_wrong_credentials_are_refused_for_good(ready, elks, frozen):
    with override_settings(ELKS46_PASSWORD="wrong"):
        sms = one_message(ready)
    assert elks.posts[0]["authorized"] is False and elks.accepted == []
    assert sms.status == SmsStatus.FAILED and "401" in sms.error


def test_server_errors_are_retried_with_backoff(ready, elks, frozen, settings):
    elks.script("500", "503")
    sms = one_message(ready)
    base = settings.SMS_RETRY_BASE_SECONDS
    assert (sms.status, sms.attempts, sms.error) == (SmsStatus.QUEUED, 1, "46elks svarade 500")
    assert sms.next_attempt_at == sms.created_at + datetime.timedelta(seconds=base)
    assert due_row(sms).due_at == sms.next_attempt_at
    later(frozen, base - 1)
    sweep()  # not due yet
    assert len(elks.posts) == 1
    later(frozen, 1)
    sweep()
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (SmsStatus.QUEUED, 2)
    assert due_row(sms).due_at == sms.next_attempt_at  # twice the base this time
    later(frozen, 2 * base)
    sweep()
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, len(elks.posts), len(elks.accepted)) == (
        SmsStatus.SENT,
        3,
        3,
        1,
    )
    assert due_row(sms) is None


def test_unreadable_server_error_page_is_retried(ready, elks, frozen):
    elks.script("garbage500")
    sms = one_message(ready)
    assert (sms.status, sms.attempts) == (SmsStatus.QUEUED, 1)
    assert elks.accepted == []


def test_no_connection_is_retried(ready, elks, frozen, settings):
    with override_settings(ELKS46_API_URL="http://127.0.0.1:9/a1"):  # nothing listens there
        sms = one_message(ready)
    assert sms.status == SmsStatus.QUEUED and "Ingen anslutning" in sms.error
    later(frozen, settings.SMS_RETRY_BASE_SECONDS)
    sweep()
    sms.refresh_from_db()
    assert sms.status == SmsStatus.SENT and len(elks.accepted) == 1


def test_429_waits_the_advised_delay_and_holds_the_rest_of_the_batch(ready, elks, frozen):
    elks.script("429:120")
    invite(ready, visit_type=ready.group, patients=[patient_spec(1), patient_spec(2)])
    dispatch()
    first, second = messages()
    assert (first.status, first.attempts) == (SmsStatus.QUEUED, 1)  # an attempt, like any
    assert first.next_attempt_at == first.created_at + datetime.timedelta(seconds=120)
    assert (second.status, second.attempts) == (SmsStatus.QUEUED, 0)
    assert len(elks.posts) == 1  # the second was not even tried
    assert due_row(first).due_at == due_row(second).due_at == first.next_attempt_at
    later(frozen, 119)
    sweep()
    assert len(elks.posts) == 1
    later(frozen, 1)
    sweep()
    assert {m.status for m in messages()} == {SmsStatus.SENT}
    assert len(elks.accepted) == 2


def test_429_without_advice_backs_off(ready, elks, frozen, settings):
    elks.script("429")
    sms = one_message(ready)
    delay = datetime.timedelta(seconds=settings.SMS_RETRY_BASE_SECONDS)
    assert sms.status == SmsStatus.QUEUED and sms.next_attempt_at == sms.created_at + delay


def test_other_client_errors_fail_for_good(ready, elks, frozen):
    elks.script("400")
    sms = one_message(ready)
    assert sms.status == SmsStatus.FAILED and "400" in sms.error
    assert due_row(sms) is None
    later(frozen, 3600)
    sweep()
    assert len(elks.posts) == 1


def test_gives_up_after_the_last_attempt(ready, elks, frozen):
    with override_settings(SMS_MAX_ATTEMPTS=2):
        elks.script("500", "500", "500")
        sms = one_message(ready)
        later(frozen, 3600)
        sweep()
    sms.refresh_from_db()
    assert sms.status == SmsStatus.FAILED and sms.error.startswith("Gav upp efter 2 försök")
    assert due_row(sms) is None and len(elks.posts) == 2


def test_timeout_after_sending_is_unknown_then_found_in_the_gateways_list(
    ready, elks, frozen, settings
):
    elks.script("timeout")
    sms = one_message(ready)
    assert sms.status == SmsStatus.UNKNOWN and "Inget svar" in sms.error
    assert len(elks.accepted) == 1  # the gateway did take it
    later(frozen, settings.SMS_RECONCILE_DELAY)
    sweep()
    sms.refresh_from_db()
    assert (sms.status, sms.gateway_id) == (SmsStatus.SENT, elks.accepted[0]["id"])
    assert len(elks.posts) == 1  # never sent again
    assert due_row(sms) is None


def test_request_lost_before_the_gateway_took_it_is_sent_again_after_looking(
    ready, elks, frozen, settings
):
    elks.script("lost")
    sms = one_message(ready)
    assert sms.status == SmsStatus.UNKNOWN and elks.accepted == []
    later(frozen, settings.SMS_RECONCILE_DELAY)
    sweep()
    sms.refresh_from_db()
    assert sms.status == SmsStatus.SENT and sms.attempts == 2
    assert len(elks.accepted) == 1 and sms.gateway_id == elks.accepted[0]["id"]


@pytest.mark.parametrize("answer", ["garbage", "drop"])
def test_unreadable_or_missing_answer_is_reconciled_not_resent(
    ready, elks, frozen, settings, answer
):
    elks.script(answer)
    sms = one_message(ready)
    assert sms.status == SmsStatus.UNKNOWN
    later(frozen, settings.SMS_RECONCILE_DELAY)
    sweep()
    sms.refresh_from_db()
    assert sms.status == SmsStatus.SENT and len(elks.accepted) == 1 and len(elks.posts) == 1


def test_unknown_stays_unknown_while_the_list_cannot_be_read(ready, elks, frozen, settings):
    elks.script("timeout")
    sms = one_message(ready)
    with override_settings(ELKS46_API_URL="http://127.0.0.1:9/a1"):
        later(frozen, settings.SMS_RECONCILE_DELAY)
        sweep()
    sms.refresh_from_db()
    assert sms.status == SmsStatus.UNKNOWN and "stämma av" in sms.error
    assert due_row(sms) is not None
    later(frozen, settings.SMS_RECONCILE_DELAY)
    sweep()
    sms.refresh_from_db()
    assert sms.status == SmsStatus.SENT and len(elks.posts) == 1


def test_reconciliation_tells_identical_texts_apart(ready, elks, frozen, settings):
    """Two messages with the same text to the same number: each keeps its own gateway id."""
    sms = one_message(ready)
    twin = SmsMessage.objects.get(pk=sms.pk)
    twin.pk, twin.kind, twin.status, twin.gateway_id = None, SmsKind.RESCHEDULED, "queued", ""
    twin.attempts = 0
    twin.save()
    elks.script("timeout")
    send_messages([twin.pk])
    later(frozen, settings.SMS_RECONCILE_DELAY)
    send_messages([twin.pk])
    twin.refresh_from_db()
    assert twin.status == SmsStatus.SENT and twin.gateway_id == elks.accepted[1]["id"]
    assert len(elks.accepted) == 2


def test_worker_that_died_after_the_gateway_took_the_message_sends_nothing_twice(
    ready, elks, frozen, settings
):
    sms = _claimed_by_a_dead_worker(ready)
    get_backend().send(OutgoingSms(sms.sender, sms.to, sms.text))  # it got this far
    later(frozen, settings.SMS_LEASE_SECONDS)
    sweep()
    sms.refresh_from_db()
    assert sms.status == SmsStatus.SENT and sms.gateway_id == elks.accepted[0]["id"]
    assert len(elks.accepted) == 1


def test_worker_that_died_before_sending_leaves_the_message_to_be_sent(
    ready, elks, frozen, settings
):
    sms = _claimed_by_a_dead_worker(ready)
    later(frozen, settings.SMS_LEASE_SECONDS - 1)
    sweep()
    assert elks.posts == []  # still claimed: nobody touches it
    later(frozen, 1)
    sweep()
    sms.refresh_from_db()
    assert sms.status == SmsStatus.SENT and len(elks.accepted) == 1


def _claimed_by_a_dead_worker(cast) -> SmsMessage:
    """A message a worker claimed for sending (and then died)."""
    from tenant_apps.notifications import sending

    with override_settings(SMS_BACKEND="console"):
        invite(cast)
        message_ids = _dispatch_without_sending()
    [sms] = SmsMessage.objects.filter(pk__in=message_ids)
    assert sending._claim([sms], sms.created_at) == [sms]
    sms.refresh_from_db()
    assert sms.status == SmsStatus.SENDING
    return sms


def _dispatch_without_sending() -> list[int]:
    from django.db import transaction

    from tenant_apps.bookings.models import BookingEvent
    from tenant_apps.notifications.services import handle_events

    with transaction.atomic():
        events = list(BookingEvent.objects.filter(dispatched_at__isnull=True))
        ids = handle_events(events)
        BookingEvent.objects.filter(pk__in=[e.pk for e in events]).update(
            dispatched_at=events[0].created_at
        )
    return ids


def test_reminder_that_cannot_be_handed_over_before_the_start_is_never_sent(
    ready, elks, frozen, settings
):
    booking = invite(ready, patients=[patient_spec(1)], colleague=None)
    dispatch()
    bookings.confirm(booking, booking.participants.get().user)
    dispatch()
    frozen.move_to(booking.starts_at - datetime.timedelta(minutes=30))
    elks.script(*["500"] * 20)
    for _ in range(12):
        sweep()
        later(frozen, settings.SMS_RETRY_MAX_SECONDS)
    [reminder] = messages(kind=SmsKind.REMINDER)
    assert reminder.status == SmsStatus.FAILED and "hann börja" in reminder.error
    assert elks.accepted_count("+46701234501") == 1  # the invitation only


def test_no_request_starts_that_could_outlive_its_claim(ready, elks, frozen):
    with override_settings(SMS_LEASE_SECONDS=1):  # shorter than HTTP timeout + 1 s
        sms = one_message(ready)
    assert elks.posts == []
    assert (sms.status, sms.attempts, sms.claimed_until) == (SmsStatus.QUEUED, 0, None)
    assert due_row(sms).due_at == sms.next_attempt_at
