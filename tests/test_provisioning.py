"""Provisioning: the command, its refusals, all-or-nothing, clone equals migrate."""

import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from careplatform.sms.models import OutboxMessage
from tenant_apps.accounts.models import User
from tenant_apps.notifications.first_admin import queue_login_sms
from tenants import provisioning
from tenants.models import CareProvider, Domain, OperatorAction
from tenants.provisioning import (
    ProvisionedBy,
    ProvisioningError,
    ProvisionRequest,
    provision_provider,
)
from tests.support import ROOT, personnummer, subprocess_env

ADMIN_PERSONNUMMER = personnummer("19720303", "003")


def command_args(**overrides: str) -> list[str]:
    options = {
        "name": "Hälsan Syd",
        "subdomain": "halsan-syd",
        "admin-personnummer": ADMIN_PERSONNUMMER,
        "admin-name": "Greta Gustafsson",
        "admin-mobile": "070-765 43 21",
        **overrides,
    }
    return ["provision_tenant", *(f"--{key}={value}" for key, value in options.items())]


def run_command(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=subprocess_env(**env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def nothing_created(subdomain: str) -> bool:
    connection.set_schema_to_public()
    return (
        not CareProvider.objects.filter(subdomain=subdomain).exists()
        and not Domain.objects.filter(domain__startswith=f"{subdomain}.").exists()
        and not schema_exists("t_" + subdomain.replace("-", "_"))
    )


def test_command_provisions_provider_with_first_admin(committed):
    result = run_command(*command_args())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().count("\n") == 0
    assert "halsan-syd" in result.stdout
    provider = CareProvider.objects.get(subdomain="halsan-syd")
    committed.created.append(provider)
    assert provider.name == "Hälsan Syd"
    assert provider.domains.get().domain == "halsan-syd.localhost"
    with schema_context(provider.schema_name):
        admin = User.objects.get()
    assert admin.personnummer == ADMIN_PERSONNUMMER
    assert (admin.first_name, admin.last_name) == ("Greta", "Gustafsson")
    assert admin.mobile == "+46707654321"
    assert admin.is_admin and admin.is_clinician and not admin.is_patient


def test_upper_case_subdomain_is_folded_to_lower_case(committed):
    call_command(*command_args(subdomain="Norrhalsan"))
    provider = CareProvider.objects.get(subdomain="norrhalsan")
    committed.created.append(provider)
    assert provider.schema_name == "t_norrhalsan"


def test_command_sends_the_first_admin_the_login_link_and_logs_it(committed):
    call_command(*command_args(subdomain="lankhalsan", **{"org-number": "5561234567"}))
    provider = CareProvider.objects.get(subdomain="lankhalsan")
    committed.created.append(provider)
    assert provider.org_number == "556123-4567"
    [sms] = OutboxMessage.objects.filter(provider_id=provider.schema_name)
    assert sms.to == "+46707654321"
    assert sms.text == (
        "Hälsan Syd: du är administratör på CarePlatform. "
        "Logga in: http://lankhalsan.localhost/login/"
    )
    [logged] = OperatorAction.objects.filter(provider=provider)
    assert (logged.action, logged.actor_id, logged.actor_name) == (
        "provision",
        None,
        "CarePlatform",
    )
    assert logged.after == {
        "name": "Hälsan Syd",
        "subdomain": "lankhalsan",
        "org_number": "556123-4567",
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"subdomain": "www"}, "reserverad"),
        ({"subdomain": "admin"}, "reserverad"),
        ({"subdomain": "support"}, "reserverad"),
        ({"subdomain": "min_klinik"}, "a–z, 0–9 och bindestreck"),
        ({"subdomain": "-klinik"}, "a–z, 0–9 och bindestreck"),
        ({"subdomain": "klinik-"}, "a–z, 0–9 och bindestreck"),
        ({"subdomain": "vård"}, "a–z, 0–9 och bindestreck"),
        ({"subdomain": "a.b"}, "a–z, 0–9 och bindestreck"),
        ({"subdomain": "x" * 41}, "högst 40 tecken"),
        ({"name": "N" * 101}, "högst 100 tecken"),
        ({"name": "  "}, "Ange vårdgivarens namn"),
        ({"admin-personnummer": "19720303-0000"}, "kontrollsiffra"),
        ({"admin-personnummer": "123"}, "10 eller 12 siffror"),
        ({"admin-mobile": "08-444 34 34"}, "inte ett mobilnummer"),
        ({"admin-mobile": "hej"}, "mobilnummer"),
        ({"admin-name": "Greta"}, "för- och efternamn"),
        ({"org-number": "556123-4568"}, r"org_number: .* giltigt \(fel kontrollsiffra\)"),
        ({"org-number": "556123-456"}, "org_number: Ange organisationsnumret med 10 siffror"),
        ({"org-number": "55612345AB"}, "org_number: Ange organisationsnumret med 10 siffror"),
    ],
)
def test_command_refuses_bad_input_and_creates_nothing(db, overrides, message):
    subdomain = overrides.get("subdomain", "halsan-syd")
    with pytest.raises(CommandError, match=message):
        call_command(*command_args(**overrides))
    assert nothing_created(subdomain.lower())


def test_command_refuses_duplicate_subdomain(alfa):
    with pytest.raises(CommandError, match="används redan"):
        call_command(*command_args(subdomain="alfa"))
    assert CareProvider.objects.filter(subdomain="alfa").count() == 1


def test_command_exit_code_and_message_without_traceback_on_bad_input(db):
    result = run_command(*command_args(subdomain="www"))
    assert result.returncode != 0
    assert "reserverad" in result.stderr
    assert "Traceback" not in result.stderr


