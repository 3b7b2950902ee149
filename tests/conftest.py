"""The cast every test needs: provider alfa (admin, clinician, colleague, patient) and provider
beta with its own admin and an outsider patient, created once per session by schema clone.

Most tests run inside a transaction (`db`). Tests that need committed data (servers, workers,
provisioning rollback) use `committed` and clean up after themselves. `ready` gives alfa's
clinician Klara her visit types and booking function, for the tests of bookings and what uses them.
"""

import time
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.utils import translation
from django_tenants.utils import schema_context

from tenant_apps.accounts.models import User
from tenant_apps.bookings.services import PatientSpec
from tenant_apps.profiles import services as profiles
from tenants.models import CareProvider, ProviderStatus
from tenants.provisioning import (
    ProvisionRequest,
    delete_provider,
    ensure_template,
    provision_provider,
    set_provider_status,
)
from tenants.routing import host_cache
from tests.bookings.helpers import in_days
from tests.support import LiveServer, Worker, personnummer


@dataclass
class Cast:
    provider: CareProvider
    admin: User
    clinician: User | None = None
    colleague: User | None = None
    patient: User | None = None

    @property
    def host(self) -> str:
        return f"{self.provider.subdomain}.localhost"

    @property
    def schema_name(self) -> str:
        return self.provider.schema_name


def _provision(subdomain: str, name: str, admin_personnummer: str, admin_name: str) -> CareProvider:
    return provision_provider(
        ProvisionRequest(
            name=name,
            subdomain=subdomain,
            admin_personnummer=admin_personnummer,
            admin_name=admin_name,
            admin_mobile="070-111 22 33",
        )
    )


def _user(personnummer: str, first: str, last: str, **roles) -> User:
    return User.objects.create_user(personnummer, first, last, mobile="0702223344", **roles)


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_keepdb):
    # Always the database, even when the selected tests only use committed data (which
    # pytest-django would not count as needing one).
    from django.test.utils import setup_databases, teardown_databases

    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        databases = setup_databases(
            verbosity=verbosity, interactive=False, keepdb=django_db_keepdb, aliases=["default"]
        )
        _create_cast()
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            _disconnect_other_sessions()
            teardown_databases(databases, verbosity=verbosity)


def _disconnect_other_sessions() -> None:
    """Server and worker processes may still be closing their connections."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def _create_cast() -> None:
    ensure_template()
    alfa = _provision("alfa", "Vårdcentralen Alfa", personnummer("19800101", "001"), "Alma Admin")
    beta = _provision("beta", "Kliniken Beta", personnummer("19800202", "002"), "Bert Admin")
    with schema_context(alfa.schema_name):
        _user(personnummer("19850505", "005"), "Klara", "Kliniker", is_clinician=True)
        _user(personnummer("19860606", "006"), "Kalle", "Kollega", is_clinician=True)
        _user(personnummer("19900909", "009"), "Per", "Patient", is_patient=True)
    with schema_context(beta.schema_name):
        _user(personnummer("19911111", "011"), "Olle", "Utomstående", is_patient=True)
    connection.set_schema_to_public()
    _user(personnummer("19660606", "066"), "Otto", "Operatör", is_operator=True)
    _user(personnummer("19770707", "077"), "Sara", "Support", is_support=True)


@pytest.fixture(autouse=True)
def _swedish_to_begin_with():
    """A request in English (the language middleware) leaves English active in this thread;
    every test starts in the product's language."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def media_root(settings, tmp_path):
    """A MEDIA_ROOT of the test's own (and a fresh default storage: the tenant storage caches
    its root)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES}
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _fresh_routing():
    host_cache.clear()
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()
    host_cache.clear()


def _cast(subdomain: str) -> Cast:
    connection.set_schema_to_public()
    provider = CareProvider.objects.get(subdomain=subdomain)
    with schema_context(provider.schema_name):
        users = {u.first_name: u for u in User.objects.all()}
    if subdomain == "alfa":
        return Cast(provider, users["Alma"], users["Klara"], users["Kalle"], users["Per"])
    return Cast(provider, users["Bert"], patient=users["Olle"])


@pytest.fixture
def alfa(db) -> Cast:
    return _cast("alfa")


@pytest.fixture
def beta(db) -> Cast:
    return _cast("beta")


@pytest.fixture
def operator(db) -> User:
    """Otto Operatör, the platform's operator (a user of the public schema)."""
    connection.set_schema_to_public()
    return User.objects.get(is_operator=True)


@pytest.fixture
def support_user(db) -> User:
    """Sara Support, of the platform's support desk (a user of the public schema)."""
    connection.set_schema_to_public()
    return User.objects.get(is_support=True)


@pytest.fixture
def in_alfa(alfa):
    with schema_context(alfa.provider.schema_name):
        yield alfa


@pytest.fixture
def ready(in_alfa):
    """Klara has a yrkestitel, a 1-1 and a group visit type, and her booking function on."""
    clinician = in_alfa.clinician
    profiles.update_consultation(clinician, title="Sjuksköterska", description="")
    one = profiles.create_visit_type(
        clinician, title="Återbesök", duration_minutes=30, kind="video"
    )
    group = profiles.create_visit_type(
        clinician, title="Gruppsamtal", duration_minutes=60, kind="video_group", max_patients=3
    )
    profiles.activate_booking(clinician)
    in_alfa.one_to_one, in_alfa.group = one, group
    return in_alfa


@pytest.fixture
def kalles_patient(ready):
    """Per is a patient of Kalle's (a booking with him); Klara has not met him."""
    from tenant_apps.bookings import services

    colleague = ready.colleague
    profiles.update_consultation(colleague, title="Läkare", description="")
    visit = profiles.create_visit_type(
        colleague, title="Kalles besök", duration_minutes=20, kind="video"
    )
    profiles.activate_booking(colleague)
    per = ready.patient
    services.invite(
        actor=colleague,
        clinician=colleague,
        visit_type=visit,
        provider=ready.provider,
        patients=[PatientSpec(per.personnummer, per.first_name, per.last_name, per.mobile)],
        starts_at=in_days(4),
    )
    return per


class Committed:
    """Provision providers outside any test transaction; removed again at teardown."""

    def __init__(self):
        self.created: list[CareProvider] = []

    def provider(self, subdomain: str, name: str = "Testvårdgivaren", method="clone"):
        provider = provision_provider(
            ProvisionRequest(
                name=name,
                subdomain=subdomain,
                admin_personnummer=personnummer("19700707", "007"),
                admin_name="Tove Testadmin",
                admin_mobile="0733445566",
            ),
            method=method,
        )
        self.created.append(provider)
        return provider

    def cleanup(self):
        connection.set_schema_to_public()
        for provider in self.created:
            if CareProvider.objects.filter(pk=provider.pk).exists():
                _drop(CareProvider.objects.get(pk=provider.pk))


def _drop(provider: CareProvider) -> None:
    """Suspend first so the shared test worker drops new jobs for it; a job still running can
    deadlock with DROP SCHEMA, so try again."""
    set_provider_status(provider, ProviderStatus.SUSPENDED)
    for attempt in range(5):
        try:
            delete_provider(provider)
            return
        except OperationalError:
            connection.set_schema_to_public()
            if attempt == 4:
                raise
            time.sleep(0.5)


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        helper = Committed()
        try:
            yield helper
        finally:
            helper.cleanup()


@pytest.fixture(scope="session")
def live_server_process(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        server = LiveServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def worker_process(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        worker = Worker()
    yield worker
    worker.stop()
