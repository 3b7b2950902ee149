"""Bookings through the API (manual 3, 7.4, 8): every state transition and every refusal, with
nothing stored and no event written when refused."""

import dataclasses
import datetime

import pytest
import time_machine
from django_tenants.utils import schema_context

from careplatform import clock
from careplatform.timeutil import LOCAL, local_datetime
from tenant_apps.accounts.models import User
from tenant_apps.bookings import services
from tenant_apps.bookings.models import Booking, BookingEvent, Participant
from tenant_apps.profiles import services as profiles
from tests.api.helpers import consent
from tests.bookings.helpers import colleague_test_visit, group_specs, in_days, leaked, patient_spec

BOOKINGS = "/api/v1/bookings/"


def patient_json(n: int = 1, **overrides) -> dict:
    return dataclasses.asdict(patient_spec(n, **overrides))


def invite_body(cast, **overrides) -> dict:
    body = {
        "visit_type": cast.one_to_one.pk,
        "patients": [patient_json()],
        "starts_at": in_days(2).isoformat(),
    }
    body.update(overrides)
    return body


def stored() -> tuple[int, int, int, int]:
    """Bookings, events, participants and users in the current schema."""
    return (
        Booking.objects.count(),
        BookingEvent.objects.count(),
        Participant.objects.count(),
        User.objects.count(),
    )


def refused(response, field: str | None = None, status: int = 400) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    if field is None:
        return body["detail"]
    assert field in body, body
    return " ".join(body[field])


def book(cast, n: int = 1, **kwargs) -> Booking:
    values = {"provider": cast.provider, "patients": [patient_spec(n)], "starts_at": in_days(2)}
    values.update(kwargs)
    values.setdefault("actor", cast.clinician)
    values.setdefault("clinician", cast.clinician)
    values.setdefault("visit_type", getattr(cast, "one_to_one", None))
    return services.invite(**values)


def invited_patient(n: int = 1) -> User:
    return User.objects.get(personnummer=patient_spec(n).personnummer)


def events(booking_id: int) -> list[tuple[str, int]]:
    rows = BookingEvent.objects.filter(booking_id=booking_id)
    return list(rows.values_list("kind", "booking_version"))


def next_spring_forward() -> datetime.date:
    """The next last Sunday of March: 02:00–03:00 does not exist in Sweden that night."""
    year = clock.today_local().year + 1
    day = datetime.date(year, 3, 31)
    return day - datetime.timedelta(days=(day.weekday() + 1) % 7)


# -- invite ----------------------------------------------------------------------------------


def test_clinician_invites_a_patient_and_the_booking_waits_for_confirmation(ready, api):
    response = api(ready.clinician).post(BOOKINGS, invite_body(ready, message="Välkommen!"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["can_be_held"], body["version"]) == ("unconfirmed", False, 1)
    assert body["clinician"] == {
        "id": ready.clinician.pk,
        "name": "Klara Kliniker",
        "title": "Sjuksköterska",
    }
    assert body["visit_type"]["title"] == "Återbesök" and body["message"] == "Välkommen!"
    assert [p["role"] for p in body["participants"]] == ["patient"]
    assert events(body["id"]) == [("invited", 1)]
    assert invited_patient().is_patient


def test_invite_with_local_date_and_time_is_swedish_time(ready, api):
    day = clock.today_local() + datetime.timedelta(days=3)
    body = invite_body(ready, starts_at=None, date=day.isoformat(), time="10:00")
    response = api(ready.clinician).post(BOOKINGS, body)
    assert response.status_code == 201, response.content
    booking = Booking.objects.get(pk=response.json()["id"])
    assert booking.starts_at == local_datetime(day, datetime.time(10, 0))


def test_boka_nu_is_confirmed_at_once_and_can_be_held(ready, api):
    response = api(ready.clinician).post(BOOKINGS, invite_body(ready, starts_at=None, instant=True))
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["instant"], body["can_be_held"]) == ("confirmed", True, True)


def test_without_required_confirmation_the_booking_is_confirmed(ready, api):
    ready.provider.patient_confirmation_required = False
    ready.provider.save()
    response = api(ready.clinician).post(BOOKINGS, invite_body(ready))
    assert response.json()["status"] == "confirmed"


