"""The SET search_path that doubles as the request's connection health check."""

import psycopg
import pytest

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
