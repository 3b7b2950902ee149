"""The booking's SMS statuses in the API: kind, number, status and when it last changed; staff
who manage the booking see every message, a patient only the messages sent to them."""

import datetime

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from careplatform import clock
from tenant_apps.bookings import services
from tenant_apps.notifications.models import SmsStatus
from tenant_apps.notifications.services import apply_delivery_report
from tests.api.helpers import consent
from tests.bookings.helpers import in_days, patient_spec
from tests.notifications.helpers import dispatch, messages

BOOKINGS = "/api/v1/bookings/"


def group_booking(cast):
    booking = services.invite(
        actor=cast.clinician,
        clinician=cast.clinician,
        visit_type=cast.group,
        provider=cast.provider,
        patients=[
            patient_spec(personnummer=cast.patient.personnummer, mobile=cast.patient.mobile),
            patient_spec(2, mobile="0701234502"),
        ],
        starts_at=in_days(2),
    )
    dispatch()
    return booking


def test_staff_see_every_message_with_its_number_and_status(ready, api):
    booking = group_booking(ready)
    first, second = messages()
    report_at = clock.now() + datetime.timedelta(minutes=1)
    with time_machine.travel(report_at, tick=False):
        apply_delivery_report(first.gateway_id, "delivered", report_at)
    first.refresh_from_db()
    assert first.updated_at == report_at  # the delivery report changed it
    for user in (ready.clinician, ready.admin):
        body = api(user).get(f"{BOOKINGS}{booking.pk}/").json()
        shown = [(m["kind"], m["recipient"], m["status"]) for m in body["sms"]]
        assert shown == [
            ("invited", "+46702223344", "delivered"),
            ("invited", "+46701234502", "sent"),
        ]
        changed = [datetime.datetime.fromisoformat(m["updated_at"]) for m in body["sms"]]
        assert changed == [first.updated_at, second.updated_at]
        assert body["sms"][0]["updated_at"].endswith(("+01:00", "+02:00"))  # Swedish time


def test_a_patient_sees_only_their_own_message_and_no_other_number(ready, api):
    booking = group_booking(ready)
    consent(ready, ready.patient)
    response = api(ready.patient).get(f"{BOOKINGS}{booking.pk}/")
    body = response.json()
    assert [(m["kind"], m["recipient"], m["status"]) for m in body["sms"]] == [
        ("invited", "+46702223344", "sent")
    ]
    assert "0701234502" not in response.content.decode()
    assert "+46701234502" not in response.content.decode()
    listed = api(ready.patient).get(BOOKINGS).json()["results"]
    assert [m["recipient"] for m in listed[0]["sms"]] == ["+46702223344"]


def test_the_list_shows_statuses_and_a_failed_message(ready, api):
    booking = services.invite(
        actor=ready.clinician,
        clinician=ready.clinician,
        visit_type=ready.one_to_one,
        provider=ready.provider,
        patients=[patient_spec(1)],
        starts_at=in_days(2),
    )
    patient = booking.participants.get().user
    type(patient).objects.filter(pk=patient.pk).update(mobile="")
    dispatch()
    [sms] = messages()
    assert sms.status == SmsStatus.FAILED
    [row] = api(ready.clinician).get(BOOKINGS).json()["results"]
    assert row["sms"] == [
        {
            "kind": "invited",
            "recipient": None,
            "status": "failed",
            "updated_at": row["sms"][0]["updated_at"],
        }
    ]


def test_statuses_cost_one_query_however_many_bookings(ready, api):
    client = api(ready.clinician)

    def queries() -> int:
        client.get(BOOKINGS)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(BOOKINGS).status_code == 200
        return len(captured)

    group_booking(ready)
    few = queries()
    for n in range(3, 8):
        services.invite(
            actor=ready.clinician,
            clinician=ready.clinician,
            visit_type=ready.one_to_one,
            provider=ready.provider,
            patients=[patient_spec(n)],
            starts_at=in_days(n),
        )
    dispatch()
    assert queries() == few


def test_schema_documents_the_sms_statuses(alfa):
    document = Client(HTTP_HOST=alfa.host).get("/api/schema/", {"format": "json"}).json()
    booking = document["components"]["schemas"]["Booking"]
    assert "sms" in booking["required"]
    sms = booking["properties"]["sms"]
    assert sms["type"] == "array"
    item = document["components"]["schemas"][sms["items"]["$ref"].rsplit("/", 1)[1]]
    assert set(item["properties"]) == {"kind", "recipient", "status", "updated_at"}
    assert item["properties"]["recipient"].get("nullable") is True
    assert item["properties"]["updated_at"]["format"] == "date-time"
