"""Min profil forms: they parse input; the rules (and their messages) live in services."""

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tenant_apps.profiles.models import (
    MAX_DURATION,
    MAX_GROUP_PATIENTS,
    MIN_DURATION,
    MIN_GROUP_PATIENTS,
    VisitKind,
)


class ConsultationForm(forms.Form):
    title = forms.CharField(
        label=_("Yrkestitel"),
        max_length=100,
        required=False,
        help_text=_("Syns för patienten efter ditt namn, t.ex. i bokningslistan."),
    )
    description = forms.CharField(
        label=_("Beskrivning"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Visas för patienter när vårdgivaren använder listningsfunktionen."),
    )


class WaitingSmsForm(forms.Form):
    sms_when_patient_waits = forms.BooleanField(
        label=_(
            "Skicka ett sms till min mobil när en patient har väntat i besöksrummet i mer än "
            "2 minuter utan mig (en gång per besök)"
        ),
        required=False,
    )


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Profilbild"),
        help_text=_("JPEG, PNG eller WebP, högst 5 MB."),
        error_messages={"required": _("Välj en bild.")},
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class VisitTypeForm(forms.Form):
    title = forms.CharField(
        label=_("Titel"), max_length=100, error_messages={"required": _("Ange en titel.")}
    )
    duration_minutes = forms.IntegerField(
        label=_("Längd i minuter"),
        error_messages={
            "required": _("Ange hur länge besöket ska pågå."),
            "invalid": _("Ange längden i hela minuter."),
        },
        widget=forms.NumberInput(attrs={"min": MIN_DURATION, "max": MAX_DURATION}),
    )
    kind = forms.ChoiceField(
        label=_("Typ av besök"),
        choices=VisitKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Välj typ av besök."),
            "invalid_choice": _("Välj typ av besök."),
        },
    )
    max_patients = forms.IntegerField(
        label=_("Max antal patienter"),
        required=False,
        error_messages={"invalid": _("Ange antalet patienter som en siffra.")},
        widget=forms.NumberInput(attrs={"min": MIN_GROUP_PATIENTS, "max": MAX_GROUP_PATIENTS}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Formatted per request, in the user's language (ranges of two or more: the plural).
        self.fields["duration_minutes"].help_text = gettext("%(min)d–%(max)d minuter.") % {
            "min": MIN_DURATION,
            "max": MAX_DURATION,
        }
        self.fields["max_patients"].help_text = gettext(
            "Bara för Videogruppbesök: %(min)d eller %(max)d patienter."
        ) % {"min": MIN_GROUP_PATIENTS, "max": MAX_GROUP_PATIENTS}
