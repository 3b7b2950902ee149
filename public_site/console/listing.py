"""The providers list (/konsol/): every provider with its figures, searched, filtered and sorted.

The figures come from the usage table (tenants.usage fills it), never from a provider's schema:
each is a subquery of the one statement that reads a page, so a page costs the same number of
queries whatever the number of providers. Counts only: nothing here knows a person.
"""

import datetime
import re
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.db.models import DateField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Replace
from django.utils.translation import gettext_lazy as _

from tenants.models import CareProvider, ProviderStatus, Usage, UsageMetric

SEARCH_MAX_LENGTH = 100
# What happened (counted on its day); the others are states, read from the latest day.
EVENTS = [UsageMetric.VISITS_HELD, UsageMetric.SMS_SEGMENTS, UsageMetric.VIDEO_MINUTES]


@dataclass(frozen=True)
class Column:
    key: str  # in the URL: ?sortera=key or ?sortera=-key
    label: Any
    order_by: str  # the field or annotation
    numeric: bool = False


COLUMNS = [
    Column("namn", _("Namn"), "name"),
    Column("status", _("Status"), "status"),
    Column("subdoman", _("Subdomän"), "subdomain"),
    Column("skapad", _("Skapad"), "created_at"),
    Column("vardpersonal", _("Aktiv vårdpersonal"), "active_clinicians", numeric=True),
    Column("patienter", _("Patienter"), "patients", numeric=True),
    Column("besok", _("Besök denna månad"), "visits_month", numeric=True),
    Column("sms", _("SMS-segment denna månad"), "sms_month", numeric=True),
    Column("videominuter", _("Videominuter denna månad"), "minutes_month", numeric=True),
    Column("aktivitet", _("Senaste aktivitet"), "last_activity"),
]
BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_SORT = "namn"


def sort_choices() -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = []
    for column in COLUMNS:
        choices.append((column.key, _("%(column)s, stigande") % {"column": column.label}))
        choices.append((f"-{column.key}", _("%(column)s, fallande") % {"column": column.label}))
    return choices


class ProviderListForm(forms.Form):
    """The list's query string. A field that does not validate is left out of the list (and
    named on the page); everything else still applies."""

    q = forms.CharField(
        label=_("Sök"),
        help_text=_("Namn, subdomän eller organisationsnummer"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    sortera = forms.ChoiceField(label=_("Sortera efter"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = cast(forms.ChoiceField, self.fields["status"])
        status.choices = [("", _("Alla"))] + list(ProviderStatus.choices)
        cast(forms.ChoiceField, self.fields["sortera"]).choices = sort_choices()

    def query(self) -> "ListQuery":
        data = self.cleaned_data if self.is_bound else {}
        return ListQuery(
            search=(data.get("q") or "").strip(),
            status=data.get("status") or "",
            sort=data.get("sortera") or DEFAULT_SORT,
        )


@dataclass(frozen=True)
class ListQuery:
    search: str = ""
    status: str = ""
    sort: str = DEFAULT_SORT

    @property
    def column(self) -> Column:
        return BY_KEY[self.sort.lstrip("-")]

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")


def providers(query: ListQuery, today: datetime.date) -> QuerySet[CareProvider]:
    """The providers `query` asks for, each with its figures: active clinicians and patients as
    of the latest day counted, this month's visits held, SMS segments and video minutes, and
    the last day anything happened."""
    found = CareProvider.objects.filter(is_template=False).alias(
        org_digits=Replace(F("org_number"), Value("-"), Value(""))
    )
    if query.status:
        found = found.filter(status=query.status)
    if query.search:
        found = found.filter(_matches(query.search))
    first = today.replace(day=1)
    found = found.annotate(
        active_clinicians=_latest(UsageMetric.ACTIVE_CLINICIANS, today),
        patients=_latest(UsageMetric.PATIENTS, today),
        visits_month=_month(UsageMetric.VISITS_HELD, first, today),
        sms_month=_month(UsageMetric.SMS_SEGMENTS, first, today),
        minutes_month=_month(UsageMetric.VIDEO_MINUTES, first, today),
        last_activity=_last_activity(today),
    )
    field = F(query.column.order_by)
    # Providers without a last activity come last in both directions.
    order = field.desc(nulls_last=True) if query.descending else field.asc(nulls_last=True)
    return found.order_by(order, "name", "pk")


def _matches(search: str) -> Q:
    matches = (
        Q(name__icontains=search) | Q(subdomain__icontains=search) | Q(org_number__icontains=search)
    )
    digits = re.sub(r"\D", "", search)
    if len(digits) >= 4:  # "556677-8899" finds "5566778899" and the other way round
        matches |= Q(org_digits__contains=digits)
    return matches


def _usage(metric: str, **filters: Any) -> QuerySet[Usage]:
    return Usage.objects.filter(provider=OuterRef("pk"), metric=metric, **filters)


def _latest(metric: str, today: datetime.date) -> Coalesce:
    latest = _usage(metric, day__lte=today).order_by("-day").values("value")[:1]
    return Coalesce(Subquery(latest), Value(0), output_field=IntegerField())


def _month(metric: str, first: datetime.date, today: datetime.date) -> Coalesce:
    total = (
        _usage(metric, day__gte=first, day__lte=today)
        .values("provider")
        .annotate(total=Sum("value"))
        .values("total")
    )
    return Coalesce(Subquery(total), Value(0), output_field=IntegerField())


def _last_activity(today: datetime.date) -> Greatest:
    """The latest day with any event: per metric a step back along the usage index
    (provider, metric, day), rather than a maximum over all of a provider's rows."""
    latest = [
        Subquery(
            _usage(metric, day__lte=today, value__gt=0).order_by("-day").values("day")[:1],
            output_field=DateField(),
        )
        for metric in EVENTS
    ]
    return Greatest(*latest)  # PostgreSQL's GREATEST passes over NULLs
