"""Min profil, the booking function and bookable visits through the API (manual 2)."""

import pytest

from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import add_staff_member
from tenant_apps.profiles import services as profiles
from tenant_apps.profiles.models import VisitType
from tests.api.helpers import consent
from tests.support import personnummer

PROFILE = "/api/v1/me/profile/"
BOOKING_FUNCTION = "/api/v1/me/booking-function/"
VISIT_TYPES = "/api/v1/visit-types/"


@pytest.fixture
def admin_only(in_alfa) -> User:
    return add_staff_member(
        personnummer=personnummer("19830404", "044"),
        is_admin=True,
        is_clinician=False,
        first_name="Ada",
        last_name="Admin",
        mobile="+46701112233",
    )


def visit(**overrides) -> dict:
    body = {"title": "Uppföljning", "duration_minutes": 20, "kind": "video"}
    body.update(overrides)
    return body


# -- Min profil ----------------------------------------------------------------------------------


def test_clinician_reads_and_edits_the_profile(in_alfa, api):
    client = api(in_alfa.clinician)
    assert client.get(PROFILE).json() == {"title": "", "description": "", "booking_enabled": False}
    response = client.patch(PROFILE, {"title": " Psykolog ", "description": "KBT"})
    assert response.json() == {"title": "Psykolog", "description": "KBT", "booking_enabled": False}
    response = client.patch(PROFILE, {"title": "Leg. psykolog"})
    assert response.json()["description"] == "KBT"  # not sent, kept


def test_profile_refusals_name_the_field(ready, api):
    client = api(ready.clinician)
    message = client.patch(PROFILE, {"title": ""}).json()["title"][0]
    assert "så länge bokningsfunktionen är aktiv" in message
    assert "description" in client.patch(PROFILE, {"description": "x" * 2001}).json()
    assert profiles.get_profile(ready.clinician).title == "Sjuksköterska"


def test_profile_is_for_clinicians(in_alfa, api, admin_only):
    assert api(admin_only).get(PROFILE).status_code == 403
    consent(in_alfa, in_alfa.patient)
    assert api(in_alfa.patient).patch(PROFILE, {"title": "Doktor"}).status_code == 403
    assert api(None).get(PROFILE).status_code == 401


# -- the booking function ------------------------------------------------------------------------


def test_booking_function_shows_what_is_missing(in_alfa, api):
    client = api(in_alfa.colleague)
    body = client.get(BOOKING_FUNCTION).json()
    assert body["active"] is False
    assert body["blockers"] == [
        "Fyll i Yrkestitel under Konsultation.",
        "Skapa minst ett bokningsbart besök.",
    ]
    refused = client.post(f"{BOOKING_FUNCTION}activate/")
    assert refused.status_code == 400 and "Yrkestitel" in refused.json()["detail"]
    assert not profiles.get_profile(in_alfa.colleague).booking_enabled


def test_booking_function_turns_on_and_off(in_alfa, api):
    client = api(in_alfa.colleague)
    client.patch(PROFILE, {"title": "Kurator"})
    client.post(VISIT_TYPES, visit())
    assert client.post(f"{BOOKING_FUNCTION}activate/").json() == {"active": True, "blockers": []}
    assert client.post(f"{BOOKING_FUNCTION}deactivate/").json()["active"] is False


def test_booking_function_is_for_clinicians(in_alfa, api, admin_only):
    client = api(admin_only)
    assert client.get(BOOKING_FUNCTION).status_code == 403
    assert client.post(f"{BOOKING_FUNCTION}activate/").status_code == 403
    assert api(None).post(f"{BOOKING_FUNCTION}deactivate/").status_code == 401


# -- bookable visits -----------------------------------------------------------------------------


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [v["title"] for v in response.json()["results"]]


