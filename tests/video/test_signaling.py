"""Signaling over /ws/visits/<booking>/ against the real ASGI server with the Redis layer:
admission and refusals told to the page, relaying, dropped and counted bad messages, the rate
limit, a vanished peer, reconnecting, a cancelled or ended visit."""

import datetime
import json

import pytest
from django_tenants.utils import schema_context

from careplatform import clock
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import current_consent_version, give_consent
from tenant_apps.bookings import services as bookings
from tenant_apps.bookings.models import Booking, BookingStatus
from tenant_apps.video import services
from tenant_apps.video.models import CallEvent, CallEventKind
from tests.bookings.helpers import GROUP_PATIENTS, leaked
from tests.support import LiveServer, wait_for
from tests.video.live import Client, Room, book_video, make_room, patient_personnummer, session_for

pytestmark = pytest.mark.server

OFFER = {"description": {"type": "offer", "sdp": "v=0\r\n"}}


@pytest.fixture
def room(committed):
    return make_room(committed, "videosignal")


def join(server, room, user, **kwargs) -> Client:
    return Client(
        server, room.subdomain, room.booking_id, session_for(room.provider, user), **kwargs
    )


def pair(server, room) -> tuple[Client, Client]:
    clinician = join(server, room, room.clinician)
    patient = join(server, room, room.patients[0])
    assert clinician.recv_type("peer-joined")["peer"]["id"] == patient.peer
    return clinician, patient


def events(room) -> list[tuple[str, str]]:
    with room.schema:
        return list(
            CallEvent.objects.filter(booking_id=room.booking_id).values_list("kind", "peer_id")
        )


def test_participants_are_welcomed_with_ice_servers_and_polite_roles(live_server_process, room):
    clinician = join(live_server_process, room, room.clinician)
    welcome = clinician.first
    assert welcome["type"] == "welcome" and welcome["peers"] == []
    assert welcome["me"] == {"name": "Tove Testadmin", "role": "clinician"}
    assert welcome["rtc"]["iceTransportPolicy"] == "all" and welcome["heartbeat"] == 4

    patient = join(live_server_process, room, room.patients[0])
    assert patient.first["peers"] == [
        {"id": clinician.peer, "name": "Tove Testadmin", "role": "clinician", "polite": True}
    ]
    joined = clinician.recv_type("peer-joined")["peer"]
    assert joined == {"id": patient.peer, "name": "Patient1 T.", "role": "patient", "polite": False}
    assert events(room) == [("joined", clinician.peer), ("joined", patient.peer)]


def test_signals_reach_only_the_named_peer(live_server_process, committed):
    room = make_room(committed, "videorelay", patients=2)
    clinician = join(live_server_process, room, room.clinician)
    first = join(live_server_process, room, room.patients[0])
    second = join(live_server_process, room, room.patients[1])
    first.drain()
    candidate = {"candidate": {"candidate": "candidate:1 1 udp 1 192.0.2.1 5000 typ host"}}
    clinician.send({"type": "signal", "to": second.peer, "data": OFFER})
    clinician.send({"type": "signal", "to": second.peer, "data": candidate})
    relayed = second.recv_type("signal")
    assert relayed["from"] == clinician.peer and relayed["data"] == OFFER
    assert relayed["peer"]["polite"] is True
    relayed = second.recv_type("signal")
    assert relayed["data"]["candidate"]["candidate"].startswith("candidate:1")
    assert relayed["data"]["candidate"]["sdpMid"] is None
    assert first.drain() == []


def test_pages_on_two_server_processes_share_the_room(live_server_process, room):
    """With several ASGI servers behind the proxy, the two sides of a call may land on
    different processes: joining, relaying, leaving and ending go through Redis."""
    other_process = LiveServer()
    try:
        clinician = join(live_server_process, room, room.clinician)
        patient = join(other_process, room, room.patients[0])
        assert patient.first["peers"][0]["id"] == clinician.peer
        assert clinician.recv_type("peer-joined")["peer"]["id"] == patient.peer
        clinician.send({"type": "signal", "to": patient.peer, "data": OFFER})
        assert patient.recv_type("signal")["data"] == OFFER
        answer = {"description": {"type": "answer", "sdp": "v=0\r\n"}}
        patient.send({"type": "signal", "to": clinician.peer, "data": answer})
        assert clinician.recv_type("signal")["from"] == patient.peer
        with room.schema:
            bookings.cancel(Booking.objects.get(pk=room.booking_id), actor=room.clinician)
        for client in (clinician, patient):
            assert client.recv_type("room-closed", ping=True)["reason"] == "cancelled"
    finally:
        Client.close_all()
        other_process.stop()


def test_without_a_session_the_page_is_told_to_log_in(live_server_process, room):
    client = Client(live_server_process, room.subdomain, room.booking_id, session=None)
    assert client.first["type"] == "refused" and client.first["reason"] == "not_logged_in"
    assert client.wait_closed() == 4401


