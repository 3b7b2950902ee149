"""List endpoints answer in a constant number of queries, however long the list."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenant_apps.accounts.services import add_patient, add_staff_member
from tenant_apps.bookings import services
from tenant_apps.profiles import services as profiles
from tests.bookings.helpers import in_days, patient_spec
from tests.support import personnummer


def queries(client, path: str, params: dict | None = None) -> int:
    client.get(path, params)  # warm up: the host's provider is then cached in the process
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200, response.content
    return len(captured)


def add_bookings(cast, first: int, count: int) -> None:
    """Bookings an hour apart; every other one a group visit with two patients."""
    for n in range(first, first + count):
        group = n % 2 == 0
        services.invite(
            actor=cast.clinician,
            clinician=cast.clinician,
            visit_type=cast.group if group else cast.one_to_one,
            provider=cast.provider,
            patients=[patient_spec(n)]
            + ([patient_spec(n + 500, mobile="0701234500")] if group else []),
            starts_at=in_days(2) + datetime.timedelta(hours=n),
        )


def test_booking_list_queries_do_not_grow_with_the_bookings(ready, api):
    add_bookings(ready, 1, 5)
    clients = {"clinician": api(ready.clinician), "admin": api(ready.admin)}
    few = {who: queries(client, "/api/v1/bookings/") for who, client in clients.items()}
    add_bookings(ready, 6, 45)
    for who, client in clients.items():
        assert queries(client, "/api/v1/bookings/") == few[who], who
    filtered = {"status": "unconfirmed", "from": "2000-01-01"}
    assert queries(clients["admin"], "/api/v1/bookings/", filtered) == few["admin"]


def test_people_lists_do_not_grow_with_the_people(in_alfa, api):
    client = api(in_alfa.admin)

    def add(first: int, count: int) -> None:
        for n in range(first, first + count):
            person = {"first_name": f"P{n}", "last_name": "Test", "mobile": f"07012345{n:02d}"}
            add_patient(personnummer=personnummer("19700101", f"{100 + n:03d}"), **person)
            add_staff_member(
                personnummer=personnummer("19710101", f"{100 + n:03d}"),
                is_admin=False,
                is_clinician=True,
                **person,
            )

    add(1, 4)
    paths = ("/api/v1/staff/", "/api/v1/patients/", "/api/v1/colleagues/")
    few = {path: queries(client, path) for path in paths}
    add(5, 45)
    for path in paths:
        assert queries(client, path) == few[path], path


def test_visit_type_list_does_not_grow(in_alfa, api):
    client = api(in_alfa.admin)
    for n in range(5):
        profiles.create_visit_type(
            in_alfa.clinician, title=f"B{n}", duration_minutes=30, kind="video"
        )
    few = queries(client, "/api/v1/visit-types/")
    for n in range(5, 50):
        profiles.create_visit_type(
            in_alfa.clinician, title=f"B{n}", duration_minutes=30, kind="video"
        )
    assert queries(client, "/api/v1/visit-types/") == few
