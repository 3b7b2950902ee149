"""Admins on a provider's console page: names and masked numbers only, and a first admin again
when none is left, who gets the login link by SMS."""

import uuid

import pytest
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context

from careplatform.sms.models import OutboxMessage
from careplatform.validators import format_personnummer
from tenant_apps.accounts.models import User
from tenants import console
from tenants.models import CareProvider, OperatorActionKind, ProviderStatus
from tests.console.helpers import OPERATOR_IP, field_error, log_rows, operator_client, page
from tests.support import personnummer

NEW_ADMIN = {
    "personnummer": personnummer("19750303", "303"),
    "admin_name": "Nora Nyadmin",
    "mobile": "070-765 43 21",
}


def _no_active_admin(alfa) -> None:
    with schema_context(alfa.schema_name):
        User.objects.filter(is_admin=True).update(is_active=False)


def _admins(alfa) -> list[tuple[str, bool, bool]]:
    with schema_context(alfa.schema_name):
        return list(
            User.objects.filter(is_admin=True)
            .order_by("first_name")
            .values_list("first_name", "is_active", "is_clinician")
        )


def _run_now(path: str, *args) -> None:
    """The job, run here instead of by a worker."""
    import_string(path)(*args)


def test_the_page_lists_admins_by_name_with_a_masked_number_and_no_personnummer(alfa, operator):
    html = operator_client(operator).get(page("alfa")).content.decode()

    assert "Alma Admin" in html
    assert "070-*** ** 33" in html
    for hidden in (alfa.admin.personnummer, format_personnummer(alfa.admin.personnummer),
                   alfa.admin.personnummer[2:8], "070-111 22 33", "+46701112233"):  # fmt: skip
        assert hidden not in html
    assert "Lägg till administratör" not in html


def test_while_an_admin_is_active_adding_one_is_refused(alfa, operator):
    response = operator_client(operator).post(page("alfa", "administratorer/"), NEW_ADMIN)

    assert response.status_code == 400
    assert "Vårdgivaren har redan en administratör" in response.content.decode()
    assert _admins(alfa) == [("Alma", True, True)]
    assert log_rows(alfa.provider) == []


def test_when_no_admin_is_left_the_page_offers_to_add_one(alfa, operator):
    _no_active_admin(alfa)

    html = operator_client(operator).get(page("alfa")).content.decode()

    assert "Lägg till administratör" in html
    assert "Inaktiv" in html


def test_an_added_admin_is_in_the_providers_schema_and_in_the_log(
    alfa, operator, django_capture_on_commit_callbacks
):
    _no_active_admin(alfa)

    with django_capture_on_commit_callbacks() as after_commit:
        response = operator_client(operator).post(page("alfa", "administratorer/"), NEW_ADMIN)

    assert response.status_code == 302
    assert _admins(alfa) == [("Alma", False, True), ("Nora", True, True)]
    [row] = log_rows(alfa.provider)
    assert (row.action, row.after, row.ip_address) == (
        OperatorActionKind.ADMIN_ADDED,
        {"admin": "Nora Nyadmin"},
        OPERATOR_IP,
    )
    assert NEW_ADMIN["personnummer"] not in str(row.after)
    assert len(after_commit) == 1  # the SMS job, queued once the admin exists
    followed = operator_client(operator).get(page("alfa")).content.decode()
    assert "Nora Nyadmin" in followed
    assert "Lägg till administratör" not in followed


def test_the_added_admin_gets_one_sms_with_the_login_link(
    alfa, operator, django_capture_on_commit_callbacks
):
    _no_active_admin(alfa)
    before = OutboxMessage.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        console.add_first_admin(
            alfa.provider, personnummer=NEW_ADMIN["personnummer"], name="Nora Nyadmin",
            mobile="0707654321", actor=operator, ip_address=OPERATOR_IP, enqueue=_run_now,
        )  # fmt: skip

    [sms] = OutboxMessage.objects.order_by("id")[before:]
    assert (sms.to, sms.sender, sms.provider_id) == ("+46707654321", "CarePlatfrm", "t_alfa")
    assert sms.text == (
        "Du är administratör för Vårdcentralen Alfa i CarePlatform. "
        f"Logga in med BankID: {console.admin_login_url(alfa.provider)}"
    )
    assert console.admin_login_url(alfa.provider).endswith("alfa.localhost/login/")


def test_the_sms_job_run_twice_sends_once(alfa, operator):
    _no_active_admin(alfa)
    with schema_context(alfa.schema_name):
        alma = User.objects.get(first_name="Alma")
        User.objects.filter(pk=alma.pk).update(is_active=True)
    before = OutboxMessage.objects.count()
    token = uuid.uuid4().hex

    first = console.send_admin_login_sms(alfa.schema_name, alma.pk, token)
    second = console.send_admin_login_sms(alfa.schema_name, alma.pk, token)

    assert (first, second) == (True, False)
    assert OutboxMessage.objects.count() == before + 1


def test_someone_already_at_the_provider_becomes_its_admin_again(alfa, operator):
    _no_active_admin(alfa)
    again = {**NEW_ADMIN, "personnummer": alfa.admin.personnummer, "admin_name": "Alma Admin"}

    response = operator_client(operator).post(page("alfa", "administratorer/"), again)

    assert response.status_code == 302
    assert _admins(alfa) == [("Alma", True, True)]
    with schema_context(alfa.schema_name):
        assert User.objects.get(first_name="Alma").mobile == "+46707654321"


def test_a_suspended_provider_gets_no_admin(alfa, operator):
    _no_active_admin(alfa)
    CareProvider.objects.filter(pk=alfa.provider.pk).update(status=ProviderStatus.SUSPENDED)

    response = operator_client(operator).post(page("alfa", "administratorer/"), NEW_ADMIN)

    assert response.status_code == 400
    assert "Vårdgivaren är inte aktiv" in response.content.decode()
    assert _admins(alfa) == [("Alma", False, True)]
    assert log_rows(alfa.provider) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("personnummer", "19750303-3030", "Personnumret är inte giltigt"),
        ("personnummer", "", "Ange personnumret med 10 eller 12 siffror"),
        ("admin_name", "Nora", "Ange administratörens för- och efternamn."),
        ("mobile", "08-123 456 78", "Numret är inte ett mobilnummer"),
        ("mobile", "", "Ange ett mobilnummer, t.ex. 070-123 45 67."),
    ],
)
def test_a_refused_admin_field_is_named_and_nothing_changes(alfa, operator, field, value, message):
    _no_active_admin(alfa)

    response = operator_client(operator).post(
        page("alfa", "administratorer/"), {**NEW_ADMIN, field: value}
    )

    assert response.status_code == 400
    assert field_error(response.content.decode(), field).startswith(message)
    assert _admins(alfa) == [("Alma", False, True)]
    assert log_rows(alfa.provider) == []