def test_a_non_participant_is_refused_with_the_reason(live_server_process, room):
    client = join(live_server_process, room, room.outsider)
    assert client.first == {
        "type": "refused",
        "reason": "not_participant",
        "message": "Du är inte med i det här besöket.",
    }
    assert client.wait_closed() == 4403
    assert events(room) == []


def test_a_user_of_another_provider_is_refused(live_server_process, room, committed):
    other = make_room(committed, "videoannan")
    # The other provider's session (same user id as this room's clinician) means nothing here.
    session = session_for(other.provider, other.clinician)
    assert other.clinician.pk == room.clinician.pk
    client = Client(live_server_process, room.subdomain, room.booking_id, session)
    assert client.first["reason"] == "not_logged_in" and client.wait_closed() == 4401
    # On its own host it does not reach this provider's booking either.
    client = Client(live_server_process, other.subdomain, room.booking_id + 1000, session)
    assert client.first["reason"] == "not_participant"


def test_before_the_window_the_page_is_told_when_the_room_opens(live_server_process, committed):
    start = clock.now().replace(microsecond=0) + datetime.timedelta(hours=2)
    room = make_room(committed, "videotidig", starts_at=start)
    client = join(live_server_process, room, room.clinician)
    assert client.first["reason"] == "too_early" and "15 minuter" in client.first["message"]
    assert client.wait_closed() == 4425


def test_a_bad_peer_id_is_refused(live_server_process, room):
    client = join(live_server_process, room, room.clinician, peer="x")
    assert client.first["reason"] == "bad_request" and client.wait_closed() == 4400


def test_bad_messages_are_dropped_counted_and_never_relayed(live_server_process, room):
    clinician, patient = pair(live_server_process, room)
    patient.drain()
    bad = [
        ("{not json", "malformed"),
        ("x" * (64 * 1024 + 1), "oversized"),
        (b"\x00\x01", "binary"),
        (json.dumps([1, 2]), "invalid"),
        (json.dumps({"type": "chat", "text": "hej"}), "invalid"),
        (json.dumps({"type": "signal", "to": patient.peer, "data": {}}), "invalid"),
        (json.dumps({"type": "signal", "to": patient.peer, "data": OFFER, "x": 1}), "invalid"),
        (
            json.dumps(
                {"type": "signal", "to": patient.peer, "data": {"description": {"type": "x"}}}
            ),
            "invalid",
        ),
        (json.dumps({"type": "signal", "to": "someone-else", "data": OFFER}), "unknown_peer"),
    ]
    for message, reason in bad:
        clinician.send(message)
        notice = clinician.recv_type("dropped")
        assert notice["reason"] == reason, message[:40]
    assert notice["total"] == len(bad)
    assert patient.drain() == []
    clinician.close()
    wait_for(lambda: ("left", clinician.peer) in events(room))
    with room.schema:
        left = CallEvent.objects.get(kind=CallEventKind.LEFT, peer_id=clinician.peer)
    assert left.detail == {
        "reason": "left",
        "dropped": {"malformed": 1, "oversized": 1, "binary": 1, "invalid": 5, "unknown_peer": 1},
    }


def test_a_flood_is_cut_by_the_rate_limit(live_server_process, room):
    clinician, patient = pair(live_server_process, room)
    patient.drain()
    for _ in range(400):
        clinician.send({"type": "signal", "to": patient.peer, "data": OFFER})
    relayed = [m for m in patient.drain(quiet=1.0) if m["type"] == "signal"]
    notices = [m for m in clinician.drain() if m["type"] == "dropped"]
    assert 100 <= len(relayed) < 200
    assert notices and notices[0]["reason"] == "rate"
    # After a pause the page may speak again.
    clinician.send({"type": "ping"})
    assert clinician.recv_type("pong")


def test_a_vanished_peer_is_noticed_within_15_seconds(live_server_process, room):
    clinician, patient = pair(live_server_process, room)
    started = clock.now()
    # The patient's page stops sending (its network is gone); the clinician's keeps beating.
    left = clinician.recv_type("peer-left", timeout=15, ping=True)
    assert left == {"type": "peer-left", "peer": patient.peer, "reason": "gone"}
    assert (clock.now() - started).total_seconds() < 15
    assert ("left", patient.peer) in events(room)


def test_the_same_page_reconnecting_keeps_its_place(live_server_process, room):
    clinician, patient = pair(live_server_process, room)
    again = join(live_server_process, room, room.patients[0], peer=patient.peer)
    assert again.first["type"] == "welcome" and again.first["peers"][0]["polite"] is True
    assert patient.wait_closed() == 4409
    joined = clinician.recv_type("peer-joined")
    assert joined["peer"]["id"] == patient.peer
    assert [m for m in clinician.drain() if m["type"] == "peer-left"] == []
    clinician.send({"type": "signal", "to": patient.peer, "data": OFFER})
    assert again.recv_type("signal")["from"] == clinician.peer


