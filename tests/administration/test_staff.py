"""Vårdpersonal in the administration tool: list, search, add, edit, deactivate (manual 1)."""

import pytest
from django.urls import reverse
from django_tenants.utils import schema_context

from careplatform.validators import format_personnummer
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import find_login_account
from tests.administration.helpers import field_errors, make_users
from tests.clients import logged_in
from tests.support import personnummer

NEW_PERSONNUMMER = personnummer("19880808", "088")


def new_staff(**overrides) -> dict:
    data = {
        "personnummer": format_personnummer(NEW_PERSONNUMMER),
        "first_name": "Nina",
        "last_name": "Nyanställd",
        "mobile": "070-555 66 77",
        "email": "nina@example.se",
        "language": "en",
        "roles": ["clinician"],
    }
    return {**data, **overrides}


def edited(user, **overrides) -> dict:
    roles = [r for r, on in (("admin", user.is_admin), ("clinician", user.is_clinician)) if on]
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "mobile": user.mobile,
        "email": user.email,
        "language": user.language,
        "roles": roles,
    }
    return {**data, **overrides}


def names_on(response) -> set[str]:
    return {user.full_name for user in response.context["page"].object_list}


def reload(cast, user) -> User:
    with schema_context(cast.provider.schema_name):
        return User.objects.get(pk=user.pk)


def staff_count(cast) -> int:
    with schema_context(cast.provider.schema_name):
        return User.objects.count()


# -- list and search ---------------------------------------------------------------------------


def test_list_shows_admins_and_clinicians_but_not_patients(as_admin):
    response = as_admin.get(reverse("admin-staff"))
    assert names_on(response) == {"Alma Admin", "Klara Kliniker", "Kalle Kollega"}
    assert "Per Patient" not in response.content.decode()


def test_list_never_shows_another_providers_users(as_admin, beta):
    assert "Bert Admin" not in names_on(as_admin.get(reverse("admin-staff")))
    assert names_on(as_admin.get(reverse("admin-staff"), {"q": "Bert"})) == set()
    personnummer = format_personnummer(beta.admin.personnummer)
    assert names_on(as_admin.get(reverse("admin-staff"), {"q": personnummer})) == set()


@pytest.mark.parametrize(
    "typed",
    [
        "klara",
        "KLINIKER",
        "Klara Kliniker",
        "19850505-0057",
        "198505050057",
        "850505-0057",
        "850505",
        "8505050057",
    ],
)
def test_search_finds_a_clinician_as_people_type_them(as_admin, alfa, typed):
    assert alfa.clinician.personnummer == "198505050057"
    assert names_on(as_admin.get(reverse("admin-staff"), {"q": typed})) == {"Klara Kliniker"}


@pytest.mark.parametrize("typed", ["070-111 22 33", "0701112233", "+46 70 111 22 33", "1112233"])
def test_search_finds_by_mobile_number(as_admin, typed):
    assert names_on(as_admin.get(reverse("admin-staff"), {"q": typed})) == {"Alma Admin"}


def test_search_with_no_match_says_so(as_admin):
    response = as_admin.get(reverse("admin-staff"), {"q": "Zlatan"})
    assert names_on(response) == set()
    assert "Ingen vårdpersonal matchar sökningen." in response.content.decode()


def test_list_has_25_per_page(as_admin, alfa):
    make_users(alfa, 30, is_clinician=True)  # 33 with the cast
    first = as_admin.get(reverse("admin-staff"))
    assert len(first.context["page"].object_list) == 25
    assert "Sida 1 av 2" in first.content.decode() and "sida=2" in first.content.decode()
    second = as_admin.get(reverse("admin-staff"), {"sida": "2"})
    assert len(second.context["page"].object_list) == 8


def test_search_keeps_its_query_across_pages(as_admin, alfa):
    make_users(alfa, 30, is_clinician=True)
    page = as_admin.get(reverse("admin-staff"), {"q": "Testsson"}).content.decode()
    assert "?q=Testsson&amp;sida=2" in page


# -- add ---------------------------------------------------------------------------------------


def test_admin_adds_a_clinician(as_admin, alfa):
    response = as_admin.post(reverse("admin-staff-add"), new_staff())
    with schema_context(alfa.provider.schema_name):
        nina = User.objects.get(personnummer=NEW_PERSONNUMMER)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin-staff-edit", args=[nina.pk])
    assert (nina.first_name, nina.last_name, nina.email) == (
        "Nina",
        "Nyanställd",
        "nina@example.se",
    )
    assert nina.mobile == "+46705556677" and nina.language == "en"
    assert nina.is_clinician and not nina.is_admin and not nina.is_patient and nina.is_active
    assert not nina.has_usable_password()  # BankID only
    with schema_context(alfa.provider.schema_name):
        assert find_login_account(NEW_PERSONNUMMER, public_host=False) == nina


def test_admin_adds_another_admin(as_admin, alfa):
    as_admin.post(reverse("admin-staff-add"), new_staff(roles=["admin", "clinician"]))
    with schema_context(alfa.provider.schema_name):
        nina = User.objects.get(personnummer=NEW_PERSONNUMMER)
    assert nina.is_admin and nina.is_clinician


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("personnummer", "19880808-0000", "Personnumret är inte giltigt"),
        ("personnummer", "8808", "Ange personnumret med 10 eller 12 siffror"),
        ("personnummer", "19850505-0057", "Personnumret används redan av en annan användare."),
        ("mobile", "08-123 456 78", "Numret är inte ett mobilnummer"),
        ("mobile", "hej", "Ange ett mobilnummer"),
        ("roles", [], "Välj minst en roll: administratör eller vårdpersonal."),
        ("first_name", "", ""),  # Django's "required", in whatever words the locale has
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(
    as_admin, alfa, field, value, message
):
    before = staff_count(alfa)
    response = as_admin.post(reverse("admin-staff-add"), new_staff(**{field: value}))
    assert any(message in error for error in field_errors(response, field))
    assert staff_count(alfa) == before


