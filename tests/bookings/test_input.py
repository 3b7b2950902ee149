"""Input that used to be a server error on the pages: a time in year 9999 or before year 1, a NUL
character in a search or filter. Each is refused with a Swedish message naming the field and
changes nothing. Also the booking horizon and the hour that happens twice in autumn."""

import datetime

import pytest
import time_machine

from careplatform import clock
from tenant_apps.audit.models import AuditEvent
from tenant_apps.bookings import services
from tenant_apps.bookings.models import Booking, BookingEvent
from tenant_apps.notifications.models import SmsMessage
from tests.bookings.test_views import book, invite_form
from tests.clients import logged_in

AUTUMN_NIGHT = "2026-10-25"  # 02:00–03:00 happens twice
BEFORE_AUTUMN = datetime.datetime(2026, 10, 1, 12, 0, tzinfo=datetime.UTC)
SUMMER_0230 = datetime.datetime(2026, 10, 25, 0, 30, tzinfo=datetime.UTC)
WINTER_0230 = datetime.datetime(2026, 10, 25, 1, 30, tzinfo=datetime.UTC)


def unchanged() -> tuple:
    """Bookings, events and SMS, after the worker had its chance."""
    services.dispatch_events()
    rows = Booking.objects.order_by("pk").values_list("starts_at", "ends_at", "version")
    return list(rows), BookingEvent.objects.count(), SmsMessage.objects.count()


def field_errors(response, form: str = "form") -> dict:
    return {name: " ".join(errors) for name, errors in response.context[form].errors.items()}


# -- the ends of the calendar and the two-year horizon -------------------------------------------


@pytest.mark.parametrize(
    ("date", "time", "message"),
    [
        ("9999-12-31", "23:30", "högst två år framåt"),
        ("0001-01-01", "00:30", "0001-01-01 går inte att använda"),
    ],
)
def test_invite_page_refuses_a_date_at_the_ends_of_the_calendar(ready, date, time, message):
    before = unchanged()
    client = logged_in(ready.clinician, ready)
    response = client.post("/bokningar/ny/", invite_form(ready, date=date, time=time))
    assert response.status_code == 400
    assert message in field_errors(response)["time"]
    assert message in response.content.decode()
    assert unchanged() == before


def test_reschedule_page_refuses_year_9999_and_sends_no_sms(ready):
    booking = book(ready)
    before = unchanged()
    client = logged_in(ready.clinician, ready)
    response = client.post(
        f"/bokningar/{booking.pk}/ny-tid/", {"date": "9999-12-31", "time": "10:00"}
    )
    assert response.status_code == 400
    assert "högst två år framåt" in field_errors(response, "reschedule_form")["time"]
    assert unchanged() == before


def test_colleague_invite_page_refuses_more_than_two_years_ahead(ready):
    client = logged_in(ready.clinician, ready)
    far = (clock.today_local() + datetime.timedelta(days=2 * 366)).isoformat()
    response = client.post(
        "/bokningar/kollega/",
        {
            "colleague": ready.colleague.pk,
            "visit_type": ready.one_to_one.pk,
            "date": far,
            "time": "10:00",
        },
    )
    assert response.status_code == 400
    assert "högst två år framåt" in field_errors(response)["time"]
    assert not Booking.objects.exists()


def test_booking_list_filter_to_year_9999_is_no_bound(ready):
    booking = book(ready)
    client = logged_in(ready.clinician, ready)
    response = client.get("/bokningar/", {"date_from": "0001-01-01", "date_to": "9999-12-31"})
    assert response.status_code == 200
    assert [b.pk for b in response.context["page"]] == [booking.pk]


# -- NUL in a search or filter ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/administration/patienter/", {"q": "P\x00er"}, "q"),
        ("/administration/vardpersonal/", {"q": "\x00"}, "q"),
        ("/bokningar/", {"status": "\x00"}, "status"),
        ("/bokningar/", {"date_to": "2026-01-01\x00"}, "date_to"),
    ],
)
def test_nul_in_a_search_or_filter_is_refused_with_a_swedish_page(ready, path, params, field):
    audit_rows = AuditEvent.objects.count()
    response = logged_in(ready.admin, ready).get(path, params)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"Fältet {field} innehåller ett otillåtet tecken (NUL)." in page
    assert AuditEvent.objects.count() == audit_rows  # no patient was shown


# -- the hour that happens twice -------------------------------------------------------------------


@time_machine.travel(BEFORE_AUTUMN, tick=False)
def test_invite_page_asks_which_of_the_two_0230_is_meant(ready):
    client = logged_in(ready.clinician, ready)
    before = unchanged()
    form = invite_form(ready, date=AUTUMN_NIGHT, time="02:30")
    response = client.post("/bokningar/ny/", form)
    assert response.status_code == 400
    assert "finns två gånger" in field_errors(response)["time"]
    page = response.content.decode()
    assert 'name="fold"' in page and "Vintertid (andra gången, UTC+1)" in page
    assert unchanged() == before

    response = client.post("/bokningar/ny/", {**form, "fold": "1"})
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.starts_at == WINTER_0230
    assert booking.ends_at - booking.starts_at == datetime.timedelta(minutes=30)


def test_invite_page_shows_no_summer_or_winter_choice_on_other_days(ready):
    page = logged_in(ready.clinician, ready).get("/bokningar/ny/").content.decode()
    assert 'name="fold"' not in page


@time_machine.travel(BEFORE_AUTUMN, tick=False)
def test_reschedule_page_asks_which_0230_and_then_moves_the_booking(ready):
    booking = book(ready)
    client = logged_in(ready.clinician, ready)
    path = f"/bokningar/{booking.pk}/ny-tid/"
    response = client.post(path, {"date": AUTUMN_NIGHT, "time": "02:30"})
    assert response.status_code == 400
    assert "finns två gånger" in field_errors(response, "reschedule_form")["time"]
    assert 'name="fold"' in response.content.decode()
    booking.refresh_from_db()
    assert booking.version == 1

    chosen = {"date": AUTUMN_NIGHT, "time": "02:30", "fold": "0"}
    response = client.post(path, chosen)  # asks for confirmation, keeping the choice
    assert response.status_code == 200
    assert 'type="hidden" name="fold" value="0"' in response.content.decode()
    response = client.post(path, {**chosen, "confirmed": "1"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.starts_at, booking.version) == (SUMMER_0230, 2)
    assert booking.ends_at == SUMMER_0230 + datetime.timedelta(minutes=30)