def test_a_reloaded_page_takes_over_from_the_old_one(live_server_process, room):
    clinician, patient = pair(live_server_process, room)
    reloaded = join(live_server_process, room, room.patients[0])
    assert patient.recv_type("replaced")["message"].startswith("Du har öppnat besöket")
    assert patient.wait_closed() == 4409
    assert clinician.recv_type("peer-left") == {
        "type": "peer-left",
        "peer": patient.peer,
        "reason": "replaced",
    }
    assert clinician.recv_type("peer-joined")["peer"]["id"] == reloaded.peer


def test_connected_call_is_recorded(live_server_process, room):
    clinician, patient = pair(live_server_process, room)
    patient.send({"type": "state", "peer": clinician.peer, "state": "connected"})
    wait_for(lambda: ("connected", patient.peer) in events(room))


def test_cancelling_the_booking_ends_the_room_with_a_message(live_server_process, room):
    clinician, patient = pair(live_server_process, room)
    with room.schema:
        bookings.cancel(Booking.objects.get(pk=room.booking_id), actor=room.clinician)
    for client in (clinician, patient):
        closed = client.recv_type("room-closed", ping=True)
        assert closed["reason"] == "cancelled" and closed["message"] == "Besöket är avbokat."
        assert client.wait_closed() == 4410


def test_a_booking_ended_without_a_notice_still_ends_the_room_at_the_next_look(
    live_server_process, room
):
    """E.g. the notice was lost: the server's own look at its rooms (every few seconds)."""
    clinician, patient = pair(live_server_process, room)
    with room.schema:
        Booking.objects.filter(pk=room.booking_id).update(status=BookingStatus.CANCELLED)
    for client in (clinician, patient):
        closed = client.recv_type("room-closed", ping=True)
        assert closed["message"] == "Besöket är avbokat."
        assert client.wait_closed() == 4410


def test_each_page_is_told_in_its_users_language(live_server_process, room):
    with room.schema:
        User.objects.filter(pk=room.patients[0].pk).update(language="en")
        User.objects.filter(pk=room.outsider.pk).update(language="en")
    outsider = join(live_server_process, room, room.outsider)
    assert outsider.first["message"] == "You’re not part of this visit."
    clinician, patient = pair(live_server_process, room)
    with room.schema:  # noticed by the room watch, worded by each page
        Booking.objects.filter(pk=room.booking_id).update(status=BookingStatus.CANCELLED)
    assert patient.recv_type("room-closed", ping=True)["message"] == "The visit is cancelled."
    assert clinician.recv_type("room-closed", ping=True)["message"] == "Besöket är avbokat."


def test_clinician_ending_the_visit_ends_it_for_everyone(live_server_process, room):
    clinician, patient = pair(live_server_process, room)
    patient.send({"type": "state", "peer": clinician.peer, "state": "connected"})
    wait_for(lambda: ("connected", patient.peer) in events(room))
    with room.schema:
        services.end_visit(Booking.objects.get(pk=room.booking_id), room.clinician)
        assert Booking.objects.get(pk=room.booking_id).status == BookingStatus.COMPLETED
    closed = patient.recv_type("room-closed")
    assert closed["message"] == "Vårdpersonalen har avslutat besöket."
    assert patient.wait_closed() == 4410


def test_patients_of_a_group_visit_see_each_other_without_names(live_server_process, committed):
    """Each patient's page is told of the others as "Patient 2" (in welcome, arrivals and relayed
    signals); the clinician's page names them."""
    provider = committed.provider("videogrupp", name="Videokliniken grupp")
    with schema_context(provider.schema_name):
        clinician = User.objects.get()
        specs = [
            bookings.PatientSpec(patient_personnummer(n), first, last, f"07012345{n:02d}")
            for n, (first, last) in enumerate(GROUP_PATIENTS, start=1)
        ]
        booking = book_video(provider, clinician, specs)
        patients = [p.user for p in booking.participants.select_related("user").order_by("id")]
        for patient in patients:
            give_consent(patient, current_consent_version(), "127.0.0.1")
    room = Room(provider, clinician, booking.pk, patients)
    staff = join(live_server_process, room, clinician)
    pages = [join(live_server_process, room, patient) for patient in patients]
    first, _second, third = pages
    heard = {page.peer: [page.first, *page.drain()] for page in pages}
    third.send({"type": "signal", "to": first.peer, "data": OFFER})
    relayed = first.recv_type("signal")
    assert relayed["peer"]["name"] == "Patient 3"
    heard[first.peer].append(relayed)
    for page, patient in zip(pages, patients, strict=True):
        others = [p for p in patients if p != patient]
        assert leaked(json.dumps(heard[page.peer], ensure_ascii=False), *others) == []
        assert page.first["me"]["name"] == f"{patient.first_name} {patient.last_name[0]}."
    assert [p["name"] for p in third.first["peers"]] == ["Tove Testadmin", "Patient 1", "Patient 2"]
    told = [staff.recv_type("peer-joined")["peer"]["name"] for _page in pages]
    assert told == ["Ingrid B.", "Torbjörn S.", "Majvor E."]
