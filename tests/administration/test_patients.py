"""Patienter in the administration tool, and the audit log of every view of their personal data
(manual 8: admins see patients' data; each view is logged)."""

import pytest
from django.urls import reverse
from django_tenants.utils import schema_context

from careplatform.validators import format_personnummer
from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditEvent
from tests.administration.helpers import field_errors, make_users
from tests.clients import logged_in
from tests.support import personnummer

NEW_PERSONNUMMER = personnummer("19950315", "095")


def new_patient(**overrides) -> dict:
    data = {
        "personnummer": format_personnummer(NEW_PERSONNUMMER),
        "first_name": "Pia",
        "last_name": "Patientsson",
        "mobile": "+46 76 123 45 67",
        "email": "",
        "language": "sv",
    }
    return {**data, **overrides}


def as_form(user, **overrides) -> dict:
    fields = ("personnummer", "first_name", "last_name", "mobile", "email", "language")
    return {**{name: getattr(user, name) for name in fields}, **overrides}


def names_on(response) -> set[str]:
    return {user.full_name for user in response.context["page"].object_list}


def events(cast) -> list[AuditEvent]:
    with schema_context(cast.provider.schema_name):
        return list(AuditEvent.objects.select_related("actor", "subject").order_by("pk"))


def users(cast) -> int:
    with schema_context(cast.provider.schema_name):
        return User.objects.count()


# -- list and search ---------------------------------------------------------------------------


def test_list_shows_patients_only(as_admin):
    assert names_on(as_admin.get(reverse("admin-patients"))) == {"Per Patient"}


def test_another_providers_patients_never_appear(as_admin, beta):
    assert names_on(as_admin.get(reverse("admin-patients"), {"q": "Olle"})) == set()
    assert (
        names_on(as_admin.get(reverse("admin-patients"), {"q": beta.patient.personnummer[2:8]}))
        == set()
    )


@pytest.mark.parametrize("typed", ["per", "Patient", "19900909", "900909-0", "070-222 33 44"])
def test_search_finds_a_patient_as_people_type_them(as_admin, typed):
    assert names_on(as_admin.get(reverse("admin-patients"), {"q": typed})) == {"Per Patient"}


def test_list_has_25_per_page(as_admin, alfa):
    make_users(alfa, 26, is_patient=True)  # 27 with Per
    assert len(as_admin.get(reverse("admin-patients")).context["page"].object_list) == 25
    second = as_admin.get(reverse("admin-patients"), {"sida": 2})
    assert len(second.context["page"].object_list) == 2


def test_a_page_past_the_end_shows_the_last_page(as_admin):
    assert names_on(as_admin.get(reverse("admin-patients"), {"sida": 99})) == {"Per Patient"}


# -- add and edit ------------------------------------------------------------------------------


def test_admin_adds_a_patient_by_hand(as_admin, alfa):
    response = as_admin.post(reverse("admin-patient-add"), new_patient())
    with schema_context(alfa.provider.schema_name):
        pia = User.objects.get(personnummer=NEW_PERSONNUMMER)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin-patient", args=[pia.pk])
    assert pia.is_patient and not (pia.is_admin or pia.is_clinician)
    assert pia.mobile == "+46761234567" and pia.full_name == "Pia Patientsson"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("personnummer", "19950315-0000", "Personnumret är inte giltigt"),
        ("personnummer", "20990101-0000", ""),
        ("personnummer", "19850505-0057", "Personnumret används redan av en annan användare."),
        ("mobile", "08-123 456 78", "Numret är inte ett mobilnummer"),
        ("mobile", "070-12", ""),
        ("email", "inte-en-adress", ""),
    ],
)
def test_bad_patient_input_is_shown_next_to_the_field_and_nothing_is_saved(
    as_admin, alfa, field, value, message
):
    before = users(alfa)
    response = as_admin.post(reverse("admin-patient-add"), new_patient(**{field: value}))
    errors = field_errors(response, field)
    assert errors and any(message in error for error in errors)
    assert users(alfa) == before


def test_admin_edits_a_patient(as_admin, alfa):
    data = as_form(alfa.patient, last_name="Persson", mobile="0765 43 21 09", language="en")
    response = as_admin.post(reverse("admin-patient-edit", args=[alfa.patient.pk]), data)
    assert response.status_code == 302
    with schema_context(alfa.provider.schema_name):
        per = User.objects.get(pk=alfa.patient.pk)
    assert (per.last_name, per.mobile, per.language) == ("Persson", "+46765432109", "en")


def test_edit_refuses_a_personnummer_already_used(as_admin, alfa):
    data = as_form(alfa.patient, personnummer=alfa.colleague.personnummer, first_name="X")
    response = as_admin.post(reverse("admin-patient-edit", args=[alfa.patient.pk]), data)
    assert field_errors(response, "personnummer") == [
        "Personnumret används redan av en annan användare."
    ]
    with schema_context(alfa.provider.schema_name):
        per = User.objects.get(pk=alfa.patient.pk)
    assert per.personnummer == alfa.patient.personnummer and per.first_name == "Per"


# -- what the admin saw is in the audit log ----------------------------------------------------


def test_detail_page_shows_the_patient_and_logs_the_view(as_admin, alfa):
    page = as_admin.get(reverse("admin-patient", args=[alfa.patient.pk])).content.decode()
    assert "Per Patient" in page and format_personnummer(alfa.patient.personnummer) in page
    [event] = events(alfa)
    assert (event.actor, event.subject, event.action) == (
        alfa.admin,
        alfa.patient,
        "patient.detail",
    )
    assert event.ip_address == "10.20.30.40" and event.created_at is not None


def test_opening_the_edit_form_logs_the_view(as_admin, alfa):
    as_admin.get(reverse("admin-patient-edit", args=[alfa.patient.pk]))
    assert [(e.subject, e.action) for e in events(alfa)] == [(alfa.patient, "patient.edit")]


def test_list_logs_one_event_per_patient_shown(as_admin, alfa):
    make_users(alfa, 30, is_patient=True)
    response = as_admin.get(reverse("admin-patients"))
    shown = list(response.context["page"].object_list)
    logged = events(alfa)
    assert len(logged) == 25
    assert {e.subject_id for e in logged} == {p.pk for p in shown}
    assert {(e.actor, e.action, e.ip_address) for e in logged} == {
        (alfa.admin, "patient.list", "10.20.30.40")
    }


def test_search_logs_the_patients_found(as_admin, alfa):
    as_admin.get(reverse("admin-patients"), {"q": "Per"})
    assert [(e.subject, e.action) for e in events(alfa)] == [(alfa.patient, "patient.search")]


def test_staff_pages_and_refusals_log_nothing(as_admin, alfa):
    as_admin.get(reverse("admin-staff"))
    as_admin.get(reverse("admin-patients"), {"q": "Zlatan"})
    logged_in(alfa.clinician, alfa).get(reverse("admin-patient", args=[alfa.patient.pk]))
    assert events(alfa) == []
