"""Forms of the administration tool. They parse input; the rules (unique personnummer, at least
one role, the last admin, the SMS sender name, consent versions) are the services'."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from careplatform.forms import MobileField, PersonnummerField
from tenant_apps.accounts.models import Language, User
from tenant_apps.accounts.services import RoleFlags
from tenants.models import CareProvider
from tenants.services import VISIT_TOOLS

ROLE_CHOICES = [("admin", _("Administratör")), ("clinician", _("Vårdpersonal"))]
VISIT_TOOL_LABELS = {
    "chat": _("Chatt"),
    "todos": _("Att-göra-listor"),
    "private_notes": _("Privata anteckningar"),
    "documents": _("Delade dokument"),
}


class AdminForm(forms.Form):
    required_css_class = "required"
    error_css_class = "has-error"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def show_service_error(self, error: ValidationError, field: str | None = None) -> None:
        """A service's refusal shown next to its field; one without a field next to `field`."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else field, messages)
        else:
            self.add_error(field, error)


class PersonForm(AdminForm):
    first_name = forms.CharField(label=_("Förnamn"), max_length=100)
    last_name = forms.CharField(label=_("Efternamn"), max_length=100)
    mobile = MobileField()
    email = forms.EmailField(label=_("E-post"), required=False)
    language = forms.ChoiceField(
        label=_("Språk"), choices=Language.choices, initial=Language.SWEDISH
    )

    PERSON_FIELDS = ("first_name", "last_name", "mobile", "email", "language")

    @classmethod
    def initial_for(cls, user: User) -> dict:
        return {name: getattr(user, name) for name in ("personnummer", *cls.PERSON_FIELDS)}

    def person_fields(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.PERSON_FIELDS}


class StaffMemberForm(PersonForm):
    """Editing a clinician or admin: the personnummer is their BankID identity and stays."""

    roles = forms.MultipleChoiceField(
        label=_("Roller"),
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,  # "at least one role" is the service's rule
    )

    @classmethod
    def initial_for(cls, user: User) -> dict:
        flags = (("admin", user.is_admin), ("clinician", user.is_clinician))
        return {**super().initial_for(user), "roles": [role for role, on in flags if on]}

    def role_flags(self) -> RoleFlags:
        roles = self.cleaned_data["roles"]
        return {"is_admin": "admin" in roles, "is_clinician": "clinician" in roles}


class NewStaffMemberForm(StaffMemberForm):
    personnummer = PersonnummerField()
    field_order = ["personnummer"]


class PatientForm(PersonForm):
    personnummer = PersonnummerField()
    field_order = ["personnummer"]


CHECKBOX = "administration/_checkbox_field.html"  # the box before its label


class ProviderSettingsForm(AdminForm):
    patient_confirmation_required = forms.BooleanField(
        template_name=CHECKBOX,
        label=_("Patienten ska bekräfta besöket"),
        help_text=_("Ett obekräftat besök kan inte genomföras."),
        required=False,
    )
    clinician_listing_enabled = forms.BooleanField(
        template_name=CHECKBOX,
        label=_("Listningsfunktion"),
        help_text=_("Presentera vårdpersonalen och deras profiler för patienter."),
        required=False,
    )
    visit_tools = forms.MultipleChoiceField(
        label=_("Funktioner i videobesöket"),
        choices=[(tool, VISIT_TOOL_LABELS[tool]) for tool in VISIT_TOOLS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    sms_sender_name = forms.CharField(
        label=_("Avsändarnamn för sms"),
        help_text=_("Högst 11 tecken: A–Z, a–z och 0–9, inte å, ä, ö eller mellanslag."),
        required=False,  # the service says what a sender name may be
        widget=forms.TextInput(attrs={"maxlength": 11, "autocomplete": "off"}),
    )
    consent_text = forms.CharField(
        label=_("Samtyckestext"),
        help_text=_(
            "Patienten godkänner texten vid första inloggningen. Ändrar du texten får alla "
            "patienter godkänna den nya versionen."
        ),
        required=False,  # the service refuses an empty text
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    @classmethod
    def initial_for(cls, provider: CareProvider, consent_text: str) -> dict:
        return {
            "patient_confirmation_required": provider.patient_confirmation_required,
            "clinician_listing_enabled": provider.clinician_listing_enabled,
            "visit_tools": [tool for tool in VISIT_TOOLS if provider.visit_tools.get(tool)],
            "sms_sender_name": provider.sms_sender_name,
            "consent_text": consent_text,
        }

    def settings(self) -> dict:
        data = self.cleaned_data
        return {
            "patient_confirmation_required": data["patient_confirmation_required"],
            "clinician_listing_enabled": data["clinician_listing_enabled"],
            "visit_tools": {tool: tool in data["visit_tools"] for tool in VISIT_TOOLS},
            "sms_sender_name": data["sms_sender_name"],
            "consent_text": data["consent_text"],
        }
