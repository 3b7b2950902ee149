"""Provisioning providers: subdomain + schema + domain + first admin, all or nothing.

A new schema is cloned from the migrated template schema (`TENANT_BASE_SCHEMA`) rather than
migrated from scratch. Schema DDL is transactional in PostgreSQL, so the whole provision runs in
one transaction: a failure half-way leaves no schema and no rows.

An operator's provisioning (the console's job or the command) also writes the operator log in
that transaction and sends the first admin an SMS with the login link after it commits. The SMS
belongs to notifications, a tenant app that tenants does not import: it registers its handler
here (`on_first_admin`) in its AppConfig.ready().
"""

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.backends.utils import CursorWrapper
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_context, schema_exists

from careplatform.redis import get_redis, platform_key
from careplatform.validators import normalize_mobile, normalize_org_number, normalize_personnummer
from tenants import operator_log
from tenants.db import connection
from tenants.models import (
    CareProvider,
    Domain,
    OperatorActionKind,
    ProviderStatus,
    ProvisioningStep,
)

log = logging.getLogger(__name__)

ProvisionMethod = Literal["clone", "migrate"]
# Hears each step of a provisioning as it starts.
Progress = Callable[[ProvisioningStep], None]
AfterCommit = Callable[[], object]
# Called in the new provider's schema, inside the provisioning transaction, with the provider
# and its first admin; may return work for after the commit (sending an SMS).
FirstAdminHandler = Callable[[CareProvider, AbstractBaseUser], AfterCommit | None]

_first_admin_handlers: list[FirstAdminHandler] = []


def on_first_admin(handler: FirstAdminHandler) -> None:
    """Call `handler` for the first admin of every operator's provisioning (once, however
    often it is registered)."""
    if handler not in _first_admin_handlers:
        _first_admin_handlers.append(handler)


RESERVED_SUBDOMAINS = frozenset(
    {
        "admin", "api", "app", "assets", "bankid", "billing", "careplatform", "cdn", "console",
        "docs", "ftp", "help", "localhost", "mail", "media", "operator", "public", "smtp",
        "static", "status", "support", "template", "turn", "stun", "ws", "www",
    }
)  # fmt: skip
SUBDOMAIN_MAX_LENGTH = 40
NAME_MAX_LENGTH = 100
_SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


