"""A provider's life after provisioning: suspend, reactivate, terminate, undo, drop.

    active --suspend--> suspended --terminate--> suspended, terminate_at set
       ^                   |    ^                       |            |
       +----reactivate-----+    +---undo_termination----+            | drop_due_providers,
                                                                     v  at terminate_at
                                                      terminated (schema exported and dropped)

Each change is one transaction: the provider row is locked, the rule checked (a refusal changes
nothing and writes no log row), the row changed and the operator log written. Suspend and
terminate must carry a BankID signature's completion data (public_site.signing asks for it).

What a suspension stops, and where:
- pages and API: routing answers the suspended page at once in every process (the host cache
  is invalidated on commit, tenants.routing); new WebSockets are refused (tenants.channels);
- open WebSockets: handlers registered with `on_suspended` (video closes the provider's rooms
  and prompt sockets) run after commit;
- logins: a BankID login in progress does not complete into a session (accounts.login checks
  the provider under a shared lock, and refuses a login started before the status changed);
- SMS and reminders: the due sweep claims work of active providers only, and jobs for
  suspended ones are dropped (tenants.tasks). Nothing is deleted: after reactivation due work is
  picked up again, and each kind decides whether it is still worth sending (a reminder for a
  visit that has started is dropped; a message past its expiry fails as expired).
"""

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from careplatform import clock
from careplatform.sms.models import SmsDue
from tenants import exports, operator_log
from tenants.db import connection
from tenants.models import CareProvider, Domain, OperatorActionKind, ProviderStatus

log = logging.getLogger(__name__)

REASON_MAX_LENGTH = 500
# A drop exports the whole schema first: far longer than the cluster's usual job timeout.
DROP_JOB_TIMEOUT = 6 * 3600

SuspendedHandler = Callable[[str], None]
_suspended_handlers: list[SuspendedHandler] = []


class LifecycleRefused(Exception):
    """The change is not allowed now; `message` says why, in the user's language."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def on_suspended(handler: SuspendedHandler) -> None:
    """Call `handler(schema_name)` after every suspension commits (once, however often it is
    registered). Tenant apps register in their AppConfig.ready(): tenants knows no tenant app."""
    if handler not in _suspended_handlers:
        _suspended_handlers.append(handler)


def _announce_suspended(schema_name: str) -> None:
    for handler in _suspended_handlers:
        try:
            handler(schema_name)
        except Exception:  # one handler failing must not keep the others from running
            log.exception("Suspension handler %r failed for %s", handler, schema_name)


# -- the rules ---------------------------------------------------------------------------------


def _suspend_refusal(provider: CareProvider) -> str | None:
    if provider.status == ProviderStatus.SUSPENDED:
        return _("Vårdgivaren är redan avstängd.")
    return None


def _reactivate_refusal(provider: CareProvider) -> str | None:
    if provider.status == ProviderStatus.ACTIVE:
        return _("Vårdgivaren är redan aktiv.")
    if provider.terminate_at is not None:
        return _("Vårdgivaren ska avslutas. Ångra avslutet innan du återaktiverar den.")
    return None


def _terminate_refusal(provider: CareProvider) -> str | None:
    if provider.status == ProviderStatus.ACTIVE:
        return _("Stäng av vårdgivaren innan du avslutar den.")
    if provider.terminate_at is not None:
        return _("Vårdgivaren ska redan avslutas.")
    return None


def _undo_refusal(provider: CareProvider) -> str | None:
    if provider.terminate_at is None:
        return _("Vårdgivaren har inget avslut att ångra.")
    return None


RULES: dict[OperatorActionKind, Callable[[CareProvider], str | None]] = {
    OperatorActionKind.SUSPEND: _suspend_refusal,
    OperatorActionKind.REACTIVATE: _reactivate_refusal,
    OperatorActionKind.TERMINATE: _terminate_refusal,
    OperatorActionKind.TERMINATE_UNDONE: _undo_refusal,
}
SIGNED = frozenset({OperatorActionKind.SUSPEND, OperatorActionKind.TERMINATE})


def clean_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise LifecycleRefused(_("Ange ett skäl."))
    if len(text) > REASON_MAX_LENGTH:
        raise LifecycleRefused(
            _("Skälet får vara högst %(max)d tecken.") % {"max": REASON_MAX_LENGTH}
        )
    return text


def state_refusal(kind: OperatorActionKind, provider: CareProvider) -> str | None:
    """Why `kind` may not be done to `provider` as it was read, or None. Pages ask before they
    offer the action (nobody signs for an action that would be refused); the services ask
    again under the lock."""
    if provider.is_template or provider.status == ProviderStatus.TERMINATED:
        return _("Vårdgivaren är avslutad och kan inte ändras.")
    return RULES[kind](provider)


def check(kind: OperatorActionKind, provider: CareProvider, reason: str | None) -> str:
    """Raise LifecycleRefused when `kind` may not be done now; returns the cleaned reason."""
    refusal = state_refusal(kind, provider)
    if refusal is not None:
        raise LifecycleRefused(refusal)
    return clean_reason(reason)


def snapshot(provider: CareProvider) -> dict[str, Any]:
    """What the log keeps of the provider's state, before and after a change."""
    return {
        "status": provider.status,
        "status_reason": provider.status_reason,
        "terminate_at": provider.terminate_at.isoformat() if provider.terminate_at else None,
    }


