"""The booking list is one rule for the Bokningar page and GET /api/v1/bookings/
(bookings.selectors.booking_list): a clinician sees the bookings they are the clinician of and
the colleague test visits they are invited to, narrowed by the same filters, with `from`/`to`
as whole Swedish days."""

import datetime

import pytest

from careplatform.timeutil import local, local_datetime
from tenant_apps.bookings import services
from tenant_apps.bookings.models import Booking
from tenant_apps.profiles.models import VisitType
from tests.api.test_bookings import BOOKINGS, book, invited_patient
from tests.bookings.helpers import colleague_test_visit, in_days, patient_spec
from tests.clients import logged_in

# Filters as the API takes them; the page's form calls the days date_from and date_to.
PAGE_NAMES = {"from": "date_from", "to": "date_to"}


@pytest.fixture
def klaras_list(ready, kalles_patient):
    """Klara's bookings in every state, a test visit Kalle invited her to, and Kalle's own
    booking with Per that is not hers. Returns the bookings by name and the days used."""
    days = {n: in_days(n).date() for n in (3, 4, 5, 6, 7)}
    kalle = ready.colleague
    confirmed = book(ready, n=2, starts_at=in_days(4))
    services.confirm(confirmed, invited_patient(2))
    found = {
        "unconfirmed": book(ready, n=1, starts_at=in_days(3)),
        "confirmed": confirmed,
        "cancelled": services.cancel(book(ready, n=3, starts_at=in_days(5)), actor=ready.clinician),
        # 00:30 in Sweden is the previous day in UTC: `to` that previous day leaves it out.
        "after midnight": book(ready, n=4, starts_at=local_datetime(days[7], datetime.time(0, 30))),
        "test visit": services.invite(
            actor=kalle,
            clinician=kalle,
            visit_type=VisitType.objects.get(clinician=kalle),
            provider=ready.provider,
            colleague=ready.clinician,
            starts_at=in_days(3, hour=14),
        ),
    }
    return found, days


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "confirmed"}, ["test visit", "confirmed"]),
        ({"status": "unconfirmed"}, ["unconfirmed", "after midnight"]),
        (
            {"from": 3, "to": 6},
            ["unconfirmed", "test visit", "confirmed", "cancelled"],
        ),
        ({"from": 7}, ["after midnight"]),
        ({"to": 3}, ["unconfirmed", "test visit"]),
        ({"status": "cancelled", "clinician": "kalle"}, ["cancelled"]),  # admins only: ignored
    ],
)
def test_page_and_api_list_the_same_bookings_for_a_clinician(
    ready, api, klaras_list, filters, expected
):
    found, days = klaras_list
    query = {}
    for name, value in filters.items():
        if name in ("from", "to"):
            value = days[value].isoformat()
        elif name == "clinician":
            value = ready.colleague.pk
        query[name] = value
    page = logged_in(ready.clinician, ready).get(
        "/bokningar/", {PAGE_NAMES.get(name, name): value for name, value in query.items()}
    )
    assert page.status_code == 200
    on_page = [booking.pk for booking in page.context["page"].object_list]
    response = api(ready.clinician).get(BOOKINGS, query)
    assert response.status_code == 200, response.content
    in_api = [booking["id"] for booking in response.json()["results"]]
    assert on_page == in_api == [found[name].pk for name in expected]


FIRST_PNR = patient_spec(1).personnummer  # 12 digits


@pytest.mark.parametrize("who", ["clinician", "admin"])
@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("Siv", ["siv"]),
        ("siv ek", ["siv"]),
        ("Patient", ["patient1", "per"]),  # Patient1 Testsson, Per Patient
        (f"{FIRST_PNR[:8]}-{FIRST_PNR[8:]}", ["patient1"]),
        (f"{FIRST_PNR[2:8]}-{FIRST_PNR[8:]}", ["patient1"]),
        ("700101", ["patient1", "siv"]),
        ("Kalle", []),  # a colleague is no patient: the test visit is not found by him
        ("0701234501", []),  # not by mobile: names and personnummer only
        ("Siv Patient", []),  # every word must match
        ("   ", ["patient1", "test visit", "siv", "per"]),
    ],
)
def test_page_api_and_week_search_the_same_patients(
    ready, api, kalles_patient, who, search, expected
):
    """Clinicians search their own patients, admins the provider's: Per is Kalle's patient, so
    Klara never finds him, while the admin does. The list page (`q`), the API (`search`) and
    the week view agree."""
    siv = patient_spec(2, first_name="Siv", last_name="Ek")
    found = {
        "patient1": book(ready, n=1, starts_at=in_days(3, hour=8)),
        "test visit": colleague_test_visit(ready, days=3),  # 10:00
        "siv": book(ready, n=2, starts_at=in_days(3, hour=12), patients=[siv]),
        "per": Booking.objects.get(clinician=ready.colleague),  # day 4
    }
    if who == "clinician":
        expected = [name for name in expected if name != "per"]
    wanted = [found[name].pk for name in expected]
    user = getattr(ready, who)
    response = api(user).get(BOOKINGS, {"search": search})
    assert response.status_code == 200, response.content
    assert [booking["id"] for booking in response.json()["results"]] == wanted
    page = logged_in(user, ready).get("/bokningar/", {"q": search})
    assert page.status_code == 200
    if search.strip():
        assert [booking.pk for booking in page.context["page"].object_list] == wanted
    day = in_days(3).date()
    week = logged_in(user, ready).get(
        "/bokningar/vecka/",
        {"datum": day.isoformat(), "q": search, "clinician": "alla" if who == "admin" else ""},
    )
    days = week.context["grid"].period.days
    in_week = [
        visit.booking.pk for column in week.context["grid"].columns for visit in column.visits
    ]
    assert in_week == [
        b.pk for b in Booking.objects.filter(pk__in=wanted) if local(b.starts_at).date() in days
    ]


def test_a_search_longer_than_100_characters_is_refused(ready, api):
    response = api(ready.clinician).get(BOOKINGS, {"search": "a" * 101})
    assert response.status_code == 400 and "search" in response.json()
    page = logged_in(ready.clinician, ready).get("/bokningar/", {"q": "a" * 101})
    assert page.status_code == 400 and page.context["form"].errors["q"]
