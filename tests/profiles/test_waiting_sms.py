"""Min profil: "Sms när en patient väntar", off until the clinician turns it on, and only
with a mobile number to send it to."""

from django_tenants.utils import schema_context

from tenant_apps.accounts.models import User
from tenant_apps.profiles.models import ClinicianProfile
from tenant_apps.profiles.services import get_profile
from tests.clients import logged_in


def setting(cast) -> bool:
    with schema_context(cast.schema_name):
        return get_profile(cast.clinician).sms_when_patient_waits


def test_it_is_off_by_default_and_shown_on_min_profil(as_clinician, alfa):
    page = as_clinician.get("/min-profil/").content.decode()
    assert "Sms när en patient väntar" in page
    assert 'name="sms_when_patient_waits"' in page and "checked" not in page
    assert setting(alfa) is False


def test_the_clinician_turns_it_on_and_off(as_clinician, alfa):
    response = as_clinician.post("/min-profil/sms/", {"sms_when_patient_waits": "on"}, follow=True)
    assert "Du får ett sms när en patient väntar på dig." in response.content.decode()
    assert setting(alfa) is True
    assert "checked" in as_clinician.get("/min-profil/").content.decode()
    response = as_clinician.post("/min-profil/sms/", {}, follow=True)
    assert "Du får inga sms när en patient väntar." in response.content.decode()
    assert setting(alfa) is False


def test_without_a_mobile_number_it_cannot_be_turned_on(as_clinician, alfa):
    with schema_context(alfa.schema_name):
        User.objects.filter(pk=alfa.clinician.pk).update(mobile="")
    response = as_clinician.post("/min-profil/sms/", {"sms_when_patient_waits": "on"}, follow=True)
    assert "Du har inget mobilnummer" in response.content.decode()
    assert setting(alfa) is False


def test_only_clinicians_and_only_by_post(alfa):
    with schema_context(alfa.schema_name):
        assert logged_in(alfa.patient, alfa).post("/min-profil/sms/").status_code == 403
        assert logged_in(alfa.clinician, alfa).get("/min-profil/sms/").status_code == 405
        assert not ClinicianProfile.objects.filter(sms_when_patient_waits=True).exists()
