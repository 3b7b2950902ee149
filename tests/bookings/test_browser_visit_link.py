"""A patient on a phone opens the link of the SMS they got, logs in with BankID, consents and
lands on that visit (manual 7: SMS → BankID → consent → the visit)."""

import re
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from careplatform.sms.models import OutboxMessage
from tenant_apps.accounts.models import User
from tenant_apps.bookings import services
from tenant_apps.profiles import services as profiles
from tests.bookings.helpers import in_days, patient_spec
from tests.browser import chromium
from tests.login_support import Simulator, unique_ip
from tests.test_browser_login import read_qr

pytestmark = pytest.mark.server


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_patient_opens_the_sms_link_on_a_phone_and_lands_on_the_visit(
    live_server_process, committed
):
    provider = committed.provider("besokslank", name="Besökskliniken")
    patient = patient_spec(1, first_name="Siv", last_name="Smsdotter")
    with schema_context(provider.schema_name):
        clinician = User.objects.get()
        profiles.update_consultation(clinician, title="Sjuksköterska", description="")
        visit_type = profiles.create_visit_type(
            clinician, title="Uppföljning", duration_minutes=30, kind="video"
        )
        profiles.activate_booking(clinician)
        booking = services.invite(
            actor=clinician,
            clinician=clinician,
            visit_type=visit_type,
            provider=provider,
            patients=[patient],
            starts_at=in_days(2),
        )
        services.dispatch_events()  # the worker's job: the invitation goes to the outbox
    connection.set_schema_to_public()
    [sms] = OutboxMessage.objects.filter(provider_id=provider.schema_name)
    assert sms.to == "+46701234501"
    sent_link = re.search(r"https?://\S+$", sms.text).group(0)
    parts = urlsplit(sent_link)
    assert parts.hostname == "besokslank.localhost"
    assert parts.path == f"/b/{booking.reference}"

    with chromium() as browser:
        context = browser.new_context(
            viewport={"width": 375, "height": 667},
            extra_http_headers={"X-Forwarded-For": unique_ip()},
        )
        page = context.new_page()
        refused = []
        page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else 0)
        base = f"http://besokslank.localhost:{live_server_process.port}"
        page.goto(base + parts.path)
        page.wait_for_url(re.compile(r"/login/\?next=/b/"))
        assert fits(page)
        page.get_by_role("button", name="Mobilt BankID på annan enhet").click()
        page.locator('img[data-role="qr"]').wait_for(state="visible")
        scanned = Simulator(live_server_process.port).scan(read_qr(page), patient.personnummer)
        assert scanned.status_code == 200, scanned.text

        page.wait_for_url(re.compile(r"/samtycke/\?next="), timeout=15000)
        assert fits(page)
        page.get_by_role("button", name="Jag samtycker").click()
        page.wait_for_url(f"**/bokningar/{booking.pk}/")
        facts = page.locator("dl.facts").inner_text()
        assert "Besöksnummer" in facts and booking.visit_reference in facts
        assert "Uppföljning" in page.content() and "Siv Smsdotter" in page.content()
        assert page.get_by_role("button", name="Bekräfta").is_visible()
        assert fits(page)
        assert refused == []
        context.close()
