"""A whole platform on private PostgreSQL and Redis servers: one provider, a live ASGI server
and a worker sending SMS to a fake 46elks. The tests stop and start the servers underneath.

The test process works in the private database too (its default connection points there for
the module), so bookings are made with the same services as everywhere else. Its after-commit
hand-off of booking events is switched off: the worker finds the events by itself (its
lost-event pass), which keeps the test process away from the private Redis.
"""

import contextlib
import tempfile
from pathlib import Path

import dj_database_url
import psycopg
import pytest
from django.core.management import call_command
from django.db import connections

from careplatform.sms.fake_gateway import FakeElks46
from tenant_apps.bookings import services as bookings
from tenants.models import CareProvider
from tenants.provisioning import ProvisionRequest, ensure_template, provision_provider
from tests.faults.helpers import ADMIN_PERSONNUMMER, SUBDOMAIN, Platform
from tests.faults.servers import PostgresServer, RedisServer
from tests.notifications.helpers import sms_worker_env
from tests.support import LiveServer, Worker


@contextlib.contextmanager
def database_at(url: str):
    """The test process's default connection (and so the DATABASE_URL of the servers and
    workers it starts) points at `url` for the block."""
    conn = connections["default"]
    saved = dict(conn.settings_dict)
    # The process's connection pool (DB_POOL_MAX_SIZE) keeps connecting to the database it was
    # opened for: it is closed with the connection, so the next one opens a pool for `url`.
    conn.close()
    conn.close_pool()
    target = dj_database_url.parse(url)
    conn.settings_dict.update({k: target[k] for k in ("NAME", "USER", "PASSWORD", "HOST", "PORT")})
    try:
        yield
    finally:
        conn.close()
        conn.close_pool()
        conn.settings_dict.clear()
        conn.settings_dict.update(saved)


def create_database(postgres: PostgresServer, name: str) -> None:
    with psycopg.connect(
        host=str(postgres.socket_dir), user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def _provider() -> CareProvider:
    ensure_template()
    provider = provision_provider(
        ProvisionRequest(
            name="Felprovskliniken",
            subdomain=SUBDOMAIN,
            admin_personnummer=ADMIN_PERSONNUMMER,
            admin_name="Frida Felprov",
            admin_mobile="0709998877",
        )
    )
    CareProvider.objects.filter(pk=provider.pk).update(patient_confirmation_required=False)
    provider.refresh_from_db()
    return provider


@pytest.fixture(scope="module")
def platform(django_db_setup, django_db_blocker):
    with contextlib.ExitStack() as stack:
        # Not under pytest's base temporary directory: every pytest run on the machine makes
        # that private to its owner again, and PostgreSQL runs as a user of its own when we
        # are root.
        base = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cp-faults-")))
        postgres = PostgresServer(base / "postgres")
        stack.callback(postgres.close)
        redis = RedisServer(base / "redis")
        stack.callback(redis.close)
        create_database(postgres, "careplatform")
        stack.enter_context(django_db_blocker.unblock())
        stack.enter_context(database_at(postgres.url("careplatform")))
        call_command("setup_platform", verbosity=0)
        provider = _provider()
        elks = stack.enter_context(FakeElks46())
        server = LiveServer(clock=True, REDIS_URL=redis.url, WORKER_HEARTBEAT_MAX_AGE="5")
        stack.callback(server.stop)
        worker = Worker(
            **sms_worker_env(elks),
            REDIS_URL=redis.url,
            WORKER_HEARTBEAT_INTERVAL="1",
            SMS_HTTP_TIMEOUT="2",
        )
        stack.callback(worker.stop)
        yield Platform(postgres, redis, elks, server, worker, provider)


@pytest.fixture(autouse=True)
def _no_hand_off(monkeypatch, django_db_blocker):
    monkeypatch.setattr(bookings, "enqueue_for_provider", lambda *args, **kwargs: None)
    with django_db_blocker.unblock():
        yield