class ProvisioningError(Exception):
    """A provider could not be provisioned; `errors` maps field to message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()))


@dataclass(frozen=True)
class ProvisionRequest:
    name: str
    subdomain: str
    admin_personnummer: str
    admin_name: str
    admin_mobile: str
    org_number: str = ""


@dataclass(frozen=True)
class ProvisionedBy:
    """Who provisions: an operator in the console (with the request's IP), or `actor` None for
    the command line."""

    actor: AbstractBaseUser | None = None
    ip_address: str | None = None


def normalize_subdomain(value: str) -> str:
    subdomain = (value or "").strip().lower()
    if not subdomain:
        raise ValidationError(_("Ange en subdomän."))
    if len(subdomain) > SUBDOMAIN_MAX_LENGTH:
        raise ValidationError(
            ngettext(
                "Subdomänen får vara högst %(max)d tecken.",
                "Subdomänen får vara högst %(max)d tecken.",
                SUBDOMAIN_MAX_LENGTH,
            )
            % {"max": SUBDOMAIN_MAX_LENGTH}
        )
    if not _SUBDOMAIN.match(subdomain) or subdomain.startswith("xn--"):
        raise ValidationError(
            _(
                "Subdomänen får bara innehålla a–z, 0–9 och bindestreck, "
                "och får inte börja eller sluta med bindestreck."
            )
        )
    if subdomain in RESERVED_SUBDOMAINS:
        raise ValidationError(_("Subdomänen ”%(sub)s” är reserverad.") % {"sub": subdomain})
    return subdomain


def schema_name_for(subdomain: str) -> str:
    # Subdomains have no underscores, so the mapping is one-to-one; the prefix keeps clear of
    # PostgreSQL's own names (public, pg_*, information_schema).
    return "t_" + subdomain.replace("-", "_")


def provider_url(provider: CareProvider) -> str:
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    return f"{settings.SITE_SCHEME}://{provider.subdomain}.{settings.BASE_DOMAIN}{port}/"


def _org_number(value: str) -> str:
    """Optional; given, it must be valid (its Luhn check digit too)."""
    return normalize_org_number(value) if (value or "").strip() else ""


def split_admin_name(full_name: str) -> tuple[str, str]:
    parts = (full_name or "").split()
    if len(parts) < 2:
        raise ValidationError(_("Ange administratörens för- och efternamn."))
    if len(full_name) > 200:
        raise ValidationError(_("Namnet är för långt."))
    return " ".join(parts[:-1]), parts[-1]


def validate_request(request: ProvisionRequest) -> dict[str, object]:
    """The request's values normalised, or ProvisioningError naming each refused field. The
    console's form asks this before it starts a job; the provisioning asks it again."""
    connection.set_schema_to_public()
    errors: dict[str, str] = {}
    clean: dict[str, object] = {}
    name = (request.name or "").strip()
    if not name:
        errors["name"] = _("Ange vårdgivarens namn.")
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = ngettext(
            "Namnet får vara högst %(max)d tecken.",
            "Namnet får vara högst %(max)d tecken.",
            NAME_MAX_LENGTH,
        ) % {"max": NAME_MAX_LENGTH}
    clean["name"] = name
    checks = {
        "subdomain": lambda: normalize_subdomain(request.subdomain),
        "admin_personnummer": lambda: normalize_personnummer(request.admin_personnummer),
        "admin_name": lambda: split_admin_name(request.admin_name),
        "admin_mobile": lambda: normalize_mobile(request.admin_mobile),
        "org_number": lambda: _org_number(request.org_number),
    }
    for field, check in checks.items():
        try:
            clean[field] = check()
        except ValidationError as exc:
            errors[field] = " ".join(exc.messages)
    if "subdomain" in clean and CareProvider.objects.filter(subdomain=clean["subdomain"]).exists():
        errors["subdomain"] = _("Subdomänen ”%(sub)s” används redan.") % {"sub": clean["subdomain"]}
    if errors:
        raise ProvisioningError(errors)
    return clean


def provision_provider(
    request: ProvisionRequest,
    *,
    method: ProvisionMethod = "clone",
    by: ProvisionedBy | None = None,
    progress: Progress | None = None,
) -> CareProvider:
    """Create provider, schema, domain and first admin (also a clinician) in one transaction.

    With `by` it is an operator's provisioning: the operator log gets its row in the same
    transaction and the first admin an SMS with the login link once it has committed (test
    fixtures and benchmarks pass neither). `progress` hears each step as it starts; it must write
    outside this transaction (its own connection) for anyone to see it before the end."""
    report = progress or _no_progress
    clean = validate_request(request)
    subdomain = str(clean["subdomain"])
    try:
        with transaction.atomic():
            report(ProvisioningStep.SCHEMA)
            provider = CareProvider.objects.create(
                schema_name=schema_name_for(subdomain),
                name=str(clean["name"]),
                subdomain=subdomain,
                org_number=str(clean["org_number"]),
            )
            _create_schema(provider.schema_name, method)
            Domain.objects.create(
                domain=f"{subdomain}.{settings.BASE_DOMAIN}", tenant=provider, is_primary=True
            )
            report(ProvisioningStep.ADMIN)
            admin = _create_first_admin(provider, clean)
            if by is not None:
                _log_provision(provider, by)
                work = _welcome(provider, admin)
                transaction.on_commit(functools.partial(_after_commit, provider, work, report))
    except IntegrityError:
        raise ProvisioningError(
            {"subdomain": _("Subdomänen ”%(sub)s” används redan.") % {"sub": subdomain}}
        ) from None
    finally:
        connection.set_schema_to_public()
    _keep_catalog_statistics_fresh()
    return provider


def _no_progress(step: ProvisioningStep) -> None:
    return None


def _create_first_admin(provider: CareProvider, clean: dict[str, object]) -> AbstractBaseUser:
    first_name, last_name = cast(tuple[str, str], clean["admin_name"])
    with schema_context(provider.schema_name):
        # The user model by its setting (AUTH_USER_MODEL): tenants imports no tenant app.
        return get_user_model().objects.create_user(
            clean["admin_personnummer"],  # type: ignore[arg-type]
            first_name,
            last_name,
            mobile=clean["admin_mobile"],
            is_admin=True,
            is_clinician=True,
        )


def _welcome(provider: CareProvider, admin: AbstractBaseUser) -> list[AfterCommit]:
    """The registered handlers' part for the first admin (the SMS with the login link), in the
    new schema and transaction; returns their work for after the commit."""
    with schema_context(provider.schema_name):
        work = [handler(provider, admin) for handler in _first_admin_handlers]
    return [item for item in work if item is not None]


def _log_provision(provider: CareProvider, by: ProvisionedBy) -> None:
    # No personnummer or mobile number in the operator log: what the operator created.
    operator_log.record(
        OperatorActionKind.PROVISION,
        actor=by.actor,
        provider=provider,
        ip_address=by.ip_address,
        after={
            "name": provider.name,
            "subdomain": provider.subdomain,
            "org_number": provider.org_number,
        },
    )


def _after_commit(provider: CareProvider, work: list[AfterCommit], report: Progress) -> None:
    """Sending the first admin's SMS. The provider exists whatever happens here: an SMS that
    cannot go now stays queued, and the SMS sweep sends it later."""
    if not work:
        return
    report(ProvisioningStep.SMS)
    try:
        with schema_context(provider.schema_name):
            for item in work:
                item()
    except Exception:
        log.exception("Work after provisioning %s failed", provider.schema_name)
    finally:
        connection.set_schema_to_public()


ANALYZE_EVERY = 10


def _keep_catalog_statistics_fresh() -> None:
    """Each provider adds some hundred catalog rows; with stale statistics the clone's catalog
    queries slow down (0.26 s -> 0.6 s after 80 provisions, measured). ANALYZE every few."""
    count = get_redis().incr(platform_key("provisions-since-analyze"))
    if int(count) % ANALYZE_EVERY == 0:
        analyze_catalog()


def _create_schema(schema_name: str, method: ProvisionMethod) -> None:
    if method == "clone":
        ensure_clone_function()
        with connection.cursor() as cursor:
            # The template's django_migrations rows come along with the DATA clone, so the
            # new schema is recorded as migrated exactly as far as the template was.
            cursor.execute(
                "SELECT public.clone_schema(%s, %s, 'DATA')",
                [settings.TENANT_BASE_SCHEMA, schema_name],
            )
            _restore_constraint_names(cursor, settings.TENANT_BASE_SCHEMA, schema_name)
    else:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema_name}"')
        call_command(
            "migrate_schemas", tenant=True, schema_name=schema_name, interactive=False, verbosity=0
        )
        connection.set_schema_to_public()