def test_command_reports_unreachable_database_clearly(db):
    result = run_command(
        *command_args(), DATABASE_URL="postgresql://postgres@127.0.0.1:1/careplatform"
    )
    assert result.returncode != 0
    assert "Databasen gick inte att nå" in result.stderr
    assert "Traceback" not in result.stderr


def test_failure_half_way_leaves_no_schema_and_no_rows(committed):
    # Someone else holds the domain name: the schema is cloned before the domain row fails.
    other = committed.provider("upptagen")
    Domain.objects.create(domain="halvvags.localhost", tenant=other, is_primary=False)
    request = ProvisionRequest(
        name="Halvvägs",
        subdomain="halvvags",
        admin_personnummer=ADMIN_PERSONNUMMER,
        admin_name="Greta Gustafsson",
        admin_mobile="0707654321",
    )
    with pytest.raises(ProvisioningError):
        provision_provider(request)
    assert not CareProvider.objects.filter(subdomain="halvvags").exists()
    assert not schema_exists("t_halvvags")


def test_an_operators_failed_provisioning_leaves_no_log_row_and_no_sms(committed, monkeypatch):
    operator = User.objects.get(is_operator=True)
    logged_before = OperatorAction.objects.count()

    def queue_then_fail(provider, admin):
        # The operator log's row and the SMS are written; then the last step fails.
        queue_login_sms(provider, admin)
        raise RuntimeError("disk full")

    monkeypatch.setattr(provisioning, "_first_admin_handlers", [queue_then_fail])
    request = ProvisionRequest(
        name="Halvfärdig",
        subdomain="halvfardig",
        admin_personnummer=ADMIN_PERSONNUMMER,
        admin_name="Greta Gustafsson",
        admin_mobile="0707654321",
    )
    with pytest.raises(RuntimeError):
        provision_provider(request, by=ProvisionedBy(operator, "203.0.113.7"))
    assert nothing_created("halvfardig")
    assert OperatorAction.objects.count() == logged_before
    assert not OutboxMessage.objects.filter(text__startswith="Halvfärdig")


def test_failure_in_admin_creation_rolls_back_schema_and_domain(committed, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(User.objects, "create_user", explode)
    request = ProvisionRequest(
        name="Trasig",
        subdomain="trasig",
        admin_personnummer=ADMIN_PERSONNUMMER,
        admin_name="Greta Gustafsson",
        admin_mobile="0707654321",
    )
    with pytest.raises(RuntimeError):
        provision_provider(request)
    assert nothing_created("trasig")


CATALOG_QUERIES = {
    "tables": """
        SELECT table_name FROM information_schema.tables WHERE table_schema = %(s)s
    """,
    "columns": """
        SELECT table_name, column_name, data_type, is_nullable, character_maximum_length,
               replace(coalesce(column_default, ''), %(s)s || '.', '')
        FROM information_schema.columns WHERE table_schema = %(s)s
    """,
    "indexes": """
        SELECT indexname, replace(indexdef, %(s)s || '.', '')
        FROM pg_indexes WHERE schemaname = %(s)s
    """,
    "constraints": """
        SELECT con.conname, con.contype, cls.relname,
               replace(pg_get_constraintdef(con.oid), %(s)s || '.', '')
        FROM pg_constraint con
        JOIN pg_class cls ON cls.oid = con.conrelid
        JOIN pg_namespace ns ON ns.oid = con.connamespace
        WHERE ns.nspname = %(s)s
    """,
    "sequences": """
        SELECT sequence_name, data_type, increment FROM information_schema.sequences
        WHERE sequence_schema = %(s)s
    """,
    "migrations": "SELECT app, name FROM {schema}.django_migrations",
}


def catalog(schema: str) -> dict[str, set[tuple]]:
    result = {}
    with connection.cursor() as cursor:
        for name, query in CATALOG_QUERIES.items():
            cursor.execute(query.replace("{schema}", f'"{schema}"'), {"s": schema})
            result[name] = set(cursor.fetchall())
    return result


def test_cloned_and_migrated_schemas_have_the_same_catalog(committed):
    cloned = committed.provider("klonad", method="clone")
    migrated = committed.provider("migrerad", method="migrate")
    connection.set_schema_to_public()
    cloned_catalog = catalog(cloned.schema_name)
    migrated_catalog = catalog(migrated.schema_name)
    assert cloned_catalog["tables"]  # not comparing two empty sets
    assert len(cloned_catalog["constraints"]) > 5
    for part in CATALOG_QUERIES:
        assert cloned_catalog[part] == migrated_catalog[part], part


def test_clone_made_after_a_new_migration_has_the_new_column(committed):
    template = "tenant_template"

    def has_ip_column(schema: str) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = %s "
                "AND table_name = 'audit_auditevent' AND column_name = 'ip_address'",
                [schema],
            )
            return cursor.fetchone() is not None

    # Put the template back before the newest audit migration, as it was before it existed.
    call_command("migrate_schemas", "audit", "0001", schema_name=template, verbosity=0)
    try:
        assert not has_ip_column(template)
        before = committed.provider("fore-migrering")
        assert not has_ip_column(before.schema_name)
        # The new migration arrives: migrate_schemas keeps the template (and everyone) current.
        call_command("migrate_schemas", tenant=True, verbosity=0)
        after = committed.provider("efter-migrering")
        connection.set_schema_to_public()
        assert has_ip_column(template)
        assert has_ip_column(after.schema_name)
        assert has_ip_column(before.schema_name)
    finally:
        call_command("migrate_schemas", "audit", schema_name=template, verbosity=0)
        connection.set_schema_to_public()