def test_group_visit_takes_several_patients(ready, api):
    body = invite_body(
        ready, visit_type=ready.group.pk, patients=[patient_json(n) for n in (1, 2, 3)]
    )
    response = api(ready.clinician).post(BOOKINGS, body)
    assert response.status_code == 201
    assert len(response.json()["participants"]) == 3


def test_clinician_invites_a_colleague_for_a_test_visit(ready, api):
    body = invite_body(ready, patients=[], colleague=ready.colleague.pk)
    response = api(ready.clinician).post(BOOKINGS, body)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "confirmed"
    assert [(p["user"], p["role"]) for p in body["participants"]] == [
        (ready.colleague.pk, "colleague")
    ]


def test_admin_books_on_behalf_of_a_clinician(ready, api):
    response = api(ready.admin).post(BOOKINGS, invite_body(ready, clinician=ready.clinician.pk))
    assert response.status_code == 201
    booking = Booking.objects.get(pk=response.json()["id"])
    assert (booking.clinician, booking.created_by) == (ready.clinician, ready.admin)


def test_admin_booking_a_clinicians_visit_type_books_for_that_clinician(ready, api):
    response = api(ready.admin).post(BOOKINGS, invite_body(ready))
    assert response.status_code == 201
    assert response.json()["clinician"]["id"] == ready.clinician.pk


def test_clinician_cannot_book_on_behalf_of_a_colleague(ready, api):
    before = stored()
    response = api(ready.colleague).post(BOOKINGS, invite_body(ready, clinician=ready.clinician.pk))
    assert "Bara administratörer" in refused(response)
    assert stored() == before


def test_patient_cannot_invite(ready, api):
    consent(ready, ready.patient)
    response = api(ready.patient).post(BOOKINGS, invite_body(ready))
    assert response.status_code == 403


def test_not_logged_in_gets_401(ready, api):
    response = api(None).post(BOOKINGS, invite_body(ready))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert api(None).get(BOOKINGS).status_code == 401


# -- refused invites: a clear error naming the field, nothing stored, no event ------------------


def _refused_invite(cast, api, field, **overrides) -> str:
    before = stored()
    response = api(cast.clinician).post(BOOKINGS, invite_body(cast, **overrides))
    message = refused(response, field)
    assert stored() == before
    return message


def test_past_time_is_refused(ready, api):
    past = clock.now() - datetime.timedelta(hours=1)
    assert "passerat" in _refused_invite(ready, api, "starts_at", starts_at=past.isoformat())


def test_time_that_does_not_exist_on_the_dst_day_is_refused(ready, api):
    day = next_spring_forward().isoformat()
    message = _refused_invite(ready, api, "time", starts_at=None, date=day, time="02:30")
    assert "finns inte" in message


def test_time_without_offset_is_refused(ready, api):
    message = _refused_invite(ready, api, "starts_at", starts_at="2030-05-04T10:00:00")
    assert "UTC-förskjutning" in message


def test_date_without_time_is_refused(ready, api):
    _refused_invite(ready, api, "time", starts_at=None, date="2030-05-04")


def test_both_a_time_and_boka_nu_is_refused(ready, api):
    _refused_invite(ready, api, "instant", instant=True)


def test_no_time_at_all_is_refused(ready, api):
    assert "Boka nu" in _refused_invite(ready, api, "starts_at", starts_at=None)


def test_unknown_visit_type_is_refused(ready, api):
    _refused_invite(ready, api, "visit_type", visit_type=999999)


def test_inactive_visit_type_is_refused(ready, api):
    profiles.set_visit_type_active(ready.group, False)
    assert "aktiva besök" in _refused_invite(ready, api, "visit_type", visit_type=ready.group.pk)


def test_another_clinicians_visit_type_is_refused(ready, api):
    other = profiles.create_visit_type(
        ready.colleague, title="Kalles besök", duration_minutes=20, kind="video"
    )
    _refused_invite(ready, api, "visit_type", visit_type=other.pk)


def test_clinician_whose_booking_function_is_off_is_refused(ready, api):
    profiles.deactivate_booking(ready.clinician)
    message = _refused_invite(ready, api, "clinician")
    assert "Aktivera bokningsfunktionen" in message


