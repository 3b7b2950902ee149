"""The short visit link of every SMS (/b/K7F2Q9): BankID login, then that visit for those who
take part in it; their own start page for anyone else; nothing at all before login."""

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from careplatform.redirects import local_path
from tenant_apps.accounts.models import User
from tenant_apps.bookings import references, services
from tenant_apps.bookings.models import Booking
from tests.bookings.helpers import colleague_test_visit, in_days, patient_spec
from tests.clients import logged_in
from tests.login_support import InProcessBrowser, Simulator


@pytest.fixture
def visit(ready) -> Booking:
    """Klara's visit with a patient of its own (Patient1)."""
    return services.invite(
        actor=ready.clinician,
        clinician=ready.clinician,
        visit_type=ready.one_to_one,
        provider=ready.provider,
        patients=[patient_spec(1)],
        starts_at=in_days(2),
    )


def link(booking: Booking) -> str:
    return f"/b/{booking.reference}"


def patient_of(booking: Booking) -> User:
    return booking.participants.get().user


def unused_reference() -> str:
    while (reference := references.new_reference()) in set(
        Booking.objects.values_list("reference", flat=True)
    ):
        pass
    return reference


# -- participants land on the visit ---------------------------------------------------------------


def test_the_patient_lands_on_the_visit_and_sees_its_reference(ready, visit):
    client = logged_in(patient_of(visit), ready)
    response = client.get(link(visit))
    assert response.status_code == 302 and response["Location"] == f"/bokningar/{visit.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert f'Besöksnummer</dt><dd><span class="visit-reference">{visit.visit_reference}' in page


@pytest.mark.parametrize(
    "typed",
    [
        lambda ref: ref.lower(),
        lambda ref: references.display(ref),
        lambda ref: references.display(ref).lower(),
        lambda ref: ref + "/",
    ],
    ids=["lower case", "with dash", "lower case with dash", "trailing slash"],
)
def test_the_link_is_read_in_any_case_with_or_without_dash(ready, visit, typed):
    response = logged_in(patient_of(visit), ready).get("/b/" + typed(visit.reference))
    assert response.status_code == 302 and response["Location"] == f"/bokningar/{visit.pk}/"


@pytest.mark.parametrize("who", ["clinician", "admin"])
def test_the_visits_clinician_and_the_providers_admin_land_on_it(ready, visit, who):
    response = logged_in(getattr(ready, who), ready).get(link(visit))
    assert response["Location"] == f"/bokningar/{visit.pk}/"


def test_an_invited_colleague_lands_on_the_test_visit(ready):
    booking = colleague_test_visit(ready)
    response = logged_in(ready.colleague, ready).get(link(booking))
    assert response["Location"] == f"/bokningar/{booking.pk}/"


def test_mina_besok_shows_each_visits_reference(ready, visit):
    page = logged_in(patient_of(visit), ready).get("/mina-besok/").content.decode()
    assert f'Besöksnummer <span class="visit-reference">{visit.visit_reference}</span>' in page


# -- anyone else lands on their own start page, as for a reference that does not exist -----------


@pytest.mark.parametrize(
    ("who", "home"),
    [("colleague", "/oversikt/"), ("patient", "/mina-besok/")],
)
def test_someone_else_lands_on_their_own_start_page_as_for_no_such_visit(ready, visit, who, home):
    client = logged_in(getattr(ready, who), ready)
    for path in (link(visit), f"/b/{unused_reference()}", "/b/K7F2Q0", "/b/nonsense"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, home), path
        assert response.content == b""


def test_guessing_references_is_pointless(ready, visit):
    """No rate limit is needed: a guessed reference, right or wrong, answers an outsider exactly
    what every other does (their start page), and before login nothing is looked up at all."""
    outsider = logged_in(ready.colleague, ready)
    answers = {
        (r.status_code, r["Location"], r.content)
        for r in (outsider.get(f"/b/{references.new_reference()}") for _ in range(30))
    }
    answers.add(_answer(outsider.get(link(visit))))
    assert answers == {(302, "/oversikt/", b"")}


def _answer(response) -> tuple:
    return (response.status_code, response["Location"], response.content)


def test_before_login_every_reference_gets_the_same_answer_without_a_look_up(ready, visit):
    anonymous = Client(HTTP_HOST=ready.host)
    answers, tried = [], (visit.reference, unused_reference(), "nonsense")
    with CaptureQueriesContext(connection) as queries:
        for reference in tried:
            response = anonymous.get(f"/b/{reference}")
            answers.append(_answer(response))
            assert response["Location"] == f"/login/?next=/b/{reference}"
    assert {(status, body) for status, _location, body in answers} == {(302, b"")}
    assert not [q for q in queries if "bookings_booking" in q["sql"]]


