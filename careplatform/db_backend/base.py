"""django-tenants' PostgreSQL backend, with the request's health check and its
`SET search_path` sent as one statement.

With persistent connections Django checks a connection with `SELECT 1` before the first query of
each request; a provider request then also needs `SET search_path` for its schema. When that SET
is pending anyway, it is the health check: a dead connection fails it just as it fails
`SELECT 1`, and one round trip per request is saved.
"""

from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper
from django_tenants.utils import quote_schema_name
from psycopg import Error as DatabaseError


class DatabaseWrapper(TenantDatabaseWrapper):
    search_path_set_schemas: list[str] | None

    def is_usable(self) -> bool:
        if self.connection is None:
            return False
        if self.search_path_set_schemas is not None or self.in_atomic_block:
            return super().is_usable()
        search_paths = self._get_cursor_search_paths()
        statement = "SET search_path = " + ",".join(quote_schema_name(s) for s in search_paths)
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(statement)
        except DatabaseError:
            return False
        self.search_path_set_schemas = search_paths
        return True
