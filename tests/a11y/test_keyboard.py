"""A keyboard-only walk against the live server: the clinician logs in with BankID (the QR code
read off the screen, as a phone would), invites a patient (sending a wrong personnummer first)
and starts a video visit; the patient logs in on a phone with "BankID på den här enheten",
joins, turns the microphone off and leaves. Only Tab, Shift+Tab, Enter, Space, arrows and
typing: the pages report every pointer event, and there are none."""

import datetime

import pytest
from django_tenants.utils import schema_context

from careplatform import clock
from careplatform.timeutil import local
from tenant_apps.bookings.models import Booking
from tests.a11y.conftest import ANDROID, base_url, open_as
from tests.a11y.walk import focused_name, tab_to
from tests.login_support import Simulator, unique_ip
from tests.support import personnummer
from tests.test_browser_login import read_qr
from tests.video.pages import wait_until

pytestmark = pytest.mark.server


def keyboard_only(page) -> list[str]:
    """Pointer events on any page of the context, as the page saw them."""
    used: list[str] = []
    page.context.expose_function("__a11yPointer", lambda kind: used.append(kind))
    page.context.add_init_script(
        'for (const kind of ["pointerdown", "mousedown", "touchstart"]) '
        "addEventListener(kind, () => window.__a11yPointer(kind), true);"
    )
    return used


def fill(page, label: str, text: str) -> None:
    tab_to(page, label)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_login_invite_and_a_video_call_with_the_keyboard_alone(live_server_process, site, browser):
    server = live_server_process
    simulator = Simulator(server.port)
    karin, pelle = site.people["clinician"], site.people["patient"]
    desktop = {"width": 1280, "height": 800}
    headers = {"X-Forwarded-For": unique_ip()}
    clinician = open_as(
        browser, server, site, "anonymous", viewport=desktop, extra_http_headers=headers
    )
    clinician_pointer = keyboard_only(clinician)

    # Login: "Mobilt BankID på annan enhet", the QR code scanned with the BankID app.
    clinician.goto(base_url(server, site, "anonymous") + "/login/")
    tab_to(clinician, "Mobilt BankID på annan enhet")
    clinician.keyboard.press("Enter")
    clinician.locator('img[data-role="qr"]').wait_for(state="visible")
    assert simulator.scan(read_qr(clinician), karin.personnummer).status_code == 200
    clinician.wait_for_url("**/oversikt/")

    # Bjud in till besök, first with a personnummer that does not exist.
    tab_to(clinician, "Bjud in till besök")
    clinician.keyboard.press("Enter")
    clinician.wait_for_url("**/bokningar/ny/")
    fill(clinician, "Mobilnummer", "070-765 43 21")
    fill(clinician, "Personnummer", "19800101-0000")
    fill(clinician, "Förnamn", "Tyra")
    fill(clinician, "Efternamn", "Tangent")
    tab_to(clinician, "Bokningsbart besök")
    clinician.keyboard.press("ArrowDown")
    day = local(clock.now() + datetime.timedelta(days=6)).date()
    # Chromium here shows the date as mm/dd/yyyy and moves on by itself after each part.
    tab_to(clinician, "Datum")
    clinician.keyboard.type(day.strftime("%m%d%Y"))
    tab_to(clinician, "Tid")
    clinician.keyboard.type("1415")
    assert clinician.locator("#id_date").input_value() == day.isoformat()
    assert clinician.locator("#id_time").input_value() == "14:15"
    tab_to(clinician, "Skicka inbjudan")
    with clinician.expect_navigation():
        clinician.keyboard.press("Enter")
    assert clinician.locator(".errorlist").all_inner_texts() == [
        "Personnumret är inte giltigt (fel datum eller kontrollsiffra)."
    ]
    field = clinician.locator("#id_personnummer_1")
    assert field.get_attribute("aria-invalid") == "true"
    error = clinician.locator(f"#{field.get_attribute('aria-describedby').split()[-1]}")
    assert error.inner_text() == "Personnumret är inte giltigt (fel datum eller kontrollsiffra)."
    tyra = personnummer("19800101", "123")
    fill(clinician, "Personnummer", f"{tyra[:8]}-{tyra[8:]}")
    tab_to(clinician, "Skicka inbjudan")
    clinician.keyboard.press("Enter")
    clinician.get_by_role("status").filter(has_text="Inbjudan är skickad.").wait_for()
    with schema_context(site.provider.schema_name):
        invited = Booking.objects.get(participants__user__first_name="Tyra")
        assert local(invited.starts_at).replace(tzinfo=None) == (
            datetime.datetime.combine(day, datetime.time(14, 15))
        )

    # The visit that is open now: "Starta videomöte".
    tab_to(clinician, "Starta videomöte")
    clinician.keyboard.press("Enter")
    clinician.wait_for_url(f"**/besok/{site.things['booking']['open']}/")

    # The patient on a phone: "BankID på den här enheten" opens the BankID app (which answers
    # 204 here, so the page stays), approved there; then "Börja videobesöket".
    patient = open_as(browser, server, site, "anonymous", user_agent=ANDROID,
                      extra_http_headers={"X-Forwarded-For": unique_ip()})  # fmt: skip
    patient_pointer = keyboard_only(patient)
    patient.context.route("https://app.bankid.com/**", lambda route: route.fulfill(status=204))
    patient.goto(base_url(server, site, "anonymous") + "/login/")
    tab_to(patient, "BankID på den här enheten")
    patient.keyboard.press("Enter")
    opener = patient.get_by_role("link", name="Öppna BankID")
    opener.wait_for()
    token = opener.get_attribute("href").split("autostarttoken=")[1].split("&")[0]
    assert simulator.open(token, pelle.personnummer).status_code == 200
    patient.wait_for_url("**/mina-besok/")
    tab_to(patient, "Börja videobesöket")
    patient.keyboard.press("Enter")
    patient.wait_for_url(f"**/besok/{site.things['booking']['open']}/")

    clinician.locator(".tile-state", has_text="ansluten").wait_for(timeout=30000)
    patient.locator(".tile-state", has_text="ansluten").wait_for(timeout=30000)

    # Microphone off with Space: the button now says what it will do, the clinician is told.
    tab_to(patient, "Stäng av mikrofonen")
    patient.keyboard.press("Space")
    assert focused_name(patient) == "Slå på mikrofonen"
    clinician.locator(".tile-media", has_text="mikrofonen av").wait_for()

    # "Lämna videobesök": the clinician's page says so in its alert region.
    tab_to(patient, "Lämna videobesök")
    patient.keyboard.press("Enter")
    patient.wait_for_url("**/mina-besok/")
    left = clinician.get_by_role("alert").filter(has_text="Pelle P. har lämnat besöket.")
    left.wait_for()
    wait_until(clinician, "document.querySelectorAll('#tiles .tile').length === 0")

    assert clinician_pointer == [] and patient_pointer == []
    assert clinician.problems == [] and patient.problems == []
    for page in (clinician, patient):
        page.context.close()
