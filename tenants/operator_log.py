"""The platform audit log: who did what to which provider, when, from where, before -> after.

Every operator action goes through `record`, inside the same transaction as the change it
describes, so a refused or rolled-back action leaves no row claiming it happened.
"""

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from careplatform import clock
from tenants.db import connection
from tenants.models import CareProvider, OperatorAction, OperatorActionKind


def provider_label(provider: CareProvider) -> str:
    return f"{provider.name} ({provider.subdomain})"


def record(
    action: OperatorActionKind,
    *,
    actor: AbstractBaseUser | None,
    provider: CareProvider | None = None,
    ip_address: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    signature: dict[str, Any] | None = None,
) -> OperatorAction:
    """Write one row of the operator log. `actor` None is the platform itself (a scheduled job).

    Call it inside the transaction that makes the change: the row commits with it or not at all.
    """
    connection.set_schema_to_public()
    return OperatorAction.objects.create(
        actor_id=actor.pk if actor is not None else None,
        actor_name=getattr(actor, "full_name", "") if actor is not None else "CarePlatform",
        action=action,
        provider=provider,
        provider_label=provider_label(provider) if provider is not None else "",
        ip_address=ip_address,
        before=before or {},
        after=after or {},
        reason=reason,
        signature=signature,
        created_at=clock.now(),
    )


def actions(
    *,
    subdomain: str | None = None,
    kind: str | None = None,
    actor_id: int | None = None,
    by_platform: bool = False,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
) -> QuerySet[OperatorAction]:
    """The log, newest first, narrowed by provider (subdomain), kind of action, operator (or
    the platform's own jobs) and period [since, until)."""
    connection.set_schema_to_public()
    rows = OperatorAction.objects.select_related("provider").order_by("-created_at", "-id")
    if subdomain:
        rows = rows.filter(provider__subdomain=subdomain)
    if kind:
        rows = rows.filter(action=kind)
    if by_platform:
        rows = rows.filter(actor__isnull=True)
    elif actor_id is not None:
        rows = rows.filter(actor_id=actor_id)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    if until is not None:
        rows = rows.filter(created_at__lt=until)
    return rows
