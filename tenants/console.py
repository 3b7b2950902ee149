"""A provider's page in the operators' console: the settings the platform owns, its admins (and
a first admin again when none is left), its usage by month and its operator log.

Every change is one transaction that writes its row in the operator log (tenants.operator_log),
so a refused change leaves no row claiming it happened. The console shows no personal data
beyond what an operator needs: admins' names and masked mobile numbers, never a personnummer.
"""

import datetime
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_q.tasks import async_task
from django_tenants.utils import schema_context

from careplatform import clock
from careplatform.redis import get_redis, platform_key
from careplatform.sms.gateway import GatewayError, OutgoingSms, get_backend
from careplatform.validators import normalize_mobile, normalize_org_number, normalize_personnummer
from tenants import operator_log
from tenants.db import connection
from tenants.models import (
    CareProvider,
    OperatorAction,
    OperatorActionKind,
    ProviderStatus,
    Usage,
    UsageMetric,
)
from tenants.provisioning import NAME_MAX_LENGTH, provider_url, split_admin_name
from tenants.services import validate_sms_sender
from tenants.tasks import dotted_path

log = logging.getLogger(__name__)

Enqueue = Callable[..., Any]

# The settings an operator owns, in the order the page and the log show them.
SETTINGS_FIELDS = ("name", "org_number", "sms_sender_name")
HISTORY_LIMIT = 50
USAGE_MONTHS = 12
# Active clinicians are counted per day: a month's figure is its busiest day, not a sum.
PEAK_METRICS = frozenset({UsageMetric.ACTIVE_CLINICIANS})


def provider_by_subdomain(subdomain: str) -> CareProvider:
    """The provider the console page is about, or 404 (the template is no provider)."""
    connection.set_schema_to_public()
    provider = CareProvider.objects.filter(subdomain=subdomain, is_template=False).first()
    if provider is None:
        raise Http404
    return provider


# -- settings ----------------------------------------------------------------------------------


