"""The API docs and the API-nycklar page in a real browser: Swagger UI renders from our own
static files under the CSP, and the key page fits a phone (375×667) with nothing refused."""

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tenant_apps.accounts.models import User
from tenant_apps.api.models import ApiToken
from tenants.models import CareProvider
from tests.browser import chromium
from tests.login_support import HttpBrowser, Simulator

pytestmark = pytest.mark.server


@pytest.fixture
def klara(django_db_setup, django_db_blocker):
    """Alfa's committed clinician, seen by the live server; keys made here are removed after."""
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        provider = CareProvider.objects.get(subdomain="alfa")
        with schema_context(provider.schema_name):
            user = User.objects.get(first_name="Klara")
        yield user
        with schema_context(provider.schema_name):
            ApiToken.objects.filter(user=user).delete()
        connection.set_schema_to_public()


def watched_page(browser, **context_options):
    page = browser.new_context(**context_options).new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    return page, refused


def test_swagger_ui_renders_under_the_csp(live_server_process, django_db_setup):
    with chromium() as browser:
        page, refused = watched_page(browser)
        page.goto(f"http://alfa.localhost:{live_server_process.port}/api/docs/")
        page.wait_for_selector("text=/api/v1/bookings/{id}/confirm/", timeout=20_000)
        assert page.locator(".opblock").count() >= 30
        assert refused == []


def test_key_page_works_on_a_phone(live_server_process, klara):
    http = HttpBrowser(live_server_process, "alfa")
    assert (
        http.login(klara.personnummer, Simulator(live_server_process.port))["state"] == "complete"
    )
    base = f"http://alfa.localhost:{live_server_process.port}"
    with chromium() as browser:
        page, refused = watched_page(browser, viewport={"width": 375, "height": 667})
        page.context.add_cookies(
            [{"name": "sessionid", "value": http.http.cookies["sessionid"], "url": base}]
        )
        page.goto(f"{base}/api-nycklar/")
        page.fill("#token-name", "Journalkopplingen i vår region med ett långt namn")
        page.get_by_role("button", name="Skapa nyckel").click()
        key = page.locator(".token-key code").inner_text()
        assert len(key) > 50
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.get_by_role("button", name="Återkalla").click()
        assert page.get_by_text("är återkallad").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert refused == []
    response = live_server_process.get(
        "alfa", "/api/v1/me/", headers={"Authorization": f"Token {key}"}
    )
    assert response.status_code == 401
