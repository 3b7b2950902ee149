"""Provisioning in a real browser: an operator logs in with BankID on the public host, fills in
the form, watches the job's steps come in on the page, and the new provider's first admin logs
in with BankID on the provider's own host."""

import pytest
from django.db import connection

from tenant_apps.accounts.models import User
from tenants.models import CareProvider
from tests.browser import chromium
from tests.console.provisioning import jobs_removed_afterwards
from tests.login_support import DESKTOP, Simulator
from tests.support import personnummer

pytestmark = pytest.mark.server

ADMIN = personnummer("19760606", "016")


def log_in(page, base: str, who: str, simulator: Simulator) -> None:
    """BankID on another device: the simulated phone approves the order the page started."""
    page.goto(f"{base}/login/")
    with page.expect_response("**/login/start/") as started:
        page.get_by_role("button", name="Mobilt BankID på annan enhet").click()
    token = started.value.json()["autoStartToken"]
    assert simulator.open(token, who).status_code == 200


def test_an_operator_provisions_a_provider_whose_admin_then_logs_in(
    live_server_process, worker_process, committed
):
    port = live_server_process.port
    simulator = Simulator(port)
    connection.set_schema_to_public()
    operator = User.objects.get(is_operator=True)
    with jobs_removed_afterwards(), chromium() as browser:
        try:
            context = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]})
            page = context.new_page()
            refused = []
            page.on("console", lambda m: "Content Security" in m.text and refused.append(m.text))
            log_in(page, f"http://localhost:{port}", operator.personnummer, simulator)
            page.wait_for_url("**/konsol/")
            page.get_by_role("link", name="Ny vårdgivare").click()

            page.get_by_label("Vårdgivarens namn").fill("Hälsan Väst")
            page.get_by_label("Subdomän").fill("halsan-vast")
            page.get_by_label("Organisationsnummer (valfritt)").fill("556123-4568")
            page.get_by_label("Administratörens personnummer").fill(ADMIN)
            page.get_by_label("Administratörens namn").fill("Vera Västlund")
            page.get_by_label("Administratörens mobilnummer").fill("070-765 43 21")
            page.get_by_role("button", name="Skapa vårdgivaren").click()
            # A wrong check digit: said at the field, and in the summary that has the focus.
            summary = page.get_by_role("alert")
            assert "fel kontrollsiffra" in summary.inner_text()
            assert page.evaluate("document.activeElement.id") == "error-summary"
            org_number = page.get_by_label("Organisationsnummer (valfritt)")
            assert org_number.get_attribute("aria-invalid") == "true"
            org_number.fill("556123-4567")
            page.get_by_role("button", name="Skapa vårdgivaren").click()

            page.wait_for_url("**/konsol/ny/*/")
            loads = []
            page.on("load", lambda: loads.append(page.url))
            opened = page.get_by_role("link", name="Öppna vårdgivarens adress")
            opened.wait_for(timeout=30_000)
            assert loads == []  # the steps and the result came in without reloading the page
            assert page.locator(".step.step-done").count() == 3
            status = page.get_by_role("status").inner_text()
            assert (
                status
                == "Hälsan Väst är skapad. Administratören får ett sms med inloggningslänken."
            )
            assert opened.get_attribute("href") == "http://halsan-vast.localhost/"
            to_console = page.get_by_role("link", name="Vårdgivarens sida i konsolen")
            assert to_console.get_attribute("href") == "/konsol/vardgivare/halsan-vast/"
            assert page.get_by_role("link", name="Uppdatera").count() == 0
            assert refused == []

            # The first admin, in a browser of their own, on the new provider's host.
            admin = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]})
            admin_page = admin.new_page()
            log_in(admin_page, f"http://halsan-vast.localhost:{port}", ADMIN, simulator)
            admin_page.wait_for_url("**/oversikt/")
            assert "Vera Västlund" in admin_page.content()
        finally:
            connection.set_schema_to_public()
            committed.created += list(CareProvider.objects.filter(subdomain="halsan-vast"))
