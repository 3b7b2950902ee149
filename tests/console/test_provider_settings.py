"""The settings an operator owns on a provider's page: name, organisationsnummer, SMS sender."""

import pytest

from tenants.models import CareProvider, OperatorActionKind
from tests.console.helpers import OPERATOR_IP, field_error, log_rows, operator_client, page

VALID = {
    "name": "Vårdcentralen Alfa Norr",
    "org_number": "5566778899",
    "sms_sender_name": "AlfaNorr",
}


def test_a_change_is_saved_with_one_log_row_saying_before_and_after(alfa, operator):
    response = operator_client(operator).post(page("alfa", "installningar/"), VALID)

    assert response.status_code == 302
    provider = CareProvider.objects.get(pk=alfa.provider.pk)
    assert (provider.name, provider.org_number, provider.sms_sender_name) == (
        "Vårdcentralen Alfa Norr",
        "556677-8899",
        "AlfaNorr",
    )
    [row] = log_rows(alfa.provider)
    assert row.action == OperatorActionKind.SETTINGS
    assert (row.actor_id, row.ip_address) == (operator.pk, OPERATOR_IP)
    assert row.before == {
        "name": "Vårdcentralen Alfa",
        "org_number": "",
        "sms_sender_name": "CarePlatfrm",
    }
    assert row.after == {
        "name": "Vårdcentralen Alfa Norr",
        "org_number": "556677-8899",
        "sms_sender_name": "AlfaNorr",
    }


def test_the_log_row_names_only_what_changed(alfa, operator):
    operator_client(operator).post(
        page("alfa", "installningar/"),
        {"name": "Vårdcentralen Alfa", "org_number": "", "sms_sender_name": "AlfaVard"},
    )

    [row] = log_rows(alfa.provider)
    assert (row.before, row.after) == (
        {"sms_sender_name": "CarePlatfrm"},
        {"sms_sender_name": "AlfaVard"},
    )


def test_a_submit_that_changes_nothing_writes_nothing(alfa, operator):
    unchanged = {"name": "Vårdcentralen Alfa", "org_number": "", "sms_sender_name": "CarePlatfrm"}

    response = operator_client(operator).post(page("alfa", "installningar/"), unchanged)

    assert response.status_code == 302
    assert log_rows(alfa.provider) == []


def test_the_saved_settings_show_on_the_page(alfa, operator):
    client = operator_client(operator)
    client.post(page("alfa", "installningar/"), VALID)

    html = client.get(page("alfa")).content.decode()

    assert "Inställningarna är sparade." in html
    assert 'value="556677-8899"' in html
    assert "Vårdcentralen Alfa Norr" in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "  ", "Ange vårdgivarens namn."),
        ("name", "x" * 101, "Namnet får vara högst 100 tecken."),
        ("org_number", "556677-8898", "Organisationsnumret är inte giltigt (fel kontrollsiffra)."),
        ("org_number", "55667788", "Ange organisationsnumret med 10 siffror, t.ex. 556677-8899."),
        ("sms_sender_name", "Vård Alfa", "Avsändarnamnet får vara 2–11 tecken"),
        ("sms_sender_name", "", "Avsändarnamnet får vara 2–11 tecken"),
    ],
)
def test_a_refused_value_is_named_at_its_field_and_nothing_changes(
    alfa, operator, field, value, message
):
    response = operator_client(operator).post(
        page("alfa", "installningar/"), {**VALID, field: value}
    )

    assert response.status_code == 400
    assert field_error(response.content.decode(), field).startswith(message)
    provider = CareProvider.objects.get(pk=alfa.provider.pk)
    assert (provider.name, provider.org_number, provider.sms_sender_name) == (
        "Vårdcentralen Alfa",
        "",
        "CarePlatfrm",
    )
    assert log_rows(alfa.provider) == []