def test_self_invite_is_refused(ready, api):
    me = patient_json(personnummer=ready.clinician.personnummer)
    before = stored()
    response = api(ready.clinician).post(BOOKINGS, invite_body(ready, patients=[me]))
    assert response.status_code == 400
    assert "dig själv" in " ".join(response.json()["patients"]["0"]["personnummer"])
    assert stored() == before


def test_self_invite_as_colleague_is_refused(ready, api):
    _refused_invite(ready, api, "colleague", patients=[], colleague=ready.clinician.pk)


def test_too_many_patients_for_a_group_visit_are_refused(ready, api):
    four = [patient_json(n) for n in range(1, 5)]
    message = _refused_invite(ready, api, "patients", visit_type=ready.group.pk, patients=four)
    assert "högst 3" in message


def test_two_patients_for_a_one_to_one_visit_are_refused(ready, api):
    _refused_invite(ready, api, "patients", patients=[patient_json(1), patient_json(2)])


def test_overlapping_booking_is_refused(ready, api):
    first = book(ready)
    later = first.starts_at + datetime.timedelta(minutes=15)
    message = _refused_invite(
        ready, api, "starts_at", starts_at=later.isoformat(), patients=[patient_json(2)]
    )
    assert "krockar" in message


def test_message_over_500_characters_is_refused(ready, api):
    assert "500" in _refused_invite(ready, api, "message", message="x" * 501)


def test_invalid_patient_details_name_the_patient_field(ready, api):
    bad = patient_json(personnummer="19700101-0000", mobile="123")
    before = stored()
    response = api(ready.clinician).post(BOOKINGS, invite_body(ready, patients=[bad]))
    assert response.status_code == 400
    errors = response.json()["patients"]["0"]  # the first patient
    assert set(errors) == {"personnummer", "mobile"}
    assert stored() == before


def test_unknown_colleague_is_refused(ready, api):
    # Ids of another provider's users do not exist in this schema.
    missing = User.objects.order_by("-pk").first().pk + 1000
    _refused_invite(ready, api, "colleague", patients=[], colleague=missing)


# -- confirm -----------------------------------------------------------------------------------


