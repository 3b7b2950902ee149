"""Staff, colleagues, patients and the caller through the API (manual 1 and 8)."""

import pytest
from django_tenants.utils import schema_context

from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import add_staff_member
from tenant_apps.audit.models import AuditEvent
from tenant_apps.bookings import services
from tests.api.helpers import consent
from tests.bookings.helpers import in_days, patient_spec
from tests.clients import logged_in
from tests.support import personnummer

STAFF = "/api/v1/staff/"
PATIENTS = "/api/v1/patients/"
NEW_PERSONNUMMER = personnummer("19820303", "033")


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [f"{u['first_name']} {u['last_name']}" for u in response.json()["results"]]


def new_person(**overrides) -> dict:
    body = {
        "personnummer": NEW_PERSONNUMMER[:8] + "-" + NEW_PERSONNUMMER[8:],
        "first_name": "Nora",
        "last_name": "Ny",
        "mobile": "070-555 66 77",
    }
    body.update(overrides)
    return body


# -- me ----------------------------------------------------------------------------------------


def test_me_is_the_caller(in_alfa, api):
    consent(in_alfa, in_alfa.patient)
    me = api(in_alfa.patient).get("/api/v1/me/").json()
    assert (me["first_name"], me["is_patient"], me["is_clinician"]) == ("Per", True, False)
    assert api(in_alfa.clinician).get("/api/v1/me/").json()["is_clinician"] is True
    assert api(None).get("/api/v1/me/").status_code == 401


def test_provider_info_needs_no_login(in_alfa, api):
    body = api(None).get("/api/v1/provider/").json()
    assert body == {"name": "Vårdcentralen Alfa", "subdomain": "alfa"}


# -- staff ---------------------------------------------------------------------------------------


def test_admin_lists_and_searches_staff(in_alfa, api):
    client = api(in_alfa.admin)
    assert names(client.get(STAFF)) == ["Alma Admin", "Klara Kliniker", "Kalle Kollega"]
    assert names(client.get(STAFF, {"search": "klara"})) == ["Klara Kliniker"]


@pytest.mark.parametrize("who", ["clinician", "patient"])
def test_only_admins_manage_staff(in_alfa, api, who):
    user = getattr(in_alfa, who)
    consent(in_alfa, in_alfa.patient)
    client = api(user)
    assert client.get(STAFF).status_code == 403
    assert client.post(STAFF, new_person(is_clinician=True)).status_code == 403
    assert client.get(f"{STAFF}{in_alfa.colleague.pk}/").status_code == 403
    assert client.patch(f"{STAFF}{in_alfa.colleague.pk}/", {"first_name": "X"}).status_code == 403
    assert client.post(f"{STAFF}{in_alfa.colleague.pk}/deactivate/").status_code == 403
    assert api(None).get(STAFF).status_code == 401


def test_admin_adds_a_clinician(in_alfa, api):
    response = api(in_alfa.admin).post(STAFF, new_person(is_clinician=True))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["personnummer"], body["mobile"]) == (NEW_PERSONNUMMER, "+46705556677")
    assert (body["is_clinician"], body["is_admin"], body["is_active"]) == (True, False, True)
    assert User.objects.get(pk=body["id"]).is_clinician


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"personnummer": "19820303-0000"}, "personnummer"),
        ({"mobile": "08-123 456"}, "mobile"),
        ({"first_name": ""}, "first_name"),
        ({"email": "inte-en-adress"}, "email"),
        ({"language": "de"}, "language"),
    ],
)
def test_adding_staff_with_bad_details_names_the_field(in_alfa, api, overrides, field):
    before = User.objects.count()
    response = api(in_alfa.admin).post(STAFF, new_person(is_clinician=True, **overrides))
    assert response.status_code == 400
    assert field in response.json()
    assert User.objects.count() == before


