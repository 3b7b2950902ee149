"""The console's provisioning form: it carries the values; tenants.provisioning validates them,
as it does for the command, and its messages are shown at the fields they name."""

import uuid
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tenants.provisioning import ProvisionRequest

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _text(
    label: "StrOrPromise", *, required: bool = True, help_text: "StrOrPromise" = "", **attrs: Any
) -> forms.Field:
    # Not required for Django: an empty field gets the service's message, like any other.
    if required:
        attrs["required"] = True
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
    )


class ProvisionForm(forms.Form):
    name = _text(_("Vårdgivarens namn"), maxlength=100, autocomplete="organization")
    subdomain = _text(
        _("Subdomän"),
        help_text=_("Bara a–z, 0–9 och bindestreck. Blir adressen ertnamn.%(domain)s.")
        % {"domain": settings.BASE_DOMAIN},
        maxlength=40,
        autocapitalize="none",
        spellcheck="false",
    )
    org_number = _text(
        _("Organisationsnummer (valfritt)"),
        required=False,
        help_text=_("NNNNNN-NNNN"),
        maxlength=13,
        inputmode="numeric",
    )
    admin_personnummer = _text(
        _("Administratörens personnummer"),
        help_text=_("ÅÅÅÅMMDD-NNNN"),
        maxlength=13,
        inputmode="numeric",
        autocomplete="off",
    )
    admin_name = _text(_("Administratörens namn"), help_text=_("För- och efternamn"))
    admin_mobile = _text(
        _("Administratörens mobilnummer"),
        help_text=_("Inloggningslänken skickas hit med sms."),
        maxlength=20,
        inputmode="tel",
        autocomplete="off",
    )
    # The same form sent twice is one job (tenants.provisioning_jobs): a new token each time
    # the empty form is shown, kept while the operator corrects it.
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"token": uuid.uuid4()})
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_token(self) -> uuid.UUID:
        # A form without a token of its own (not ours) is simply not recognised when repeated.
        try:
            return uuid.UUID(self.cleaned_data["token"])
        except ValueError:
            return uuid.uuid4()

    def provision_request(self) -> ProvisionRequest:
        data = self.cleaned_data
        return ProvisionRequest(
            name=data["name"],
            subdomain=data["subdomain"],
            admin_personnummer=data["admin_personnummer"],
            admin_name=data["admin_name"],
            admin_mobile=data["admin_mobile"],
            org_number=data["org_number"],
        )

    def add_refusals(self, errors: dict[str, str]) -> None:
        for field, message in errors.items():
            self.add_error(field if field in self.fields else None, message)
