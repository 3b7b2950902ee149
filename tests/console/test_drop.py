"""A terminated provider's schema is exported and dropped when the grace period ends, by the
scheduled job (tenants.lifecycle.drop_due_providers): not a second before, safe to run twice and
in two workers at once; an undo before then keeps everything. Committed data: pg_dump reads the
database from its own connection."""

import datetime
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from careplatform.sms.models import DueKind, SmsDue
from tenant_apps.accounts.models import User
from tenants import lifecycle
from tenants.exports import ExportFailed
from tenants.models import CareProvider, Domain, OperatorActionKind, ProviderStatus
from tenants.routing import NOT_FOUND, host_cache, resolve_host
from tests.console.lifecycle_helpers import log_rows, signature_of
from tests.support import wait_for

NOW = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.UTC)
GRACE = datetime.timedelta(days=30)
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def folders(settings, tmp_path):
    settings.PROVIDER_EXPORT_DIR = tmp_path / "exports"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def operator_user(committed):
    connection.set_schema_to_public()
    return User.objects.get(is_operator=True)


def terminated(committed, operator, subdomain: str) -> CareProvider:
    """A committed provider, suspended and terminated at NOW (to be dropped at NOW + 30 days)."""
    provider = committed.provider(subdomain, name=f"Avslutas {subdomain}")
    with time_machine.travel(NOW, tick=False):
        for change in (lifecycle.suspend, lifecycle.terminate):
            provider = change(
                provider,
                reason="Avtalet är uppsagt",
                actor=operator,
                ip_address="203.0.113.7",
                signature=signature_of(operator),
            )
    return provider


def fresh(provider) -> CareProvider:
    connection.set_schema_to_public()
    return CareProvider.objects.get(pk=provider.pk)


def drop_at(moment: datetime.datetime) -> list[CareProvider]:
    with time_machine.travel(moment, tick=False):
        return lifecycle.drop_due_providers()


def test_not_dropped_a_second_before_and_dropped_at_the_time(committed, operator_user, folders):
    provider = terminated(committed, operator_user, "slut1")
    photo = folders / "media" / provider.schema_name / "profiles" / "bild.png"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"png")

    assert drop_at(NOW + GRACE - SECOND) == []
    assert schema_exists(provider.schema_name)
    assert fresh(provider).status == ProviderStatus.SUSPENDED

    [dropped] = drop_at(NOW + GRACE)
    assert dropped.pk == provider.pk
    gone = fresh(provider)  # the row stays, for invoices and the log
    assert (gone.status, gone.terminate_at) == (ProviderStatus.TERMINATED, None)
    assert not schema_exists(provider.schema_name)
    assert not Domain.objects.filter(tenant_id=provider.pk).exists()
    assert not photo.parent.parent.exists()  # uploaded files go with the schema
    host_cache.clear()
    assert resolve_host("slut1.localhost").kind == NOT_FOUND

    row = log_rows(provider)[-1]
    assert (row.action, row.actor_id, row.actor_name) == (
        OperatorActionKind.SCHEMA_DROPPED,
        None,
        "CarePlatform",
    )
    assert row.reason == "Avtalet är uppsagt"
    assert row.after["domains_removed"] == ["slut1.localhost"]
    export = Path(row.after["export"]["database"])
    assert export == folders / "exports" / "slut1-2026-12-30.dump"
    listing = subprocess.run(
        [shutil.which("pg_restore"), "--list", str(export)], capture_output=True, text=True
    )
    assert listing.returncode == 0, listing.stderr
    assert f"TABLE {provider.schema_name} accounts_user" in listing.stdout
    media = Path(row.after["export"]["media"])
    assert media.name == "slut1-2026-12-30-media.tar.gz" and media.stat().st_size > 0


def test_running_the_drop_again_changes_nothing(committed, operator_user, folders):
    provider = terminated(committed, operator_user, "slut2")
    assert len(drop_at(NOW + GRACE)) == 1
    rows = len(log_rows(provider))
    assert drop_at(NOW + GRACE + SECOND) == []
    assert len(log_rows(provider)) == rows
    assert fresh(provider).status == ProviderStatus.TERMINATED


