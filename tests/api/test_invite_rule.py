"""What an invite may do to the provider's users through POST /api/v1/bookings/: the same rule
as the page (bookings.services._match_patient). A staff member's personnummer is refused with
the patient's field named; an existing patient keeps the stored name and mobile unless an admin
invites, and then the change is audited."""

import pytest

from tenant_apps.audit.models import AuditEvent
from tests.api.helpers import consent
from tests.api.test_bookings import BOOKINGS, invite_body, patient_json, stored
from tests.bookings.helpers import person

STAFF_REFUSED = "tillhör någon i vårdgivarens personal"


def impostor(user) -> dict:
    return patient_json(
        personnummer=user.personnummer,
        first_name="Falsk",
        last_name="Identitet",
        mobile="073-999 88 77",
    )


@pytest.mark.parametrize("who", ["admin", "colleague"])
def test_a_staff_members_personnummer_is_refused_and_nothing_changes(ready, api, who):
    staff = getattr(ready, who)
    before, was = stored(), person(staff)
    response = api(ready.clinician).post(BOOKINGS, invite_body(ready, patients=[impostor(staff)]))
    assert response.status_code == 400, response.content
    assert STAFF_REFUSED in " ".join(response.json()["patients"]["0"]["personnummer"])
    assert stored() == before and person(staff) == was
    assert not AuditEvent.objects.exists()


def test_the_refused_patient_is_named_by_its_place(ready, api):
    patients = [patient_json(1), impostor(ready.colleague)]
    before = stored()
    response = api(ready.admin).post(
        BOOKINGS, invite_body(ready, visit_type=ready.group.pk, patients=patients)
    )
    assert response.status_code == 400
    assert list(response.json()) == ["patients"]
    assert list(response.json()["patients"]) == ["1"]
    assert stored() == before


def test_clinician_inviting_another_clinicians_patient_keeps_the_stored_details(
    ready, api, kalles_patient
):
    per, was = kalles_patient, person(kalles_patient)
    response = api(ready.clinician).post(BOOKINGS, invite_body(ready, patients=[impostor(per)]))
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(p["user"], p["name"]) for p in body["participants"]] == [(per.pk, "Per Patient")]
    [notice] = body["notices"]
    assert "finns redan som patient" in notice and "sparade uppgifterna" in notice
    assert person(per) == was and not AuditEvent.objects.exists()
    consent(ready, per)  # the SMS and the page use the stored mobile and name
    assert api(per).get(f"{BOOKINGS}{body['id']}/").status_code == 200


def test_admin_inviting_an_existing_patient_changes_the_details_and_it_is_audited(
    ready, api, kalles_patient
):
    per = kalles_patient
    response = api(ready.admin).post(
        BOOKINGS,
        invite_body(ready, patients=[impostor(per)]),
        REMOTE_ADDR="192.0.2.45",
    )
    assert response.status_code == 201, response.content
    assert response.json()["notices"] == []
    assert response.json()["clinician"]["id"] == ready.clinician.pk
    assert person(per) == ("Falsk", "Identitet", "+46739998877", False, False, True)
    [event] = AuditEvent.objects.all()
    assert (event.actor, event.subject, event.action, event.ip_address) == (
        ready.admin,
        per,
        "patient.invite_change",
        "192.0.2.45",
    )


def test_a_new_patient_gets_no_notice(ready, api):
    response = api(ready.clinician).post(BOOKINGS, invite_body(ready))
    assert response.status_code == 201 and response.json()["notices"] == []


def test_colleague_test_visit_changes_nobody(ready, api):
    was = person(ready.colleague)
    client = api(ready.clinician)
    response = client.post(BOOKINGS, invite_body(ready, patients=[], colleague=ready.colleague.pk))
    assert response.status_code == 201, response.content
    assert person(ready.colleague) == was
    before, patient_was = stored(), person(ready.patient)
    response = client.post(BOOKINGS, invite_body(ready, patients=[], colleague=ready.patient.pk))
    assert response.status_code == 400 and "colleague" in response.json()
    assert stored() == before and person(ready.patient) == patient_was
