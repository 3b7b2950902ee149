"""Forms for inviting and changing bookings: parse and show errors; rules live in services."""

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from careplatform.forms import MobileField, PersonnummerField
from careplatform.timeutil import SUMMER_TIME, WINTER_TIME, local_datetime
from tenant_apps.accounts.models import User
from tenant_apps.bookings.selectors import SEARCH_MAX_LENGTH, BookingFilters, check_day_order
from tenant_apps.bookings.services import MESSAGE_MAX_LENGTH, NOTE_MAX_LENGTH, PatientSpec
from tenant_apps.profiles.models import MAX_GROUP_PATIENTS, VisitType


class WhenForm(forms.Form):
    """Date and time in Swedish time, or Boka nu."""

    label_suffix = ""

    date = forms.DateField(
        label=_("Datum"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    time = forms.TimeField(
        label=_("Tid"),
        required=False,
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )
    instant = forms.BooleanField(label=_("Boka nu (mötet börjar direkt)"), required=False)
    # Asked only for a time that occurs twice (the night clocks go back).
    fold = forms.TypedChoiceField(
        label=_("Vilken av de två gångerna?"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", "–"),
            (SUMMER_TIME, _("Sommartid (första gången, UTC+2)")),
            (WINTER_TIME, _("Vintertid (andra gången, UTC+1)")),
        ],
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("instant"):
            data["starts_at"] = None
            return data
        if not data.get("date") or not data.get("time"):
            raise ValidationError(_("Ange datum och tid, eller välj Boka nu."))
        self._set_start(data)
        return data

    def _set_start(self, data: dict) -> None:
        try:
            data["starts_at"] = local_datetime(data["date"], data["time"], fold=data.get("fold"))
        except ValidationError as exc:
            self.add_error("time", exc)

    @property
    def asks_fold(self) -> bool:
        """Whether the page shows the summer/winter time choice: after an ambiguous time, or
        when a link gave one (an empty slot on the night the clocks go back)."""
        if not self.is_bound:
            return self.initial.get("fold") is not None
        refused = self.errors.as_data().get("time", [])
        return any(error.code == "ambiguous_time" for error in refused) or bool(
            self.data.get(self.add_prefix("fold"))
        )


def when_initial(query: QueryDict) -> dict[str, Any]:
    """The start an invite link fills in (an empty slot of the day or week view): `date`,
    `time` and, on the night the clocks go back, `fold`. A value that does not read is left
    out; the form checks the time when it is sent."""
    initial = {}
    for name in ("date", "time", "fold"):
        if query.get(name):
            try:
                initial[name] = WhenForm.base_fields[name].clean(query[name])
            except ValidationError:
                continue
    return initial


class VisitTypeChoiceField(forms.ModelChoiceField):
    """A visit type shown with its clinician, length and kind."""

    def label_from_instance(self, obj: VisitType) -> str:
        kind = _("Videogruppbesök") if obj.is_group else _("Videobesök")
        minutes = obj.duration_minutes
        return f"{obj.clinician.full_name} – {obj.title} ({minutes} min, {kind})"


class InviteForm(WhenForm):
    """Bjud in till besök (manual 3): up to three patients, visit type, time, message."""

    visit_type = VisitTypeChoiceField(
        label=_("Bokningsbart besök"), queryset=VisitType.objects.none()
    )
    message = forms.CharField(
        label=_("Meddelande till patienten (syns efter inloggning)"),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MESSAGE_MAX_LENGTH}),
    )

    def __init__(self, *args: Any, visit_types: QuerySet[VisitType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(VisitTypeChoiceField, self.fields["visit_type"]).queryset = visit_types
        for n in range(1, MAX_GROUP_PATIENTS + 1):
            required = n == 1
            self.fields[f"mobile_{n}"] = MobileField(required=required)
            self.fields[f"personnummer_{n}"] = PersonnummerField(required=required)
            self.fields[f"first_name_{n}"] = forms.CharField(
                label=_("Förnamn"), max_length=100, required=required
            )
            self.fields[f"last_name_{n}"] = forms.CharField(
                label=_("Efternamn"), max_length=100, required=required
            )

    def patient_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"{name}_{n}"] for name in ("mobile", "personnummer", "first_name", "last_name")]
            for n in range(1, MAX_GROUP_PATIENTS + 1)
        ]

    def patients(self) -> list[PatientSpec]:
        data = self.cleaned_data
        specs = []
        for n in range(1, MAX_GROUP_PATIENTS + 1):
            if data.get(f"personnummer_{n}"):
                specs.append(
                    PatientSpec(
                        personnummer=data[f"personnummer_{n}"],
                        first_name=data.get(f"first_name_{n}") or "",
                        last_name=data.get(f"last_name_{n}") or "",
                        mobile=data.get(f"mobile_{n}") or "",
                    )
                )
        return specs


