"""The room rule (manual 6, 7.6) on a controlled clock: admission and prompts from 15 minutes
before the start until 5 minutes after the planned end, Boka nu at once, participants only, a
call in progress not cut, a cancelled booking ending the room."""

import time_machine

from tenant_apps.bookings import services as bookings
from tenant_apps.bookings.models import Participant, ParticipantRole
from tenant_apps.video import prompts, rooms, services
from tenant_apps.video.models import CallEventKind
from tests.video.helpers import MINUTE, book, patients_of, still_here


def at(moment):
    return time_machine.travel(moment, tick=False)


def test_room_admits_from_14_minutes_before_until_5_minutes_after_the_end(booking, ready):
    patient = patients_of(booking)[0]
    expected = {
        booking.starts_at - 16 * MINUTE: rooms.Reason.TOO_EARLY,
        booking.starts_at - 14 * MINUTE: rooms.Reason.ALLOWED,
        booking.starts_at: rooms.Reason.ALLOWED,
        booking.ends_at + 4 * MINUTE: rooms.Reason.ALLOWED,
        booking.ends_at + 6 * MINUTE: rooms.Reason.CLOSED,
    }
    for moment, reason in expected.items():
        with at(moment):
            assert rooms.admission(booking, ready.clinician).reason == reason, moment
            assert rooms.admission(booking, patient).reason == reason, moment


SECOND = MINUTE / 60


def test_room_window_edges_to_the_second(booking, ready):
    """Opens at exactly -15:00 and is still open at exactly end +5:00 (both inclusive), so a
    `<` written for `<=` on either side fails here."""
    patient = patients_of(booking)[0]
    opens, closes = booking.starts_at - 15 * MINUTE, booking.ends_at + 5 * MINUTE
    expected = {
        opens - SECOND: (rooms.Reason.TOO_EARLY, False),
        opens: (rooms.Reason.ALLOWED, True),
        closes: (rooms.Reason.ALLOWED, True),
        closes + SECOND: (rooms.Reason.CLOSED, False),
    }
    for moment, (reason, prompted) in expected.items():
        with at(moment):
            for user in (ready.clinician, patient):
                assert rooms.admission(booking, user).reason == reason, moment
                assert (prompts.open_rooms(user) == [booking]) is prompted, moment


def test_too_early_says_when_the_room_opens(booking, ready):
    with at(booking.starts_at - 16 * MINUTE):
        decision = rooms.admission(booking, ready.clinician)
    assert not decision.allowed
    assert "09:45" in decision.message and "15 minuter" in decision.message


def test_prompt_shows_from_14_minutes_before_until_5_minutes_after_the_end(booking, ready):
    patient = patients_of(booking)[0]
    for minutes, shown in [(-16, False), (-14, True), (0, True)]:
        with at(booking.starts_at + minutes * MINUTE):
            assert (prompts.open_rooms(ready.clinician) == [booking]) is shown, minutes
            assert (prompts.open_rooms(patient) == [booking]) is shown, minutes
    for minutes, shown in [(4, True), (6, False)]:
        with at(booking.ends_at + minutes * MINUTE):
            assert (prompts.open_rooms(ready.clinician) == [booking]) is shown, minutes
            assert (prompts.open_rooms(patient) == [booking]) is shown, minutes


def test_back_to_back_rooms_are_listed_nearest_start_first(ready):
    first = book(ready)
    second = book(ready, starts_at=first.ends_at, patients=1)
    with at(first.ends_at - 2 * MINUTE):
        assert prompts.open_rooms(ready.clinician) == [second, first]
    with at(first.starts_at + 5 * MINUTE):
        assert prompts.open_rooms(ready.clinician) == [first]
    with at(second.starts_at + 3 * MINUTE):
        assert prompts.open_rooms(ready.clinician) == [second, first]


def test_boka_nu_opens_at_once(ready):
    booking = book(ready, starts_at=None, instant=True)
    decision = rooms.admission(booking, patients_of(booking)[0])
    assert decision.allowed and prompts.open_rooms(ready.clinician) == [booking]


def test_only_the_bookings_participants_are_admitted(ready):
    booking = book(ready, starts_at=None, instant=True)
    # The admin sees every booking of the provider but is not part of this one.
    assert rooms.admission(booking, ready.admin).reason == rooms.Reason.NOT_PARTICIPANT
    assert rooms.admission(booking, ready.colleague).reason == rooms.Reason.NOT_PARTICIPANT
    assert prompts.open_rooms(ready.admin) == []


