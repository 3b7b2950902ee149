"""A patient's "Jag kan inte komma", and the history of who changed a booking and why: the
booking is cancelled with the patient's note (a group visit goes on for the others), its time
is free again, and every refusal changes nothing."""

import datetime
from contextlib import nullcontext

import pytest
import time_machine
from django.core.exceptions import ValidationError

from tenant_apps.accounts.services import current_consent_version, give_consent
from tenant_apps.bookings import services
from tenant_apps.bookings.models import Booking, BookingEvent, BookingStatus, Participant
from tenant_apps.video import services as video
from tests.bookings.helpers import colleague_test_visit, group_specs, in_days, patient_spec


def invite(cast, **kwargs) -> Booking:
    values = {
        "actor": cast.clinician,
        "clinician": cast.clinician,
        "visit_type": cast.one_to_one,
        "provider": cast.provider,
        "patients": [patient_spec()],
        "starts_at": in_days(2),
    }
    values.update(kwargs)
    return services.invite(**values)


def history(booking) -> list[tuple]:
    return list(
        BookingEvent.objects.filter(booking=booking)
        .order_by("id")
        .values_list("kind", "actor__first_name", "note")
    )


def patients_of(booking):
    return [p.user for p in booking.participants.select_related("user").order_by("id")]


def state(booking) -> tuple:
    """Everything a refused decline must leave as it was."""
    booking.refresh_from_db()
    people = list(booking.participants.order_by("id").values_list("confirmed_at", "declined_at"))
    return (booking.status, booking.version, people, BookingEvent.objects.count())


def test_patient_who_cannot_come_cancels_with_their_note_and_the_time_is_free(ready):
    booking = invite(ready)
    patient = patients_of(booking)[0]
    declined = services.decline(booking, patient, "  Jag har fått förhinder.  ")
    assert declined.status == BookingStatus.CANCELLED and declined.version == 2
    assert (declined.cancelled_by, declined.cancel_reason) == (patient, "Jag har fått förhinder.")
    assert declined.participants.get().declined_at is not None
    assert history(booking) == [
        ("invited", "Klara", ""),
        ("declined", "Patient1", "Jag har fått förhinder."),
        ("cancelled", "Patient1", "Jag har fått förhinder."),
    ]
    # The slot is free: the clinician books someone else at the same time.
    other = invite(ready, patients=[patient_spec(2)], starts_at=booking.starts_at)
    assert other.status == BookingStatus.UNCONFIRMED


def test_a_confirmed_patient_can_still_say_they_cannot_come_without_a_note(ready):
    booking = invite(ready)
    patient = patients_of(booking)[0]
    services.confirm(booking, patient)
    declined = services.decline(booking, patient)
    assert declined.status == BookingStatus.CANCELLED and declined.cancel_reason == ""


def test_a_group_visit_goes_on_without_the_patient_who_cannot_come(ready):
    booking = invite(ready, visit_type=ready.group, patients=group_specs(3))
    ingrid, torbjorn, majvor = patients_of(booking)
    services.confirm(booking, torbjorn)
    after = services.decline(booking, ingrid, "Sjuk")
    assert after.status == BookingStatus.UNCONFIRMED  # Majvor has not confirmed yet
    # The last confirmation confirms the visit: nobody waits for Ingrid.
    assert services.confirm(booking, majvor).status == BookingStatus.CONFIRMED
    assert services.can_be_held(Booking.objects.get(pk=booking.pk))
    for patient in (ingrid, majvor):
        give_consent(patient, current_consent_version(), "127.0.0.1")
    with time_machine.travel(booking.starts_at, tick=False):
        refused = video.join(booking.pk, ingrid, "peer-ingrid", "chan.ingrid")
        admitted = video.join(booking.pk, majvor, "peer-majvor", "chan.majvor")
    assert refused.admission.reason == "not_participant" and admitted.admission.allowed


def test_when_the_last_unconfirmed_patient_cannot_come_the_visit_is_confirmed(ready):
    booking = invite(ready, visit_type=ready.group, patients=group_specs(2))
    ingrid, torbjorn = patients_of(booking)
    services.confirm(booking, torbjorn)
    after = services.decline(booking, ingrid)
    assert after.status == BookingStatus.CONFIRMED
    assert [kind for kind, _who, _note in history(booking)] == [
        "invited",
        "accepted",
        "declined",
        "confirmed",
    ]


def test_when_every_patient_of_a_group_cannot_come_the_visit_is_cancelled(ready):
    booking = invite(ready, visit_type=ready.group, patients=group_specs(2))
    ingrid, torbjorn = patients_of(booking)
    services.decline(booking, ingrid, "Sjuk")
    last = services.decline(booking, torbjorn, "Bortrest")
    assert last.status == BookingStatus.CANCELLED
    assert (last.cancelled_by, last.cancel_reason) == (torbjorn, "Bortrest")


