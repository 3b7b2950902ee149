"""Video visits end to end in headless Chromium (fake camera and microphone) against the live
server: both sides see each other, a group of three, a reload rejoins, refusals, a cancelled
visit, the end of a visit as the patient sees it, TURN with our credentials, Testa video's level
meter, and a browser without camera permission."""

import time
from dataclasses import astuple

import pytest
from django.utils import translation
from django_tenants.utils import schema_context

from careplatform.useragent import describe
from tenant_apps.accounts.models import User
from tenant_apps.bookings import services as bookings
from tenant_apps.bookings.models import Booking, BookingStatus
from tenant_apps.video.models import CallEvent, RoomConnection
from tenant_apps.video.selectors import call_timeline
from tests.browser import chromium
from tests.support import LiveServer, personnummer, wait_for
from tests.video import turn
from tests.video.live import make_room
from tests.video.pages import (
    PHONE,
    assert_receiving_video,
    base_url,
    both_in_the_room,
    chromium_without_camera_permission,
    open_room,
    page_for,
    stats,
    wait_until,
    with_fake_devices,
)

pytestmark = pytest.mark.server


def kinds(room) -> set[str]:
    with schema_context(room.provider.schema_name):
        return set(
            CallEvent.objects.filter(booking_id=room.booking_id).values_list("kind", flat=True)
        )


def reported(room, kind: str, count: int = 1, timeout: float = 10) -> list[CallEvent]:
    """The room's call events of this kind, once there are `count` of them."""

    def found():
        with room.schema:
            return list(CallEvent.objects.filter(booking_id=room.booking_id, kind=kind))

    wait_for(lambda: len(found()) >= count, timeout=timeout)
    return found()


def test_clinician_and_patient_on_a_phone_see_each_other(live_server_process, committed):
    server = live_server_process
    room = make_room(committed, "videomote")
    with chromium() as browser:
        clinician = page_for(browser, server, room, room.clinician, bankid=True)
        patient = page_for(browser, server, room, room.patients[0], bankid=True, viewport=PHONE)
        # The patient comes in from the start page, the clinician from the prompt.
        patient.goto(base_url(server, room.subdomain) + "/mina-besok/")
        patient.get_by_role("link", name="Börja videobesöket").click()
        patient.wait_for_url(f"**/besok/{room.booking_id}/")
        clinician.goto(base_url(server, room.subdomain) + "/oversikt/")
        clinician.get_by_role("link", name="Starta videomöte").click()
        clinician.wait_for_url(f"**/besok/{room.booking_id}/")

        assert_receiving_video(clinician, peers=1)
        assert_receiving_video(patient, peers=1)
        assert patient.locator(".tile-name").inner_text() == "Tove Testadmin"
        assert clinician.locator(".tile-name").inner_text() == "Patient1 T."
        assert patient.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # Menu links open in a new window, so the call goes on.
        menu_link = clinician.locator(".topbar a[href='/bokningar/']")
        assert menu_link.get_attribute("target") == "_blank"

        # "Lämna videobesök" leaves; the other side is told.
        patient.get_by_role("link", name="Lämna videobesök").click()
        patient.wait_for_url("**/mina-besok/")
        clinician.get_by_text("Patient1 T. har lämnat besöket.").wait_for()
        assert clinician.problems == [] and patient.problems == []
        browser_seen = describe(patient.evaluate("navigator.userAgent"))
    wait_for(lambda: {"joined", "connected", "left"} <= kinds(room))
    # Both pages told the server how their call connected: directly, between host candidates.
    connected = reported(room, "connected", count=2)
    assert {event.user_id for event in connected} == {room.clinician.pk, room.patients[0].pk}
    for event in connected:
        assert "host" in event.detail["ice"]["local"] and event.detail["turn"] is False
        assert (event.browser, event.os) == (browser_seen.browser, browser_seen.os)
    assert browser_seen.browser.startswith("HeadlessChrome ")


def test_a_group_visit_of_three_all_receive_video(live_server_process, committed):
    server = live_server_process
    room = make_room(committed, "videogrupp", patients=2)
    with chromium() as browser:
        pages = [
            page_for(browser, server, room, user, viewport=PHONE)
            for user in [room.clinician, *room.patients]
        ]
        for page in pages:
            open_room(page, server, room)
        for page in pages:
            assert_receiving_video(page, peers=2)
        assert all(page.problems == [] for page in pages)