def test_an_invited_colleague_is_admitted(ready):
    booking = bookings.invite(
        actor=ready.clinician,
        clinician=ready.clinician,
        visit_type=ready.one_to_one,
        provider=ready.provider,
        colleague=ready.colleague,
        instant=True,
    )
    assert Participant.objects.get(booking=booking).role == ParticipantRole.COLLEAGUE
    assert rooms.admission(booking, ready.colleague).allowed
    assert prompts.open_rooms(ready.colleague) == [booking]


def test_anonymous_and_inactive_users_are_refused(booking, ready):
    from django.contrib.auth.models import AnonymousUser

    patient = patients_of(booking)[0]
    patient.is_active = False
    with at(booking.starts_at):
        assert rooms.admission(booking, AnonymousUser()).reason == rooms.Reason.NOT_LOGGED_IN
        assert rooms.admission(booking, patient).reason == rooms.Reason.NOT_LOGGED_IN


def test_unconfirmed_booking_has_no_room(ready):
    booking = book(ready, confirm=False)
    with at(booking.starts_at - 5 * MINUTE):
        decision = rooms.admission(booking, ready.clinician)
        assert decision.reason == rooms.Reason.NOT_CONFIRMED and "bekräftat" in decision.message
        assert prompts.open_rooms(ready.clinician) == []


def test_patient_without_consent_is_refused(ready):
    booking = book(ready, starts_at=None, instant=True)
    patient = patients_of(booking)[0]
    patient.consents.all().delete()
    assert rooms.admission(booking, patient).reason == rooms.Reason.CONSENT_REQUIRED


def test_cancelled_booking_ends_the_room_with_a_message(booking, ready):
    with at(booking.starts_at):
        services.join(booking.pk, ready.clinician, "peer-clinician", "chan.1")
        bookings.cancel(booking, actor=ready.clinician, reason="Sjuk")
        booking.refresh_from_db()
        refusal = rooms.held_refusal(booking, booking.starts_at)
        assert refusal.reason == rooms.Reason.CANCELLED and refusal.message == "Besöket är avbokat."
        assert rooms.admission(booking, ready.clinician).reason == rooms.Reason.CANCELLED


def connect_call(booking, clinician, patient):
    services.join(booking.pk, clinician, "peer-clinician", "chan.clinician")
    services.join(booking.pk, patient, "peer-patient", "chan.patient")
    assert services.record_call_state("chan.clinician", CallEventKind.CONNECTED, "peer-patient")


def test_call_in_progress_at_end_plus_6_is_not_cut(booking, ready):
    patient = patients_of(booking)[0]
    with at(booking.ends_at - MINUTE):
        connect_call(booking, ready.clinician, patient)
    with at(booking.ends_at + 6 * MINUTE):
        # The room watch keeps the connections fresh.
        still_here(booking, "chan.clinician", "chan.patient")
        assert rooms.call_in_progress(booking, booking.ends_at + 6 * MINUTE)
        assert rooms.held_refusal(booking, booking.ends_at + 6 * MINUTE) is None
        # A participant who reloads the page gets back in; others still do not.
        assert rooms.admission(booking, patient).allowed
        assert rooms.admission(booking, ready.admin).reason == rooms.Reason.NOT_PARTICIPANT
        # The prompt follows the planned time only.
        assert prompts.open_rooms(ready.clinician) == []


def test_people_waiting_without_a_call_do_not_keep_the_room_open(booking, ready):
    patient = patients_of(booking)[0]
    with at(booking.ends_at - MINUTE):
        services.join(booking.pk, patient, "peer-patient", "chan.patient")
    with at(booking.ends_at + 6 * MINUTE):
        still_here(booking, "chan.patient")
        assert rooms.admission(booking, ready.clinician).reason == rooms.Reason.CLOSED


def test_a_vanished_server_process_does_not_keep_a_call_in_progress(booking, ready):
    patient = patients_of(booking)[0]
    with at(booking.ends_at - MINUTE):
        connect_call(booking, ready.clinician, patient)
    # No heartbeat for longer than FRESH_FOR.
    with at(booking.ends_at + 6 * MINUTE):
        assert not rooms.call_in_progress(booking, booking.ends_at + 6 * MINUTE)
        assert rooms.admission(booking, patient).reason == rooms.Reason.CLOSED