# Unique constraints whose clone got PostgreSQL's default name instead of the template's.
_RENAMED_BY_CLONE = """
    SELECT cls.relname, clone_con.conname, tmpl_con.conname
    FROM pg_constraint clone_con
    JOIN pg_class cls ON cls.oid = clone_con.conrelid
    JOIN pg_namespace clone_ns ON clone_ns.oid = cls.relnamespace AND clone_ns.nspname = %(clone)s
    JOIN pg_namespace tmpl_ns ON tmpl_ns.nspname = %(template)s
    JOIN pg_class tmpl_cls ON tmpl_cls.relname = cls.relname AND tmpl_cls.relnamespace = tmpl_ns.oid
    JOIN pg_constraint tmpl_con ON tmpl_con.conrelid = tmpl_cls.oid
        AND tmpl_con.contype = clone_con.contype
        AND pg_get_constraintdef(tmpl_con.oid) = pg_get_constraintdef(clone_con.oid)
    WHERE clone_con.contype = 'u' AND clone_con.conname <> tmpl_con.conname
"""


def _restore_constraint_names(cursor: CursorWrapper, template: str, clone: str) -> None:
    """The clone renames named unique constraints (`uniq_x` -> `table_col_key`); a later
    migration that drops them by name would fail on cloned providers only. Rename them back."""
    cursor.execute(_RENAMED_BY_CLONE, {"clone": clone, "template": template})
    for table, clone_name, template_name in cursor.fetchall():
        cursor.execute(
            f'ALTER TABLE "{clone}"."{table}" RENAME CONSTRAINT "{clone_name}" TO "{template_name}"'
        )


_clone_function_ready = False


def ensure_clone_function(force: bool = False) -> None:
    """Install django-tenants' clone_schema() once, not on every clone."""
    global _clone_function_ready
    if _clone_function_ready and not force:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' AND p.proname = 'clone_schema'"
        )
        present = cursor.fetchone() is not None
    if force or not present:
        connection.set_schema_to_public()
        CloneSchema()._create_clone_schema_function()
    _clone_function_ready = True


def ensure_template() -> CareProvider:
    """Create the template provider row and schema if missing (migrated from scratch)."""
    connection.set_schema_to_public()
    template = CareProvider.objects.filter(is_template=True).first()
    if template is None:
        template = CareProvider.objects.create(
            schema_name=settings.TENANT_BASE_SCHEMA,
            name="Mall för nya vårdgivare",
            subdomain="template",
            is_template=True,
            status=ProviderStatus.SUSPENDED,
        )
    if not schema_exists(template.schema_name):
        with transaction.atomic():
            _create_schema(template.schema_name, "migrate")
    ensure_clone_function(force=True)
    analyze_catalog()
    return template


def analyze_catalog() -> None:
    """Fresh catalog statistics keep clone time flat on a young database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE pg_catalog.pg_class, pg_catalog.pg_attribute, pg_catalog.pg_constraint, "
            "pg_catalog.pg_index, pg_catalog.pg_depend, pg_catalog.pg_type, "
            "pg_catalog.pg_namespace, pg_catalog.pg_attrdef, pg_catalog.pg_sequence"
        )


def set_provider_status(provider: CareProvider, status: ProviderStatus) -> CareProvider:
    """Suspend or reactivate a provider; every process stops (or resumes) serving it at once."""
    connection.set_schema_to_public()
    with transaction.atomic():
        locked = CareProvider.objects.select_for_update().get(pk=provider.pk, is_template=False)
        locked.status = status
        locked.save(update_fields=["status"])
    return locked


def delete_provider(provider: CareProvider) -> None:
    """Remove a provider with its schema and domain (used by tests and decommissioning)."""
    connection.set_schema_to_public()
    with transaction.atomic():
        provider.delete(force_drop=True)
