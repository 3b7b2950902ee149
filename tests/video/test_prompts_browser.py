"""The prompts in headless Chromium against the live server, its clock set by the test (manual
6, 7.6): pages left open get "Starta videomöte" and "Börja videobesöket" at T−15 without being
reloaded, the clinician's page says who waits in the room, the patient's room says that the
clinician is coming, an invited colleague sees their test visit and its prompt, and a page
reconnects by itself after the server restarts."""

import pytest
from django_tenants.utils import schema_context

from tenant_apps.accounts.models import User
from tenant_apps.bookings import services as bookings
from tenant_apps.bookings.models import Booking
from tests.browser import chromium
from tests.support import LiveServer, personnummer
from tests.video.helpers import MINUTE
from tests.video.live import entered_at, half_an_hour_ahead, make_room
from tests.video.pages import PHONE, base_url, page_for, wait_until

pytestmark = pytest.mark.server

STARTA = "Starta videomöte"
BORJA = "Börja videobesöket"


def left_open(page, path: str) -> None:
    """The page at `path`, its prompts' socket connected, marked so that a reload would show."""
    page.goto(path)
    wait_until(page, "window.careplatformPrompts && window.careplatformPrompts.updates > 0")
    page.evaluate("window.leftOpen = true")


def not_reloaded(page) -> bool:
    return page.evaluate("window.leftOpen === true")


def test_overview_left_open_prompts_at_t_minus_15_and_says_pelle_waits(clocked_server, committed):
    server = clocked_server
    start = half_an_hour_ahead()
    room = make_room(committed, "promptsida", starts_at=start, first_names=["Pelle"])
    pelle = room.patients[0]
    site = base_url(server, room.subdomain)
    server.clock.move_to(start - 16 * MINUTE)
    with chromium() as browser:
        clinician = page_for(browser, server, room, room.clinician)
        patient = page_for(browser, server, room, pelle, viewport=PHONE)
        left_open(clinician, site + "/oversikt/")
        left_open(patient, site + "/mina-besok/")
        assert clinician.get_by_role("link", name=STARTA).count() == 0
        assert patient.get_by_role("link", name=BORJA).count() == 0

        server.clock.move_to(start - 15 * MINUTE)
        clinician.get_by_role("link", name=STARTA).wait_for()
        patient.get_by_role("link", name=BORJA).wait_for()
        assert not_reloaded(clinician) and not_reloaded(patient)
        assert patient.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        patient.get_by_role("link", name=BORJA).click()
        patient.wait_for_url(f"**/besok/{room.booking_id}/")
        patient.get_by_text("Vårdpersonalen ansluter snart").wait_for()
        clinician.get_by_text(f"Pelle väntar sedan {entered_at(room, pelle)}").wait_for()
        assert not_reloaded(clinician)

        clinician.get_by_role("link", name=STARTA).click()
        clinician.wait_for_url(f"**/besok/{room.booking_id}/")
        patient.get_by_text("Videobesöket pågår.").wait_for()
        assert clinician.problems == [] and patient.problems == []


def test_a_colleague_sees_their_test_visit_and_its_prompt(clocked_server, committed):
    server = clocked_server
    start = half_an_hour_ahead()
    # The clinician's own visit later that day; the test visit with Kalle at `start`.
    room = make_room(committed, "promptkollegasida", starts_at=start + 120 * MINUTE)
    with schema_context(room.provider.schema_name):
        kalle = User.objects.create_user(
            personnummer("19820202", "222"), "Kalle", "Kollega", mobile="0701234511",
            is_clinician=True,
        )  # fmt: skip
        visit = bookings.invite(
            actor=room.clinician,
            clinician=room.clinician,
            visit_type=Booking.objects.get(pk=room.booking_id).visit_type,
            provider=room.provider,
            colleague=kalle,
            starts_at=start,
        )
    site = base_url(server, room.subdomain)
    row = f"a[href='/bokningar/{visit.pk}/']"
    server.clock.move_to(start - 16 * MINUTE)
    with chromium() as browser:
        colleague = page_for(browser, server, room, kalle)
        colleague.goto(site + "/bokningar/")
        assert "Tove Testadmin" in colleague.locator(row).inner_text()  # whose visit it is
        left_open(colleague, site + "/oversikt/")
        assert "Tove Testadmin" in colleague.locator(row).inner_text()
        assert colleague.get_by_role("link", name=STARTA).count() == 0

        server.clock.move_to(start - 15 * MINUTE)
        prompt = colleague.get_by_role("link", name=STARTA)
        prompt.wait_for()
        assert prompt.get_attribute("href") == f"/besok/{visit.pk}/" and not_reloaded(colleague)

        server.clock.move_to(visit.ends_at + 5 * MINUTE + MINUTE / 60)
        prompt.wait_for(state="detached")
        assert not_reloaded(colleague) and colleague.problems == []


def test_a_page_left_open_reconnects_after_a_server_restart(committed):
    server = LiveServer(clock=True)  # of its own: restarted under the page
    try:
        start = half_an_hour_ahead()
        room = make_room(committed, "promptomstart", starts_at=start)
        server.clock.move_to(start - 16 * MINUTE)
        with chromium() as browser:
            clinician = page_for(browser, server, room, room.clinician)
            left_open(clinician, base_url(server, room.subdomain) + "/oversikt/")
            server.restart()  # the page's socket is cut; it tries again with a growing pause
            server.clock.move_to(start - 15 * MINUTE)
            clinician.get_by_role("link", name=STARTA).wait_for(timeout=20000)
            assert not_reloaded(clinician)
    finally:
        server.stop()
