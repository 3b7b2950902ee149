"""The day and week views in a real browser, on a desktop and on a phone (375 px): confirmed
and unconfirmed visits told apart in words, the next week reached with the keyboard alone, and
an empty half hour that opens the invite form with its date and time filled in."""

import datetime

import pytest
from django_tenants.utils import schema_context

from careplatform import clock
from careplatform.timeutil import local_datetime
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import current_consent_version, give_consent
from tenant_apps.bookings import services
from tenant_apps.profiles import services as profiles
from tests.bookings.helpers import patient_spec
from tests.browser import chromium
from tests.login_support import DESKTOP, PHONE, phone_page
from tests.support import personnummer

pytestmark = pytest.mark.server

ADMIN = personnummer("19700707", "007")  # the provider's first admin, a clinician too


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def next_monday() -> datetime.date:
    today = clock.today_local()
    return today + datetime.timedelta(days=7 - today.weekday())


@pytest.fixture
def next_week(live_server_process, committed):
    """Next Tuesday: Petra's unconfirmed visit at 10:00, Pelle's confirmed one at 13:00."""
    provider = committed.provider("kalendervy", name="Kalenderkliniken")
    tuesday = next_monday() + datetime.timedelta(days=1)
    with schema_context(provider.schema_name):
        tove = User.objects.get()
        profiles.update_consultation(tove, title="Distriktssköterska", description="")
        visit = profiles.create_visit_type(
            tove, title="Uppföljning", duration_minutes=45, kind="video"
        )
        profiles.activate_booking(tove)

        def book(n: int, first: str, hour: int):
            return services.invite(
                actor=tove,
                clinician=tove,
                visit_type=visit,
                provider=provider,
                patients=[patient_spec(n, first_name=first, last_name="Kalendersson")],
                starts_at=local_datetime(tuesday, datetime.time(hour, 0)),
            )

        book(1, "Petra", 10)
        confirmed = book(2, "Pelle", 13)
        pelle = confirmed.participants.get().user
        give_consent(pelle, current_consent_version(), "127.0.0.1")
        services.confirm(confirmed, pelle)
    return provider, tuesday


def visit_text(page, name: str) -> str:
    return page.locator("a.visit", has_text=name).inner_text()


def border(page, name: str) -> str:
    return page.locator("a.visit", has_text=name).evaluate(
        "e => getComputedStyle(e).borderTopStyle"
    )


def icon(page, name: str) -> str:
    return page.locator("a.visit", has_text=name).locator("svg").inner_html()


def tab_to(page, name: str, limit: int = 40) -> None:
    """Press Tab until the link or button called `name` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.innerText.trim()") == name:
            return
    raise AssertionError(f"{name!r} is not reached with Tab")


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_week_view_tells_visits_apart_and_the_keyboard_reaches_next_week(
    live_server_process, next_week, size
):
    provider, tuesday = next_week
    with chromium() as browser:
        page, base, refused = phone_page(
            browser, live_server_process, provider.subdomain, ADMIN, size=size
        )
        page.goto(base + "/bokningar/vecka/")
        assert "Petra" not in page.locator("main").inner_text()  # this week: not yet
        tab_to(page, "Nästa vecka ›")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/bokningar/vecka/?datum={next_monday().isoformat()}")
        petra, pelle = visit_text(page, "Petra"), visit_text(page, "Pelle")
        assert "10:00–10:45" in petra and "Obekräftad" in petra
        assert "13:00–13:45" in pelle and "Bekräftad" in pelle and "Obekräftad" not in pelle
        # Not by colour alone: a dashed border and another icon for the unconfirmed one.
        assert border(page, "Petra") == "dashed" and border(page, "Pelle") == "solid"
        assert icon(page, "Petra") != icon(page, "Pelle")
        assert fits(page)
        assert refused == []


@pytest.mark.parametrize(
    ("size", "view"), [(DESKTOP, "vecka"), (PHONE, "dag")], ids=["desktop week", "phone day"]
)
def test_an_empty_half_hour_opens_the_invite_form_at_that_time(
    live_server_process, next_week, size, view
):
    provider, tuesday = next_week
    with chromium() as browser:
        page, base, refused = phone_page(
            browser, live_server_process, provider.subdomain, ADMIN, size=size
        )
        page.goto(f"{base}/bokningar/{view}/?datum={tuesday.isoformat()}")
        slot = page.locator(f'a.free[href$="date={tuesday.isoformat()}&time=14%3A30"]')
        slot.click()  # where the mouse points: no visit lies over it
        page.wait_for_url("**/bokningar/ny/**")
        assert page.input_value("#id_date") == tuesday.isoformat()
        assert page.input_value("#id_time") == "14:30"
        assert fits(page)
        assert refused == []
