"""What an invite may do to the provider's users, through "Bjud in till besök" and "Bjud in
intern vårdpersonal": create a patient or attach an existing one, never change a staff user,
and change an existing patient's name or mobile only when an admin invites (audited)."""

import pytest

from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditEvent
from tenant_apps.bookings.models import Booking, BookingEvent
from tests.bookings.helpers import in_days, person
from tests.bookings.test_views import invite_form
from tests.clients import logged_in

STAFF_REFUSED = "tillhör någon i vårdgivarens personal"


def stored() -> tuple[int, int, int, int]:
    return (
        Booking.objects.count(),
        BookingEvent.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
    )


def impostor(cast, user, n: int = 1) -> dict:
    """Patient row `n` of the form with `user`'s personnummer and somebody else's details."""
    return {
        f"personnummer_{n}": user.personnummer,
        f"first_name_{n}": "Falsk",
        f"last_name_{n}": "Identitet",
        f"mobile_{n}": "073-999 88 77",
    }


@pytest.mark.parametrize("who", ["admin", "colleague"])
def test_a_staff_members_personnummer_is_refused_and_nothing_changes(ready, who):
    staff = getattr(ready, who)
    before, was = stored(), person(staff)
    response = logged_in(ready.clinician, ready).post(
        "/bokningar/ny/", invite_form(ready, **impostor(ready, staff))
    )
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["personnummer_1"])
    assert STAFF_REFUSED in errors and "Bjud in intern vårdpersonal" in errors
    assert STAFF_REFUSED in response.text
    assert stored() == before and person(staff) == was


def test_the_admin_is_not_sent_to_the_patients_consent_page_afterwards(ready):
    logged_in(ready.clinician, ready).post(
        "/bokningar/ny/", invite_form(ready, **impostor(ready, ready.admin))
    )
    assert logged_in(ready.admin, ready).get("/oversikt/").status_code == 200


def test_a_staff_personnummer_as_the_second_patient_is_named_on_its_row(ready):
    form = invite_form(ready, visit_type=ready.group.pk, **impostor(ready, ready.colleague, n=2))
    before = stored()
    response = logged_in(ready.clinician, ready).post("/bokningar/ny/", form)
    errors = response.context["form"].errors
    assert STAFF_REFUSED in " ".join(errors["personnummer_2"]) and "personnummer_1" not in errors
    assert stored() == before  # the first patient is not created either


def test_an_admin_cannot_invite_staff_as_patients_either(ready):
    before, was = stored(), person(ready.colleague)
    response = logged_in(ready.admin, ready).post(
        "/bokningar/ny/", invite_form(ready, **impostor(ready, ready.colleague))
    )
    assert STAFF_REFUSED in " ".join(response.context["form"].errors["personnummer_1"])
    assert stored() == before and person(ready.colleague) == was


def test_clinician_inviting_another_clinicians_patient_keeps_the_stored_details(
    ready, kalles_patient
):
    per, was = kalles_patient, person(kalles_patient)
    client = logged_in(ready.clinician, ready)
    response = client.post(
        "/bokningar/ny/", invite_form(ready, **impostor(ready, per)), follow=True
    )
    booking = Booking.objects.get(clinician=ready.clinician)
    assert response.redirect_chain == [(f"/bokningar/{booking.pk}/", 302)]
    assert booking.participants.get().user == per and person(per) == was
    assert "Per Patient" in response.text and "Falsk" not in response.text
    assert "finns redan som patient hos vårdgivaren" in response.text
    assert "sparade uppgifterna" in response.text
    assert not AuditEvent.objects.exists()


def test_no_notice_when_the_details_entered_are_the_stored_ones(ready, kalles_patient):
    per = kalles_patient
    same = {
        "personnummer_1": per.personnummer,
        "first_name_1": per.first_name,
        "last_name_1": per.last_name,
        "mobile_1": "070-222 33 44",
    }
    response = logged_in(ready.clinician, ready).post(
        "/bokningar/ny/", invite_form(ready, **same), follow=True
    )
    assert "Inbjudan är skickad." in response.text
    assert "sparade uppgifterna" not in response.text


def test_admin_inviting_an_existing_patient_changes_the_details_and_it_is_audited(
    ready, kalles_patient
):
    per = kalles_patient
    client = logged_in(ready.admin, ready)
    response = client.post(
        "/bokningar/ny/",
        invite_form(ready, **impostor(ready, per)),
        REMOTE_ADDR="192.0.2.44",
        follow=True,
    )
    booking = Booking.objects.get(clinician=ready.clinician)
    assert booking.participants.get().user == per
    assert person(per) == ("Falsk", "Identitet", "+46739998877", False, False, True)
    assert "sparade uppgifterna" not in response.text
    [event] = AuditEvent.objects.all()
    assert (event.actor, event.subject, event.action, event.ip_address) == (
        ready.admin,
        per,
        "patient.invite_change",
        "192.0.2.44",
    )
    log = client.get(f"/administration/granskningslogg/patient/{per.pk}/")
    assert "Ändrade patientens namn eller mobilnummer i en inbjudan" in log.text


def test_a_refused_admin_invite_leaves_the_patient_and_the_audit_log_alone(ready, kalles_patient):
    """A change is part of the booking's transaction: an overlapping time undoes both."""
    per, was = kalles_patient, person(kalles_patient)
    client = logged_in(ready.admin, ready)
    assert client.post("/bokningar/ny/", invite_form(ready)).status_code == 302
    response = client.post("/bokningar/ny/", invite_form(ready, **impostor(ready, per)))
    assert "krockar" in " ".join(response.context["form"].errors["time"])
    assert person(per) == was and not AuditEvent.objects.exists()


def test_colleague_test_visit_changes_nobody(ready):
    was = person(ready.colleague)
    when = in_days(3)
    form = {
        "colleague": ready.colleague.pk,
        "visit_type": ready.one_to_one.pk,
        "date": when.date().isoformat(),
        "time": "10:00",
    }
    client = logged_in(ready.clinician, ready)
    assert client.post("/bokningar/kollega/", form).status_code == 302
    assert person(ready.colleague) == was
    # A patient is not a colleague: the form offers staff only.
    patient_was = person(ready.patient)
    response = client.post("/bokningar/kollega/", {**form, "colleague": ready.patient.pk})
    assert response.status_code == 400 and "colleague" in response.context["form"].errors
    assert person(ready.patient) == patient_was