def test_clinician_creates_and_lists_own_visit_types(in_alfa, api):
    client = api(in_alfa.clinician)
    response = client.post(VISIT_TYPES, visit(kind="video_group", max_patients=3))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["clinician"], body["max_patients"], body["is_active"]) == (
        in_alfa.clinician.pk,
        3,
        True,
    )
    profiles.create_visit_type(in_alfa.colleague, title="Kalles", duration_minutes=30, kind="video")
    assert titles(client.get(VISIT_TYPES)) == ["Uppföljning"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"duration_minutes": 3}, "duration_minutes"),
        ({"duration_minutes": "lång"}, "duration_minutes"),
        ({"kind": "telefon"}, "kind"),
        ({"kind": "video_group", "max_patients": 5}, "max_patients"),
        ({"title": "  "}, "title"),
    ],
)
def test_visit_type_refusals_name_the_field(in_alfa, api, overrides, field):
    response = api(in_alfa.clinician).post(VISIT_TYPES, visit(**overrides))
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not VisitType.objects.exists()


def test_admin_reads_every_clinicians_visit_types_but_edits_only_own(ready, api):
    """Not the admin's to change: 404, as on the page (profiles.access)."""
    client = api(ready.admin)
    kalles = profiles.create_visit_type(
        ready.colleague, title="Kalles", duration_minutes=30, kind="video"
    )
    assert titles(client.get(VISIT_TYPES)) == ["Gruppsamtal", "Kalles", "Återbesök"]
    assert titles(client.get(VISIT_TYPES, {"clinician": ready.colleague.pk})) == ["Kalles"]
    assert client.get(f"{VISIT_TYPES}{kalles.pk}/").json()["title"] == "Kalles"
    assert client.patch(f"{VISIT_TYPES}{kalles.pk}/", {"title": "X"}).status_code == 404
    assert client.post(f"{VISIT_TYPES}{kalles.pk}/deactivate/").status_code == 404
    kalles.refresh_from_db()
    assert (kalles.title, kalles.is_active) == ("Kalles", True)


def test_clinician_cannot_see_a_colleagues_visit_type(ready, api):
    client = api(ready.colleague)
    assert client.get(f"{VISIT_TYPES}{ready.one_to_one.pk}/").status_code == 404
    assert client.patch(f"{VISIT_TYPES}{ready.one_to_one.pk}/", {"title": "X"}).status_code == 404
    assert titles(client.get(VISIT_TYPES, {"clinician": ready.clinician.pk})) == []


def test_clinician_updates_own_visit_type(ready, api):
    client = api(ready.clinician)
    path = f"{VISIT_TYPES}{ready.group.pk}/"
    response = client.patch(path, {"duration_minutes": 45})
    assert response.status_code == 200
    assert (response.json()["duration_minutes"], response.json()["max_patients"]) == (45, 3)
    assert "max_patients" in client.patch(path, {"max_patients": 1}).json()
    ready.group.refresh_from_db()
    assert (ready.group.duration_minutes, ready.group.max_patients) == (45, 3)


def test_deactivating_the_last_visit_type_turns_the_booking_function_off(ready, api):
    client = api(ready.clinician)
    client.post(f"{VISIT_TYPES}{ready.group.pk}/deactivate/")
    response = client.post(f"{VISIT_TYPES}{ready.one_to_one.pk}/deactivate/")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert client.get(BOOKING_FUNCTION).json()["active"] is False
    response = client.post(f"{VISIT_TYPES}{ready.one_to_one.pk}/activate/")
    assert response.json()["is_active"] is True


def test_visit_types_refuse_patients_and_strangers(in_alfa, api, admin_only):
    consent(in_alfa, in_alfa.patient)
    assert api(in_alfa.patient).get(VISIT_TYPES).status_code == 403
    assert api(admin_only).post(VISIT_TYPES, visit()).status_code == 403
    assert api(None).get(VISIT_TYPES).status_code == 401
    assert api(in_alfa.clinician).get(f"{VISIT_TYPES}999999/").status_code == 404
