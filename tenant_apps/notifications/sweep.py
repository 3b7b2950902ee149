"""The worker's periodic passes over all providers, from the public schema.

`sweep_due` (every SMS_SWEEP_INTERVAL seconds): one indexed query on the public due index finds
the reminders and messages due at every provider, and one job per provider (in batches) does
the work in that provider's schema. Nothing here costs a query per provider.

`recover_events` (every SMS_RECOVERY_INTERVAL seconds): booking events are handed to a job after
commit; if that hand-off was lost (a process died between commit and enqueue, Redis was away),
the events wait undispatched. One UNION ALL statement per 500 providers finds the schemas with
such events, and their dispatch job is queued again.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django_q.tasks import async_task

from careplatform import clock
from careplatform.sms.models import DueKind
from tenant_apps.bookings.models import BookingEvent
from tenant_apps.notifications import due
from tenants.db import connection
from tenants.models import CareProvider, ProviderStatus
from tenants.tasks import run_in_provider

log = logging.getLogger(__name__)

RUN_DUE = "tenant_apps.notifications.services.run_due"
DISPATCH = "tenant_apps.bookings.services.dispatch_events"
SCHEMAS_PER_STATEMENT = 500

Enqueue = Callable[..., Any]


def sweep_due(now: datetime.datetime | None = None, enqueue: Enqueue = async_task) -> int:
    """Lease what is due and queue the jobs; returns how many rows were leased."""
    connection.set_schema_to_public()
    now = now or clock.now()
    claimed = due.claim(
        now,
        limit=settings.SMS_SWEEP_LIMIT,
        lease=datetime.timedelta(seconds=settings.SMS_LEASE_SECONDS),
    )
    work: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for schema, kind, object_id in claimed:
        work[schema].append((kind, object_id))
    size = settings.SMS_JOB_BATCH
    for schema, items in work.items():
        for start in range(0, len(items), size):
            batch = items[start : start + size]
            reminders = [oid for kind, oid in batch if kind == DueKind.REMINDER]
            messages = [oid for kind, oid in batch if kind == DueKind.MESSAGE]
            waiting = [oid for kind, oid in batch if kind == DueKind.WAITING]
            extra = [waiting] if waiting else []  # jobs queued before waiting existed had two
            enqueue(run_in_provider, schema, RUN_DUE, reminders, messages, *extra)
    if claimed:
        log.info("SMS sweep: %d due items at %d providers", len(claimed), len(work))
    return len(claimed)


def schemas_with_stale_events(cutoff: datetime.datetime) -> list[str]:
    """Active providers with booking events older than `cutoff` still undispatched."""
    connection.set_schema_to_public()
    schemas = list(
        CareProvider.objects.filter(status=ProviderStatus.ACTIVE, is_template=False)
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )
    table = connection.ops.quote_name(BookingEvent._meta.db_table)
    found: list[str] = []
    for start in range(0, len(schemas), SCHEMAS_PER_STATEMENT):
        batch = schemas[start : start + SCHEMAS_PER_STATEMENT]
        # Uses each schema's partial index on undispatched events.
        sql = " UNION ALL ".join(
            f"SELECT %s WHERE EXISTS (SELECT 1 FROM {connection.ops.quote_name(s)}.{table} "
            "WHERE dispatched_at IS NULL AND created_at < %s)"
            for s in batch
        )
        params: list[Any] = []
        for schema in batch:
            params += [schema, cutoff]
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                found += [row[0] for row in cursor.fetchall()]
        except DatabaseError:
            # A provider deleted meanwhile takes its schema along; the next pass is clean.
            log.exception("Could not look for undispatched booking events")
    return found


def recover_events(now: datetime.datetime | None = None, enqueue: Enqueue = async_task) -> int:
    now = now or clock.now()
    cutoff = now - datetime.timedelta(seconds=settings.SMS_RECOVERY_AFTER)
    schemas = schemas_with_stale_events(cutoff)
    for schema in schemas:
        log.warning("Booking events of %s were never dispatched; dispatching now", schema)
        enqueue(run_in_provider, schema, DISPATCH)
    return len(schemas)
