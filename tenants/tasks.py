"""Background jobs that carry their provider.

`enqueue_for_provider` sends the schema name with every job (after commit, so the job sees the
rows that caused it); the worker enters that schema before running the job. A job for a provider
that no longer exists, or is suspended, is dropped with a log line.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string
from django_q.tasks import async_task
from django_tenants.utils import schema_context

from tenants.db import connection
from tenants.models import CareProvider

log = logging.getLogger(__name__)


def dotted_path(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def enqueue_for_provider(func: Callable[..., Any] | str, *args: Any, **kwargs: Any) -> None:
    """Run `func(*args, **kwargs)` in a worker, inside the current provider's schema."""
    schema_name = connection.schema_name
    if schema_name == "public":
        raise RuntimeError("enqueue_for_provider needs a provider schema, not public")
    path = func if isinstance(func, str) else dotted_path(func)
    transaction.on_commit(lambda: async_task(run_in_provider, schema_name, path, *args, **kwargs))


def run_in_provider(schema_name: str, path: str, *args: Any, **kwargs: Any) -> Any:
    connection.set_schema_to_public()
    provider = CareProvider.objects.filter(schema_name=schema_name, is_template=False).first()
    if provider is None:
        log.warning("Dropped job %s for unknown provider schema %s", path, schema_name)
        return None
    if not provider.is_active:
        log.info("Dropped job %s for suspended provider %s", path, schema_name)
        return None
    func = import_string(path)
    with schema_context(schema_name):
        return func(*args, **kwargs)
