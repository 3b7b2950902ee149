"""Bokningar in the UI: invite, lists, detail, reschedule, cancel, confirm."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenant_apps.bookings import services
from tenant_apps.bookings.models import Booking, BookingEvent, BookingStatus
from tests.bookings.helpers import colleague_test_visit, in_days, patient_spec
from tests.clients import logged_in


def invite_form(cast, **overrides) -> dict:
    data = {
        "mobile_1": "070-123 45 01",
        "personnummer_1": patient_spec().personnummer,
        "first_name_1": "Anna",
        "last_name_1": "Andersson",
        "visit_type": cast.one_to_one.pk,
        "date": in_days(3).date().isoformat(),
        "time": "10:00",
        "message": "Välkommen!",
    }
    data.update(overrides)
    return data


def book(cast, n=1, **kwargs):
    values = {
        "actor": cast.clinician,
        "clinician": cast.clinician,
        "visit_type": cast.one_to_one,
        "provider": cast.provider,
        "patients": [patient_spec(n)],
        "starts_at": in_days(2 + n),
    }
    values.update(kwargs)
    return services.invite(**values)


def test_clinician_invites_a_patient_from_the_form(ready):
    client = logged_in(ready.clinician, ready)
    response = client.post("/bokningar/ny/", invite_form(ready))
    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/bokningar/{booking.pk}/"
    assert booking.status == BookingStatus.UNCONFIRMED and booking.message == "Välkommen!"
    local_start = booking.starts_at.astimezone(datetime.UTC)
    assert booking.participants.get().user.full_name == "Anna Andersson"
    page = client.get(f"/bokningar/{booking.pk}/").content.decode()
    assert "Anna Andersson" in page and "Obekräftad" in page and local_start


def test_boka_nu_from_the_form_is_confirmed(ready):
    client = logged_in(ready.clinician, ready)
    client.post("/bokningar/ny/", invite_form(ready, date="", time="", instant="on"))
    assert Booking.objects.get().status == BookingStatus.CONFIRMED


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"personnummer_1": "19700101-0000"}, "personnummer_1", "kontrollsiffra"),
        ({"mobile_1": "08-444 34 34"}, "mobile_1", "inte ett mobilnummer"),
        ({"date": "2020-01-01"}, "time", "redan passerat"),
        ({"date": "2027-03-28", "time": "02:30"}, "time", "finns inte"),
        ({"message": "x" * 501}, "message", "500"),
        ({"visit_type": "999999"}, "visit_type", ""),
    ],
)
def test_bad_invite_shows_the_error_next_to_the_field_and_stores_nothing(
    ready, overrides, field, message
):
    client = logged_in(ready.clinician, ready)
    response = client.post("/bokningar/ny/", invite_form(ready, **overrides))
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert errors and message in errors
    assert not Booking.objects.exists() and not BookingEvent.objects.exists()


def test_self_invite_is_refused_in_the_form(ready):
    client = logged_in(ready.clinician, ready)
    response = client.post(
        "/bokningar/ny/", invite_form(ready, personnummer_1=ready.clinician.personnummer)
    )
    assert "dig själv" in response.content.decode()
    assert not Booking.objects.exists()


def test_overlapping_invite_is_refused_in_the_form(ready):
    book(ready, n=1, starts_at=in_days(3))
    client = logged_in(ready.clinician, ready)
    response = client.post(
        "/bokningar/ny/", invite_form(ready, personnummer_1=patient_spec(5).personnummer)
    )
    assert "krockar" in response.content.decode()
    assert Booking.objects.count() == 1


def test_invite_page_says_why_when_the_booking_function_is_off(in_alfa):
    client = logged_in(in_alfa.colleague, in_alfa)
    page = client.get("/bokningar/ny/").content.decode()
    assert "Du kan inte bjuda in till besök ännu" in page
    assert "Aktivera bokningsfunktionen" in page


def test_bookings_page_has_unconfirmed_and_confirmed_sections(ready):
    unconfirmed = book(ready, n=1)
    confirmed = book(ready, n=2)
    services.confirm(confirmed, confirmed.participants.get().user)
    page = logged_in(ready.clinician, ready).get("/bokningar/")
    assert [b.pk for b in page.context["unconfirmed"]] == [unconfirmed.pk]
    assert [b.pk for b in page.context["confirmed"]] == [confirmed.pk]


def test_admin_sees_all_bookings_and_filters_them(ready):
    one = book(ready, n=1)
    services.cancel(book(ready, n=2), actor=ready.clinician)
    client = logged_in(ready.admin, ready)
    page = client.get("/bokningar/", {"status": "cancelled"})
    assert [b.status for b in page.context["page"].object_list] == ["cancelled"]
    page = client.get("/bokningar/", {"clinician": ready.clinician.pk, "status": "unconfirmed"})
    assert [b.pk for b in page.context["page"].object_list] == [one.pk]


def test_admin_invites_on_behalf_of_a_clinician(ready):
    client = logged_in(ready.admin, ready)
    client.post("/bokningar/ny/", invite_form(ready))
    booking = Booking.objects.get()
    assert booking.clinician == ready.clinician and booking.created_by == ready.admin


def test_colleague_is_invited_for_a_test_visit(ready):
    client = logged_in(ready.clinician, ready)
    day = in_days(4).date().isoformat()
    client.post(
        "/bokningar/kollega/",
        {
            "colleague": ready.colleague.pk,
            "visit_type": ready.one_to_one.pk,
            "date": day,
            "time": "09:00",
        },
    )
    booking = Booking.objects.get()
    assert booking.participants.get().user == ready.colleague
    assert booking.status == BookingStatus.CONFIRMED


def test_reschedule_and_cancel_from_the_detail_page(ready):
    booking = book(ready)
    client = logged_in(ready.clinician, ready)
    new_day = in_days(9).date().isoformat()
    new_time = {"date": new_day, "time": "14:30", "confirmed": "1"}
    client.post(f"/bokningar/{booking.pk}/ny-tid/", new_time)
    booking.refresh_from_db()
    assert booking.version == 2 and booking.starts_at.astimezone().hour in (13, 14)
    client.post(f"/bokningar/{booking.pk}/avboka/", {"reason": "Semester", "confirmed": "1"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.cancel_reason == "Semester"
    page = client.get(f"/bokningar/{booking.pk}/").content.decode()
    assert "Avbokad" in page and "Avboka besöket" not in page


def test_patient_sees_the_booking_with_clinician_title_and_message_and_confirms(ready):
    booking = book(ready, message="Ta med medicinlistan.")
    patient = booking.participants.get().user
    client = logged_in(patient, ready)
    home = client.get("/mina-besok/").content.decode()
    assert "Klara Kliniker, Sjuksköterska" in home
    assert "Ta med medicinlistan." in home and "Bekräfta" in home
    client.post(f"/bokningar/{booking.pk}/bekrafta/")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_patient_cannot_confirm_someone_elses_booking(ready):
    booking = book(ready)
    client = logged_in(ready.patient, ready)
    assert client.post(f"/bokningar/{booking.pk}/bekrafta/").status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.UNCONFIRMED


def test_patient_cannot_reschedule_or_cancel(ready):
    booking = book(ready)
    client = logged_in(booking.participants.get().user, ready)
    assert client.post(f"/bokningar/{booking.pk}/avboka/", {"confirmed": "1"}).status_code == 403
    new_time = {"date": "2030-01-01", "time": "10:00", "confirmed": "1"}
    assert client.post(f"/bokningar/{booking.pk}/ny-tid/", new_time).status_code == 403


def test_booking_of_another_provider_is_404(beta, ready):
    booking = book(ready)
    assert logged_in(beta.admin, beta).get(f"/bokningar/{booking.pk}/").status_code == 404


def test_pages_need_login_and_refuse_wrong_methods(ready, client):
    booking = book(ready)
    assert client.get("/bokningar/", HTTP_HOST=ready.host).status_code == 302
    signed_in = logged_in(ready.clinician, ready)
    assert signed_in.get(f"/bokningar/{booking.pk}/avboka/").status_code == 405
    assert signed_in.get(f"/bokningar/{booking.pk}/ny-tid/").status_code == 405
    assert signed_in.get("/bokningar/999999/").status_code == 404


def test_overview_lists_upcoming_confirmed_bookings(ready):
    booking = book(ready, instant=True, starts_at=None)
    page = logged_in(ready.clinician, ready).get("/oversikt/").content.decode()
    assert booking.participants.get().user.full_name in page


def _count_queries(client, path, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params).status_code == 200
    return len(queries)


def test_booking_lists_use_a_constant_number_of_queries(ready):
    client = logged_in(ready.admin, ready)
    for n in range(1, 4):
        book(ready, n=n)
    _count_queries(client, "/bokningar/")  # warm: session and user are loaded once
    few = (
        _count_queries(client, "/bokningar/"),
        _count_queries(client, "/bokningar/", status="unconfirmed"),
    )
    for n in range(4, 30):
        book(ready, n=n)
    many = (
        _count_queries(client, "/bokningar/"),
        _count_queries(client, "/bokningar/", status="unconfirmed"),
    )
    assert few == many


def test_too_many_patients_for_the_visit_type_is_refused_in_the_form(ready):
    second = {
        "mobile_2": "0701234502",
        "personnummer_2": patient_spec(2).personnummer,
        "first_name_2": "Berit",
        "last_name_2": "Berg",
    }
    response = logged_in(ready.clinician, ready).post(
        "/bokningar/ny/", invite_form(ready, **second)
    )
    assert "Besöket tar högst 1 patient." in response.content.decode()
    assert not Booking.objects.exists()


def test_group_visit_from_the_form_takes_several_patients(ready):
    second = {
        "mobile_2": "0701234502",
        "personnummer_2": patient_spec(2).personnummer,
        "first_name_2": "Berit",
        "last_name_2": "Berg",
    }
    client = logged_in(ready.clinician, ready)
    client.post("/bokningar/ny/", invite_form(ready, visit_type=ready.group.pk, **second))
    assert Booking.objects.get().participants.count() == 2


@pytest.mark.parametrize("state", ["cancelled", "expired"])
def test_patient_cannot_confirm_a_cancelled_or_expired_booking(ready, state):
    import time_machine

    booking = book(ready)
    patient = booking.participants.get().user
    client = logged_in(patient, ready)
    if state == "cancelled":
        services.cancel(booking, actor=ready.clinician)
        client.post(f"/bokningar/{booking.pk}/bekrafta/")
    else:
        with time_machine.travel(booking.starts_at, tick=False):
            client.post(f"/bokningar/{booking.pk}/bekrafta/")
    booking.refresh_from_db()
    assert booking.status != BookingStatus.CONFIRMED
    assert not BookingEvent.objects.filter(booking=booking, kind="confirmed").exists()


def test_invited_colleague_sees_the_test_visit_on_overview_and_bookings(ready):
    """A clinician's bookings are those they are the clinician of and the colleague test visits
    they are invited to (bookings.access), on every page as in the API."""
    visit = colleague_test_visit(ready)
    client = logged_in(ready.colleague, ready)
    overview = client.get("/oversikt/")
    assert [b.pk for b in overview.context["upcoming"]] == [visit.pk]
    assert "Klara Kliniker" in overview.content.decode()  # whose visit it is
    bookings = client.get("/bokningar/")
    assert [b.pk for b in bookings.context["confirmed"]] == [visit.pk]
    filtered = client.get("/bokningar/", {"status": "confirmed"}).context["page"]
    assert list(filtered.object_list) == [visit]


def test_invited_colleague_cannot_reschedule_or_cancel_the_test_visit(ready):
    """They see the visit but it is not theirs to change: 404, as for any booking not theirs."""
    visit = colleague_test_visit(ready)
    client = logged_in(ready.colleague, ready)
    page = client.get(f"/bokningar/{visit.pk}/")
    assert page.status_code == 200 and not page.context["manage"]
    assert client.post(f"/bokningar/{visit.pk}/avboka/", {"confirmed": "1"}).status_code == 404
    new_time = {"date": in_days(9).date().isoformat(), "time": "14:30", "confirmed": "1"}
    assert client.post(f"/bokningar/{visit.pk}/ny-tid/", new_time).status_code == 404
    visit.refresh_from_db()
    assert (visit.status, visit.version) == (BookingStatus.CONFIRMED, 1)


def test_filter_with_the_last_day_before_the_first_is_refused(ready):
    response = logged_in(ready.clinician, ready).get(
        "/bokningar/", {"date_from": "2027-05-05", "date_to": "2027-05-04"}
    )
    assert response.status_code == 400
    assert "Slutdatum kan inte vara före startdatum." in response.content.decode()


def test_back_links_lead_patients_home_and_staff_to_the_list(ready):
    """Tillbaka and the room's way out: the same home as after login (careplatform.access)."""
    booking = book(ready)  # unconfirmed: its room is closed
    patient = logged_in(booking.participants.get().user, ready)
    assert patient.get(f"/bokningar/{booking.pk}/").context["back_url"] == "/mina-besok/"
    assert patient.get(f"/besok/{booking.pk}/").context["home_url"] == "/mina-besok/"
    clinician = logged_in(ready.clinician, ready)
    assert clinician.get(f"/bokningar/{booking.pk}/").context["back_url"] == "/bokningar/"
    assert clinician.get(f"/besok/{booking.pk}/").context["home_url"] == "/oversikt/"
