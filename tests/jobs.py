"""Jobs the worker runs during tests (importable by the worker process)."""

import json

from django.db import connection

from careplatform.redis import get_redis, platform_key
from tenant_apps.accounts.models import User


def report_users(token: str) -> None:
    """Write which schema the job ran in and whose users it saw."""
    names = sorted(user.full_name for user in User.objects.all())
    report = {"schema": connection.schema_name, "names": names}
    get_redis().set(platform_key(f"testjob:{token}"), json.dumps(report), ex=300)


def read_report(token: str) -> dict | None:
    value = get_redis().get(platform_key(f"testjob:{token}"))
    return json.loads(value) if value else None
