"""Reminders 30 minutes before confirmed visits, with a controlled clock (manual 4)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from careplatform import clock
from careplatform.sms.models import DueKind, OutboxMessage, SmsDue
from tenant_apps.bookings import services as bookings
from tenant_apps.notifications.models import SmsKind, SmsStatus
from tenant_apps.notifications.sweep import RUN_DUE, sweep_due
from tenants.models import CareProvider, ProviderStatus
from tenants.tasks import run_in_provider
from tests.bookings.helpers import in_days, patient_spec
from tests.notifications.helpers import Jobs, confirmed, dispatch, invite, messages, sweep

HALF_HOUR = datetime.timedelta(minutes=30)
SECOND = datetime.timedelta(seconds=1)


def no_confirmation_needed(cast):
    CareProvider.objects.filter(pk=cast.provider.pk).update(patient_confirmation_required=False)
    cast.provider.refresh_from_db()


def frozen_now(frozen):
    return clock.now().replace(second=0, microsecond=0)


def reminder_row(booking):
    return SmsDue.objects.filter(kind=DueKind.REMINDER, object_id=booking.pk).first()


def reminders():
    return messages(kind=SmsKind.REMINDER)


def test_confirmed_booking_has_its_reminder_due_30_minutes_before_the_start(ready, frozen):
    booking = confirmed(ready)
    row = reminder_row(booking)
    assert row.due_at == booking.starts_at - HALF_HOUR
    assert row.provider_id == ready.provider.schema_name


def test_reminder_is_sent_at_its_due_time_and_not_before(ready, frozen):
    booking = confirmed(ready)
    frozen.move_to(booking.starts_at - HALF_HOUR - SECOND)
    sweep()
    assert reminders() == []
    frozen.move_to(booking.starts_at - HALF_HOUR)
    sweep()
    [sms] = reminders()
    assert (sms.status, sms.booking_version) == (SmsStatus.SENT, booking.version)
    assert sms.text.startswith(
        "Påminnelse: ditt videobesök hos Vårdcentralen Alfa börjar kl. 10.00"
    )
    assert OutboxMessage.objects.filter(text=sms.text).count() == 1
    assert reminder_row(booking) is None
    sweep()  # nothing left to do
    assert len(reminders()) == 1


def test_every_patient_of_a_group_visit_is_reminded(ready, frozen):
    booking = confirmed(ready, visit_type=ready.group, patients=[patient_spec(1), patient_spec(2)])
    frozen.move_to(booking.starts_at - HALF_HOUR)
    sweep()
    assert sorted(m.to for m in reminders()) == ["+46701234501", "+46701234502"]


def test_reschedule_moves_the_reminder(ready, frozen):
    no_confirmation_needed(ready)
    booking = invite(ready)
    dispatch()
    old_due = booking.starts_at - HALF_HOUR
    booking = bookings.reschedule(
        booking, actor=ready.clinician, provider=ready.provider, starts_at=in_days(3, hour=14)
    )
    dispatch()
    assert reminder_row(booking).due_at == booking.starts_at - HALF_HOUR
    frozen.move_to(old_due)
    sweep()
    assert reminders() == []
    frozen.move_to(booking.starts_at - HALF_HOUR)
    sweep()
    [sms] = reminders()
    assert sms.booking_version == 2 and "börjar kl. 14.00" in sms.text


def test_reschedule_that_needs_confirmation_again_holds_the_reminder_until_confirmed(ready, frozen):
    booking = confirmed(ready)
    booking = bookings.reschedule(
        booking, actor=ready.clinician, provider=ready.provider, starts_at=in_days(3)
    )
    dispatch()
    assert reminder_row(booking) is None
    bookings.confirm(booking, booking.participants.get().user)
    dispatch()
    assert reminder_row(booking).due_at == booking.starts_at - HALF_HOUR


def test_cancel_removes_the_reminder(ready, frozen):
    booking = confirmed(ready)
    bookings.cancel(booking, actor=ready.clinician)
    dispatch()
    assert reminder_row(booking) is None
    frozen.move_to(booking.starts_at - HALF_HOUR)
    sweep()
    assert reminders() == []


def test_unconfirmed_booking_gets_no_reminder_and_expires_without_one(ready, frozen):
    booking = invite(ready)
    dispatch()
    assert reminder_row(booking) is None
    for moment in (booking.starts_at - HALF_HOUR, booking.starts_at + SECOND):
        frozen.move_to(moment)
        sweep()
    assert reminders() == []


def test_boka_nu_gets_no_reminder(ready, frozen):
    booking = invite(ready, instant=True, starts_at=None)
    dispatch()
    assert reminder_row(booking) is None


def test_colleague_test_visit_gets_no_reminder(ready, frozen):
    booking = invite(ready, patients=[], colleague=ready.colleague)  # confirmed at once
    dispatch()
    frozen.move_to(booking.starts_at - HALF_HOUR)
    sweep()
    assert reminders() == []


def test_late_reminder_is_sent_when_the_worker_was_down(ready, frozen):
    booking = confirmed(ready)
    frozen.move_to(booking.starts_at - datetime.timedelta(minutes=5))
    sweep()
    [sms] = reminders()
    assert sms.status == SmsStatus.SENT


def test_reminder_is_sent_when_the_confirmation_itself_reached_the_worker_late(ready, frozen):
    booking = invite(ready)
    dispatch()
    bookings.confirm(booking, booking.participants.get().user)  # two days ahead
    frozen.move_to(booking.starts_at - datetime.timedelta(minutes=10))  # worker was down
    dispatch()
    sweep()
    [sms] = reminders()
    assert sms.status == SmsStatus.SENT


def test_no_reminder_once_the_visit_has_started(ready, frozen):
    booking = confirmed(ready)
    frozen.move_to(booking.starts_at)
    sweep()
    assert reminders() == []
    assert reminder_row(booking) is None


def test_cancelled_before_its_events_were_dispatched_gets_no_reminder(ready, frozen):
    booking = confirmed(ready)
    bookings.cancel(booking, actor=ready.clinician)  # its dispatch job has not run yet
    frozen.move_to(booking.starts_at - HALF_HOUR)
    sweep()
    assert reminders() == []
    assert reminder_row(booking) is None


def test_moved_before_its_events_were_dispatched_waits_for_the_new_time(ready, frozen):
    no_confirmation_needed(ready)
    booking = invite(ready)
    dispatch()
    bookings.reschedule(
        booking, actor=ready.clinician, provider=ready.provider, starts_at=in_days(4)
    )
    frozen.move_to(booking.starts_at - HALF_HOUR)
    sweep()
    assert reminders() == []
    booking.refresh_from_db()
    assert reminder_row(booking).due_at == booking.starts_at - HALF_HOUR


def test_booking_made_inside_the_last_30_minutes_gets_no_separate_reminder(ready, frozen):
    no_confirmation_needed(ready)
    booking = invite(ready, starts_at=frozen_now(frozen) + datetime.timedelta(minutes=20))
    dispatch()
    assert reminder_row(booking) is None
    assert [m.kind for m in messages()] == [SmsKind.INVITED]


def test_a_due_reminder_is_leased_once_and_comes_back_if_its_job_died(ready, frozen, settings):
    booking = confirmed(ready)
    due = booking.starts_at - HALF_HOUR
    frozen.move_to(due)
    with schema_context("public"):
        lost = Jobs()
        assert sweep_due(enqueue=lost) == 1  # its job is lost with the worker
        assert sweep_due(enqueue=Jobs()) == 0  # leased: not queued twice
    frozen.move_to(due + datetime.timedelta(seconds=settings.SMS_LEASE_SECONDS))
    sweep()
    assert len(reminders()) == 1
    frozen.move_to(due + datetime.timedelta(seconds=3 * settings.SMS_LEASE_SECONDS))
    sweep()
    assert len(reminders()) == 1


def test_due_work_carries_its_schema_and_runs_in_its_own_provider(alfa, beta, frozen):
    now = frozen_now(frozen)
    for cast, object_id in ((alfa, 11), (beta, 22)):
        SmsDue.objects.create(
            provider_id=cast.provider.schema_name, kind=DueKind.REMINDER, object_id=object_id,
            due_at=now,
        )  # fmt: skip
    jobs = Jobs()
    sweep_due(now, enqueue=jobs)
    queued = sorted((args[0], args[1], args[2], args[3]) for func, args, kw in jobs.queued)
    assert queued == [
        (alfa.provider.schema_name, RUN_DUE, [11], []),
        (beta.provider.schema_name, RUN_DUE, [22], []),
    ]
    assert {func for func, args, kw in jobs.queued} == {run_in_provider}


def _sweep_queries(now) -> int:
    with CaptureQueriesContext(connection) as queries:
        sweep_due(now, enqueue=Jobs())
    return len(queries)


def test_finding_due_work_costs_the_same_queries_for_one_or_many_providers(alfa, beta, frozen):
    now = frozen_now(frozen)
    SmsDue.objects.create(
        provider_id=alfa.provider.schema_name, kind=DueKind.REMINDER, object_id=1, due_at=now
    )
    one_provider = _sweep_queries(now)
    for cast in (alfa, beta):
        SmsDue.objects.bulk_create(
            SmsDue(provider_id=cast.provider.schema_name, kind=DueKind.MESSAGE, object_id=n,
                   due_at=now)
            for n in range(100, 150)
        )  # fmt: skip
    assert _sweep_queries(now) == one_provider
    assert _sweep_queries(now) <= one_provider  # nothing due: still no query per provider


def test_suspended_providers_reminders_wait_until_it_is_active_again(alfa, frozen):
    now = frozen_now(frozen)
    SmsDue.objects.create(
        provider_id=alfa.provider.schema_name, kind=DueKind.REMINDER, object_id=1, due_at=now
    )
    CareProvider.objects.filter(pk=alfa.provider.pk).update(status=ProviderStatus.SUSPENDED)
    assert sweep_due(now, enqueue=Jobs()) == 0
    CareProvider.objects.filter(pk=alfa.provider.pk).update(status=ProviderStatus.ACTIVE)
    assert sweep_due(now, enqueue=Jobs()) == 1


def test_every_message_of_a_booking_links_to_that_visit(ready, frozen):
    """Invitation, reminder, new time and cancellation: each links to the booking's short visit
    link on the provider's host, whatever changed, within one segment."""
    booking = confirmed(ready)
    frozen.move_to(booking.starts_at - HALF_HOUR)
    sweep()
    bookings.reschedule(
        booking, actor=ready.clinician, provider=ready.provider, starts_at=in_days(3)
    )
    dispatch()
    bookings.cancel(booking, actor=ready.clinician)
    dispatch()
    sent = messages()
    assert [m.kind for m in sent] == [
        SmsKind.INVITED, SmsKind.REMINDER, SmsKind.RESCHEDULED, SmsKind.CANCELLED
    ]  # fmt: skip
    for sms in sent:
        assert sms.text.endswith(f": http://alfa.localhost/b/{booking.reference}"), sms.text
        assert sms.segments == 1
