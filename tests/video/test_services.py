"""Room state and call events (manual 6): joining, taking over a page, leaving, ending the
visit, completing the booking when the room closes empty; TURN credentials."""

import base64
import hashlib
import hmac

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django_q.models import Schedule
from django_tenants.utils import schema_context

from tenant_apps.bookings import services as bookings
from tenant_apps.bookings.models import Booking, BookingStatus
from tenant_apps.video import ice, rooms, services, watch
from tenant_apps.video.models import CallEvent, CallEventKind, RoomConnection
from tests.video.helpers import MINUTE, book, patients_of, still_here


def at(moment):
    return time_machine.travel(moment, tick=False)


def kinds(booking) -> list[tuple[str, str]]:
    return list(CallEvent.objects.filter(booking=booking).values_list("kind", "peer_id"))


def test_join_tells_who_is_in_the_room_and_assigns_polite_roles_by_arrival(booking, ready):
    patient = patients_of(booking)[0]
    with at(booking.starts_at):
        first = services.join(booking.pk, ready.clinician, "peer-a", "chan.a")
        second = services.join(booking.pk, patient, "peer-b", "chan.b")
    assert first.admission.allowed and first.peers == []
    assert first.me.role == "clinician" and first.me.name == "Klara Kliniker"
    assert [p.peer_id for p in second.peers] == ["peer-a"]
    assert second.me.seq > second.peers[0].seq  # the later arrival is the polite one
    assert second.me.name == "Patient1 T." and second.me.role == "patient"
    assert kinds(booking) == [("joined", "peer-a"), ("joined", "peer-b")]


def test_refused_join_changes_nothing(booking, ready):
    with at(booking.starts_at - 16 * MINUTE):
        result = services.join(booking.pk, ready.clinician, "peer-a", "chan.a")
    assert result.admission.reason == rooms.Reason.TOO_EARLY
    assert not RoomConnection.objects.exists() and not CallEvent.objects.exists()


def test_unknown_booking_is_refused_like_someone_elses(ready):
    result = services.join(999999, ready.clinician, "peer-a", "chan.a")
    assert result.admission.reason == rooms.Reason.NOT_PARTICIPANT


def test_the_same_page_reconnecting_resumes_its_place(booking, ready):
    with at(booking.starts_at):
        first = services.join(booking.pk, ready.clinician, "peer-a", "chan.a")
        again = services.join(booking.pk, ready.clinician, "peer-a", "chan.a2")
    assert again.me.seq == first.me.seq
    assert again.replaced == [services.Replaced("peer-a", "chan.a", resumed=True)]
    assert RoomConnection.objects.get().channel_name == "chan.a2"
    assert kinds(booking) == [("joined", "peer-a")]


def test_a_new_page_of_the_same_person_takes_over(booking, ready):
    with at(booking.starts_at):
        services.join(booking.pk, ready.clinician, "peer-a", "chan.a")
        reloaded = services.join(booking.pk, ready.clinician, "peer-new", "chan.b")
    assert reloaded.replaced == [services.Replaced("peer-a", "chan.a", resumed=False)]
    assert list(RoomConnection.objects.values_list("peer_id", flat=True)) == ["peer-new"]
    assert kinds(booking) == [("joined", "peer-a"), ("left", "peer-a"), ("joined", "peer-new")]


def test_another_persons_page_id_cannot_be_taken(booking, ready):
    patient = patients_of(booking)[0]
    with at(booking.starts_at):
        services.join(booking.pk, ready.clinician, "peer-a", "chan.a")
        result = services.join(booking.pk, patient, "peer-a", "chan.b")
    assert not result.admission.allowed
    assert RoomConnection.objects.get().user == ready.clinician


def test_stale_connections_are_dropped_at_the_next_join(booking, ready):
    patient = patients_of(booking)[0]
    with at(booking.starts_at):
        services.join(booking.pk, patient, "peer-p", "chan.p")
    with at(booking.starts_at + 2 * MINUTE):
        result = services.join(booking.pk, ready.clinician, "peer-c", "chan.c")
    assert result.peers == []
    left = CallEvent.objects.get(kind=CallEventKind.LEFT)
    assert left.peer_id == "peer-p" and left.detail == {"reason": "lost"}