def _change(
    kind: OperatorActionKind,
    provider: CareProvider,
    apply: Callable[[CareProvider, datetime.datetime], None],
    *,
    reason: str | None,
    actor: AbstractBaseUser | None,
    ip_address: str | None,
    signature: dict[str, Any] | None,
) -> CareProvider:
    if kind in SIGNED and not signature:
        raise LifecycleRefused(_("Åtgärden måste skrivas under med BankID."))
    connection.set_schema_to_public()
    with transaction.atomic():
        locked = CareProvider.objects.select_for_update().filter(pk=provider.pk).first()
        if locked is None:
            raise LifecycleRefused(_("Vårdgivaren finns inte."))
        text = check(kind, locked, reason)
        before = snapshot(locked)
        now = clock.now()
        apply(locked, now)
        locked.status_reason = text
        locked.status_changed_at = now
        # Saved through the model: every process's routing cache is invalidated on commit.
        locked.save(update_fields=["status", "status_reason", "status_changed_at", "terminate_at"])
        operator_log.record(
            kind,
            actor=actor,
            provider=locked,
            ip_address=ip_address,
            before=before,
            after=snapshot(locked),
            reason=text,
            signature=signature,
        )
    return locked


# -- the services ------------------------------------------------------------------------------


def suspend(
    provider: CareProvider,
    *,
    reason: str | None,
    actor: AbstractBaseUser | None,
    ip_address: str | None,
    signature: dict[str, Any] | None,
) -> CareProvider:
    """Stop serving the provider: pages, API, WebSockets, logins, SMS and reminders."""

    def apply(locked: CareProvider, now: datetime.datetime) -> None:
        locked.status = ProviderStatus.SUSPENDED
        schema_name = locked.schema_name
        transaction.on_commit(lambda: _announce_suspended(schema_name))

    return _change(
        OperatorActionKind.SUSPEND,
        provider,
        apply,
        reason=reason,
        actor=actor,
        ip_address=ip_address,
        signature=signature,
    )


def reactivate(
    provider: CareProvider,
    *,
    reason: str | None,
    actor: AbstractBaseUser | None,
    ip_address: str | None,
    signature: dict[str, Any] | None = None,
) -> CareProvider:
    """Serve the provider again, with everything it had (nothing is removed by a suspension)."""

    def apply(locked: CareProvider, now: datetime.datetime) -> None:
        locked.status = ProviderStatus.ACTIVE

    return _change(
        OperatorActionKind.REACTIVATE,
        provider,
        apply,
        reason=reason,
        actor=actor,
        ip_address=ip_address,
        signature=signature,
    )


def grace_period() -> datetime.timedelta:
    return datetime.timedelta(days=settings.TERMINATION_GRACE_DAYS)