def test_a_reload_rejoins_the_call(live_server_process, committed):
    server = live_server_process
    room = make_room(committed, "videoomladdning")
    with chromium() as browser:
        clinician, patient = both_in_the_room(browser, server, room)
        before = assert_receiving_video(clinician, peers=1)
        patient.reload()
        # Until the server says the old page was replaced, the clinician may still show it.
        old = before[0]["peer"]
        wait_for(lambda: any(s["peer"] != old for s in stats(clinician)), timeout=30)
        after = assert_receiving_video(clinician, peers=1)
        assert after[0]["peer"] != before[0]["peer"]  # the reloaded page is a new peer
        assert_receiving_video(patient, peers=1)


def test_non_participant_and_other_providers_user_are_refused(live_server_process, committed):
    server = live_server_process
    room = make_room(committed, "videoneka")
    other = make_room(committed, "videoandra")
    room_url = f"{base_url(server, room.subdomain)}/besok/{room.booking_id}/"
    with room.schema:
        admin = User.objects.create_user(
            personnummer("19790303", "033"), "Adam", "Admin", is_admin=True
        )
    with chromium() as browser:
        # An admin sees every booking of the provider, but is not in this visit.
        page = page_for(browser, server, room, admin)
        assert page.goto(room_url).status == 403
        assert page.get_by_text("Du är inte med i det här besöket.").is_visible()
        assert page.locator("#room").count() == 0
        # A patient who is not invited does not even see the booking.
        outsider = page_for(browser, server, room, room.outsider)
        assert outsider.goto(room_url).status == 404
        # Logged in at another provider: nobody is logged in here.
        stranger = page_for(browser, server, other, other.clinician)
        stranger.goto(room_url)
        assert "/login/" in stranger.url


def test_a_cancelled_visit_ends_the_room_with_a_message(live_server_process, committed):
    server = live_server_process
    room = make_room(committed, "videoavbokad")
    with chromium() as browser:
        patient = page_for(browser, server, room, room.patients[0], viewport=PHONE)
        open_room(patient, server, room)
        patient.get_by_text("Vårdpersonalen ansluter snart").wait_for()
        with room.schema:
            bookings.cancel(Booking.objects.get(pk=room.booking_id), actor=room.clinician)
        patient.locator("#room-message", has_text="Besöket är avbokat.").wait_for(timeout=10000)
        assert patient.locator("#self-video").is_hidden()
        assert patient.evaluate("window.careplatformVideo.state.stream.active") is False


def test_the_clinician_ends_the_visit_for_everyone(live_server_process, committed):
    server = live_server_process
    room = make_room(committed, "videoavslut")
    with chromium() as browser:
        clinician, patient = both_in_the_room(browser, server, room)
        assert_receiving_video(patient, peers=1)
        wait_for(lambda: "connected" in kinds(room))
        end = clinician.get_by_role("button", name="Avsluta besöket")
        asked = []

        def answer(accept: bool):
            def handle(dialog):
                asked.append(dialog.message)
                dialog.accept() if accept else dialog.dismiss()

            return handle

        # Changing one's mind at the question keeps the call going.
        clinician.once("dialog", answer(accept=False))
        end.click()
        assert asked == ["Avsluta besöket för alla deltagare?"]
        assert_receiving_video(patient, peers=1)
        assert "ended" not in kinds(room)

        clinician.once("dialog", answer(accept=True))
        end.click()
        clinician.wait_for_url(f"**/bokningar/{room.booking_id}/")
        clinician.get_by_text("Besöket är avslutat.").first.wait_for()
        patient.locator("#room-message", has_text="Vårdpersonalen har avslutat besöket.").wait_for()
        assert patient.locator("#tiles .tile").count() == 0
        assert patient.evaluate("window.careplatformVideo.state.stream.active") is False
        assert clinician.problems == [] and patient.problems == []
    with room.schema:
        assert Booking.objects.get(pk=room.booking_id).status == BookingStatus.COMPLETED
    assert "ended" in kinds(room)


def test_after_the_end_the_patient_reads_it_once_and_cannot_leave_again(
    live_server_process, committed
):
    server = live_server_process
    room = make_room(committed, "videoslut")
    with chromium() as browser:
        clinician, patient = both_in_the_room(browser, server, room)
        assert_receiving_video(patient, peers=1)
        assert patient.get_by_role("link", name="Lämna videobesök").is_visible()
        clinician.once("dialog", lambda dialog: dialog.accept())
        clinician.get_by_role("button", name="Avsluta besöket").click()
        ended = patient.get_by_text("Vårdpersonalen har avslutat besöket.")
        ended.first.wait_for()
        assert ended.count() == 1
        assert patient.get_by_role("link", name="Lämna videobesök").count() == 0
        back = patient.get_by_role("link", name="Tillbaka")
        assert back.is_visible()
        back.click()
        patient.wait_for_url("**/mina-besok/")
        assert patient.problems == []