def test_leave_records_the_reason_and_counts(booking, ready):
    with at(booking.starts_at):
        services.join(booking.pk, ready.clinician, "peer-a", "chan.a")
        left = services.leave("chan.a", "left", dropped={"malformed": 2})
    assert left == services.Left("peer-a", booking.pk)
    event = CallEvent.objects.get(kind=CallEventKind.LEFT)
    assert event.detail == {"reason": "left", "dropped": {"malformed": 2}}
    assert event.user == ready.clinician
    assert services.leave("chan.a", "left") is None


def test_connected_and_failed_are_recorded_with_the_other_peer(booking, ready):
    patient = patients_of(booking)[0]
    with at(booking.starts_at):
        services.join(booking.pk, ready.clinician, "peer-a", "chan.a")
        services.join(booking.pk, patient, "peer-b", "chan.b")
        assert services.record_call_state("chan.b", "connected", "peer-a")
        assert services.record_call_state("chan.a", "failed", "peer-b")
        assert not services.record_call_state("chan.a", "joined", "peer-b")
        assert not services.record_call_state("chan.unknown", "connected", "peer-b")
    connected = CallEvent.objects.get(kind=CallEventKind.CONNECTED)
    assert connected.user == patient and connected.detail["with_user"] == ready.clinician.pk
    assert CallEvent.objects.get(kind=CallEventKind.FAILED).user == ready.clinician
    assert connected.created_at == booking.starts_at


def test_clinician_ending_a_connected_call_completes_the_booking(
    booking, ready, django_capture_on_commit_callbacks
):
    patient = patients_of(booking)[0]
    with at(booking.starts_at + 10 * MINUTE):
        services.join(booking.pk, ready.clinician, "peer-a", "chan.a")
        services.join(booking.pk, patient, "peer-b", "chan.b")
        services.record_call_state("chan.a", "connected", "peer-b")
        with django_capture_on_commit_callbacks() as callbacks:
            ended = services.end_visit(booking, ready.clinician)
    assert ended.status == BookingStatus.COMPLETED and ended.version == booking.version + 1
    assert CallEvent.objects.filter(kind=CallEventKind.ENDED, user=ready.clinician).exists()
    # After commit, the pages in the room are told, and the prompts of the booking's people go.
    assert len(callbacks) == 2
    with at(booking.starts_at + 11 * MINUTE):
        assert rooms.admission(ended, patient).reason == rooms.Reason.COMPLETED


def test_ending_without_a_connected_call_leaves_the_booking_confirmed(booking, ready):
    with at(booking.starts_at):
        services.join(booking.pk, ready.clinician, "peer-a", "chan.a")
        ended = services.end_visit(booking, ready.clinician)
    assert ended.status == BookingStatus.CONFIRMED
    assert CallEvent.objects.filter(kind=CallEventKind.ENDED).count() == 1


def test_only_the_bookings_clinician_ends_the_visit(booking, ready):
    patient = patients_of(booking)[0]
    for actor in (patient, ready.admin):
        with pytest.raises(ValidationError), at(booking.starts_at):
            services.end_visit(booking, actor)
    assert not CallEvent.objects.exists()


def test_room_closing_empty_after_the_window_completes_a_connected_booking(booking, ready):
    patient = patients_of(booking)[0]
    with at(booking.ends_at - MINUTE):
        services.join(booking.pk, ready.clinician, "peer-a", "chan.a")
        services.join(booking.pk, patient, "peer-b", "chan.b")
        services.record_call_state("chan.a", "connected", "peer-b")
    with at(booking.ends_at + 8 * MINUTE):
        still_here(booking, "chan.a", "chan.b")
        services.leave("chan.a", "left")
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CONFIRMED  # the patient is still there
        services.leave("chan.b", "left")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    ended = CallEvent.objects.get(kind=CallEventKind.ENDED)
    assert ended.user is None and ended.detail == {"by": "window"}