def terminate(
    provider: CareProvider,
    *,
    reason: str | None,
    actor: AbstractBaseUser | None,
    ip_address: str | None,
    signature: dict[str, Any] | None,
) -> CareProvider:
    """A suspended provider's data is dropped after the grace period, unless undone before."""

    def apply(locked: CareProvider, now: datetime.datetime) -> None:
        locked.terminate_at = now + grace_period()

    return _change(
        OperatorActionKind.TERMINATE,
        provider,
        apply,
        reason=reason,
        actor=actor,
        ip_address=ip_address,
        signature=signature,
    )


def undo_termination(
    provider: CareProvider,
    *,
    reason: str | None,
    actor: AbstractBaseUser | None,
    ip_address: str | None,
    signature: dict[str, Any] | None = None,
) -> CareProvider:
    """The pending termination is called off; the provider stays suspended."""

    def apply(locked: CareProvider, now: datetime.datetime) -> None:
        locked.terminate_at = None

    return _change(
        OperatorActionKind.TERMINATE_UNDONE,
        provider,
        apply,
        reason=reason,
        actor=actor,
        ip_address=ip_address,
        signature=signature,
    )


def days_left(provider: CareProvider, now: datetime.datetime | None = None) -> int | None:
    """Whole days until a pending termination (rounded up: "in 1 day" until the very end)."""
    if provider.terminate_at is None:
        return None
    left = provider.terminate_at - (now or clock.now())
    return max(0, -(-left // datetime.timedelta(days=1)))


# -- the drop ----------------------------------------------------------------------------------


def _due(now: datetime.datetime) -> list[int]:
    connection.set_schema_to_public()
    return list(
        CareProvider.objects.filter(
            status=ProviderStatus.SUSPENDED, terminate_at__lte=now, is_template=False
        )
        .order_by("terminate_at")
        .values_list("pk", flat=True)
    )


def drop_due_providers(now: datetime.datetime | None = None) -> list[CareProvider]:
    """Export and drop every provider whose termination is due; returns those dropped. Safe to
    run twice and in two workers at once: each provider is dropped by whoever locks it first."""
    now = now or clock.now()
    dropped = []
    for pk in _due(now):
        provider = drop_provider(pk, now)
        if provider is not None:
            dropped.append(provider)
    return dropped


def queue_due_drops() -> int:
    """The worker's periodic task: one job per due provider, each with time for its export."""
    due = _due(clock.now())
    for pk in due:
        async_task(drop_provider, pk, timeout=DROP_JOB_TIMEOUT)
    return len(due)


def drop_provider(pk: int, now: datetime.datetime | None = None) -> CareProvider | None:
    """Export the provider's data, then drop its schema and domains and mark it terminated (the
    row stays for invoices and the log). None when it is not due (any more: undone, dropped) or
    another worker is at it. A failed export drops nothing; the next run tries again."""
    now = now or clock.now()
    connection.set_schema_to_public()
    with transaction.atomic():
        locked = (
            CareProvider.objects.select_for_update(skip_locked=True)
            .filter(
                pk=pk, status=ProviderStatus.SUSPENDED, terminate_at__lte=now, is_template=False
            )
            .first()
        )
        if locked is None:
            return None
        before = snapshot(locked)
        export = exports.export_provider(locked, now)
        domains = sorted(Domain.objects.filter(tenant=locked).values_list("domain", flat=True))
        schema = connection.ops.quote_name(locked.schema_name)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        Domain.objects.filter(tenant=locked).delete()
        SmsDue.objects.filter(provider=locked).delete()
        locked.status = ProviderStatus.TERMINATED
        locked.terminate_at = None
        locked.status_changed_at = now
        locked.save(update_fields=["status", "terminate_at", "status_changed_at"])
        operator_log.record(
            OperatorActionKind.SCHEMA_DROPPED,
            actor=None,
            provider=locked,
            before=before,
            after={**snapshot(locked), "export": export.as_log(), "domains_removed": domains},
            reason=locked.status_reason,  # why it was terminated
        )
        transaction.on_commit(lambda: exports.remove_media(locked))
    log.warning("Provider %s terminated: schema dropped, export %s", locked, export.as_log())
    return locked
