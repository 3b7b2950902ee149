"""The accessibility tests' provider (committed, for the live server), a browser, and pages
logged in as each person of tests/a11y/pages.py."""

import pytest
from django.db import connection

from tenants.models import ProviderStatus
from tenants.provisioning import set_provider_status
from tests.a11y.pages import PEOPLE, PROVIDER, Site, build
from tests.browser import chromium
from tests.conftest import Committed
from tests.console.provisioning import jobs_removed_afterwards
from tests.video.live import wait_until_rooms_empty

# A phone's browser: "BankID på den här enheten" opens https://app.bankid.com/, which the tests
# answer with 204 No Content, so the login page stays as it is while the BankID app opens.
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36"
)


# Removed again when the package's tests are done: later tests see only the usual providers.
@pytest.fixture(scope="package")
def site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        committed = Committed()
        try:
            with jobs_removed_afterwards():  # the provisioning jobs of build()
                built = build(committed.provider("tillganglig", name="Vårdcentralen Tillgänglig"))
                suspended = committed.provider("avstangd", name="Vårdcentralen Avstängd")
                set_provider_status(suspended, ProviderStatus.SUSPENDED)
                built.hosts["suspended"] = suspended.subdomain
                built.things["subdomain"]["suspended"] = suspended.subdomain
                yield built
        finally:
            wait_until_rooms_empty(committed.created)
            committed.cleanup()
            connection.set_schema_to_public()


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def base_url(server, site: Site, who: str) -> str:
    host = server.host(site.provider.subdomain if PEOPLE[who][0] == PROVIDER else None)
    return f"http://{host}"


def open_as(browser, server, site: Site, who: str, **context):
    """A new page (in a context of its own) logged in as `who` on their host and screen (or
    what `context`, Playwright's context options, says); its
    console errors and refusals by the Content Security Policy are kept in `page.problems`."""
    _host, viewport = PEOPLE[who]
    browser_context = browser.new_context(**{"viewport": viewport, **context})
    if who in site.sessions:
        browser_context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": site.sessions[who],
                    "url": base_url(server, site, who),
                }
            ]
        )
    page = browser_context.new_page()
    page.problems = []

    def console(message) -> None:
        # The page's own status (a 403 or 400 page on purpose) is no problem of the page.
        own = message.location.get("url") == page.url and "Failed to load" in message.text
        if message.type == "error" and not own:
            page.problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    return page
