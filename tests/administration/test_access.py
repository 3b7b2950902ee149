"""Who may open the administration tool: admins of this provider only (manual 1 and 8)."""

import pytest
from django.urls import reverse
from django_tenants.utils import schema_context

from tenant_apps.accounts.models import User
from tests.clients import logged_in
from tests.support import personnummer

# url name, the object it needs (if any), the methods it answers
PAGES = [
    ("admin-tool", None, ["GET"]),
    ("admin-staff", None, ["GET"]),
    ("admin-staff-add", None, ["GET", "POST"]),
    ("admin-staff-edit", "staff", ["GET", "POST"]),
    ("admin-staff-deactivate", "staff", ["POST"]),
    ("admin-staff-activate", "staff", ["POST"]),
    ("admin-patients", None, ["GET"]),
    ("admin-patient-add", None, ["GET", "POST"]),
    ("admin-patient", "patient", ["GET"]),
    ("admin-patient-edit", "patient", ["GET", "POST"]),
    ("admin-settings", None, ["GET", "POST"]),
    ("admin-audit-log", None, ["GET"]),
    ("admin-audit-log-patient", "patient", ["GET"]),
]
PAGES_WITH_OBJECT = [page for page in PAGES if page[1]]
PAGES_TO_LOOK_AT = [page for page in PAGES if "GET" in page[2]]
ONLY_IN_BETA = 9000  # an id no user of alfa has


def url(name, kind, cast, pk=None):
    if kind is None:
        return reverse(name)
    if pk is None:
        pk = cast.clinician.pk if kind == "staff" else cast.patient.pk
    return reverse(name, kwargs={"pk": pk})


def request(browser, method, path):
    return browser.get(path) if method == "GET" else browser.post(path)


@pytest.mark.parametrize(("name", "kind", "methods"), PAGES_TO_LOOK_AT)
def test_admin_opens_every_page(as_admin, alfa, name, kind, methods):
    assert as_admin.get(url(name, kind, alfa)).status_code == 200


@pytest.mark.parametrize(("name", "kind", "methods"), PAGES)
def test_anonymous_visitor_is_sent_to_login(alfa, name, kind, methods):
    path = url(name, kind, alfa)
    response = request(logged_in(None, alfa), methods[0], path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/administration/")


@pytest.mark.parametrize("who", ["patient", "clinician", "colleague"])
@pytest.mark.parametrize(("name", "kind", "methods"), PAGES)
def test_patient_and_clinician_get_403(alfa, who, name, kind, methods):
    browser = logged_in(getattr(alfa, who), alfa)
    for method in methods:
        response = request(browser, method, url(name, kind, alfa))
        assert response.status_code == 403
        assert "Ingen behörighet" in response.content.decode()


def test_403_changes_nothing(alfa):
    logged_in(alfa.clinician, alfa).post(
        reverse("admin-staff-deactivate", args=[alfa.colleague.pk])
    )
    with schema_context(alfa.provider.schema_name):
        assert User.objects.get(pk=alfa.colleague.pk).is_active


@pytest.mark.parametrize(("name", "kind", "methods"), PAGES)
def test_wrong_method_is_405(as_admin, alfa, name, kind, methods):
    path = url(name, kind, alfa)
    wrong = "GET" if methods == ["POST"] else "POST" if methods == ["GET"] else "DELETE"
    response = as_admin.delete(path) if wrong == "DELETE" else request(as_admin, wrong, path)
    assert response.status_code == 405


@pytest.mark.parametrize(("name", "kind", "methods"), PAGES_WITH_OBJECT)
def test_missing_object_is_404(as_admin, alfa, name, kind, methods):
    response = request(as_admin, methods[0], url(name, kind, alfa, pk=123456))
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()


@pytest.mark.parametrize(("name", "kind", "methods"), PAGES_WITH_OBJECT)
def test_user_of_another_provider_is_404(as_admin, alfa, beta, name, kind, methods):
    with schema_context(beta.provider.schema_name):
        User.objects.create_user(
            personnummer("19920202", "092"),
            "Berit",
            "Betaspersson",
            pk=ONLY_IN_BETA,
            is_patient=True,
            is_clinician=True,
        )
    response = request(as_admin, methods[0], url(name, kind, alfa, pk=ONLY_IN_BETA))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "kind"),
    [("admin-staff-edit", "patient"), ("admin-patient", "staff"), ("admin-patient-edit", "staff")],
)
def test_patient_is_not_staff_and_staff_is_not_a_patient(as_admin, alfa, name, kind):
    # Each page finds only its kind of user: a patient's id on a staff page is a 404.
    pk = alfa.patient.pk if kind == "patient" else alfa.clinician.pk
    assert as_admin.get(reverse(name, kwargs={"pk": pk})).status_code == 404


def test_admin_tool_is_in_the_menu_for_admins_only(alfa):
    admin_page = logged_in(alfa.admin, alfa).get(reverse("overview")).content.decode()
    assert 'href="/administration/"' in admin_page
    clinician_page = logged_in(alfa.clinician, alfa).get(reverse("overview")).content.decode()
    assert 'href="/administration/"' not in clinician_page


def test_start_page_links_every_part_with_counts(as_admin, alfa):
    response = as_admin.get(reverse("admin-tool"))
    assert response.context["counts"] == {"staff": 3, "patients": 1, "events": 0}
    page = response.content.decode()
    for name in ["admin-staff", "admin-patients", "admin-settings", "admin-audit-log"]:
        assert f'href="{reverse(name)}"' in page
