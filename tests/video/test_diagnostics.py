"""What a room page reports about itself, for support (issue 15): its browser and operating
system from the User-Agent, a blocked or missing camera or microphone, and the ICE candidate
types of a call; stored as call events of its own participation and read back as one sentence
per event (video.selectors.call_timeline)."""

import datetime
import json

import pytest
import time_machine
from django.utils import translation

from careplatform.useragent import Client, describe
from tenant_apps.video import protocol, services
from tenant_apps.video.models import CallEvent
from tenant_apps.video.selectors import call_timeline
from tests.support import wait_for
from tests.video.helpers import book, patients_of
from tests.video.live import Client as RoomClient
from tests.video.live import make_room, session_for

SAFARI_IOS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.6367.179 Mobile Safari/537.36"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
NO_CAMERA = {
    "type": "diagnostics",
    "report": "media",
    "problem": "no_camera",
    "error": "NotFoundError",
}
ICE_DIRECT = {
    "local": ["host", "srflx"],
    "remote": ["host"],
    "selected": {"local": "host", "remote": "host"},
}
ICE_RELAY = {
    "local": ["host", "srflx", "relay"],
    "remote": ["host", "relay"],
    "selected": {"local": "relay", "remote": "host"},
}


@pytest.mark.parametrize(
    ("header", "browser", "os"),
    [
        (SAFARI_IOS, "Safari 17", "iOS 17.5"),
        (CHROME_ANDROID, "Chrome 124", "Android 14"),
        (FIREFOX_WINDOWS, "Firefox 128", "Windows 10"),
        ("", "", ""),
        ("x" * 10_000, "", ""),
    ],
)
def test_browser_and_os_are_read_from_the_user_agent(header, browser, os):
    assert describe(header) == Client(browser, os)


def at_minutes(booking, minutes: int):
    return time_machine.travel(booking.starts_at + datetime.timedelta(minutes=minutes), tick=False)


def sentences(booking) -> list[str]:
    with translation.override("sv"):
        return [entry.sentence for entry in call_timeline(booking)]


def test_a_blocked_camera_is_stored_with_the_patients_browser_and_told_in_one_sentence(
    booking, ready
):
    patient = patients_of(booking)[0]
    with at_minutes(booking, 2):
        services.join(booking.pk, patient, "peer-p", "chan.p", SAFARI_IOS)
        assert services.record_media_problem("chan.p", "camera_denied", "NotAllowedError")
    event = CallEvent.objects.get(kind="camera_denied")
    assert (event.user, event.browser, event.os) == (patient, "Safari 17", "iOS 17.5")
    assert event.detail == {"error": "NotAllowedError"}
    assert sentences(booking) == [
        "Patienten gick in i rummet i Safari 17 på iOS 17.5 kl. 10:02.",
        "Patientens kamera blockerades i Safari 17 på iOS 17.5 kl. 10:02 (NotAllowedError).",
    ]
    with translation.override("en"):
        assert call_timeline(booking)[1].sentence == (
            "The patient's camera was blocked in Safari 17 on iOS 17.5 at 10:02 (NotAllowedError)."
        )


def test_a_connected_call_keeps_its_candidate_types_and_whether_turn_carried_it(booking, ready):
    patient = patients_of(booking)[0]
    with at_minutes(booking, 1):
        services.join(booking.pk, ready.clinician, "peer-c", "chan.c", FIREFOX_WINDOWS)
        services.join(booking.pk, patient, "peer-p", "chan.p", CHROME_ANDROID)
    with at_minutes(booking, 3):
        services.record_call_state("chan.p", "connected", "peer-c", ICE_DIRECT)
        services.record_call_state("chan.c", "connected", "peer-p", ICE_RELAY)
        services.leave("chan.p", "lost")
    patient_side, clinician_side = CallEvent.objects.filter(kind="connected").order_by("id")
    assert patient_side.detail["turn"] is False and clinician_side.detail["turn"] is True
    assert patient_side.detail["with_user"] == ready.clinician.pk
    timeline = call_timeline(booking)
    assert timeline[2].candidates_tried == ("host", "srflx")
    assert timeline[3].selected_pair == ("relay", "host") and timeline[3].turn is True
    assert (timeline[3].browser, timeline[3].os) == ("Firefox 128", "Windows 10")
    assert sentences(booking) == [
        "Vårdpersonalen gick in i rummet i Firefox 128 på Windows 10 kl. 10:01.",
        "Patienten gick in i rummet i Chrome 124 på Android 14 kl. 10:01.",
        "Patientens samtal med vårdpersonalen kopplades upp direkt, utan TURN-server, "
        "i Chrome 124 på Android 14 kl. 10:03 (provade: host, srflx).",
        "Vårdpersonalens samtal med patienten kopplades upp via TURN-server i Firefox 128 på "
        "Windows 10 kl. 10:03 (provade: host, srflx, relay).",
        "Patientens anslutning bröts kl. 10:03.",
    ]


