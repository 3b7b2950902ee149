"""Calendar files: .ics per booking and the clinician's private feed."""

import datetime

import pytest
from icalendar import Calendar

from careplatform.timeutil import LOCAL, local_datetime
from tenant_apps.accounts.services import current_consent_version, give_consent
from tenant_apps.bookings import calendar, services
from tests.bookings.helpers import colleague_test_visit, patient_spec
from tests.clients import logged_in


def book(cast, day: datetime.date, n: int = 1):
    return services.invite(
        actor=cast.clinician,
        clinician=cast.clinician,
        visit_type=cast.one_to_one,
        provider=cast.provider,
        patients=[patient_spec(n)],
        starts_at=local_datetime(day, datetime.time(10, 0)),
    )


def events(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_ics_shows_ten_oclock_local_on_both_sides_of_the_dst_change(ready):
    # The last Sunday of October 2027 is the 31st: clocks go back that night.
    saturday = book(ready, datetime.date(2027, 10, 30))
    monday = book(ready, datetime.date(2027, 11, 1), n=2)
    client = logged_in(ready.clinician, ready)
    for booking, day in ((saturday, 30), (monday, 1)):
        response = client.get(f"/bokningar/{booking.pk}/kalender.ics")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        assert b"DTSTART;TZID=Europe/Stockholm:2027" in response.content
        (event,) = events(response.content)
        start = event.decoded("dtstart").astimezone(LOCAL)
        assert (start.day, start.hour, start.minute) == (day, 10, 0)
        assert event.decoded("dtend") - event.decoded("dtstart") == datetime.timedelta(minutes=30)
        assert Calendar.from_ical(response.content).walk("VTIMEZONE")


def test_patient_gets_the_ics_of_their_own_booking_only(ready):
    booking = book(ready, datetime.date(2027, 5, 5))
    patient = booking.participants.get().user
    for someone in (patient, ready.patient):
        give_consent(someone, current_consent_version(), "127.0.0.1")
    assert logged_in(patient, ready).get(f"/bokningar/{booking.pk}/kalender.ics").status_code == 200
    stranger = logged_in(ready.patient, ready)
    assert stranger.get(f"/bokningar/{booking.pk}/kalender.ics").status_code == 404


def test_ics_needs_login(ready, client):
    booking = book(ready, datetime.date(2027, 5, 5))
    response = client.get(f"/bokningar/{booking.pk}/kalender.ics", HTTP_HOST=ready.host)
    assert response.status_code == 302


def test_feed_lists_the_clinicians_visits_without_patient_data(ready, client):
    booking = book(ready, datetime.date(2027, 5, 5))
    token = calendar.new_feed_token(ready.clinician)
    response = client.get(f"/kalender/{token}.ics", HTTP_HOST=ready.host)
    assert response.status_code == 200
    (event,) = events(response.content)
    assert str(event["summary"]) == "Videobesök"
    assert str(event["url"]).endswith(f"/bokningar/{booking.pk}/")
    text = response.content.decode()
    patient = booking.participants.get().user
    for secret in (patient.first_name, patient.last_name, patient.personnummer):
        assert secret not in text


def test_feed_lists_the_test_visits_one_is_invited_to(ready, client):
    """A clinician's bookings include the colleague test visits they are invited to, in the
    feed as on Bokningar and in the API."""
    visit = colleague_test_visit(ready)
    token = calendar.new_feed_token(ready.colleague)
    response = client.get(f"/kalender/{token}.ics", HTTP_HOST=ready.host)
    (event,) = events(response.content)
    assert str(event["url"]).endswith(f"/bokningar/{visit.pk}/")


def test_wrong_or_revoked_feed_token_is_404(ready, client):
    old = calendar.new_feed_token(ready.clinician)
    new = calendar.new_feed_token(ready.clinician)
    assert client.get(f"/kalender/{old}.ics", HTTP_HOST=ready.host).status_code == 404
    assert client.get("/kalender/fel-token.ics", HTTP_HOST=ready.host).status_code == 404
    assert client.get(f"/kalender/{new}.ics", HTTP_HOST=ready.host).status_code == 200
    calendar.revoke_feed(ready.clinician)
    assert client.get(f"/kalender/{new}.ics", HTTP_HOST=ready.host).status_code == 404


def test_feed_token_of_provider_a_is_unknown_on_provider_b(beta, ready, client):
    token = calendar.new_feed_token(ready.clinician)
    assert client.get(f"/kalender/{token}.ics", HTTP_HOST=beta.host).status_code == 404


def test_feed_settings_page_creates_and_turns_off_the_link(ready):
    client = logged_in(ready.clinician, ready)
    page = client.post("/kalenderflode/", {"action": "new"})
    assert "/kalender/" in page.content.decode()
    assert ready.clinician.calendar_feed
    client.post("/kalenderflode/", {"action": "off"})
    assert "Flödet är avstängt" in client.get("/kalenderflode/").content.decode()


def test_patients_have_no_feed_settings(ready):
    give_consent(ready.patient, current_consent_version(), "127.0.0.1")
    assert logged_in(ready.patient, ready).get("/kalenderflode/").status_code == 403


@pytest.mark.parametrize("method", ["put", "delete"])
def test_feed_settings_refuse_other_methods(ready, method):
    assert getattr(logged_in(ready.clinician, ready), method)("/kalenderflode/").status_code == 405
