"""Booking rules (manual 3, 7.4): states, refusals, no double booking, outbox events."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from careplatform import clock
from careplatform.timeutil import local_datetime
from tenant_apps.accounts.models import User
from tenant_apps.bookings import events as booking_events
from tenant_apps.bookings import services
from tenant_apps.bookings.models import Booking, BookingEvent, BookingStatus
from tenant_apps.notifications.models import SmsKind, SmsMessage
from tenant_apps.profiles import services as profiles
from tests.bookings.helpers import in_days, invite, patient_spec


def events(booking) -> list[tuple[str, int]]:
    return list(BookingEvent.objects.filter(booking=booking).values_list("kind", "booking_version"))


def test_invite_creates_an_unconfirmed_booking_and_the_patient(ready):
    booking = invite(ready)
    assert booking.status == BookingStatus.UNCONFIRMED
    assert booking.ends_at - booking.starts_at == datetime.timedelta(minutes=30)
    patient = User.objects.get(personnummer=patient_spec().personnummer)
    assert patient.is_patient and patient.mobile == "+46701234501"
    assert events(booking) == [("invited", 1)]


def test_existing_patient_is_matched_by_personnummer_and_kept_as_stored(ready):
    per = ready.patient
    spec = patient_spec(personnummer=per.personnummer, first_name="Pelle", mobile="0739998877")
    booking = invite(ready, patients=[spec])
    per.refresh_from_db()
    assert booking.participants.get().user == per
    assert (per.first_name, per.mobile) == ("Per", "+46702223344")
    assert [str(n) for n in services.kept_details(booking, [spec])] == [
        f"{per.personnummer[:8]}-{per.personnummer[8:]} finns redan som patient hos "
        "vårdgivaren. Bokningen använder de sparade uppgifterna (namn och mobilnummer); bara "
        "en administratör kan ändra dem."
    ]


def test_an_admins_invite_updates_an_existing_patient(ready):
    per = ready.patient
    spec = patient_spec(personnummer=per.personnummer, first_name="Pelle", mobile="0739998877")
    booking = invite(ready, actor=ready.admin, patients=[spec], ip_address="192.0.2.7")
    per.refresh_from_db()
    assert (per.first_name, per.last_name, per.mobile) == ("Pelle", "Testsson", "+46739998877")
    assert services.kept_details(booking, [spec]) == []


def test_boka_nu_starts_now_and_needs_no_confirmation(ready):
    booking = invite(ready, starts_at=None, instant=True)
    assert booking.status == BookingStatus.CONFIRMED and booking.instant
    assert abs((booking.starts_at - clock.now()).total_seconds()) < 5
    assert services.can_be_held(booking)


def test_without_required_confirmation_a_booking_is_confirmed_at_once(ready):
    ready.provider.patient_confirmation_required = False
    assert invite(ready).status == BookingStatus.CONFIRMED


def test_unconfirmed_booking_can_never_be_held(ready):
    booking = invite(ready)
    assert not services.can_be_held(booking)


def test_patient_confirms_then_booking_can_be_held(ready):
    booking = invite(ready)
    patient = booking.participants.get().user
    booking = services.confirm(booking, patient)
    assert booking.status == BookingStatus.CONFIRMED and booking.version == 2
    assert events(booking) == [("invited", 1), ("confirmed", 2)]
    assert services.can_be_held(booking)


def test_group_booking_is_confirmed_when_every_patient_has(ready):
    booking = invite(ready, visit_type=ready.group, patients=[patient_spec(1), patient_spec(2)])
    first, second = [p.user for p in booking.participants.all()]
    assert services.confirm(booking, first).status == BookingStatus.UNCONFIRMED
    assert services.confirm(booking, second).status == BookingStatus.CONFIRMED


def test_confirming_someone_elses_booking_is_refused(ready):
    booking = invite(ready)
    with pytest.raises(ValidationError, match="inte inbjuden"):
        services.confirm(booking, ready.patient)


def test_unconfirmed_booking_whose_start_passed_is_expired(ready):
    booking = invite(ready)
    with time_machine.travel(booking.starts_at + datetime.timedelta(minutes=1), tick=False):
        assert services.effective_status(booking) == BookingStatus.EXPIRED
        with pytest.raises(ValidationError, match="utgången"):
            services.confirm(booking, booking.participants.get().user)


def test_reschedule_keeps_the_booking_and_asks_for_confirmation_again(ready):
    booking = invite(ready)
    booking = services.confirm(booking, booking.participants.get().user)
    moved = services.reschedule(
        booking, actor=ready.clinician, provider=ready.provider, starts_at=in_days(3)
    )
    assert moved.pk == booking.pk
    assert moved.status == BookingStatus.UNCONFIRMED and moved.version == 3
    assert moved.participants.get().confirmed_at is None
    assert events(moved)[-1] == ("rescheduled", 3)


def test_cancel_records_who_and_why_and_frees_the_slot(ready):
    booking = invite(ready)
    cancelled = services.cancel(booking, actor=ready.clinician, reason="Sjuk")
    assert cancelled.status == BookingStatus.CANCELLED
    assert (cancelled.cancelled_by, cancelled.cancel_reason) == (ready.clinician, "Sjuk")
    assert events(cancelled)[-1] == ("cancelled", 2)
    assert invite(ready, patients=[patient_spec(2)]).status == BookingStatus.UNCONFIRMED


def test_cancelled_booking_cannot_be_cancelled_rescheduled_or_confirmed(ready):
    booking = services.cancel(invite(ready), actor=ready.clinician)
    with pytest.raises(ValidationError, match="avbokad"):
        services.cancel(booking, actor=ready.clinician)
    with pytest.raises(ValidationError, match="avbokad"):
        services.reschedule(
            booking, actor=ready.clinician, provider=ready.provider, starts_at=in_days(4)
        )
    with pytest.raises(ValidationError, match="avbokad"):
        services.confirm(booking, booking.participants.get().user)


def test_overlapping_booking_is_refused_and_writes_nothing(ready):
    invite(ready)
    before = (Booking.objects.count(), BookingEvent.objects.count(), User.objects.count())
    with pytest.raises(ValidationError, match="krockar"):
        invite(
            ready, patients=[patient_spec(2)], starts_at=in_days(2) + datetime.timedelta(minutes=15)
        )
    assert (Booking.objects.count(), BookingEvent.objects.count(), User.objects.count()) == before


def test_back_to_back_bookings_do_not_overlap(ready):
    invite(ready)
    assert invite(
        ready, patients=[patient_spec(2)], starts_at=in_days(2) + datetime.timedelta(minutes=30)
    )


def test_expired_booking_frees_its_slot(ready):
    start = clock.now() + datetime.timedelta(minutes=10)
    invite(ready, starts_at=start)
    with time_machine.travel(start + datetime.timedelta(minutes=1), tick=False):
        later = invite(
            ready, patients=[patient_spec(2)], starts_at=clock.now() + datetime.timedelta(minutes=5)
        )
    assert later.status == BookingStatus.UNCONFIRMED


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"starts_at": None}, "Ange datum och tid"),
        ({"message": "x" * 501}, "högst 500 tecken"),
        ({"patients": []}, "minst en patient"),
        ({"patients": [patient_spec(1), patient_spec(2)]}, "högst 1 patient."),
    ],
)
def test_bad_invites_are_refused_and_store_nothing(ready, change, message):
    before = (Booking.objects.count(), BookingEvent.objects.count(), User.objects.count())
    with pytest.raises(ValidationError, match=message):
        invite(ready, **change)
    assert (Booking.objects.count(), BookingEvent.objects.count(), User.objects.count()) == before


def test_past_time_is_refused(ready):
    with pytest.raises(ValidationError, match="redan passerat"):
        invite(ready, starts_at=clock.now() - datetime.timedelta(minutes=1))


def test_nobody_can_invite_themselves(ready):
    with pytest.raises(ValidationError, match="dig själv"):
        invite(ready, patients=[patient_spec(personnummer=ready.clinician.personnummer)])
    with pytest.raises(ValidationError, match="dig själv"):
        invite(ready, patients=[], colleague=ready.clinician)


def test_colleague_invite_is_a_confirmed_test_visit(ready):
    booking = invite(ready, patients=[], colleague=ready.colleague)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.participants.get().role == "colleague"


def test_group_visit_takes_up_to_its_maximum(ready):
    specs = [patient_spec(n) for n in range(1, 5)]
    assert invite(ready, visit_type=ready.group, patients=specs[:3]).participants.count() == 3
    with pytest.raises(ValidationError, match="högst 3"):
        invite(ready, visit_type=ready.group, patients=specs, starts_at=in_days(5))


def test_inactive_or_foreign_visit_type_is_refused(ready):
    profiles.set_visit_type_active(ready.group, False)
    with pytest.raises(ValidationError, match="aktiva besök"):
        invite(ready, visit_type=ready.group)
    other = profiles.create_visit_type(
        ready.colleague, title="X", duration_minutes=20, kind="video"
    )
    with pytest.raises(ValidationError, match="aktiva besök"):
        invite(ready, visit_type=other)


def test_clinician_whose_booking_function_is_off_cannot_invite(ready):
    profiles.deactivate_booking(ready.clinician)
    with pytest.raises(ValidationError, match="bokningsfunktionen"):
        invite(ready)


def test_admin_can_book_on_behalf_of_a_clinician_but_a_colleague_cannot(ready):
    assert invite(ready, actor=ready.admin).created_by == ready.admin
    with pytest.raises(ValidationError, match="administratörer"):
        invite(ready, actor=ready.colleague, patients=[patient_spec(2)], starts_at=in_days(6))


def test_rolled_back_change_leaves_no_event(ready):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        invite(ready)
        raise RuntimeError("rollback")
    assert not BookingEvent.objects.exists()


def test_events_are_handed_to_workers_only_after_commit(ready, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        booking = invite(ready)
    assert len(callbacks) == 1
    assert services.dispatch_events() == 1
    assert BookingEvent.objects.get(booking=booking).dispatched_at is not None


def test_booking_events_reach_every_registered_handler_and_its_work_runs_after_dispatch(
    ready, monkeypatch
):
    seen, undispatched_then = [], []

    def handler(pending):
        seen.extend((event.booking_id, event.kind) for event in pending)
        count = BookingEvent.objects.filter(dispatched_at__isnull=True).count
        return lambda: undispatched_then.append(count())

    monkeypatch.setattr(booking_events, "_handlers", [*booking_events._handlers, handler])
    booking = invite(ready)
    assert services.dispatch_events() == 1
    assert seen == [(booking.pk, "invited")]
    assert undispatched_then == [0]  # its after-commit work saw the event marked dispatched
    # Notifications registered itself when the apps were loaded: the patient's SMS exists.
    assert SmsMessage.objects.filter(booking=booking, kind=SmsKind.INVITED).count() == 1
    assert services.dispatch_events() == 0 and len(seen) == 1  # handled once


def test_time_that_does_not_exist_on_the_dst_day_is_refused():
    with pytest.raises(ValidationError, match="finns inte"):
        local_datetime(datetime.date(2027, 3, 28), datetime.time(2, 30))
    assert local_datetime(
        datetime.date(2027, 3, 28), datetime.time(3, 30)
    ).utcoffset() == datetime.timedelta(hours=2)


def test_time_that_occurs_twice_on_the_autumn_night_needs_saying_which():
    day, time = datetime.date(2027, 10, 31), datetime.time(2, 30)
    with pytest.raises(ValidationError, match="två gånger") as refused:
        local_datetime(day, time)
    assert refused.value.code == "ambiguous_time"
    offsets = [local_datetime(day, time, fold=fold).utcoffset() for fold in (0, 1)]
    assert offsets == [datetime.timedelta(hours=2), datetime.timedelta(hours=1)]
    assert local_datetime(day, datetime.time(3, 0)).utcoffset() == datetime.timedelta(hours=1)