def test_adding_staff_applies_the_services_rules(in_alfa, api):
    client = api(in_alfa.admin)
    taken = new_person(personnummer=in_alfa.patient.personnummer, is_clinician=True)
    assert "används redan" in client.post(STAFF, taken).json()["personnummer"][0]
    no_role = client.post(STAFF, new_person())
    assert no_role.status_code == 400
    assert "minst en roll" in no_role.json()["detail"]


def test_admin_reads_and_edits_a_staff_member(in_alfa, api):
    client = api(in_alfa.admin)
    path = f"{STAFF}{in_alfa.colleague.pk}/"
    assert client.get(path).json()["first_name"] == "Kalle"
    response = client.patch(path, {"mobile": "0739 87 65 43", "is_admin": True})
    assert response.status_code == 200, response.content
    assert (response.json()["mobile"], response.json()["is_admin"]) == ("+46739876543", True)
    assert response.json()["is_clinician"] is True  # not sent, kept
    assert "mobile" in client.patch(path, {"mobile": "nej"}).json()


def test_staff_lookups_are_404_for_patients_and_missing_ids(in_alfa, api):
    client = api(in_alfa.admin)
    assert client.get(f"{STAFF}{in_alfa.patient.pk}/").status_code == 404
    assert client.get(f"{STAFF}999999/").status_code == 404
    assert client.post(f"{STAFF}999999/activate/").status_code == 404


def test_last_admin_cannot_lose_the_role_or_be_deactivated(in_alfa, api):
    client = api(in_alfa.admin)
    path = f"{STAFF}{in_alfa.admin.pk}/"
    assert (
        "minst en aktiv administratör" in client.patch(path, {"is_admin": False}).json()["detail"]
    )
    refused = client.post(f"{path}deactivate/")
    assert refused.status_code == 400 and "minst en aktiv administratör" in refused.json()["detail"]
    in_alfa.admin.refresh_from_db()
    assert in_alfa.admin.is_admin and in_alfa.admin.is_active


def test_deactivated_staff_member_is_locked_out_and_can_be_activated(in_alfa, api):
    kalle = api(in_alfa.colleague)
    assert kalle.get("/api/v1/me/").status_code == 200
    admin = api(in_alfa.admin)
    response = admin.post(f"{STAFF}{in_alfa.colleague.pk}/deactivate/")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert kalle.get("/api/v1/me/").status_code == 401
    response = admin.post(f"{STAFF}{in_alfa.colleague.pk}/activate/")
    assert response.json()["is_active"] is True


def test_staff_see_their_active_colleagues_but_not_themselves(in_alfa, api):
    User.objects.filter(pk=in_alfa.colleague.pk).update(is_active=False)
    response = api(in_alfa.clinician).get("/api/v1/colleagues/")
    assert names(response) == ["Alma Admin"]
    assert "personnummer" not in response.json()["results"][0]
    consent(in_alfa, in_alfa.patient)
    assert api(in_alfa.patient).get("/api/v1/colleagues/").status_code == 403


# -- patients ------------------------------------------------------------------------------------


def test_admin_lists_and_searches_patients_and_it_is_audited(in_alfa, api, beta):
    client = api(in_alfa.admin)
    with schema_context(in_alfa.provider.schema_name):
        assert names(client.get(PATIENTS)) == ["Per Patient"]  # never beta's Olle
        assert names(client.get(PATIENTS, {"search": "olle"})) == []
        assert names(client.get(PATIENTS, {"search": "per"})) == ["Per Patient"]
        actions = AuditEvent.objects.filter(actor=in_alfa.admin).values_list("action", "subject")
        assert sorted(actions) == [
            ("patient.list", in_alfa.patient.pk),
            ("patient.search", in_alfa.patient.pk),
        ]


