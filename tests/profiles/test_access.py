"""Who may open Min profil: clinicians only (manual 2). Everyone else logs in or gets 403;
each page answers only its own methods."""

import pytest

from tenant_apps.profiles import services
from tests.clients import logged_in
from tests.profiles.support import in_schema, new_user

GET_PAGES = [
    "/min-profil/",
    "/min-profil/konsultation/",
    "/min-profil/bilder/",
    "/min-profil/bokningsbara-besok/",
    "/min-profil/bokningsbara-besok/nytt/",
    "/min-profil/bokningsbara-besok/{pk}/",
    "/min-profil/bokningsfunktion/",
]
POST_ONLY = ["/min-profil/bilder/ta-bort/", "/min-profil/bokningsbara-besok/{pk}/aktiv/"]


@pytest.fixture
def pk(alfa) -> int:
    visit_type = in_schema(
        alfa,
        services.create_visit_type,
        alfa.clinician,
        title="Återbesök",
        duration_minutes=20,
        kind="video",
    )
    return visit_type.pk


@pytest.mark.parametrize("path", GET_PAGES)
def test_clinician_opens_every_page(as_clinician, pk, path):
    assert as_clinician.get(path.format(pk=pk)).status_code == 200


@pytest.mark.parametrize("path", GET_PAGES + POST_ONLY)
def test_visitor_who_is_not_logged_in_is_sent_to_login(alfa, pk, path):
    response = logged_in(None, alfa).get(path.format(pk=pk))
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("path", GET_PAGES + POST_ONLY)
def test_patient_gets_403(alfa, pk, path):
    patient = logged_in(alfa.patient, alfa)
    response = patient.post(path.format(pk=pk))
    assert response.status_code == 403
    assert "Ingen behörighet" in response.content.decode()


@pytest.mark.parametrize("path", GET_PAGES + POST_ONLY)
def test_admin_without_the_clinician_role_gets_403(alfa, pk, path):
    admin_only = new_user(alfa, "Adam", "301", is_admin=True)
    assert logged_in(admin_only, alfa).get(path.format(pk=pk)).status_code == 403


@pytest.mark.parametrize("path", GET_PAGES)
def test_get_pages_refuse_other_methods(as_clinician, pk, path):
    assert as_clinician.generic("DELETE", path.format(pk=pk)).status_code == 405


@pytest.mark.parametrize("path", ["/min-profil/", "/min-profil/bokningsbara-besok/"])
def test_read_only_pages_refuse_post(as_clinician, path):
    assert as_clinician.post(path).status_code == 405


@pytest.mark.parametrize("path", POST_ONLY)
def test_actions_refuse_get(as_clinician, pk, path):
    assert as_clinician.get(path.format(pk=pk)).status_code == 405


def test_menu_offers_min_profil_to_clinicians_only(alfa):
    assert (
        'href="/min-profil/"' in logged_in(alfa.clinician, alfa).get("/oversikt/").content.decode()
    )
    admin_only = new_user(alfa, "Adam", "301", is_admin=True)
    assert (
        'href="/min-profil/"' not in logged_in(admin_only, alfa).get("/oversikt/").content.decode()
    )
