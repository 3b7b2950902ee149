"""django-tenants' PostgreSQL backend, with the request's health check and its
`SET search_path` sent as one statement, and a connection pool per process.

With persistent connections Django checks a connection with `SELECT 1` before the first query of
each request; a provider request then also needs `SET search_path` for its schema. When that SET
is pending anyway, it is the health check: a dead connection fails it just as it fails
`SELECT 1`, and one round trip per request is saved.

With the pool (`DB_POOL_MAX_SIZE`) a thread borrows a connection for one request and gives it
back at the end, so a process never holds more than the pool's size, however many threads the
ASGI server runs. A borrowed connection still carries the search_path of whoever used it last,
so the borrower sets its own at once, and that SET is again the health check: a connection that
died in the pool (a PostgreSQL restart) fails it, goes back to be discarded, and the next one is
tried. The pool's own check (an empty query per borrow) is off for that reason.
"""

import os

from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper
from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper
from django_tenants.utils import quote_schema_name
from psycopg import Connection
from psycopg import Error as DatabaseError


def _forget_inherited_pools() -> None:
    """A forked child (django-q2 forks its workers) must not borrow from its parent's pool: the
    pooled sockets are the parent's. Dropped unclosed, they stay open for the parent (psycopg
    finishes a connection only in the process that opened it); the child opens its own pool."""
    PostgresWrapper._connection_pools.clear()  # type: ignore[attr-defined]


os.register_at_fork(after_in_child=_forget_inherited_pools)


class DatabaseWrapper(TenantDatabaseWrapper):
    search_path_set_schemas: list[str] | None

    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        # pg_stat_activity tells which process holds a connection.
        params.setdefault("application_name", f"careplatform pid {os.getpid()}")
        return params

    def get_new_connection(self, conn_params: dict) -> Connection:
        if not self.pool:
            return super().get_new_connection(conn_params)
        # Each failed borrow discards a dead connection; a pool of dead ones is emptied once.
        for _attempt in range(self.pool.max_size):
            connection = super().get_new_connection(conn_params)
            if self._set_search_path(connection):
                return connection
            self.pool.putconn(connection)
        return super().get_new_connection(conn_params)

    def _set_search_path(self, connection: Connection) -> bool:
        """SET search_path for the selected schema on `connection`; False if that failed."""
        search_paths = self._get_cursor_search_paths()
        statement = "SET search_path = " + ",".join(quote_schema_name(s) for s in search_paths)
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
        except DatabaseError:
            return False
        self.search_path_set_schemas = search_paths
        return True

    def is_usable(self) -> bool:
        if self.connection is None:
            return False
        if self.search_path_set_schemas is not None or self.in_atomic_block:
            return super().is_usable()
        return self._set_search_path(self.connection)
