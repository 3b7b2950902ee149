"""Inställningar: what a care unit's admin may change for their provider (manual 1, 6, 7.3)."""

import pytest
from django.urls import reverse
from django_tenants.utils import schema_context

from tenant_apps.accounts.models import ConsentVersion
from tenant_apps.accounts.services import current_consent_version, give_consent, needs_consent
from tenants.models import CareProvider
from tests.administration.helpers import field_errors

URL = "/administration/installningar/"


def current_text(cast) -> str:
    with schema_context(cast.provider.schema_name):
        return current_consent_version().text


def versions(cast) -> int:
    with schema_context(cast.provider.schema_name):
        current_consent_version()
        return ConsentVersion.objects.count()


def settings_form(cast, **overrides) -> dict:
    data = {
        "patient_confirmation_required": "on",
        "visit_tools": ["chat", "todos", "private_notes", "documents"],
        "sms_sender_name": "CarePlatfrm",
        "consent_text": current_text(cast).replace("\n", "\r\n"),  # as a browser sends it
    }
    return {**data, **overrides}


def provider(cast) -> CareProvider:
    return CareProvider.objects.get(pk=cast.provider.pk)


def test_url_and_page(as_admin, alfa):
    assert reverse("admin-settings") == URL
    page = as_admin.get(URL).content.decode()
    for label in ["Chatt", "Att-göra-listor", "Privata anteckningar", "Delade dokument"]:
        assert label in page
    assert 'value="CarePlatfrm"' in page and "Jag samtycker" in page


def test_admin_changes_the_providers_settings(as_admin, alfa):
    data = settings_form(alfa, visit_tools=["chat", "documents"], sms_sender_name="Alfa2026")
    del data["patient_confirmation_required"]  # an unticked box is not sent
    data["clinician_listing_enabled"] = "on"
    response = as_admin.post(URL, data)
    assert response.status_code == 302 and response["Location"] == URL
    saved = provider(alfa)
    assert saved.patient_confirmation_required is False
    assert saved.clinician_listing_enabled is True
    assert saved.visit_tools == {
        "chat": True,
        "todos": False,
        "private_notes": False,
        "documents": True,
    }
    assert saved.sms_sender_name == "Alfa2026"


@pytest.mark.parametrize("sender", ["Vårdcentral", "Alfa Vård", "Alfa Klinik", "AlfaKlinik12", ""])
def test_sender_name_must_be_ascii_letters_and_digits_without_spaces(as_admin, alfa, sender):
    data = settings_form(alfa, sms_sender_name=sender, consent_text="Ny text", visit_tools=[])
    before = versions(alfa)
    response = as_admin.post(URL, data)
    [message] = field_errors(response, "sms_sender_name")
    assert "A–Z, a–z och 0–9" in message
    saved = provider(alfa)
    assert saved.sms_sender_name == "CarePlatfrm" and saved.visit_tools["chat"] is True
    assert versions(alfa) == before  # nothing of the form was saved, not even the consent text


def test_a_changed_consent_text_is_a_new_version_that_patients_must_accept(as_admin, alfa):
    with schema_context(alfa.provider.schema_name):
        give_consent(alfa.patient, current_consent_version(), "127.0.0.1")
        assert not needs_consent(alfa.patient)
    before = versions(alfa)
    response = as_admin.post(URL, settings_form(alfa, consent_text="Ny samtyckestext.\r\nRad två."))
    assert response.status_code == 302
    with schema_context(alfa.provider.schema_name):
        latest = current_consent_version()
        assert needs_consent(alfa.patient)
    assert latest.version == before + 1 and latest.text == "Ny samtyckestext.\nRad två."
    page = as_admin.get(URL).content.decode()
    assert f"publicerad som version {latest.version}" in page


def test_saving_unchanged_consent_text_publishes_nothing(as_admin, alfa):
    before = versions(alfa)
    assert as_admin.post(URL, settings_form(alfa)).status_code == 302
    assert as_admin.post(URL, settings_form(alfa)).status_code == 302
    assert versions(alfa) == before


def test_empty_consent_text_is_refused(as_admin, alfa):
    before = versions(alfa)
    response = as_admin.post(URL, settings_form(alfa, consent_text="  \r\n "))
    assert field_errors(response, "consent_text") == ["Skriv en samtyckestext."]
    assert versions(alfa) == before


def test_settings_of_one_provider_leave_the_other_alone(as_admin, alfa, beta):
    as_admin.post(URL, settings_form(alfa, sms_sender_name="AlfaOnly", consent_text="Bara alfa."))
    assert provider(beta).sms_sender_name == "CarePlatfrm"
    assert current_text(beta) != "Bara alfa."