def test_room_emptied_before_the_window_ends_is_looked_at_again_then(
    booking, ready, django_capture_on_commit_callbacks
):
    patient = patients_of(booking)[0]
    with at(booking.starts_at):
        services.join(booking.pk, ready.clinician, "peer-a", "chan.a")
        services.join(booking.pk, patient, "peer-b", "chan.b")
        services.record_call_state("chan.a", "connected", "peer-b")
        services.leave("chan.a", "left")
        with django_capture_on_commit_callbacks(execute=True):
            services.leave("chan.b", "left")
    schedule = Schedule.objects.get(func="tenants.tasks.run_in_provider")
    assert "tenant_apps.video.services.close_room_if_finished" in schedule.args
    assert schedule.next_run > rooms.closes_at(booking)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    with at(booking.starts_at + 20 * MINUTE):
        assert not services.close_room_if_finished(booking.pk)  # still inside the window
    with at(rooms.closes_at(booking) + MINUTE):
        assert services.close_room_if_finished(booking.pk)
        assert not services.close_room_if_finished(booking.pk)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED


def test_room_without_a_connected_call_is_not_completed(booking, ready):
    with at(booking.starts_at):
        services.join(booking.pk, ready.clinician, "peer-a", "chan.a")
        services.leave("chan.a", "left")
    with at(rooms.closes_at(booking) + MINUTE):
        assert not services.close_room_if_finished(booking.pk)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_turn_credentials_follow_the_turn_rest_scheme(settings):
    settings.TURN_SECRET, settings.TURN_TTL = "s3cret", 600
    settings.TURN_URLS = ["turn:turn.example:3478?transport=udp"]
    settings.STUN_URLS = ["stun:stun.example:3478"]
    with time_machine.travel(1_900_000_000, tick=False):
        config = ice.ice_config("alfa.7")
    stun, turn = config["iceServers"]
    assert stun == {"urls": ["stun:stun.example:3478"]}
    assert turn["username"] == "1900000600:alfa.7"
    expected = hmac.new(b"s3cret", b"1900000600:alfa.7", hashlib.sha1).digest()
    assert base64.b64decode(turn["credential"]) == expected
    assert config["iceTransportPolicy"] == "all"


def test_no_turn_without_a_secret(settings):
    settings.TURN_SECRET, settings.TURN_URLS, settings.STUN_URLS = "", ["turn:x:3478"], []
    assert ice.ice_config("alfa.7")["iceServers"] == []


def test_one_look_at_a_process_rooms_names_those_that_ended_and_marks_pages_present(booking, ready):
    other = book(ready, starts_at=booking.starts_at + 2 * MINUTE * 30)
    with at(booking.starts_at):
        services.join(booking.pk, ready.clinician, "peer-a", "chan.a")
    bookings.cancel(other, actor=ready.clinician)
    schema = ready.provider.schema_name
    later = booking.starts_at + MINUTE
    with at(later):
        refused = watch.look({schema: [booking.pk, other.pk, 999_999]}, {schema: ["chan.a"]})
    assert set(refused) == {(schema, other.pk), (schema, 999_999)}
    assert refused[schema, other.pk].status == BookingStatus.CANCELLED
    assert refused[schema, 999_999] is None  # gone
    assert RoomConnection.objects.get(channel_name="chan.a").seen_at == later


def test_the_look_keeps_providers_apart(booking, ready, beta):
    """The same booking id at another provider is that provider's booking, not this one's."""
    with schema_context(beta.provider.schema_name):
        assert not Booking.objects.filter(pk=booking.pk).exists()
    refusals = watch.look(
        {ready.provider.schema_name: [booking.pk], beta.provider.schema_name: [booking.pk]}, {}
    )
    assert list(refusals) == [(beta.provider.schema_name, booking.pk)]


def test_a_provider_removed_while_its_pages_are_here_does_not_blind_the_look(booking, ready):
    schema = ready.provider.schema_name
    other = book(ready, starts_at=booking.starts_at + 2 * MINUTE * 30)
    bookings.cancel(other, actor=ready.clinician)
    refused = watch.look({schema: [booking.pk, other.pk], "t_removed": [7]}, {"t_removed": ["c"]})
    assert refused == {(schema, other.pk): refused[schema, other.pk], ("t_removed", 7): None}
    assert refused[schema, other.pk].status == BookingStatus.CANCELLED
