"""Forms of a provider's console page. They only parse: every rule is the services'
(tenants.console, tenants.domains), whose refusals are shown at their fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.administration.forms import AdminForm
from tenants.models import CareProvider


class ProviderSettingsForm(AdminForm):
    name = forms.CharField(label=_("Namn"), required=False)
    org_number = forms.CharField(
        label=_("Organisationsnummer"), required=False, help_text=_("NNNNNN-NNNN")
    )
    sms_sender_name = forms.CharField(
        label=_("Avsändarnamn för sms"),
        required=False,
        help_text=_("2–11 tecken: A–Z, a–z och 0–9. Vårdgivarens administratörer kan ändra det."),
    )

    @classmethod
    def for_provider(cls, provider: CareProvider) -> "ProviderSettingsForm":
        return cls(
            initial={
                "name": provider.name,
                "org_number": provider.org_number,
                "sms_sender_name": provider.sms_sender_name,
            }
        )


class DomainForm(AdminForm):
    domain = forms.CharField(
        label=_("Värdnamn"), required=False, help_text=_("T.ex. video.vardcentralen.se")
    )


class FirstAdminForm(AdminForm):
    personnummer = forms.CharField(
        label=_("Personnummer"),
        required=False,
        help_text=_("ÅÅÅÅMMDD-NNNN"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    admin_name = forms.CharField(label=_("För- och efternamn"), required=False)
    mobile = forms.CharField(
        label=_("Mobilnummer"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