def test_an_undo_before_the_time_keeps_everything(committed, operator_user, folders):
    provider = terminated(committed, operator_user, "slut3")
    with time_machine.travel(NOW + datetime.timedelta(days=10), tick=False):
        lifecycle.undo_termination(
            provider, reason="Kunden stannar", actor=operator_user, ip_address=None
        )
    assert drop_at(NOW + GRACE) == []
    assert drop_at(NOW + 2 * GRACE) == []
    assert schema_exists(provider.schema_name)
    with schema_context(provider.schema_name):
        assert User.objects.filter(last_name="Testadmin").exists()
    assert fresh(provider).status == ProviderStatus.SUSPENDED
    assert not list((folders / "exports").glob("*")) if (folders / "exports").exists() else True


def test_two_workers_at_once_drop_the_provider_once(committed, operator_user, folders):
    provider = terminated(committed, operator_user, "slut4")
    results, start = [], threading.Barrier(2)

    def worker():
        start.wait()
        try:
            results.append(lifecycle.drop_provider(provider.pk, NOW + GRACE))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result is not None for result in results) == [False, True]
    dropped = [r for r in log_rows(provider) if r.action == OperatorActionKind.SCHEMA_DROPPED]
    assert len(dropped) == 1
    assert not schema_exists(provider.schema_name)


def test_a_failed_export_drops_nothing(committed, operator_user, folders, monkeypatch):
    provider = terminated(committed, operator_user, "slut5")
    with schema_context(provider.schema_name):
        SmsDue.objects.create(
            provider_id=provider.schema_name, kind=DueKind.REMINDER, object_id=1, due_at=NOW
        )
    rows = len(log_rows(provider))
    monkeypatch.setenv("PATH", str(folders))  # no pg_dump to be found
    with pytest.raises(ExportFailed, match="pg_dump is not installed"):
        drop_at(NOW + GRACE)
    assert schema_exists(provider.schema_name)
    assert fresh(provider).status == ProviderStatus.SUSPENDED
    assert fresh(provider).terminate_at == NOW + GRACE
    assert Domain.objects.filter(tenant_id=provider.pk).exists()
    assert SmsDue.objects.filter(provider_id=provider.schema_name).exists()
    assert len(log_rows(provider)) == rows
    monkeypatch.undo()
    assert len(drop_at(NOW + GRACE)) == 1  # the next run succeeds
    assert not SmsDue.objects.filter(provider_id=provider.schema_name).exists()


def test_the_command_drops_what_is_due(committed, operator_user, folders, capsys):
    provider = terminated(committed, operator_user, "slut6")
    with time_machine.travel(NOW + GRACE - SECOND, tick=False):
        call_command("drop_due_providers")
    assert "Inga vårdgivare att radera." in capsys.readouterr().out
    with time_machine.travel(NOW + GRACE, tick=False):
        call_command("drop_due_providers")
    assert "Raderade Avslutas slut6 (slut6)." in capsys.readouterr().out
    assert fresh(provider).status == ProviderStatus.TERMINATED


@pytest.mark.server
def test_the_worker_drops_a_due_provider(committed, operator_user, worker_process):
    """The worker's periodic task queues one job per due provider; the job drops it."""
    provider = terminated(committed, operator_user, "slut7")
    CareProvider.objects.filter(pk=provider.pk).update(
        terminate_at=datetime.datetime.now(datetime.UTC) - SECOND
    )
    assert lifecycle.queue_due_drops() == 1
    try:
        wait_for(lambda: fresh(provider).status == ProviderStatus.TERMINATED, timeout=60)
        assert not schema_exists(provider.schema_name)
        export = Path(log_rows(provider)[-1].after["export"]["database"])
        assert export.parent == Path(django_settings.DATA_DIR) / "exports" and export.exists()
    finally:
        for path in (Path(django_settings.DATA_DIR) / "exports").glob("slut7-*"):
            path.unlink()