def test_clinician_lists_only_patients_invited_to_their_bookings(ready, api):
    klara = api(ready.clinician)
    assert names(klara.get(PATIENTS)) == []
    per = patient_spec(
        personnummer=ready.patient.personnummer, first_name="Per", last_name="Patient"
    )
    services.invite(
        actor=ready.clinician,
        clinician=ready.clinician,
        visit_type=ready.one_to_one,
        provider=ready.provider,
        patients=[per],
        starts_at=in_days(2),
    )
    assert names(klara.get(PATIENTS)) == ["Per Patient"]
    assert klara.get(f"{PATIENTS}{ready.patient.pk}/").status_code == 200
    kalle = api(ready.colleague)
    assert names(kalle.get(PATIENTS)) == []
    assert kalle.get(f"{PATIENTS}{ready.patient.pk}/").status_code == 404
    assert not AuditEvent.objects.exists()  # the audit log is for admins' access


def test_only_admins_add_or_edit_patients(in_alfa, api):
    client = api(in_alfa.clinician)
    assert client.post(PATIENTS, new_person()).status_code == 403
    assert client.patch(f"{PATIENTS}{in_alfa.patient.pk}/", {"first_name": "X"}).status_code == 403
    consent(in_alfa, in_alfa.patient)
    assert api(in_alfa.patient).get(PATIENTS).status_code == 403
    assert api(None).get(PATIENTS).status_code == 401


def test_admin_adds_a_patient(in_alfa, api):
    response = api(in_alfa.admin).post(PATIENTS, new_person(email="nora@example.se"))
    assert response.status_code == 201, response.content
    patient = User.objects.get(pk=response.json()["id"])
    assert patient.is_patient and not patient.is_clinician
    assert (patient.personnummer, patient.email) == (NEW_PERSONNUMMER, "nora@example.se")


def test_adding_a_patient_refuses_a_taken_personnummer(in_alfa, api):
    taken = new_person(personnummer=in_alfa.clinician.personnummer)
    response = api(in_alfa.admin).post(PATIENTS, taken)
    assert response.status_code == 400 and "personnummer" in response.json()
    assert "mobile" in api(in_alfa.admin).post(PATIENTS, new_person(mobile="")).json()


def test_admin_reads_and_edits_a_patient_and_it_is_audited(in_alfa, api):
    client = api(in_alfa.admin)
    path = f"{PATIENTS}{in_alfa.patient.pk}/"
    assert client.get(path).json()["personnummer"] == in_alfa.patient.personnummer
    response = client.patch(path, {"last_name": "Persson", "mobile": "0761234567"})
    assert response.status_code == 200
    assert (response.json()["last_name"], response.json()["mobile"]) == ("Persson", "+46761234567")
    taken = client.patch(path, {"personnummer": in_alfa.clinician.personnummer})
    assert "används redan" in taken.json()["personnummer"][0]
    actions = AuditEvent.objects.filter(subject=in_alfa.patient).values_list("action", flat=True)
    assert sorted(actions) == ["patient.detail", "patient.edit"]


def test_patient_lookups_are_404_for_staff_and_missing_ids(in_alfa, api):
    client = api(in_alfa.admin)
    assert client.get(f"{PATIENTS}{in_alfa.clinician.pk}/").status_code == 404
    assert client.patch(f"{PATIENTS}999999/", {"first_name": "X"}).status_code == 404


def test_page_and_api_offer_the_same_colleagues(ready, api):
    """Bjud in intern vårdpersonal: active clinicians and admins but oneself, on the page's
    form and in GET /api/v1/colleagues/ alike (accounts.access.colleagues)."""
    ada = add_staff_member(
        personnummer=personnummer("19830404", "044"),
        is_admin=True,
        is_clinician=False,
        first_name="Ada",
        last_name="Admin",
        mobile="+46701112233",
    )
    page = logged_in(ready.clinician, ready).get("/bokningar/kollega/")
    offered = [u.full_name for u in page.context["form"].fields["colleague"].queryset]
    listed = names(api(ready.clinician).get("/api/v1/colleagues/"))
    assert offered == listed == ["Ada Admin", "Alma Admin", "Kalle Kollega"]
    booking = services.invite(
        actor=ready.clinician,
        clinician=ready.clinician,
        visit_type=ready.one_to_one,
        provider=ready.provider,
        colleague=ada,
        starts_at=in_days(2),
    )
    assert booking.participants.get().user == ada  # the service takes whom the lists offer
