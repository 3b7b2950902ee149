"""The public due-work index (`SmsDue`): write it from inside a provider's transaction, lock
rows for a job, and claim what is due across all providers for the sweep."""

import datetime
from collections.abc import Iterable

from django.db import transaction

from careplatform.sms.models import DueKind, SmsDue
from tenants.db import connection
from tenants.models import ProviderStatus


def _schema(schema: str | None) -> str:
    name = schema or connection.schema_name
    if name == "public":
        raise RuntimeError("the SMS due index is written from a provider's schema")
    return name


def schedule(kind: DueKind, due: dict[int, datetime.datetime], schema: str | None = None) -> None:
    """Insert or move rows: object id -> when the work is due. One statement."""
    if not due:
        return
    name = _schema(schema)
    SmsDue.objects.bulk_create(
        [
            SmsDue(provider_id=name, kind=kind, object_id=object_id, due_at=at)
            for object_id, at in due.items()
        ],
        update_conflicts=True,
        unique_fields=["provider", "kind", "object_id"],
        update_fields=["due_at"],
    )


def schedule_once(
    kind: DueKind, due: dict[int, datetime.datetime], schema: str | None = None
) -> None:
    """Insert rows that are not there yet; an existing row keeps its time. One statement."""
    if not due:
        return
    name = _schema(schema)
    SmsDue.objects.bulk_create(
        [
            SmsDue(provider_id=name, kind=kind, object_id=object_id, due_at=at)
            for object_id, at in due.items()
        ],
        ignore_conflicts=True,
    )


def unschedule(kind: DueKind, object_ids: Iterable[int], schema: str | None = None) -> None:
    ids = list(object_ids)
    if ids:
        SmsDue.objects.filter(
            provider__schema_name=_schema(schema), kind=kind, object_id__in=ids
        ).delete()


def move(
    kind: DueKind, object_ids: Iterable[int], at: datetime.datetime, schema: str | None = None
) -> None:
    """Set existing rows' due time (never creates one: a finished object has none)."""
    ids = list(object_ids)
    if ids:
        SmsDue.objects.filter(
            provider__schema_name=_schema(schema), kind=kind, object_id__in=ids
        ).update(due_at=at)


def lock(kind: DueKind, object_ids: Iterable[int], schema: str | None = None) -> set[int]:
    """Lock this provider's rows for `object_ids` (inside a transaction); rows another job
    holds, or that are gone, are left out."""
    return set(
        SmsDue.objects.select_for_update(skip_locked=True)
        .filter(provider__schema_name=_schema(schema), kind=kind, object_id__in=list(object_ids))
        .values_list("object_id", flat=True)
    )


def claim(
    now: datetime.datetime, *, limit: int, lease: datetime.timedelta
) -> list[tuple[str, str, int]]:
    """Rows due at `now` at active providers, oldest first, leased until now + lease (a job
    that finishes removes or moves them; one that dies lets them come due again). Two queries,
    however many providers there are."""
    with transaction.atomic():
        rows = list(
            SmsDue.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                due_at__lte=now,
                provider__status=ProviderStatus.ACTIVE,
                provider__is_template=False,
            )
            .order_by("due_at")
            .values_list("id", "provider__schema_name", "kind", "object_id")[:limit]
        )
        SmsDue.objects.filter(id__in=[row[0] for row in rows]).update(due_at=now + lease)
    return [(schema, kind, object_id) for _id, schema, kind, object_id in rows]