def _clean_settings(name: str, org_number: str, sms_sender_name: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    clean = {"name": (name or "").strip(), "org_number": "", "sms_sender_name": ""}
    if not clean["name"]:
        errors["name"] = _("Ange vårdgivarens namn.")
    elif len(clean["name"]) > NAME_MAX_LENGTH:
        errors["name"] = ngettext(
            "Namnet får vara högst %(max)d tecken.",
            "Namnet får vara högst %(max)d tecken.",
            NAME_MAX_LENGTH,
        ) % {"max": NAME_MAX_LENGTH}
    checks = {
        # Optional: providers made before the console have none.
        "org_number": lambda: normalize_org_number(org_number) if org_number.strip() else "",
        "sms_sender_name": lambda: validate_sms_sender((sms_sender_name or "").strip()),
    }
    for field, check in checks.items():
        try:
            clean[field] = check()
        except ValidationError as exc:
            errors[field] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    return clean


def update_operator_settings(
    provider: CareProvider,
    *,
    name: str,
    org_number: str,
    sms_sender_name: str,
    actor: AbstractBaseUser,
    ip_address: str | None,
) -> CareProvider:
    """Save name, organisationsnummer and default SMS sender name; the log row holds what
    changed, before and after. A submit that changes nothing writes nothing."""
    clean = _clean_settings(name, org_number or "", sms_sender_name)
    connection.set_schema_to_public()
    with transaction.atomic():
        locked = CareProvider.objects.select_for_update().get(pk=provider.pk, is_template=False)
        before = {field: getattr(locked, field) for field in SETTINGS_FIELDS}
        changed = [field for field in SETTINGS_FIELDS if before[field] != clean[field]]
        if not changed:
            return locked
        for field in changed:
            setattr(locked, field, clean[field])
        locked.save(update_fields=changed)
        operator_log.record(
            OperatorActionKind.SETTINGS,
            actor=actor,
            provider=locked,
            ip_address=ip_address,
            before={field: before[field] for field in changed},
            after={field: clean[field] for field in changed},
        )
    return locked


# -- admins ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdminRow:
    name: str
    mobile: str  # masked: the first digits and the last two
    is_active: bool


def mask_mobile(mobile: str) -> str:
    """070-*** ** 67: enough to tell two numbers apart on the phone, not enough to call."""
    if not mobile:
        return ""
    try:
        number = phonenumbers.parse(mobile, "SE")
    except phonenumbers.NumberParseException:
        return "*" * len(mobile)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    digits = [i for i, c in enumerate(national) if c.isdigit()]
    hidden = set(digits[3:-2])
    return "".join("*" if i in hidden else c for i, c in enumerate(national))


def has_schema(provider: CareProvider) -> bool:
    """A terminated provider's schema has been dropped: nothing to read in it."""
    return provider.status != ProviderStatus.TERMINATED


def provider_admins(provider: CareProvider) -> list[AdminRow]:
    """The provider's admins, active first (one query in the provider's schema)."""
    if not has_schema(provider):
        return []
    with schema_context(provider.schema_name):
        rows = list(
            get_user_model()
            .objects.filter(is_admin=True)
            .order_by("-is_active", "last_name", "first_name")
            .values_list("first_name", "last_name", "mobile", "is_active")
        )
    return [
        AdminRow(f"{first} {last}".strip(), mask_mobile(mobile), active)
        for first, last, mobile, active in rows
    ]


def may_add_admin(provider: CareProvider, admins: list[AdminRow]) -> bool:
    return provider.status == ProviderStatus.ACTIVE and not any(a.is_active for a in admins)


def _clean_admin(personnummer: str, name: str, mobile: str) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    checks = {
        "personnummer": lambda: normalize_personnummer(personnummer),
        "admin_name": lambda: split_admin_name(name),
        "mobile": lambda: normalize_mobile(mobile),
    }
    for field, check in checks.items():
        try:
            clean[field] = check()
        except ValidationError as exc:
            errors[field] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    return clean


def add_first_admin(
    provider: CareProvider,
    *,
    personnummer: str,
    name: str,
    mobile: str,
    actor: AbstractBaseUser,
    ip_address: str | None,
    enqueue: Enqueue = async_task,
) -> str:
    """Give a provider whose admins are all gone an admin again (also a clinician, as at
    provisioning), and send them the login link by SMS after commit. Someone already at the
    provider (a deactivated admin, say) becomes an active admin with this mobile number.
    Returns the admin's name."""
    clean = _clean_admin(personnummer, name, mobile)
    first_name, last_name = clean["admin_name"]
    connection.set_schema_to_public()
    with transaction.atomic():
        # Locked: two operators adding an admin at once add one.
        locked = CareProvider.objects.select_for_update().get(pk=provider.pk, is_template=False)
        if locked.status != ProviderStatus.ACTIVE:
            raise ValidationError(
                _(
                    "Vårdgivaren är inte aktiv; återaktivera den innan du lägger till en "
                    "administratör."
                )
            )
        with schema_context(locked.schema_name):
            admin = _make_admin(clean["personnummer"], first_name, last_name, clean["mobile"])
        operator_log.record(
            OperatorActionKind.ADMIN_ADDED,
            actor=actor,
            provider=locked,
            ip_address=ip_address,
            after={"admin": admin.full_name},
        )
        schema, user_id, token = locked.schema_name, admin.pk, uuid.uuid4().hex
        transaction.on_commit(
            lambda: enqueue(dotted_path(send_admin_login_sms), schema, user_id, token)
        )
    return str(admin.full_name)


def _make_admin(personnummer: str, first_name: str, last_name: str, mobile: str) -> Any:
    users = get_user_model().objects
    if users.filter(is_admin=True, is_active=True).exists():
        raise ValidationError(
            _("Vårdgivaren har redan en administratör; fler läggs till i administrationsverktyget.")
        )
    existing = users.filter(personnummer=personnummer).first()
    if existing is None:
        return users.create_user(
            personnummer, first_name, last_name, mobile=mobile, is_admin=True, is_clinician=True
        )
    existing.is_admin = existing.is_active = True
    existing.mobile = mobile
    existing.save(update_fields=["is_admin", "is_active", "mobile"])
    return existing


def admin_login_url(provider: CareProvider) -> str:
    path = reverse("login", urlconf=settings.ROOT_URLCONF)
    return provider_url(provider) + path.lstrip("/")


def admin_login_text(provider: CareProvider, language: str) -> str:
    with translation.override(language):
        return _(
            "Du är administratör för %(provider)s i CarePlatform. Logga in med BankID: %(link)s"
        ) % {"provider": provider.name, "link": admin_login_url(provider)}


SMS_ONCE_SECONDS = 24 * 3600


def send_admin_login_sms(schema_name: str, user_id: int, token: str) -> bool:
    """The job after an admin is added: one SMS with the login link (at most once per `token`,
    however often the job runs). Nothing is sent for a provider that is no longer active."""
    connection.set_schema_to_public()
    provider = CareProvider.objects.filter(
        schema_name=schema_name, status=ProviderStatus.ACTIVE, is_template=False
    ).first()
    if provider is None:
        return False
    with schema_context(schema_name):
        admin = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if admin is None or not admin.mobile:
        return False
    once = platform_key(f"admin-login-sms:{token}")
    if not get_redis().set(once, "1", nx=True, ex=SMS_ONCE_SECONDS):
        return False
    sms = OutgoingSms(
        sender=provider.sms_sender_name,
        to=admin.mobile,
        text=admin_login_text(provider, admin.language),
        provider_schema=schema_name,
    )
    try:
        get_backend().send(sms)
    except GatewayError:
        log.warning("Admin login SMS for %s not sent", schema_name, exc_info=True)
        get_redis().delete(once)  # a later run of the job may try again
        return False
    return True


# -- usage -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UsageSeries:
    metric: str
    label: str
    months: list[datetime.date]  # the first day of each month, oldest first
    values: list[int]

    @property
    def peak(self) -> int:
        return max(self.values, default=0)


def last_months(today: datetime.date, count: int = USAGE_MONTHS) -> list[datetime.date]:
    """The first days of the last `count` months, this month last."""
    year, month = today.year, today.month
    found = []
    for _step in range(count):
        found.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


def monthly_usage(provider: CareProvider, today: datetime.date | None = None) -> list[UsageSeries]:
    """Each metric over the last twelve months, from the usage table (one query): sums by
    month, the busiest day for active clinicians."""
    months = last_months(today or clock.today_local())
    connection.set_schema_to_public()
    rows = (
        Usage.objects.filter(provider=provider, day__gte=months[0])
        .annotate(month=TruncMonth("day"))
        .values("metric", "month")
        .annotate(total=Sum("value"), peak=Max("value"))
    )
    found = {
        (row["metric"], row["month"]): row["peak" if row["metric"] in PEAK_METRICS else "total"]
        for row in rows
    }
    return [
        UsageSeries(
            metric.value,
            str(metric.label),
            months,
            [int(found.get((metric.value, month)) or 0) for month in months],
        )
        for metric in UsageMetric
    ]


# -- history -----------------------------------------------------------------------------------


def provider_history(provider: CareProvider, limit: int = HISTORY_LIMIT) -> list[OperatorAction]:
    """The provider's operator log, newest first (the full log page has the rest)."""
    connection.set_schema_to_public()
    return list(
        OperatorAction.objects.filter(provider=provider).order_by("-created_at", "-id")[:limit]
    )