def test_switching_camera_microphone_and_speaker_during_the_call(live_server_process, committed):
    server = live_server_process
    room = make_room(committed, "videoenheter")
    # Chromium's second fake camera is a depth camera (Y16) that sends no picture; the third is
    # an ordinary one.
    with chromium(with_fake_devices(3)) as browser:
        clinician, patient = both_in_the_room(browser, server, room)
        assert_receiving_video(patient, peers=1)
        sent = (
            "window.careplatformVideo.layer.peers.values().next().value.pc.getSenders()"
            ".filter(s => s.track).map(s => s.track.label).sort()"
        )
        assert clinician.evaluate(sent) == ["Fake Default Audio Input", "fake_device_0"]

        clinician.get_by_text("Välj kamera, mikrofon och högtalare").click()
        clinician.get_by_label("Kamera").select_option(label="fake_device_2")
        clinician.get_by_label("Mikrofon").select_option(label="Fake Audio Input 2")
        clinician.get_by_label("Högtalare").select_option(label="Fake Audio Output 2")
        wait_until(clinician, f"{sent}.join() === 'Fake Audio Input 2,fake_device_2'")
        own = "window.careplatformVideo.state.stream.getTracks().map(t => t.label).sort()"
        assert clinician.evaluate(own) == ["Fake Audio Input 2", "fake_device_2"]
        assert (
            clinician.evaluate("document.querySelector('#tiles video').sinkId")
            == clinician.get_by_label("Högtalare").input_value()
        )
        # The other side goes on receiving video from the new camera, without a new call.
        before = {s["peer"] for s in stats(patient)}
        assert {s["peer"] for s in assert_receiving_video(patient, peers=1)} == before
        assert clinician.problems == [] and patient.problems == []


# The call's statistics from here on: packets received grow by 100 per sample, and the given
# share of them is lost. (Chromium offers no switch for a lossy network; the real statistics of
# this loopback call are those of a perfect line.)
LOSSY_STATS = """loss => {
    const layer = window.careplatformVideo.layer;
    const real = layer.stats.bind(layer);
    let received = 0, lost = 0;
    layer.stats = async () => (await real()).map((s) => {
        received += 100;
        lost += Math.round(100 * loss);
        return {...s, packetsReceived: received, packetsLost: lost};
    });
}"""


def test_the_quality_hint_follows_the_line(live_server_process, committed):
    server = live_server_process
    room = make_room(committed, "videokvalitet")
    with chromium() as browser:
        clinician, patient = both_in_the_room(browser, server, room)
        assert_receiving_video(patient, peers=1)
        hint = patient.locator("#quality")
        hint.filter(has_text="Bra anslutning").wait_for()
        assert hint.is_visible()
        patient.evaluate(LOSSY_STATS, 0.15)
        hint.filter(has_text="Dålig anslutning – bilden kan hacka").wait_for(timeout=10000)
        assert patient.locator(".tile").get_attribute("data-quality") == "poor"
        clinician.evaluate(LOSSY_STATS, 0.04)
        clinician.locator("#quality", has_text="Svag anslutning").wait_for(timeout=10000)
        assert clinician.problems == [] and patient.problems == []


def test_testa_video_meter_moves_with_the_fake_microphone(live_server_process, committed):
    server = live_server_process
    room = make_room(committed, "videotest")
    with chromium() as browser:
        page = page_for(browser, server, room, room.patients[0], viewport=PHONE)
        page.goto(base_url(server, room.subdomain) + "/testa-video/")
        wait_until(page, "Number(document.getElementById('mic-level').dataset.peak || 0) > 0")
        wait_until(
            page,
            "[...document.querySelectorAll('[data-check]')].every(li => li.dataset.ok === 'true')",
        )
        assert page.locator("#camera-select option").count() >= 1
        assert page.evaluate("document.getElementById('preview').videoWidth") > 0
        page.get_by_role("button", name="Spela upp testljud").click()
        assert page.locator("[data-problem]:visible").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert page.problems == []


def test_without_camera_permission_the_page_explains(live_server_process, committed):
    server = live_server_process
    room = make_room(committed, "videonekad")
    with chromium_without_camera_permission() as browser:
        page = page_for(browser, server, room, room.patients[0], viewport=PHONE)
        open_room(page, server, room)
        denied = page.locator("[data-problem='denied']")
        denied.wait_for(timeout=10000)
        assert "Tillåt" in denied.inner_text()
        # Not a broken page: it still waits in the room for the clinician.
        page.get_by_text("Vårdpersonalen ansluter snart").wait_for()
        # Support can see it: the blocked camera, in this browser, as the patient's.
        (event,) = reported(room, "camera_denied")
        seen = describe(page.evaluate("navigator.userAgent"))
        assert (event.user_id, event.browser, event.os) == (room.patients[0].pk, *astuple(seen))
        assert event.detail == {"error": "NotAllowedError"}
        page.goto(base_url(server, room.subdomain) + "/testa-video/")
        page.locator("[data-problem='denied']").wait_for(timeout=10000)
        wait_until(page, "document.querySelector('[data-check=camera]').dataset.ok === 'false'")


