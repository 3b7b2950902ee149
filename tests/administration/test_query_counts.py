"""List pages cost the same number of SQL queries however many rows there are."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tenants.utils import schema_context

from careplatform import clock
from tenant_apps.audit.models import AuditEvent
from tests.administration.helpers import make_users


def add_events(cast, count: int) -> None:
    now = clock.now()
    with schema_context(cast.provider.schema_name):
        AuditEvent.objects.bulk_create(
            AuditEvent(
                actor=cast.admin,
                subject=cast.patient,
                action="patient.detail",
                created_at=now - dt.timedelta(seconds=n),
            )
            for n in range(count)
        )


def add_rows(kind: str, cast, count: int, start: int) -> None:
    if kind == "admin-audit-log":
        add_events(cast, count)
    else:
        make_users(
            cast, count, start, **{"is_clinician" if kind == "admin-staff" else "is_patient": True}
        )


def is_routing(sql: str) -> bool:
    # Host -> provider: cached per process once its Redis listener is subscribed, which may
    # happen between two requests; the page's own queries are what is counted.
    return sql.startswith("SET search_path") or '"tenants_domain"' in sql


def queries_for(browser, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(path)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries if not is_routing(q["sql"])]


@pytest.mark.parametrize("name", ["admin-staff", "admin-patients", "admin-audit-log"])
def test_list_page_queries_do_not_grow_with_its_length(as_admin, alfa, name):
    path = reverse(name)
    as_admin.get(path)  # warm up: the session, the consent version
    add_rows(name, alfa, 5, start=0)
    with_5 = queries_for(as_admin, path)
    add_rows(name, alfa, 195, start=5)
    with_200 = queries_for(as_admin, path)
    assert len(with_5) == len(with_200)
    # session, user, count, page, the "Starta videomöte" prompt, the unread notices on the bell
    # (+ the audit insert for patients)
    assert len(with_200) <= 7
