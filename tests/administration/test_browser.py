"""The administration tool in a real browser on a phone-sized screen (375×667): no page scrolls
sideways, and the Content Security Policy refuses nothing (no inline scripts or styles)."""

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditEvent
from tenants.models import CareProvider
from tests.browser import chromium
from tests.login_support import phone_page

pytestmark = pytest.mark.server


@pytest.fixture
def alfa_people(django_db_setup, django_db_blocker):
    """Alfa's committed cast, seen by the live server; its audit entries are removed after."""
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        provider = CareProvider.objects.get(subdomain="alfa")
        with schema_context(provider.schema_name):
            people = {u.first_name: u for u in User.objects.all()}
            last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
        yield people
        with schema_context(provider.schema_name):
            AuditEvent.objects.filter(pk__gt=last_event or 0).delete()
        connection.set_schema_to_public()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_no_admin_page_scrolls_sideways_on_a_phone(live_server_process, alfa_people):
    admin, clinician, patient = alfa_people["Alma"], alfa_people["Klara"], alfa_people["Per"]
    base = f"http://alfa.localhost:{live_server_process.port}/administration"
    paths = [
        "/",
        "/vardpersonal/",
        "/vardpersonal/?q=070-222+33+44",
        "/vardpersonal/ny/",
        f"/vardpersonal/{clinician.pk}/",
        "/patienter/",
        "/patienter/ny/",
        f"/patienter/{patient.pk}/",
        f"/patienter/{patient.pk}/andra/",
        "/installningar/",
        "/granskningslogg/",
    ]
    with chromium() as browser:
        page, _base, refused = phone_page(browser, live_server_process, "alfa", admin.personnummer)
        for path in paths:
            response = page.goto(base + path)
            assert response.status == 200, path
            assert fits_the_screen(page), path
        # A form with its errors shown is still one column on the phone.
        page.goto(base + "/installningar/")
        page.fill("#id_sms_sender_name", "Vårdcentral")
        page.get_by_role("button", name="Spara").click()
        assert page.locator("#id_sms_sender_name_error").is_visible()
        assert fits_the_screen(page)
        page.goto(base + "/vardpersonal/ny/")
        page.get_by_role("button", name="Lägg till").click()
        assert page.locator("#id_personnummer_error").is_visible()
        assert fits_the_screen(page)
        page.screenshot(path="/tmp/admin-staff-add-375.png", full_page=True)
        assert refused == []