def test_personnummer_of_a_patient_is_taken_too(as_admin, alfa):
    personnummer = format_personnummer(alfa.patient.personnummer)
    response = as_admin.post(reverse("admin-staff-add"), new_staff(personnummer=personnummer))
    assert field_errors(response, "personnummer") == [
        "Personnumret används redan av en annan användare."
    ]


def test_personnummer_used_at_another_provider_is_free_here(as_admin, alfa, beta):
    personnummer = format_personnummer(beta.admin.personnummer)
    assert (
        as_admin.post(reverse("admin-staff-add"), new_staff(personnummer=personnummer)).status_code
        == 302
    )


# -- edit --------------------------------------------------------------------------------------


def test_admin_edits_a_clinician(as_admin, alfa):
    data = edited(alfa.clinician, last_name="Klinikersson", mobile="0733 44 55 66", roles=["admin"])
    response = as_admin.post(reverse("admin-staff-edit", args=[alfa.clinician.pk]), data)
    assert response.status_code == 302
    klara = reload(alfa, alfa.clinician)
    assert klara.last_name == "Klinikersson" and klara.mobile == "+46733445566"
    assert klara.is_admin and not klara.is_clinician
    assert klara.personnummer == alfa.clinician.personnummer


def test_edit_refuses_a_landline(as_admin, alfa):
    url = reverse("admin-staff-edit", args=[alfa.clinician.pk])
    response = as_admin.post(url, edited(alfa.clinician, mobile="08-123 456 78"))
    assert field_errors(response, "mobile")
    assert reload(alfa, alfa.clinician).mobile == "+46702223344"


def test_edit_refuses_no_role(as_admin, alfa):
    url = reverse("admin-staff-edit", args=[alfa.clinician.pk])
    response = as_admin.post(url, edited(alfa.clinician, roles=[]))
    assert field_errors(response, "roles") == [
        "Välj minst en roll: administratör eller vårdpersonal."
    ]
    assert reload(alfa, alfa.clinician).is_clinician


def test_last_admin_cannot_lose_the_admin_role(as_admin, alfa):
    url = reverse("admin-staff-edit", args=[alfa.admin.pk])
    response = as_admin.post(url, edited(alfa.admin, roles=["clinician"], first_name="Ändrad"))
    assert field_errors(response, "roles") == [
        "Vårdenheten måste ha minst en aktiv administratör. Utse en annan först."
    ]
    alma = reload(alfa, alfa.admin)
    assert alma.is_admin and alma.first_name == "Alma"


def test_admin_role_can_move_once_there_is_another_admin(as_admin, alfa):
    klara = edited(alfa.clinician, roles=["admin", "clinician"])
    as_admin.post(reverse("admin-staff-edit", args=[alfa.clinician.pk]), klara)
    alma = edited(alfa.admin, roles=["clinician"])
    assert as_admin.post(reverse("admin-staff-edit", args=[alfa.admin.pk]), alma).status_code == 302
    assert not reload(alfa, alfa.admin).is_admin


# -- deactivate and activate -------------------------------------------------------------------


def test_deactivated_clinician_cannot_log_in_and_keeps_their_history(as_admin, alfa):
    url = reverse("admin-staff-deactivate", args=[alfa.clinician.pk])
    response = as_admin.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin-staff-edit", args=[alfa.clinician.pk])
    klara = reload(alfa, alfa.clinician)
    assert not klara.is_active and klara.is_clinician  # the account and its history stay
    with schema_context(alfa.provider.schema_name):
        assert find_login_account(klara.personnummer, public_host=False) is None
    page = as_admin.get(reverse("admin-staff-edit", args=[klara.pk])).content.decode()
    assert "inaktiverad och kan inte längre logga in" in page and "Aktivera" in page


def test_deactivation_ends_the_clinicians_open_session(as_admin, alfa):
    klara = logged_in(alfa.clinician, alfa)
    assert klara.get(reverse("overview")).status_code == 200
    as_admin.post(reverse("admin-staff-deactivate", args=[alfa.clinician.pk]))
    response = klara.get(reverse("overview"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_admin_activates_a_clinician_again(as_admin, alfa):
    as_admin.post(reverse("admin-staff-deactivate", args=[alfa.clinician.pk]))
    response = as_admin.post(reverse("admin-staff-activate", args=[alfa.clinician.pk]))
    assert response.status_code == 302
    assert reload(alfa, alfa.clinician).is_active


def test_last_active_admin_cannot_be_deactivated(as_admin, alfa):
    response = as_admin.post(reverse("admin-staff-deactivate", args=[alfa.admin.pk]))
    assert response.status_code == 200
    message = "Vårdenheten måste ha minst en aktiv administratör. Utse en annan först."
    assert [message] == response.context["status_errors"]
    assert message in response.content.decode()
    assert reload(alfa, alfa.admin).is_active


def test_an_admin_can_be_deactivated_when_another_is_active(as_admin, alfa):
    make_users(alfa, 1, is_admin=True)
    assert as_admin.post(reverse("admin-staff-deactivate", args=[alfa.admin.pk])).status_code == 302
    assert not reload(alfa, alfa.admin).is_active
