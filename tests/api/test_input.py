"""Input that used to be a server error through the API: deeply nested JSON, a NUL character in a
query parameter, a time in year 9999 or before year 1. Each is a 400 naming the field, and
changes nothing. Also the booking horizon (two years) and the ambiguous hour in autumn."""

import datetime

import pytest
import time_machine

from careplatform import clock
from careplatform.timeutil import format_local
from tenant_apps.bookings import services
from tenant_apps.bookings.models import Booking
from tenant_apps.notifications.models import SmsMessage
from tests.api.test_bookings import BOOKINGS, book, invite_body, patient_json, refused, stored

# 2026-10-25 is the last Sunday of October: 02:00–03:00 happens twice in Sweden.
AUTUMN_NIGHT = datetime.date(2026, 10, 25)
BEFORE_AUTUMN = datetime.datetime(2026, 10, 1, 12, 0, tzinfo=datetime.UTC)
# 02:30 summer time to 02:00 winter time, then 02:30 to 03:00 winter time, in UTC.
TIMES = [(0, 30), (1, 0), (1, 30), (2, 0)]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def post_raw(client, path: str, body: str):
    return client.client.post(path, body, content_type="application/json")


def sms_and_bookings() -> tuple:
    """What a refused change must leave alone, after the worker had its chance."""
    services.dispatch_events()
    rows = Booking.objects.order_by("pk").values_list("starts_at", "ends_at", "version", "status")
    return stored(), SmsMessage.objects.count(), list(rows)


# -- deeply nested JSON --------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [33, 100_000])
def test_deeply_nested_body_is_a_400_naming_the_field(ready, api, depth):
    before = sms_and_bookings()
    body = '{"visit_type": 1, "patients": ' + nested(depth) + "}"
    response = post_raw(api(ready.clinician), BOOKINGS, body)
    assert "32 nivåer" in refused(response, "patients")
    assert sms_and_bookings() == before


def test_deeply_nested_body_without_a_field_is_a_parse_error(ready, api):
    response = post_raw(api(ready.clinician), BOOKINGS, nested(100_000))
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error" and "32" in response.json()["detail"]


def test_nesting_within_the_bound_is_parsed_as_before(ready, api):
    body = '{"visit_type": ' + nested(30) + "}"
    response = post_raw(api(ready.clinician), BOOKINGS, body)
    assert "visit_type" in response.json() and "nivåer" not in str(response.json())


def test_malformed_json_is_a_parse_error(ready, api):
    response = post_raw(api(ready.clinician), BOOKINGS, '{"visit_type": [1, }')
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


# -- NUL in query parameters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/staff/", {"search": "Kl\x00ara"}, "search"),
        ("/api/v1/patients/", {"search": "\x00"}, "search"),
        (BOOKINGS, {"status": "confirmed\x00"}, "status"),
        (BOOKINGS, {"from": "2026-01-01\x00"}, "from"),
        ("/api/v1/visit-types/", {"clinician": "1\x00"}, "clinician"),
        ("/api/v1/staff/", {"se\x00arch": "x"}, "search"),
    ],
)
def test_nul_in_a_query_parameter_is_a_400_naming_it(ready, api, path, params, field):
    response = api(ready.admin).get(path, params)
    assert "NUL" in refused(response, field)


# -- year 9999 and the two-year horizon ----------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"starts_at": "9999-12-31T23:00:00+01:00"}, "starts_at"),
        ({"starts_at": "9999-12-31T23:59:59-12:00"}, "starts_at"),  # past year 9999 in UTC
        ({"starts_at": None, "date": "9999-12-31", "time": "23:30"}, "starts_at"),
        ({"starts_at": None, "date": "0001-01-01", "time": "00:30"}, "time"),
        ({"starts_at": "0001-01-01T00:30:00+01:00"}, "starts_at"),
    ],
)
def test_invite_at_the_ends_of_the_calendar_is_a_400(ready, api, overrides, field):
    before = sms_and_bookings()
    response = api(ready.clinician).post(BOOKINGS, invite_body(ready, **overrides))
    refused(response, field)
    assert sms_and_bookings() == before


def test_reschedule_to_year_9999_is_refused_and_sends_no_sms(ready, api):
    booking = book(ready)
    services.dispatch_events()  # the invitation's SMS
    before = sms_and_bookings()
    path = f"{BOOKINGS}{booking.pk}/reschedule/"
    client = api(ready.clinician)
    for body in (
        {"starts_at": "9999-12-31T10:00:00+01:00"},
        {"date": "9999-12-31", "time": "23:50"},
    ):
        assert "två år" in refused(client.post(path, body), "starts_at")
    assert sms_and_bookings() == before


def test_bookings_more_than_two_years_ahead_are_refused(ready, api):
    now = clock.now()
    latest = now.replace(year=now.year + 2)
    client = api(ready.clinician)
    too_far = invite_body(ready, starts_at=(latest + datetime.timedelta(minutes=1)).isoformat())
    message = refused(client.post(BOOKINGS, too_far), "starts_at")
    assert "högst två år framåt" in message and format_local(latest, "date") in message
    assert not Booking.objects.exists()
    at_the_horizon = invite_body(ready, starts_at=latest.isoformat())
    assert client.post(BOOKINGS, at_the_horizon).status_code == 201


def test_list_filters_at_the_ends_of_the_calendar_are_no_bound(ready, api):
    booking = book(ready)
    client = api(ready.clinician)
    response = client.get(BOOKINGS, {"from": "0001-01-01", "to": "9999-12-31"})
    assert response.status_code == 200, response.content
    assert [b["id"] for b in response.json()["results"]] == [booking.pk]


# -- the hour that happens twice -----------------------------------------------------------------


@time_machine.travel(BEFORE_AUTUMN, tick=False)
def test_ambiguous_local_time_is_refused_asking_which_one(ready, api):
    before = sms_and_bookings()
    body = invite_body(ready, starts_at=None, date=AUTUMN_NIGHT.isoformat(), time="02:30")
    message = refused(api(ready.clinician).post(BOOKINGS, body), "time")
    assert "två gånger" in message
    assert "2026-10-25T02:30:00+02:00" in message and "2026-10-25T02:30:00+01:00" in message
    assert sms_and_bookings() == before


@time_machine.travel(BEFORE_AUTUMN, tick=False)
def test_either_occurrence_can_be_booked_with_its_offset(ready, api):
    client = api(ready.clinician)
    for n, offset in ((1, "+02:00"), (2, "+01:00")):
        body = invite_body(
            ready, starts_at=f"2026-10-25T02:30:00{offset}", patients=[patient_json(n)]
        )
        response = client.post(BOOKINGS, body)
        assert response.status_code == 201, response.content
    times = list(Booking.objects.order_by("starts_at").values_list("starts_at", "ends_at"))
    utc = [datetime.datetime(2026, 10, 25, h, m, tzinfo=datetime.UTC) for h, m in TIMES]
    assert times == [(utc[0], utc[1]), (utc[2], utc[3])]  # 30 minutes each, also across 03:00
