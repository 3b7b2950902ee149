"""Video visits end to end in headless Chromium (fake camera and microphone) against the live
server: both sides see each other, a group of three, a reload rejoins, refusals, a cancelled
visit, Testa video's level meter, and a browser without camera permission."""

import pytest
from django_tenants.utils import schema_context

from tenant_apps.video.models import CallEvent
from tests.browser import chromium
from tests.support import wait_for
from tests.video.live import make_room
from tests.video.pages import (
    PHONE,
    assert_receiving_video,
    base_url,
    page_for,
)

pytestmark = pytest.mark.server


def kinds(room) -> set[str]:
    with schema_context(room.provider.schema_name):
        return set(
            CallEvent.objects.filter(booking_id=room.booking_id).values_list("kind", flat=True)
        )


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
        assert (
            clinician.locator(".topbar a[href='/bokningar/']").get_attribute("target") == "_blank"
        )
        assert clinician.problems == [] and patient.problems == []
    wait_for(lambda: {"joined", "connected", "left"} <= kinds(room))
