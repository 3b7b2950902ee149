"""Usage metering: what each provider used per day, kept in the public usage table
(`tenants.models.Usage`) for the console and billing, which never read a provider's schema.

Each metric is counted by SQL over one provider's schema. The tenant app that owns the tables
writes that SQL and registers it here from its AppConfig.ready() (tenants imports no tenant app):

- visits held, video minutes: tenant_apps.video.usage (call events);
- SMS segments sent: tenant_apps.notifications.usage (the SMS log);
- active clinicians: tenant_apps.profiles.usage; patients: tenant_apps.accounts.usage.

`collect(day)` counts every metric at every provider (not the template, not terminated ones) in
batches: one `INSERT … SELECT … UNION ALL … ON CONFLICT DO UPDATE` statement per metric and
batch of USAGE_SCHEMAS_PER_STATEMENT schemas, after one query for the providers. A run costs
1 + metrics × ⌈providers / batch⌉ statements: 51 for 1,000 providers (5 metrics, 100 a batch).
PostgreSQL plans a UNION ALL of n schemas in more than n times the time of one (measured: 100
schemas a statement counted 500 providers five times faster than 500 a statement), hence 100.

Events (visits held, video minutes, SMS segments) are counted on the Stockholm day they happened
and can be counted again for any day: the job's figure is the truth, and a second run writes the
same rows. A state (active clinicians, patients) can only be seen now: it is recorded for today
only, and a day keeps what its last run saw. The worker runs `collect_recent` every USAGE_INTERVAL
seconds: it queues today and yesterday (what happened just before midnight is counted too) as
jobs of USAGE_PROVIDERS_PER_JOB providers each, each job well inside the worker's timeout.
"""

import contextlib
import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models.expressions import RawSQL
from django_q.tasks import async_task

from careplatform import clock
from careplatform.timeutil import local_day_range
from tenants.db import connection
from tenants.models import CareProvider, ProviderStatus, Usage, UsageMetric

log = logging.getLogger(__name__)

Enqueue = Callable[..., Any]


@dataclass(frozen=True)
class MetricQuery:
    """How one metric is counted in one provider's schema.

    `sql` is a SELECT of one number. It names each table as `{schema}.table` and may use the
    day's bounds `%(start)s` and `%(end)s` (UTC instants of the Stockholm day's midnights), so
    that one statement can count it in many schemas. A `snapshot` counts the state now (who is
    active), not what happened on the day: recorded for today only."""

    metric: str
    sql: str
    snapshot: bool = False


_queries: dict[str, MetricQuery] = {}


def register(query: MetricQuery) -> None:
    """Count `query.metric` this way from now on (registering it again replaces it)."""
    _queries[query.metric] = query


def registered() -> dict[str, MetricQuery]:
    return dict(_queries)


def _ordered() -> list[MetricQuery]:
    """In UsageMetric's order, whatever order the apps registered in."""
    order = {metric: index for index, metric in enumerate(UsageMetric.values)}
    return sorted(_queries.values(), key=lambda q: order.get(q.metric, len(order)))


@dataclass(frozen=True)
class Collected:
    day: datetime.date
    providers: int
    metrics: list[str]
    statements: int
    failed: int = 0


def collect_recent(enqueue: Enqueue = async_task) -> int:
    """The worker's periodic job: queue the counting of today and yesterday (Stockholm), one
    job per day and USAGE_PROVIDERS_PER_JOB providers, so that no job outlasts the worker's
    timeout however many providers there are. Returns how many jobs it queued."""
    connection.set_schema_to_public()
    today = clock.today_local()
    ids = [pk for pk, _schema in _providers()]
    size = settings.USAGE_PROVIDERS_PER_JOB
    jobs = 0
    for day in (today - datetime.timedelta(days=1), today):
        for start in range(0, len(ids), size):
            enqueue(collect, day, ids[start : start + size])
            jobs += 1
    return jobs


def collect(day: datetime.date, provider_ids: list[int] | None = None) -> Collected:
    """Count and record `day` for every provider (or these); safe to run twice (or at once in
    two workers). Snapshot metrics only when `day` is today."""
    connection.set_schema_to_public()
    start, end = local_day_range(day, day)
    now = clock.now()
    is_today = day == clock.today_local()
    queries = [q for q in _ordered() if is_today or not q.snapshot]
    providers = _providers(provider_ids)
    size = settings.USAGE_SCHEMAS_PER_STATEMENT
    batches = [providers[i : i + size] for i in range(0, len(providers), size)]
    params = {"day": day, "start": start, "end": end, "now": now}
    statements = failed = 0
    for query in queries:
        for batch in batches:
            statements += 1
            if not _execute(_statement(query, batch), {**params, "metric": query.metric}):
                failed += 1
    done = Collected(day, len(providers), [q.metric for q in queries], statements + 1, failed)
    log.info(
        "Usage of %s counted at %d providers (%d metrics, %d statements, %d failed)",
        day, done.providers, len(done.metrics), done.statements, failed,
    )  # fmt: skip
    return done


def _providers(ids: list[int] | None = None) -> list[tuple[int, str]]:
    """Providers to count, with their schema: one query. A schema that is gone (a provider being
    deleted) is left out, so one provider cannot fail a whole batch."""
    existing = RawSQL("SELECT nspname FROM pg_catalog.pg_namespace", [])
    found = CareProvider.objects.filter(is_template=False, schema_name__in=existing).exclude(
        status=ProviderStatus.TERMINATED
    )
    if ids is not None:
        found = found.filter(pk__in=ids)
    return list(found.order_by("pk").values_list("pk", "schema_name"))


def _statement(query: MetricQuery, batch: list[tuple[int, str]]) -> str:
    quote = connection.ops.quote_name
    table = quote(Usage._meta.db_table)
    counted = "\nUNION ALL\n".join(
        f"SELECT {int(pk)} AS provider_id, ({query.sql.format(schema=quote(schema))})::bigint "
        "AS value"
        for pk, schema in batch
    )
    # An event metric writes a day's zero only over a figure recorded before (a correction):
    # most providers have no SMS on most days, and the table stays small.
    keep = (
        "TRUE"
        if query.snapshot
        else f"counted.value <> 0 OR EXISTS (SELECT 1 FROM {table} AS known "
        "WHERE known.provider_id = counted.provider_id AND known.day = %(day)s "
        "AND known.metric = %(metric)s)"
    )
    return (
        f"INSERT INTO {table} (provider_id, day, metric, value, updated_at)\n"
        "SELECT counted.provider_id, %(day)s, %(metric)s, COALESCE(counted.value, 0), %(now)s\n"
        f"FROM (\n{counted}\n) AS counted\nWHERE {keep}\n"
        "ON CONFLICT (provider_id, day, metric) DO UPDATE\n"
        "SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at\n"
        f"WHERE {table}.value IS DISTINCT FROM EXCLUDED.value"
    )


def _execute(sql: str, params: dict[str, Any]) -> bool:
    """One statement; a failure is logged and the other batches go on (the next run counts
    again). Inside a transaction (tests, a caller's atomic block) under a savepoint."""
    # In autocommit the statement is its own transaction.
    guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with guard, connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        log.exception("Usage metering: a batch of %s failed", params["metric"])
        return False
    return True