def test_patient_confirms_their_booking(ready, api):
    booking = book(ready)
    patient = invited_patient()
    consent(ready, patient)
    response = api(patient).post(f"{BOOKINGS}{booking.pk}/confirm/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["version"], body["can_be_held"]) == ("confirmed", 2, True)
    assert events(booking.pk) == [("invited", 1), ("confirmed", 2)]


def test_patient_cannot_confirm_someone_elses_booking(ready, api):
    booking = book(ready)
    consent(ready, ready.patient)
    before = stored()
    response = api(ready.patient).post(f"{BOOKINGS}{booking.pk}/confirm/")
    assert response.status_code == 404
    assert stored() == before
    booking.refresh_from_db()
    assert booking.status == "unconfirmed"


def test_clinician_cannot_confirm_for_the_patient(ready, api):
    booking = book(ready)
    assert api(ready.clinician).post(f"{BOOKINGS}{booking.pk}/confirm/").status_code == 403


def test_patient_cannot_confirm_a_cancelled_booking(ready, api):
    booking = services.cancel(book(ready), actor=ready.clinician, reason="Sjuk")
    patient = invited_patient()
    consent(ready, patient)
    before = stored()
    message = refused(api(patient).post(f"{BOOKINGS}{booking.pk}/confirm/"))
    assert "avbokad" in message
    assert stored() == before


def test_patient_cannot_confirm_an_expired_booking(ready, api):
    booking = book(ready, starts_at=clock.now() + datetime.timedelta(hours=1))
    patient = invited_patient()
    consent(ready, patient)
    before = stored()
    with time_machine.travel(booking.starts_at + datetime.timedelta(minutes=1)):  # < 8 h login
        response = api(patient).post(f"{BOOKINGS}{booking.pk}/confirm/")
        assert "utgången" in refused(response)
    assert stored() == before


def test_patient_without_consent_is_refused(ready, api):
    book(ready)
    response = api(invited_patient()).get(BOOKINGS)
    assert (response.status_code, response.json()["code"]) == (403, "consent_required")


# -- reschedule and cancel -----------------------------------------------------------------------


def test_reschedule_keeps_the_booking_and_asks_the_patient_again(ready, api):
    booking = services.confirm(book(ready), invited_patient())
    new_start = in_days(4, hour=14)
    response = api(ready.clinician).post(
        f"{BOOKINGS}{booking.pk}/reschedule/", {"starts_at": new_start.isoformat()}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["status"], body["version"]) == (booking.pk, "unconfirmed", 3)
    assert datetime.datetime.fromisoformat(body["starts_at"]) == new_start
    assert events(booking.pk)[-1] == ("rescheduled", 3)


def test_reschedule_with_local_date_and_time(ready, api):
    booking = book(ready)
    day = clock.today_local() + datetime.timedelta(days=5)
    response = api(ready.admin).post(
        f"{BOOKINGS}{booking.pk}/reschedule/", {"date": day.isoformat(), "time": "09:15"}
    )
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.starts_at == local_datetime(day, datetime.time(9, 15))


def test_reschedule_refusals_change_nothing(ready, api):
    booking = book(ready)
    other = book(ready, n=2, starts_at=in_days(3))
    client = api(ready.clinician)
    path = f"{BOOKINGS}{booking.pk}/reschedule/"
    before = stored()
    past = clock.now() - datetime.timedelta(days=1)
    assert "passerat" in refused(client.post(path, {"starts_at": past.isoformat()}), "starts_at")
    spring = {"date": next_spring_forward().isoformat(), "time": "02:15"}
    refused(client.post(path, spring), "time")
    clash = {"starts_at": other.starts_at.isoformat()}
    assert "krockar" in refused(client.post(path, clash), "starts_at")
    refused(client.post(path, {}), "starts_at")
    assert stored() == before
    booking.refresh_from_db()
    assert booking.version == 1


def test_colleague_cannot_reschedule_or_cancel_anothers_booking(ready, api):
    booking = book(ready)
    client = api(ready.colleague)  # not the clinician, not an admin: cannot even see it
    start = {"starts_at": in_days(6).isoformat()}
    assert client.post(f"{BOOKINGS}{booking.pk}/reschedule/", start).status_code == 404
    assert client.post(f"{BOOKINGS}{booking.pk}/cancel/", {}).status_code == 404


def test_invited_colleague_sees_but_cannot_reschedule_or_cancel_the_test_visit(ready, api):
    visit = colleague_test_visit(ready)
    client = api(ready.colleague)  # invited: may see it, not change it (404, as on the page)
    assert client.get(f"{BOOKINGS}{visit.pk}/").status_code == 200
    start = {"starts_at": in_days(6).isoformat()}
    assert client.post(f"{BOOKINGS}{visit.pk}/reschedule/", start).status_code == 404
    assert client.post(f"{BOOKINGS}{visit.pk}/cancel/", {}).status_code == 404
    visit.refresh_from_db()
    assert (visit.status, visit.version) == ("confirmed", 1)


def test_patient_cannot_reschedule_or_cancel(ready, api):
    booking = book(ready)
    patient = invited_patient()
    consent(ready, patient)
    client = api(patient)
    start = {"starts_at": in_days(6).isoformat()}
    assert client.post(f"{BOOKINGS}{booking.pk}/reschedule/", start).status_code == 403
    assert client.post(f"{BOOKINGS}{booking.pk}/cancel/", {}).status_code == 403


def test_cancel_records_who_and_why(ready, api):
    booking = book(ready)
    response = api(ready.admin).post(f"{BOOKINGS}{booking.pk}/cancel/", {"reason": "Sjuk"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["cancelled_by"], body["cancel_reason"]) == (
        "cancelled",
        ready.admin.pk,
        "Sjuk",
    )
    assert events(booking.pk) == [("invited", 1), ("cancelled", 2)]


def test_cancelled_or_expired_booking_cannot_be_changed(ready, api):
    cancelled = services.cancel(book(ready), actor=ready.clinician)
    expiring = book(ready, n=2, starts_at=clock.now() + datetime.timedelta(hours=1))
    client = api(ready.clinician)
    before = stored()
    assert "avbokad" in refused(client.post(f"{BOOKINGS}{cancelled.pk}/cancel/", {}))
    with time_machine.travel(expiring.starts_at + datetime.timedelta(minutes=5)):  # < 8 h login
        later = {"starts_at": in_days(8).isoformat()}
        assert "utgången" in refused(client.post(f"{BOOKINGS}{expiring.pk}/reschedule/", later))
        assert "utgången" in refused(client.post(f"{BOOKINGS}{expiring.pk}/cancel/", {}))
    assert stored() == before


def test_cancel_reason_over_500_characters_is_refused(ready, api):
    booking = book(ready)
    response = api(ready.clinician).post(f"{BOOKINGS}{booking.pk}/cancel/", {"reason": "x" * 501})
    refused(response, "reason")
    booking.refresh_from_db()
    assert booking.status == "unconfirmed"


# -- list and detail ---------------------------------------------------------------------------


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [booking["id"] for booking in response.json()["results"]]


def test_who_sees_which_bookings(ready, api):
    klaras = book(ready)
    per = book(
        ready,
        patients=[patient_spec(personnummer=ready.patient.personnummer, first_name="Per")],
        starts_at=in_days(3),
    )
    consent(ready, ready.patient)
    assert ids(api(ready.clinician).get(BOOKINGS)) == [klaras.pk, per.pk]
    assert ids(api(ready.admin).get(BOOKINGS)) == [klaras.pk, per.pk]
    assert ids(api(ready.colleague).get(BOOKINGS)) == []
    assert ids(api(ready.patient).get(BOOKINGS)) == [per.pk]
    assert api(ready.patient).get(f"{BOOKINGS}{per.pk}/").status_code == 200
    assert api(ready.patient).get(f"{BOOKINGS}{klaras.pk}/").status_code == 404
    assert api(ready.colleague).get(f"{BOOKINGS}{klaras.pk}/").status_code == 404


def test_booking_json_has_exactly_the_declared_fields(ready, api):
    """BookingSerializer writes its JSON by hand (speed); the schema comes from its fields."""
    from tenant_apps.api.booking_serializers import BookingSerializer

    booking = services.cancel(book(ready, visit_type=ready.group), actor=ready.clinician)
    body = api(ready.clinician).get(f"{BOOKINGS}{booking.pk}/").json()
    fields = BookingSerializer().fields
    assert set(body) == set(fields)
    for nested in ("clinician", "visit_type"):
        assert set(body[nested]) == set(fields[nested].fields)
    assert set(body["participants"][0]) == set(fields["participants"].child.fields)
    assert body["starts_at"] == booking.starts_at.astimezone(LOCAL).isoformat()
    assert body["cancelled_at"].endswith(("+01:00", "+02:00"))


def test_booking_json_has_the_visit_reference_as_support_reads_it(ready, api):
    booking = book(ready)
    body = api(ready.clinician).get(f"{BOOKINGS}{booking.pk}/").json()
    assert body["reference"] == booking.visit_reference
    assert body["reference"] == f"{booking.reference[:3]}-{booking.reference[3:]}"
    listed = api(ready.clinician).get(BOOKINGS).json()["results"]
    assert [b["reference"] for b in listed] == [booking.visit_reference]
    document = api(ready.clinician).get("/api/schema/", {"format": "json"}).json()
    field = document["components"]["schemas"]["Booking"]["properties"]["reference"]
    unambiguous = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
    assert field["pattern"] == f"^[{unambiguous}]{{3}}-[{unambiguous}]{{3}}$"
    assert "besöksnummer" in field["description"]


def test_patient_sees_no_other_patients_of_a_group_visit(ready, api):
    booking = book(ready, visit_type=ready.group, patients=group_specs(3))
    patients = [p.user for p in booking.participants.select_related("user").order_by("id")]
    consent(ready, *patients)
    detail = f"{BOOKINGS}{booking.pk}/"
    for patient in patients:
        others = [p for p in patients if p != patient]
        client = api(patient)
        seen = client.get(detail).json()["participants"]
        assert [p["user"] for p in seen] == [patient.pk]
        for response in (
            client.get(detail),
            client.get(BOOKINGS),
            client.post(f"{detail}confirm/"),
        ):
            assert response.status_code == 200, response.content
            assert leaked(response.content.decode(), *others) == []
    for staff in (ready.clinician, ready.admin):
        shown = api(staff).get(detail).json()["participants"]
        assert [p["name"] for p in shown] == [p.full_name for p in patients]


def test_list_filters_by_effective_status(ready, api):
    soon = book(ready, starts_at=clock.now() + datetime.timedelta(hours=1))
    later = book(ready, n=2, starts_at=in_days(3))
    confirmed = services.confirm(book(ready, n=3, starts_at=in_days(4)), invited_patient(3))
    cancelled = services.cancel(book(ready, n=4, starts_at=in_days(5)), actor=ready.clinician)
    client = api(ready.clinician)
    with time_machine.travel(clock.now() + datetime.timedelta(hours=2)):
        assert ids(client.get(BOOKINGS, {"status": "expired"})) == [soon.pk]
        assert ids(client.get(BOOKINGS, {"status": "unconfirmed"})) == [later.pk]
        assert ids(client.get(BOOKINGS, {"status": "confirmed"})) == [confirmed.pk]
        assert ids(client.get(BOOKINGS, {"status": "cancelled"})) == [cancelled.pk]
        detail = client.get(f"{BOOKINGS}{soon.pk}/").json()
        assert (detail["status"], detail["can_be_held"]) == ("expired", False)


def test_list_filters_by_local_date_range(ready, api):
    day = clock.today_local() + datetime.timedelta(days=10)
    late_evening = book(ready, starts_at=local_datetime(day, datetime.time(23, 30)))
    next_morning = book(
        ready, n=2, starts_at=local_datetime(day + datetime.timedelta(days=1), datetime.time(0, 30))
    )
    client = api(ready.clinician)
    assert ids(client.get(BOOKINGS, {"from": day.isoformat(), "to": day.isoformat()})) == [
        late_evening.pk
    ]
    after = (day + datetime.timedelta(days=1)).isoformat()
    assert ids(client.get(BOOKINGS, {"from": after})) == [next_morning.pk]
    assert ids(client.get(BOOKINGS, {"to": after})) == [late_evening.pk, next_morning.pk]


def test_admin_filters_by_clinician(ready, api):
    klaras = book(ready)
    profiles.create_visit_type(ready.admin, title="Almas", duration_minutes=30, kind="video")
    almas_type = ready.admin.visit_types.get()
    profiles.update_consultation(ready.admin, title="Läkare", description="")
    profiles.activate_booking(ready.admin)
    almas = book(ready, n=2, actor=ready.admin, clinician=ready.admin, visit_type=almas_type)
    client = api(ready.admin)
    assert ids(client.get(BOOKINGS, {"clinician": ready.clinician.pk})) == [klaras.pk]
    assert ids(client.get(BOOKINGS, {"clinician": ready.admin.pk})) == [almas.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "maybe"}, "status"),
        ({"from": "igår"}, "from"),
        ({"from": "2030-05-04", "to": "2030-05-01"}, "to"),
    ],
)
def test_bad_filters_name_the_parameter(ready, api, params, field):
    refused(api(ready.clinician).get(BOOKINGS, params), field)


