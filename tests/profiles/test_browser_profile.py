"""A new clinician walks through Min profil in a real browser on a phone-sized screen (manual
section 2): Konsultation → Bilder (a real photo file) → Bokningsbara besök → Aktivera
bokningsfunktion, then sees on Översikt that inviting is possible. No page scrolls sideways at
375 px."""

import shutil
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django_tenants.utils import schema_context
from PIL import Image

from tenant_apps.profiles import services
from tests.browser import chromium
from tests.login_support import Simulator
from tests.profiles.support import jpeg_with_exif, new_user

pytestmark = pytest.mark.server

PHONE = {"width": 375, "height": 667}


@pytest.fixture
def nina(committed):
    """A new clinician in a committed provider of her own. The subdomain is unique to this run:
    every test run on this machine shares DATA_DIR/media, where the photos go."""
    provider = committed.provider(f"profil-{uuid.uuid4().hex[:8]}", name="Profilkliniken")
    cast = SimpleNamespace(provider=provider)
    nina = new_user(cast, "Nina", "401", is_clinician=True)
    yield cast, nina
    shutil.rmtree(Path(settings.DATA_DIR) / "media" / cast.provider.schema_name, ignore_errors=True)


def logged_in_page(browser, base: str, simulator: Simulator, personnummer: str):
    """BankID on this device: the login page offers the app link, the simulated app approves.
    The login page has tried to open bankid:///, after which headless Chromium ignores link
    clicks on that tab, so the walk continues on a new tab of the same browser context."""
    context = browser.new_context(viewport=PHONE)
    login = context.new_page()
    login.goto(f"{base}/login/")
    login.get_by_role("button", name="BankID på den här enheten").click()
    link = login.locator('[data-role="open-app"]')
    link.wait_for(state="visible")
    token = link.get_attribute("href").split("autostarttoken=")[1].split("&")[0]
    assert simulator.open(token, personnummer).status_code == 200
    login.wait_for_url("**/oversikt/", timeout=15000)
    login.close()
    page = context.new_page()
    page.goto(f"{base}/oversikt/")
    return page


def no_sideways_scroll(page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways: {width}"


def follow(page, target) -> None:
    """Click a link or submit button and wait for the page it leads to."""
    with page.expect_navigation():
        target.click()
    no_sideways_scroll(page)


def visit_menu(page, menu: str, name: str) -> None:
    follow(page, page.get_by_role("navigation", name=menu).get_by_role("link", name=name))


def submit(page, name: str) -> None:
    follow(page, page.get_by_role("button", name=name))


def test_new_clinician_completes_the_four_profile_steps(live_server_process, nina, tmp_path):
    cast, clinician = nina
    base = f"http://{live_server_process.host(cast.provider.subdomain)}"
    photo = tmp_path / "semester.jpg"
    photo.write_bytes(jpeg_with_exif(size=(1600, 1200)))

    with chromium() as browser:
        simulator = Simulator(live_server_process.port)
        page = logged_in_page(browser, base, simulator, clinician.personnummer)
        assert "Du kan inte bjuda in till besök ännu." in page.content()
        no_sideways_scroll(page)

        visit_menu(page, "Huvudmeny", "Min profil")
        assert page.get_by_role("heading", name="Min profil").is_visible()

        visit_menu(page, "Min profil", "Konsultation")
        page.get_by_label("Yrkestitel").fill("Distriktssköterska")
        page.get_by_label("Beskrivning").fill("Jag tar emot vuxna med astma och KOL.")
        submit(page, "Spara")
        assert page.get_by_text("Konsultation är sparad.").is_visible()

        visit_menu(page, "Min profil", "Bilder")
        page.get_by_label("Profilbild").set_input_files(str(photo))
        submit(page, "Ladda upp")
        assert page.get_by_text("Profilbilden är sparad.").is_visible()
        loaded = "() => document.querySelector('img.profile-photo')?.naturalWidth"
        assert page.wait_for_function(loaded).json_value() == 384  # served from /profilbild/

        visit_menu(page, "Min profil", "Bokningsbara besök")
        follow(page, page.get_by_role("link", name="Nytt bokningsbart besök"))
        page.get_by_label("Titel").fill("Astmauppföljning")
        page.get_by_label("Längd i minuter").fill("30")
        page.get_by_label("Videobesök (1-1 möte)").check()
        submit(page, "Spara besöket")
        assert page.get_by_text("Det bokningsbara besöket är sparat.").is_visible()
        assert page.get_by_role("heading", name="Astmauppföljning").is_visible()

        visit_menu(page, "Min profil", "Aktivera bokningsfunktion")
        submit(page, "Aktivera bokningsfunktion")
        state = page.locator('[data-role="booking-state"]').inner_text()
        assert state.startswith("Bokningsfunktionen är aktiv.")
        assert page.get_by_role("button", name="Stäng av bokningsfunktionen").is_visible()

        visit_menu(page, "Huvudmeny", "Översikt")
        ready = page.locator('[data-role="invite-ready"]').inner_text()
        assert ready == "Bokningsfunktionen är aktiv. Du kan bjuda in patienter till besök."
        page.close()

    with schema_context(cast.provider.schema_name):
        profile = services.get_profile(clinician)
        assert profile.booking_enabled and profile.title == "Distriktssköterska"
        stored = Path(settings.DATA_DIR) / "media" / cast.provider.schema_name / profile.photo.name
    with Image.open(stored) as image:
        assert image.format == "JPEG" and image.size == (384, 512) and not image.getexif()