class ColleagueInviteForm(WhenForm):
    """Bjud in intern vårdpersonal: a colleague of the same provider, for a test visit."""

    colleague = forms.ModelChoiceField(label=_("Kollega"), queryset=User.objects.none())
    visit_type = forms.ModelChoiceField(
        label=_("Bokningsbart besök"), queryset=VisitType.objects.none()
    )

    def __init__(
        self,
        *args: Any,
        colleagues: QuerySet[User],
        visit_types: QuerySet[VisitType],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["colleague"]).queryset = colleagues
        cast(forms.ModelChoiceField, self.fields["visit_type"]).queryset = visit_types


class ConfirmedStep(forms.Form):
    """Nothing irreversible in one click: a change is made only when the confirming button
    (in the dialog, or on the confirmation page without JavaScript) sends `confirmed`."""

    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class RescheduleForm(WhenForm, ConfirmedStep):
    instant = None  # type: ignore[assignment]
    reason = forms.CharField(
        label=_("Anledning (valfritt, syns bara för vårdgivaren)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX_LENGTH}),
    )

    def clean(self) -> dict[str, Any]:
        forms.Form.clean(self)
        data = self.cleaned_data
        if not data.get("date") or not data.get("time"):
            raise ValidationError(_("Ange nytt datum och ny tid."))
        self._set_start(data)
        return data


class CancelForm(ConfirmedStep):
    reason = forms.CharField(
        label=_("Anledning (valfritt, syns bara för vårdgivaren)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX_LENGTH}),
    )


class DeclineForm(ConfirmedStep):
    """Jag kan inte komma (a patient)."""

    note = forms.CharField(
        label=_("Meddelande till vårdgivaren (valfritt)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX_LENGTH}),
    )


class BookingFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Patient"),
        help_text=_("Namn eller personnummer"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    clinician = forms.ModelChoiceField(
        label=_("Vårdpersonal"), required=False, queryset=User.objects.none()
    )
    date_from = forms.DateField(
        label=_("Från"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Till"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: Any,
        statuses: Iterable[tuple[str, str | Promise]],
        clinicians: QuerySet[User] | None = None,
        **kwargs: Any,
    ) -> None:
        """`clinicians`: whom the clinician filter offers (admins); None: no such filter, and a
        `clinician` parameter is ignored (as in the API)."""
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("Alla"))] + list(statuses)
        if clinicians is None:
            del self.fields["clinician"]
        else:
            cast(forms.ModelChoiceField, self.fields["clinician"]).queryset = clinicians

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        try:
            check_day_order(data.get("date_from"), data.get("date_to"))
        except ValidationError as error:
            self.add_error("date_to", error)
        return data

    def filters(self) -> BookingFilters:
        data = self.cleaned_data
        clinician = data.get("clinician")
        return BookingFilters(
            status=data.get("status") or None,
            first_day=data.get("date_from"),
            last_day=data.get("date_to"),
            clinician_id=clinician.pk if clinician is not None else None,
            search=data.get("q") or "",
        )


class ScheduleForm(forms.Form):
    """The day and week views' choices: the day to show and a patient search (whose calendar
    is the `clinician` parameter, which bookings.access decides)."""

    datum = forms.DateField(
        label=_("Datum"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(
        label=_("Patient"),
        help_text=_("Namn eller personnummer"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
