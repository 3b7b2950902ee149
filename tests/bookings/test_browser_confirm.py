"""Nothing irreversible in one click, in a real browser on a phone-sized screen (375×667):
"Avboka besöket" alone opens a dialog and cancels nothing; the dialog keeps the focus, Escape
gives it back to the button; confirming cancels. A patient's "Jag kan inte komma" reaches the
clinician's Notiser through the worker that dispatches booking events."""

import pytest
from django_tenants.utils import schema_context

from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import current_consent_version, give_consent
from tenant_apps.bookings import services
from tenant_apps.bookings.models import Booking, BookingStatus
from tenant_apps.profiles import services as profiles
from tests.bookings.helpers import in_days, patient_spec
from tests.browser import chromium
from tests.login_support import phone_page
from tests.support import personnummer

pytestmark = pytest.mark.server

CLINICIAN = personnummer("19700707", "007")  # the provisioned admin, a clinician too


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def focus_in_dialog(page) -> bool:
    return page.evaluate("!!document.activeElement.closest('dialog[open]')")


def focused_text(page) -> str:
    return page.evaluate("document.activeElement.textContent.trim()")


def booked(provider) -> Booking:
    with schema_context(provider.schema_name):
        clinician = User.objects.get()
        profiles.update_consultation(clinician, title="Sjuksköterska", description="")
        visit = profiles.create_visit_type(
            clinician, title="Återbesök", duration_minutes=30, kind="video"
        )
        profiles.activate_booking(clinician)
        booking = services.invite(
            actor=clinician,
            clinician=clinician,
            visit_type=visit,
            provider=provider,
            patients=[patient_spec(1, first_name="Pelle", last_name="Svensson")],
            starts_at=in_days(2),
        )
        give_consent(booking.participants.get().user, current_consent_version(), "127.0.0.1")
        return booking


def status(provider, booking) -> str:
    with schema_context(provider.schema_name):
        return Booking.objects.get(pk=booking.pk).status


def test_cancel_needs_a_confirmation_in_a_dialog(live_server_process, committed):
    provider = committed.provider("avbokadialog", name="Dialogkliniken")
    booking = booked(provider)
    with chromium() as browser:
        page, base, refused = phone_page(
            browser, live_server_process, provider.subdomain, CLINICIAN
        )
        page.goto(f"{base}/bokningar/{booking.pk}/")
        dialog = page.locator("dialog#cancel-dialog, dialog:has(#cancel-title)")
        opener = page.get_by_role("button", name="Avboka besöket", exact=True)
        opener.click()
        assert dialog.is_visible() and focus_in_dialog(page)
        assert page.get_by_role("dialog", name="Avboka besöket?").is_visible()
        assert status(provider, booking) == BookingStatus.UNCONFIRMED  # one click: nothing
        assert fits(page)
        for _ in range(6):  # Tab stays inside the dialog, round and round
            page.keyboard.press("Tab")
            assert focus_in_dialog(page)
        page.keyboard.press("Shift+Tab")
        assert focus_in_dialog(page)

        page.keyboard.press("Escape")
        assert not dialog.is_visible()
        assert focused_text(page) == "Avboka besöket"  # the focus is back on the button
        assert status(provider, booking) == BookingStatus.UNCONFIRMED

        opener.click()
        page.get_by_role("button", name="Nej, behåll besöket").click()
        assert not dialog.is_visible() and focused_text(page) == "Avboka besöket"
        assert status(provider, booking) == BookingStatus.UNCONFIRMED

        opener.click()
        page.get_by_label("Anledning (valfritt, syns bara för vårdgivaren)").last.fill("Semester")
        page.get_by_role("button", name="Ja, avboka besöket").click()
        page.get_by_text("Besöket är avbokat. Deltagarna får ett sms om det.").wait_for()
        assert status(provider, booking) == BookingStatus.CANCELLED
        assert "Semester" in page.locator("#historik").inner_text()
        assert fits(page) and refused == []


def test_rescheduling_asks_for_confirmation_showing_the_new_time(live_server_process, committed):
    provider = committed.provider("flyttadialog", name="Flyttkliniken")
    booking = booked(provider)
    new_day = in_days(5).date()
    with chromium() as browser:
        page, base, refused = phone_page(
            browser, live_server_process, provider.subdomain, CLINICIAN
        )
        page.goto(f"{base}/bokningar/{booking.pk}/")
        page.fill("#id_date", new_day.isoformat())
        page.fill("#id_time", "15:45")
        page.get_by_role("button", name="Spara ny tid").click()
        summary = page.get_by_role("dialog", name="Ändra tiden för besöket?")
        assert summary.is_visible() and "15:45" in summary.inner_text()
        with schema_context(provider.schema_name):
            assert Booking.objects.get(pk=booking.pk).version == 1
        page.get_by_role("button", name="Ja, ändra tiden").click()
        page.get_by_text("Besöket har fått ny tid.").wait_for()
        with schema_context(provider.schema_name):
            moved = Booking.objects.get(pk=booking.pk)
        assert moved.version == 2 and moved.starts_at.date() == new_day
        assert refused == []


def test_a_patients_jag_kan_inte_komma_reaches_the_clinicians_notices(
    live_server_process, worker_process, committed
):
    provider = committed.provider("kaninte", name="Notiskliniken")
    booking = booked(provider)
    with chromium() as browser:
        patient, base, refused = phone_page(
            browser, live_server_process, provider.subdomain, patient_spec(1).personnummer
        )
        patient.goto(f"{base}/mina-besok/")
        patient.get_by_role("button", name="Jag kan inte komma", exact=True).click()
        assert patient.get_by_role("dialog", name="Kan du inte komma?").is_visible()
        assert status(provider, booking) == BookingStatus.UNCONFIRMED
        patient.get_by_label("Meddelande till vårdgivaren (valfritt)").fill("Jag har feber")
        patient.get_by_role("button", name="Ja, jag kan inte komma").click()
        patient.get_by_text("Besöket är avbokat och vårdgivaren har fått veta").wait_for()
        assert "Du har meddelat att du inte kan komma" in patient.content()
        assert status(provider, booking) == BookingStatus.CANCELLED
        assert fits(patient) and refused == []

        clinician, base, refused = phone_page(
            browser, live_server_process, provider.subdomain, CLINICIAN
        )
        clinician.goto(f"{base}/oversikt/")
        for _ in range(100):  # the worker dispatches the event within moments
            if clinician.locator(".notice-count").count():
                break
            clinician.wait_for_timeout(200)
            clinician.reload()
        bell = clinician.get_by_role("link", name="Notiser 1 oläst")
        assert bell.is_visible()
        bell.click()
        notice = clinician.get_by_role("button", name="Pelle Svensson kan inte komma")
        assert "Jag har feber" in notice.inner_text()
        notice.click()
        clinician.wait_for_url(f"**/bokningar/{booking.pk}/")
        assert clinician.locator(".notice-count").count() == 0  # read now
        assert fits(clinician) and refused == []
