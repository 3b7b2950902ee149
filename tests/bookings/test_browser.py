"""Bookings pages in a real browser on a phone-sized screen (375×667): nothing scrolls sideways
and the Content Security Policy refuses nothing."""

import pytest
from django_tenants.utils import schema_context

from tenant_apps.accounts.models import User
from tenant_apps.bookings import services
from tenant_apps.profiles import services as profiles
from tests.bookings.helpers import in_days, patient_spec
from tests.browser import chromium
from tests.login_support import phone_page
from tests.support import personnummer

pytestmark = pytest.mark.server


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_no_bookings_page_scrolls_sideways_on_a_phone(live_server_process, committed):
    provider = committed.provider("mobilbokning", name="Mobilkliniken med ett långt namn AB")
    with schema_context(provider.schema_name):
        clinician = User.objects.get()
        profiles.update_consultation(clinician, title="Distriktssköterska", description="")
        visit = profiles.create_visit_type(
            clinician,
            title="Uppföljning av långvarig behandling",
            duration_minutes=45,
            kind="video",
        )
        profiles.activate_booking(clinician)
        booking = services.invite(
            actor=clinician,
            clinician=clinician,
            visit_type=visit,
            provider=provider,
            patients=[patient_spec(1, first_name="Maximiliana", last_name="Vänersborgsdotter")],
            starts_at=in_days(2),
            message="Ta gärna med en lista över dina läkemedel och hur du tar dem just nu.",
        )
    with chromium() as browser:
        page, base, refused = phone_page(
            browser, live_server_process, "mobilbokning", personnummer("19700707", "007")
        )
        paths = [
            "/oversikt/",
            "/bokningar/",
            "/bokningar/ny/",
            "/bokningar/kollega/",
            f"/bokningar/{booking.pk}/",
            "/bokningar/?status=unconfirmed",
            "/kalenderflode/",
        ]
        for path in paths:
            assert page.goto(base + path).status == 200, path
            assert fits(page), path
        page.goto(base + "/bokningar/ny/")
        page.get_by_role("button", name="Skicka inbjudan").click()
        assert page.locator("#id_personnummer_1_error").is_visible()
        assert fits(page)
        assert refused == []

        patient, base, refused = phone_page(
            browser, live_server_process, "mobilbokning", patient_spec(1).personnummer
        )
        patient.goto(base + "/mina-besok/")
        patient.get_by_role("button", name="Jag samtycker").click()
        patient.wait_for_url("**/mina-besok/")
        assert "Distriktssköterska" in patient.content() and fits(patient)
        patient.get_by_role("button", name="Bekräfta").click()
        patient.wait_for_url("**/mina-besok/")
        assert "Tack! Besöket är bekräftat." in patient.content() and fits(patient)
        assert refused == []


def test_inviting_staff_or_rewriting_a_patient_is_told_on_the_form(live_server_process, committed):
    """A clinician types a colleague's personnummer: the error is under that field. Then an
    existing patient's personnummer with another name: booked with the stored details, and the
    booking page says so."""
    provider = committed.provider("inbjudningsregel", name="Inbjudningskliniken")
    klara_personnummer, per_personnummer = (
        personnummer("19850505", "015"),
        personnummer("19900909", "019"),
    )
    with schema_context(provider.schema_name):
        admin = User.objects.get()
        klara = User.objects.create_user(klara_personnummer, "Klara", "Kliniker", is_clinician=True)
        User.objects.create_user(
            per_personnummer, "Per", "Patient", mobile="0702223344", is_patient=True
        )
        profiles.update_consultation(klara, title="Sjuksköterska", description="")
        visit = profiles.create_visit_type(
            klara, title="Återbesök", duration_minutes=30, kind="video"
        )
        profiles.activate_booking(klara)
    with chromium() as browser:
        page, base, refused = phone_page(
            browser, live_server_process, provider.subdomain, klara_personnummer
        )

        def invite(personnummer: str, first: str, last: str) -> None:
            page.goto(base + "/bokningar/ny/")
            page.fill("#id_mobile_1", "073-999 88 77")
            page.fill("#id_personnummer_1", personnummer)
            page.fill("#id_first_name_1", first)
            page.fill("#id_last_name_1", last)
            page.select_option("#id_visit_type", str(visit.pk))
            page.fill("#id_date", in_days(3).date().isoformat())
            page.fill("#id_time", "10:00")
            page.get_by_role("button", name="Skicka inbjudan").click()

        invite(admin.personnummer, "Falsk", "Identitet")
        error = page.locator("#id_personnummer_1_error")
        assert error.is_visible() and "vårdgivarens personal" in error.inner_text()
        assert fits(page)

        invite(per_personnummer, "Falsk", "Identitet")
        page.wait_for_url("**/bokningar/*/")
        text = page.locator("main").inner_text()
        assert "Per Patient" in text and "Falsk" not in text
        assert "sparade uppgifterna" in text and fits(page)
        assert refused == []
    with schema_context(provider.schema_name):
        admin.refresh_from_db()
        assert (admin.first_name, admin.is_patient) == ("Tove", False)
        assert User.objects.get(personnummer=per_personnummer).mobile == "+46702223344"