def test_testa_video_with_a_denied_camera_claims_nothing_works(live_server_process, committed):
    """The denied banner stands alone: no check about the camera says "Fungerar"."""
    server = live_server_process
    room = make_room(committed, "videotestnekad")
    with chromium_without_camera_permission() as browser:
        page = page_for(browser, server, room, room.patients[0], viewport=PHONE)
        page.goto(base_url(server, room.subdomain) + "/testa-video/")
        page.locator("[data-problem='denied']").wait_for(timeout=10000)
        wait_until(page, "document.querySelector('[data-check=camera]').dataset.ok === 'false'")
        for check in ("media", "camera", "microphone"):
            row = page.locator(f"[data-check='{check}'] .check-result")
            assert row.inner_text() == "Fungerar inte", check
        assert page.locator("[data-problem]:visible").count() == 1


IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def test_on_an_iphone_the_denied_camera_is_explained_the_iphone_way(live_server_process, committed):
    server = live_server_process
    room = make_room(committed, "videoiphone")
    with chromium_without_camera_permission() as browser:
        page = page_for(browser, server, room, room.patients[0], viewport=PHONE, user_agent=IPHONE)
        open_room(page, server, room)
        denied = page.locator("[data-problem='denied']")
        denied.wait_for(timeout=10000)
        assert denied.get_by_text("Tryck på aA i adressfältet").is_visible()
        assert denied.get_by_text("Inställningar → Safari → Kamera").is_visible()
        assert not denied.get_by_text("Klicka på kamerasymbolen").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # The server read the browser from the page's own User-Agent.
        reported(room, "camera_denied")
    with room.schema, translation.override("sv"):
        sentences = [
            entry.sentence for entry in call_timeline(Booking.objects.get(pk=room.booking_id))
        ]
    assert any(
        s.startswith("Patientens kamera blockerades i Safari 17 på iOS 17.5 kl. ")
        for s in sentences
    ), sentences


def test_a_browser_without_webrtc_is_told_which_to_use(live_server_process, committed):
    server = live_server_process
    room = make_room(committed, "videogammal")
    with chromium() as browser:
        page = page_for(browser, server, room, room.patients[0], viewport=PHONE)
        page.add_init_script("delete window.RTCPeerConnection;")
        open_room(page, server, room)
        unsupported = page.locator("[data-problem='unsupported']")
        unsupported.wait_for(timeout=10000)
        assert "Safari på iPhone" in unsupported.inner_text()
        # It does not try to join: nobody in the room sees it arrive.
        time.sleep(1)
        with room.schema:
            assert not RoomConnection.objects.filter(booking_id=room.booking_id).exists()
        assert page.problems == []


@pytest.mark.skipif(not turn.available(), reason="coturn (turnserver) is not installed")
def test_call_through_turn_with_our_credentials(committed, monkeypatch):
    """coturn on loopback, a server handing out its TURN REST credentials, relay only."""
    secret = "turn-test-secret"
    coturn = turn.Coturn(secret)
    monkeypatch.setenv("TURN_URLS", coturn.url)
    monkeypatch.setenv("TURN_SECRET", secret)
    monkeypatch.setenv("VIDEO_ICE_TRANSPORT_POLICY", "relay")
    server = LiveServer()
    monkeypatch.undo()
    try:
        room = make_room(committed, "videoturn")
        with chromium() as browser:
            clinician, patient = both_in_the_room(browser, server, room)
            for page in (clinician, patient):
                (peer,) = assert_receiving_video(page, peers=1)
                assert peer["localCandidateType"] == "relay"
                assert peer["remoteCandidateType"] == "relay"
                assert peer["localCandidateTypes"] == ["relay"]
            for event in reported(room, "connected", count=2):
                assert event.detail["turn"] is True
                assert event.detail["ice"]["local"] == ["relay"]
                assert event.detail["ice"]["selected"] == {"local": "relay", "remote": "relay"}

            # The same server's credentials against a TURN server with another secret.
            port = coturn.port
            coturn.stop()
            coturn = turn.Coturn("another-secret", port=port)
            clinician.reload()
            patient.reload()
            time.sleep(5)
            for page in (clinician, patient):
                (peer,) = stats(page)
                assert peer["localCandidateTypes"] == [] and peer["state"] != "connected"
            assert "401" in coturn.log()
    finally:
        server.stop()
        coturn.stop()
