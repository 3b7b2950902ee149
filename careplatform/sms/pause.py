"""Per-account pauses after a 429: the gateway's advised delay holds for the whole account.

46elks limits requests per account, not per message: when it answers 429, every sender of that
account (any provider, job or process) waits until the advised time before starting another
request. The pause lives in the public schema, one row per account, and only ever moves later.
"""

import datetime

from django.db import connection

from careplatform.sms.models import GatewayPause


def pause_account(account: str, until: datetime.datetime) -> None:
    """No request on `account` before `until` (a later pause already set is kept)."""
    table = connection.ops.quote_name(GatewayPause._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (account, not_before) VALUES (%s, %s) "
            "ON CONFLICT (account) DO UPDATE "
            f"SET not_before = GREATEST({table}.not_before, EXCLUDED.not_before)",
            [account, until],
        )


def paused_until(account: str, now: datetime.datetime) -> datetime.datetime | None:
    """When requests on `account` may start again, or None if they may start now."""
    return (
        GatewayPause.objects.filter(account=account, not_before__gt=now)
        .values_list("not_before", flat=True)
        .first()
    )
