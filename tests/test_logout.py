""" "Logga ut" ends the user's sessions in every browser on that host, not only the one clicked
in: pages send the other browsers to the login page, the API refuses them. Other users and
other hosts are not touched."""

import pytest
from django_tenants.utils import schema_context

from tenant_apps.accounts.models import User
from tests.clients import PUBLIC, logged_in
from tests.login_support import HttpBrowser, Simulator


def test_logout_in_one_browser_ends_the_users_session_in_the_others(alfa):
    phone, laptop = (logged_in(alfa.clinician, alfa) for _ in range(2))
    assert laptop.get("/oversikt/").status_code == 200
    assert laptop.get("/api/v1/me/").status_code == 200

    logged_out = phone.post("/logout/")
    assert logged_out.status_code == 302 and logged_out["Location"] == "/login/"

    page = laptop.get("/oversikt/")
    assert page.status_code == 302 and page["Location"].startswith("/login/")
    api = laptop.get("/api/v1/me/")
    assert api.status_code in (401, 403) and "Location" not in api
    assert phone.get("/oversikt/").status_code == 302


def test_logout_leaves_other_users_logged_in(alfa):
    clinician = logged_in(alfa.clinician, alfa)
    admin = logged_in(alfa.admin, alfa)
    clinician.post("/logout/")
    assert admin.get("/oversikt/").status_code == 200


def test_the_user_can_log_in_again_after_logging_out_everywhere(alfa):
    schema = alfa.provider.schema_name
    phone = logged_in(alfa.clinician, alfa)
    phone.post("/logout/")
    with schema_context(schema):
        user = User.objects.get(pk=alfa.clinician.pk)
    again = logged_in(user, alfa)
    assert again.get("/oversikt/").status_code == 200


def test_operator_logout_on_the_public_host_ends_their_other_sessions(db):
    operator = User.objects.get(is_operator=True)
    first, second = (logged_in(operator, PUBLIC) for _ in range(2))
    assert second.get("/konsol/").status_code == 200
    first.post("/logout/")
    page = second.get("/konsol/")
    assert page.status_code == 302 and page["Location"].startswith("/login/")


@pytest.mark.server
def test_logout_ends_the_other_browsers_session_over_http(live_server_process, alfa):
    simulator = Simulator(live_server_process.port)
    phone, laptop = (HttpBrowser(live_server_process, "alfa") for _ in range(2))
    for each in (phone, laptop):
        assert each.login(alfa.colleague.personnummer, simulator)["state"] == "complete"
    assert laptop.http.get("/oversikt/").status_code == 200

    assert phone.http.post("/logout/", headers=phone.csrf()).status_code == 302

    page = laptop.http.get("/oversikt/")
    assert page.status_code == 302 and page.headers["location"].startswith("/login/")
    assert laptop.http.get("/api/v1/me/").status_code in (401, 403)