def test_another_providers_reference_is_nothing_here(beta, ready, visit):
    """Alfa's reference on beta's host leads beta's patient to their own start page; beta's
    session is nobody on alfa's host, so there it is the login page."""
    olle = logged_in(beta.patient, beta)
    response = olle.get(link(visit))
    assert response["Location"] == "/mina-besok/"
    on_alfa = Client(HTTP_HOST=ready.host)
    on_alfa.cookies = olle.cookies
    assert on_alfa.get(link(visit))["Location"] == f"/login/?next=/b/{visit.reference}"


def test_the_link_only_answers_get(ready, visit):
    client = logged_in(patient_of(visit), ready)
    assert client.post(link(visit)).status_code == 405


# -- login and consent on the way ------------------------------------------------------------------


@pytest.fixture
def bankid_browser(client, settings, live_server_process, ready):
    """A browser on alfa's host logging in with the simulator served by the live server."""
    settings.BANKID_URL = f"http://localhost:{live_server_process.port}/bankid-simulator/rp/v6.0"
    settings.BANKID_COLLECT_INTERVAL = 0
    return InProcessBrowser(client, ready.host, Simulator(live_server_process.port))


def _log_in_from(browser: InProcessBrowser, path: str, personnummer: str) -> str:
    """Open `path`, follow it to the login page, log in there; where the login leads."""
    to_login = browser.get(path)["Location"]
    login_page = browser.get(to_login).content.decode()
    assert f'data-next="{path}"' in login_page
    started = browser.post("/login/start/", {"mode": "same_device", "next": path})
    browser.simulator.open(started.json()["autoStartToken"], personnummer)
    for _ in range(20):
        state = browser.post("/login/status/", {"next": path}).json()
        if state["state"] != "pending":
            return state["redirect"]
    raise AssertionError(state)


def test_a_new_patient_logs_in_consents_and_lands_on_the_visit(bankid_browser, visit):
    browser = bankid_browser
    patient = patient_of(visit)
    assert _log_in_from(browser, link(visit), patient.personnummer) == link(visit)
    to_consent = browser.get(link(visit))["Location"]
    assert to_consent == f"/samtycke/?next=%2Fb%2F{visit.reference}"
    consent_page = browser.get(to_consent).content.decode()
    assert f'name="next" value="/b/{visit.reference}"' in consent_page
    given = browser.post("/samtycke/", {"version": "1", "next": link(visit)})
    assert given["Location"] == link(visit)
    assert browser.get(link(visit))["Location"] == f"/bokningar/{visit.pk}/"


def test_someone_else_logging_in_from_the_link_lands_on_their_own_start_page(
    bankid_browser, ready, visit
):
    assert _log_in_from(bankid_browser, link(visit), ready.colleague.personnummer) == link(visit)
    assert bankid_browser.get(link(visit))["Location"] == "/oversikt/"


# -- "next" leads nowhere else ---------------------------------------------------------------------

ELSEWHERE = [
    "https://evil.example/",
    "http://alfa.localhost.evil.example/b/K7F2Q9",
    "https://alfa.localhost@evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    " //evil.example/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "b/K7F2Q9",
]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_next_never_leads_off_the_host(target):
    request = RequestFactory().get("/", HTTP_HOST="alfa.localhost")
    assert local_path(target, request) is None


def test_next_leads_to_a_path_on_the_host():
    request = RequestFactory().get("/", HTTP_HOST="alfa.localhost")
    for target in ("/b/K7F2Q9", "/bokningar/5/", "/bokningar/?status=confirmed"):
        assert local_path(target, request) == target


@pytest.mark.parametrize("target", ELSEWHERE)
def test_login_and_consent_pages_follow_no_foreign_next(ready, visit, target):
    anonymous = Client(HTTP_HOST=ready.host)
    assert 'data-next=""' in anonymous.get("/login/", {"next": target}).content.decode()
    assert logged_in(ready.clinician, ready).get("/login/", {"next": target})["Location"] == (
        "/oversikt/"
    )
    patient = logged_in(patient_of(visit), ready, consented=False)
    given = patient.post("/samtycke/", {"version": "1", "next": target})
    assert given["Location"] == "/mina-besok/"


def test_a_logged_in_user_on_the_login_page_goes_on_to_the_visit(ready, visit):
    response = logged_in(ready.clinician, ready).get("/login/", {"next": link(visit)})
    assert response["Location"] == link(visit)


# -- the start page -------------------------------------------------------------------------------


def test_the_providers_start_page_has_a_login_button(ready):
    page = Client(HTTP_HOST=ready.host).get("/").content.decode()
    assert '<a class="button primary" href="/login/">Logga in</a>' in page
    with schema_context(ready.schema_name):
        logged = logged_in(ready.clinician, ready).get("/").content.decode()
    assert ">Logga in<" not in logged
