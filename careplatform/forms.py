"""Form fields for the validators every form shares (personnummer, mobile number)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from careplatform.validators import format_personnummer, normalize_mobile, normalize_personnummer


class PersonnummerField(forms.CharField):
    """Cleans to 12 digits; shows as YYYYMMDD-NNNN."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Personnummer"))
        kwargs.setdefault("max_length", 13)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        kwargs.setdefault("help_text", _("ÅÅÅÅMMDD-NNNN"))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return format_personnummer(value) if value and str(value).isdigit() else value

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        return normalize_personnummer(value) if value else value


class MobileField(forms.CharField):
    """Cleans to E.164; Swedish numbers may be written as 070-123 45 67."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Mobilnummer"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "tel"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        return normalize_mobile(value) if value else value
