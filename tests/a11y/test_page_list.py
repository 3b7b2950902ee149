"""The list of pages that axe checks (tests/a11y/pages.py) is the URL confs' list: every route
is a page with the people who open it, or not a page for a stated reason, and a route said not
to be a page shows nobody an HTML page."""

import pytest
from django.test import Client

from tests.a11y.pages import PAGES, PEOPLE, PROVIDER, Visit, routes, why_not_a_page

pytestmark = pytest.mark.django_db


def test_every_route_is_listed_as_a_page_or_not():
    known = routes()
    unlisted = [
        f"{host}: {template}"
        for (host, template) in known
        if (host, template) not in PAGES and why_not_a_page((host, template)) is None
    ]
    assert not unlisted, (
        "routes that are neither in PAGES (with who opens them) nor in NOT_PAGES (with why) "
        "in tests/a11y/pages.py:\n  " + "\n  ".join(unlisted)
    )
    stale = [f"{host}: {template}" for (host, template) in PAGES if (host, template) not in known]
    assert not stale, f"PAGES names routes that do not exist: {stale}"
    assert not set(PAGES) & {key for key in known if why_not_a_page(key)}


def test_each_person_of_the_list_opens_pages():
    assert {visit.who for visits in PAGES.values() for visit in visits} == set(PEOPLE)


def _client(site, who: str) -> Client:
    host = f"{site.provider.subdomain}.localhost" if PEOPLE[who][0] == PROVIDER else "localhost"
    client = Client(HTTP_HOST=host, raise_request_exception=False)
    if who in site.sessions:
        client.cookies["sessionid"] = site.sessions[who]
    return client


def _html_page(response) -> bool:
    return response.status_code == 200 and response["Content-Type"].startswith("text/html")


def test_routes_that_are_not_pages_show_nobody_a_page(site):
    shown = []
    for key, route in routes().items():
        if key in PAGES:
            continue
        for who, (host, _screen) in PEOPLE.items():
            if host != key[0]:
                continue
            path = site.path(route, Visit(who))
            if _html_page(_client(site, who).get(path)):
                shown.append(f"{who}: GET {path} ({why_not_a_page(key)})")
    assert not shown, "HTML pages missing from PAGES in tests/a11y/pages.py:\n  " + "\n  ".join(
        shown
    )


def test_every_listed_visit_opens_its_page(site):
    wrong = []
    for key, visits in PAGES.items():
        for visit in visits:
            path = site.path(routes()[key], visit)
            response = _client(site, visit.who).get(path)
            html = response["Content-Type"].startswith("text/html")
            if response.status_code != visit.status or not html:
                wrong.append(f"{visit.who}: GET {path} -> {response.status_code}")
    assert not wrong, wrong