def test_a_patient_of_another_booking_is_refused_and_nothing_changes(ready):
    booking = invite(ready)
    before = state(booking)
    with pytest.raises(ValidationError, match="inte inbjuden"):
        services.decline(booking, ready.patient)
    assert state(booking) == before


@pytest.mark.parametrize("end", ["cancelled", "completed", "expired"])
def test_a_booking_that_no_longer_holds_its_time_is_refused(ready, end):
    booking = invite(ready)
    patient = patients_of(booking)[0]
    if end == "cancelled":
        services.cancel(booking, actor=ready.clinician)
        expected = "avbokad"
    elif end == "completed":
        services.confirm(booking, patient)
        video.complete(booking)
        expected = "genomförd"
    else:
        expected = "utgången"
    later = booking.starts_at + datetime.timedelta(hours=1)
    with time_machine.travel(later, tick=False) if end == "expired" else nullcontext():
        before = state(booking)
        with pytest.raises(ValidationError, match=expected):
            services.decline(booking, patient, "Kan inte")
        assert state(booking) == before


def test_a_patient_cannot_decline_once_the_visit_has_started(ready):
    booking = invite(ready)
    patient = patients_of(booking)[0]
    services.confirm(booking, patient)
    before = state(booking)
    with time_machine.travel(booking.starts_at + datetime.timedelta(minutes=1), tick=False):
        with pytest.raises(ValidationError, match="redan börjat"):
            services.decline(booking, patient, "Hinner inte")
        assert not services.can_decline(booking, booking.participants.get())
    assert state(booking) == before


def test_saying_it_twice_or_confirming_afterwards_is_refused(ready):
    booking = invite(ready, visit_type=ready.group, patients=group_specs(2))
    ingrid, _torbjorn = patients_of(booking)
    services.decline(booking, ingrid)
    before = state(booking)
    with pytest.raises(ValidationError, match="redan meddelat"):
        services.decline(booking, ingrid)
    with pytest.raises(ValidationError, match="redan meddelat"):
        services.confirm(booking, ingrid)
    assert state(booking) == before


def test_an_invited_colleague_cannot_decline_a_test_visit(ready):
    visit = colleague_test_visit(ready)
    before = state(visit)
    with pytest.raises(ValidationError, match="testbesök"):
        services.decline(visit, ready.colleague)
    assert state(visit) == before


def test_a_note_over_500_characters_is_refused(ready):
    booking = invite(ready)
    before = state(booking)
    with pytest.raises(ValidationError) as refused:
        services.decline(booking, patients_of(booking)[0], "x" * 501)
    assert "note" in refused.value.message_dict
    assert state(booking) == before


def test_each_patients_confirmation_and_every_change_is_in_the_history_with_its_reason(ready):
    booking = invite(ready, visit_type=ready.group, patients=group_specs(2))
    ingrid, torbjorn = patients_of(booking)
    services.confirm(booking, ingrid)
    services.confirm(booking, torbjorn)
    services.reschedule(
        booking,
        actor=ready.clinician,
        provider=ready.provider,
        starts_at=in_days(4),
        reason="Kliniken stänger tidigt",
    )
    services.cancel(booking, actor=ready.admin, reason="Semester")
    assert history(booking) == [
        ("invited", "Klara", ""),
        ("accepted", "Ingrid", ""),
        ("confirmed", "Torbjörn", ""),
        ("rescheduled", "Klara", "Kliniken stänger tidigt"),
        ("cancelled", "Alma", "Semester"),
    ]


def test_a_reason_over_500_characters_is_refused_for_reschedule_and_cancel(ready):
    booking = invite(ready)
    before = state(booking)
    with pytest.raises(ValidationError):
        services.cancel(booking, actor=ready.clinician, reason="x" * 501)
    with pytest.raises(ValidationError):
        services.reschedule(
            booking,
            actor=ready.clinician,
            provider=ready.provider,
            starts_at=in_days(4),
            reason="x" * 501,
        )
    assert state(booking) == before


def test_checking_a_new_time_before_confirming_refuses_what_reschedule_would(ready):
    booking = invite(ready)
    taken = invite(ready, patients=[patient_spec(2)], starts_at=in_days(3))
    with pytest.raises(ValidationError, match="krockar"):
        services.check_new_time(booking, taken.starts_at + datetime.timedelta(minutes=10))
    with pytest.raises(ValidationError, match="passerat"):
        services.check_new_time(booking, in_days(-1))
    services.check_new_time(booking, booking.starts_at)  # its own time is no clash
    assert Participant.objects.filter(declined_at__isnull=False).count() == 0
