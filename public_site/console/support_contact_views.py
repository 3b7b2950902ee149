"""Konsol → Supportens kontaktuppgifter (/konsol/support-kontakt/): the service desk's phone,
e-mail and opening hours per weekday (manual 9), which every provider page links to. The rules
(a valid number, closing after opening) are tenants.support_contact's; the form only reads
the fields."""

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from careplatform.access import role_required
from careplatform.netutils import client_ip
from careplatform.timeutil import format_local
from tenant_apps.accounts.http import AuthenticatedRequest
from tenants import support_contact
from tenants.support_contact import Contact, Hours

MONDAY = datetime.date(2024, 1, 1)


def weekday_name(weekday: int) -> str:
    return format_local(MONDAY + datetime.timedelta(days=weekday), "weekday")


class SupportContactForm(forms.Form):
    label_suffix = ""
    phone = forms.CharField(
        label=gettext_lazy("Telefonnummer"),
        max_length=30,
        error_messages={"required": gettext_lazy("Ange supportens telefonnummer.")},
    )
    email = forms.CharField(
        label=gettext_lazy("E-postadress"),
        max_length=254,
        error_messages={"required": gettext_lazy("Ange supportens e-postadress.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        self.fields["email"].widget = forms.EmailInput(attrs={"autocomplete": "off"})
        invalid = {"invalid": _("Ange en tid, t.ex. 07:00.")}
        for weekday in range(7):
            time_input = forms.TimeInput(format="%H:%M", attrs={"type": "time"})
            self.fields[f"open_{weekday}"] = forms.BooleanField(label=_("Öppet"), required=False)
            self.fields[f"opens_{weekday}"] = forms.TimeField(
                label=_("Öppnar"), required=False, widget=time_input, error_messages=invalid
            )
            self.fields[f"closes_{weekday}"] = forms.TimeField(
                label=_("Stänger"), required=False, widget=time_input, error_messages=invalid
            )

    def days(self) -> list[dict[str, Any]]:
        """One fieldset per weekday, for the template."""
        return [
            {
                "name": weekday_name(weekday),
                "open": self[f"open_{weekday}"],
                "opens": self[f"opens_{weekday}"],
                "closes": self[f"closes_{weekday}"],
            }
            for weekday in range(7)
        ]

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        for weekday in range(7):
            if not data.get(f"open_{weekday}"):
                continue
            for key in ("opens", "closes"):
                field = f"{key}_{weekday}"
                if data.get(field) is None and field not in self.errors:
                    message = _("Ange när supporten öppnar och stänger på %(day)s.")
                    self.add_error(field, message % {"day": weekday_name(weekday)})
        return data

    def hours(self) -> list[Hours]:
        data = self.cleaned_data
        return [
            (data[f"opens_{day}"], data[f"closes_{day}"]) if data[f"open_{day}"] else None
            for day in range(7)
        ]


def initial_for(contact: Contact) -> dict[str, Any]:
    initial: dict[str, Any] = {"phone": contact.phone_display, "email": contact.email}
    for weekday, hours in enumerate(contact.hours):
        initial[f"open_{weekday}"] = hours is not None
        if hours is not None:
            initial[f"opens_{weekday}"], initial[f"closes_{weekday}"] = hours
    return initial


@role_required("operator")
@require_http_methods(["GET", "POST"])
def support_contact_page(request: AuthenticatedRequest) -> HttpResponse:
    form = SupportContactForm(
        request.POST if request.method == "POST" else None,
        initial=initial_for(support_contact.current()),
    )
    if form.is_valid():
        try:
            support_contact.update_contact(
                phone=form.cleaned_data["phone"],
                email=form.cleaned_data["email"],
                hours=form.hours(),
                actor=request.user,
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Supportens kontaktuppgifter är sparade."))
            return redirect("console-support-contact")
    context = {"form": form, "support": support_contact.shown()}
    return render(request, "public_site/console/support_contact.html", context)