def test_missing_booking_is_404(ready, api):
    client = api(ready.admin)
    assert client.get(f"{BOOKINGS}999999/").status_code == 404
    assert client.post(f"{BOOKINGS}999999/cancel/", {}).status_code == 404


def test_another_providers_booking_is_404_and_never_listed(beta, ready, api):
    with schema_context(beta.provider.schema_name):
        bert = beta.admin
        profiles.update_consultation(bert, title="Läkare", description="")
        visit = profiles.create_visit_type(bert, title="Beta", duration_minutes=30, kind="video")
        profiles.activate_booking(bert)
        theirs = book(beta, actor=bert, clinician=bert, visit_type=visit)
    assert not Booking.objects.filter(pk=theirs.pk).exists()  # alfa's schema
    client = api(ready.admin)
    assert client.get(f"{BOOKINGS}{theirs.pk}/").status_code == 404
    assert client.post(f"{BOOKINGS}{theirs.pk}/cancel/", {}).status_code == 404
    assert ids(client.get(BOOKINGS)) == []
    # Beta's own admin, on alfa's host, is nobody.
    assert api(beta.admin, cast=beta).get(f"{BOOKINGS}{theirs.pk}/").status_code == 200
    with schema_context(beta.provider.schema_name):
        session = api(beta.admin, cast=beta).client.cookies
    stranger = api(None)
    stranger.client.cookies = session
    assert stranger.get(BOOKINGS).status_code == 401
