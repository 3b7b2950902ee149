"""Logg (`/konsol/logg/`): every operator action, newest first, filtered by provider, kind,
operator and period; three queries whatever the page (operators for the filter, count, page)."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from careplatform.access import role_required
from careplatform.timeutil import format_local, local_day_range
from tenant_apps.accounts.models import User
from tenants import operator_log
from tenants.models import OperatorAction, OperatorActionKind, ProviderStatus

PAGE_SIZE = 50
PLATFORM = "platform"  # the operator filter's choice for the platform's own jobs


class LogFilterForm(forms.Form):
    provider = forms.CharField(
        label=gettext_lazy("Vårdgivare"),
        help_text=gettext_lazy("Subdomän, t.ex. alfa"),
        required=False,
        max_length=40,
    )
    action = forms.ChoiceField(label=gettext_lazy("Åtgärd"), required=False)
    operator = forms.ChoiceField(label=gettext_lazy("Operatör"), required=False)
    date_from = forms.DateField(
        label=gettext_lazy("Från"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("Till"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, operators: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("Alla"))]
        self.fields["action"].choices = everything + list(OperatorActionKind.choices)  # type: ignore[attr-defined]
        self.fields["operator"].choices = (  # type: ignore[attr-defined]
            everything
            + [(str(user.pk), user.full_name) for user in operators]
            + [(PLATFORM, _("CarePlatform (automatiskt)"))]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", ValidationError(_("Till-datumet är före från-datumet.")))
        return data

    def filters(self) -> dict[str, Any]:
        """What the valid fields ask for, as operator_log.actions takes it."""
        data = self.cleaned_data if self.is_bound else {}
        since, until = local_day_range(data.get("date_from"), data.get("date_to"))
        operator = data.get("operator") or ""
        return {
            "subdomain": (data.get("provider") or "").strip().lower() or None,
            "kind": data.get("action") or None,
            "by_platform": operator == PLATFORM,
            "actor_id": int(operator) if operator.isdigit() else None,
            "since": since,
            "until": until,
        }


# -- how a row reads -----------------------------------------------------------------------------

LABELS = {
    "status": gettext_lazy("Status"),
    "terminate_at": gettext_lazy("Raderas"),
    "export": gettext_lazy("Export"),
    "domains_removed": gettext_lazy("Borttagna domäner"),
}
HIDDEN = {"status_reason"}  # the reason has a column of its own


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def _shown(key: str, value: Any) -> str:
    if value in (None, "", [], {}):
        return "–"
    if key == "status" and value in ProviderStatus.values:
        return str(ProviderStatus(value).label)
    if isinstance(value, str) and key.endswith("_at"):
        moment = parse_datetime(value)
        if moment is not None and moment.tzinfo is not None:
            return format_local(moment, "datetime")
    if isinstance(value, dict):
        return ", ".join(str(v) for v in value.values() if v) or "–"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def changes(action: OperatorAction) -> list[Change]:
    """Before -> after of every value the action changed."""
    keys = list(dict.fromkeys([*action.before, *action.after]))
    return [
        Change(
            str(LABELS.get(key, key)),
            _shown(key, action.before.get(key)),
            _shown(key, action.after.get(key)),
        )
        for key in keys
        if key not in HIDDEN and action.before.get(key) != action.after.get(key)
    ]


@dataclass(frozen=True)
class Row:
    action: OperatorAction
    changes: list[Change]
    signer: str  # the BankID signer's name when the action was signed


def _row(action: OperatorAction) -> Row:
    signature = action.signature or {}
    signer = (signature.get("user") or {}).get("name", "") if signature else ""
    return Row(action, changes(action), signer)


@role_required("operator")
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    operators = list(User.objects.filter(is_operator=True).order_by("first_name", "last_name"))
    form = LogFilterForm(request.GET or None, operators=operators)
    valid = form.is_valid() if form.is_bound else True
    page = Paginator(operator_log.actions(**form.filters()), PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
    filtered = form.is_bound and any(form.cleaned_data.values())
    context = {
        "form": form,
        "page": page,
        "rows": [_row(action) for action in page.object_list],
        "filtered": filtered,
    }
    return render(request, "public_site/console/log.html", context, status=200 if valid else 400)