def test_patients_of_a_group_visit_are_told_apart_without_names(ready):
    booking = book(ready, patients=2, group=True)
    second = patients_of(booking)[1]
    with at_minutes(booking, 0):
        services.join(booking.pk, second, "peer-2", "chan.2", CHROME_ANDROID)
        services.record_media_problem("chan.2", "no_camera", "NotFoundError")
        services.record_call_state(
            "chan.2", "failed", "peer-gone", {**ICE_DIRECT, "selected": None}
        )
    assert sentences(booking)[1:] == [
        "Patient 2:s kamera hittades inte i Chrome 124 på Android 14 kl. 10:00 (NotFoundError).",
        "Patient 2:s samtal med en deltagare kunde inte kopplas upp i Chrome 124 på Android 14 "
        "kl. 10:00 (provade: host, srflx).",
    ]
    assert all("Testsson" not in s and second.first_name not in s for s in sentences(booking))


def test_a_page_not_in_a_room_reports_nothing(booking):
    assert not services.record_media_problem("chan.nowhere", "camera_denied", "NotAllowedError")
    assert not services.record_call_state("chan.nowhere", "failed", "peer-x", ICE_DIRECT)
    assert not CallEvent.objects.exists()


# -- over the room's WebSocket ----------------------------------------------------------------


def rows(room) -> list[tuple]:
    with room.schema:
        return list(
            CallEvent.objects.filter(booking_id=room.booking_id)
            .order_by("id")
            .values_list("kind", "user_id", "browser", "os")
        )


@pytest.mark.server
def test_reports_over_the_socket_are_stored_for_the_sender_only_and_not_relayed(
    live_server_process, committed
):
    server = live_server_process
    room = make_room(committed, "videodiagnos")
    patient_user = room.patients[0]
    clinician = RoomClient(
        server,
        room.subdomain,
        room.booking_id,
        session_for(room.provider, room.clinician),
        user_agent=FIREFOX_WINDOWS,
    )
    patient = RoomClient(
        server,
        room.subdomain,
        room.booking_id,
        session_for(room.provider, patient_user),
        user_agent=SAFARI_IOS,
    )
    clinician.recv_type("peer-joined")
    patient.send(
        {
            "type": "diagnostics",
            "report": "media",
            "problem": "camera_denied",
            "error": "NotAllowedError",
        }
    )
    patient.send(
        {"type": "diagnostics", "report": "call", "peer": clinician.peer, "state": "connected",
         "ice": ICE_DIRECT}
    )  # fmt: skip
    wait_for(lambda: len(rows(room)) == 4)
    assert rows(room)[2:] == [
        ("camera_denied", patient_user.pk, "Safari 17", "iOS 17.5"),
        ("connected", patient_user.pk, "Safari 17", "iOS 17.5"),
    ]
    assert rows(room)[0] == ("joined", room.clinician.pk, "Firefox 128", "Windows 10")
    # The clinician's page hears nothing of it.
    assert [m for m in clinician.drain() if m["type"] not in ("pong",)] == []

    # Refused: a peer not in the room, an unknown problem, a report too large. Nothing stored.
    bad = [
        {"type": "diagnostics", "report": "call", "peer": "not-in-this-room", "state": "failed",
         "ice": ICE_DIRECT},
        {"type": "diagnostics", "report": "media", "problem": "everything", "error": "Oops"},
        json.dumps(NO_CAMERA)[:-1] + " " * protocol.MAX_REPORT_BYTES + "}",
    ]  # fmt: skip
    reasons = []
    for message in bad:
        patient.send(message)
        reasons.append(patient.recv_type("dropped")["reason"])
    assert reasons == ["unknown_peer", "invalid", "oversized"]
    patient.send({"type": "ping"})
    patient.recv_type("pong")
    assert len(rows(room)) == 4


@pytest.mark.server
def test_a_page_sending_report_after_report_is_cut_off(live_server_process, committed):
    room = make_room(committed, "videorapporter")
    page = RoomClient(
        live_server_process,
        room.subdomain,
        room.booking_id,
        session_for(room.provider, room.patients[0]),
    )
    report = {
        "type": "diagnostics",
        "report": "media",
        "problem": "no_camera",
        "error": "NotFoundError",
    }
    for _ in range(protocol.MAX_REPORTS + 1):
        page.send(report)
    assert page.recv_type("dropped")["reason"] == "too_many_reports"
    wait_for(lambda: len(rows(room)) == 1 + protocol.MAX_REPORTS)
