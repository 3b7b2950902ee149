"""The SET search_path that doubles as the request's connection health check, and the
connection pool that bounds a process's connections."""

import contextlib
import copy
import multiprocessing
import os

import psycopg
import pytest
from django.contrib.postgres.signals import get_hstore_oids
from django.db import connections

from careplatform.db_backend.base import DatabaseWrapper
from tenant_apps.accounts.models import User
from tenants.db import connection
from tenants.models import CareProvider
from tests.support import current_database_url


@pytest.fixture
def outside_transaction(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


def new_request():
    """What Django does when a request starts: the next query health-checks the connection."""
    connection.close_if_unusable_or_obsolete()


def test_health_check_sets_the_schema_of_the_new_request(outside_transaction):
    alfa = CareProvider.objects.get(subdomain="alfa")
    beta = CareProvider.objects.get(subdomain="beta")
    for provider, someone in ((alfa, "Klara"), (beta, "Olle"), (alfa, "Klara")):
        new_request()
        connection.set_tenant(provider)
        assert User.objects.filter(first_name=someone).exists()
        assert connection.search_path_set_schemas == [provider.schema_name, "public"]


def test_dead_connection_is_replaced_before_the_first_query(outside_transaction):
    alfa = CareProvider.objects.get(subdomain="alfa")
    connection.ensure_connection()
    backend_pid = connection.connection.info.backend_pid
    with psycopg.connect(current_database_url(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
    new_request()
    connection.set_tenant(alfa)
    assert User.objects.filter(first_name="Klara").exists()
    assert connection.connection.info.backend_pid != backend_pid


# -- the connection pool (DB_POOL_MAX_SIZE) ---------------------------------------------------


@contextlib.contextmanager
def pool_of(size: int, alias: str):
    """Connections of our backend with a pool of `size` of their own (pools are kept per alias);
    each call of the yielded function is another thread's connection to the same pool."""
    settings_dict = copy.deepcopy(connection.settings_dict)
    settings_dict["OPTIONS"]["pool"] = {"min_size": 1, "max_size": size, "timeout": 10}
    settings_dict.update(CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False)
    # django.contrib.postgres looks up the alias's hstore type on every new connection (once,
    # then cached): register the alias and let that happen before the test borrows.
    connections.settings[alias] = settings_dict
    get_hstore_oids(alias)
    connections[alias].close()
    wrappers = [connections[alias]]

    def wrapper() -> DatabaseWrapper:
        wrappers.append(connections.create_connection(alias))
        return wrappers[-1]

    try:
        yield wrapper
    finally:
        for each in wrappers:
            each.close()
        wrappers[0].close_pool()
        del connections[alias]
        del connections.settings[alias]


def users_and_backend(db: DatabaseWrapper) -> tuple[set[str], int]:
    with db.cursor() as cursor:
        cursor.execute("SELECT first_name FROM accounts_user")
        names = {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT pg_backend_pid()")
        return names, cursor.fetchone()[0]


def test_pooled_connection_never_carries_a_providers_search_path_to_the_next_borrower(
    outside_transaction,
):
    alfa = CareProvider.objects.get(subdomain="alfa")
    with pool_of(1, "pool-search-path") as wrapper:
        on_alfa, on_public = wrapper(), wrapper()  # two threads' connections, one pool
        backends = set()
        for _ in range(3):
            on_alfa.set_tenant(alfa)
            names, backend = users_and_backend(on_alfa)
            assert "Klara" in names
            backends.add(backend)
            on_alfa.close()  # back to the pool, still set to alfa's schema
            on_public.set_schema_to_public()
            names, backend = users_and_backend(on_public)
            assert "Klara" not in names and "Otto" in names  # the operator, in public
            backends.add(backend)
            on_public.close()
        assert len(backends) == 1  # one physical connection went back and forth


def test_connection_that_died_in_the_pool_is_replaced_when_borrowed(outside_transaction):
    with pool_of(1, "pool-dead") as wrapper:
        db = wrapper()
        _, dead = users_and_backend(db)
        db.close()
        with psycopg.connect(current_database_url(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [dead])
        names, backend = users_and_backend(db)
        assert "Otto" in names and backend != dead


def _borrow_in_child(db: DatabaseWrapper, reply) -> None:
    _, backend = users_and_backend(db)
    with db.cursor() as cursor:
        cursor.execute("SELECT application_name FROM pg_stat_activity WHERE pid = %s", [backend])
        reply.send((backend, cursor.fetchone()[0]))
    db.close()


def test_forked_process_borrows_from_a_pool_of_its_own(outside_transaction):
    """django-q2 forks its workers: a child that borrowed the parent's pooled connections would
    talk over the parent's sockets."""
    with pool_of(2, "pool-fork") as wrapper:
        db = wrapper()
        _, parent_backend = users_and_backend(db)
        db.close()
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_borrow_in_child, args=(db, send))
        child.start()
        child_backend, child_name = receive.recv()
        child.join(10)
        assert child.exitcode == 0
        assert child_name == f"careplatform pid {child.pid}"
        with psycopg.connect(current_database_url(), autocommit=True) as admin:
            parents = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                [f"careplatform pid {os.getpid()}"],
            ).fetchall()
        assert parent_backend in {pid for (pid,) in parents}
        assert child_backend not in {pid for (pid,) in parents}
        names, backend = users_and_backend(db)  # the parent's pool still works
        assert "Otto" in names and backend in {pid for (pid,) in parents}
