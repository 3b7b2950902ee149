"""The default connection, typed as django-tenants' wrapper (schema switching) for mypy.

It is the same per-thread proxy as `django.db.connection`."""

from typing import cast

from django.db import connection as _connection
from django_tenants.postgresql_backend.base import DatabaseWrapper

connection = cast(DatabaseWrapper, _connection)
