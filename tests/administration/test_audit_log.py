"""Granskningslogg: admins see who viewed which patient's data, newest first."""

import datetime as dt

from django.urls import reverse
from django_tenants.utils import schema_context

from careplatform import clock
from tenant_apps.audit.models import AuditEvent


def log_events(cast, count: int, subject=None, action="patient.detail") -> None:
    start = clock.now() - dt.timedelta(days=1)
    with schema_context(cast.provider.schema_name):
        AuditEvent.objects.bulk_create(
            AuditEvent(
                actor=cast.admin,
                subject=subject or cast.patient,
                action=action,
                created_at=start + dt.timedelta(minutes=n),
                ip_address="192.0.2.7",
            )
            for n in range(count)
        )


def test_log_lists_events_newest_first_with_who_whom_what_and_ip(as_admin, alfa):
    log_events(alfa, 3)
    response = as_admin.get(reverse("admin-audit-log"))
    shown = list(response.context["page"].object_list)
    assert [e.created_at for e in shown] == sorted((e.created_at for e in shown), reverse=True)
    page = response.content.decode()
    assert "Alma Admin" in page and "Per Patient" in page and "192.0.2.7" in page
    assert "Visade patientens uppgifter" in page


def test_log_has_25_per_page(as_admin, alfa):
    log_events(alfa, 30)
    assert len(as_admin.get(reverse("admin-audit-log")).context["page"].object_list) == 25
    second = as_admin.get(reverse("admin-audit-log"), {"sida": 2})
    assert len(second.context["page"].object_list) == 5


def test_log_of_one_patient(as_admin, alfa):
    log_events(alfa, 2)
    log_events(alfa, 4, subject=alfa.colleague)
    response = as_admin.get(reverse("admin-audit-log-patient", args=[alfa.patient.pk]))
    assert {e.subject for e in response.context["page"].object_list} == {alfa.patient}
    assert response.context["page"].paginator.count == 2


def test_another_providers_log_is_not_shown(as_admin, alfa, beta):
    log_events(beta, 2)
    assert as_admin.get(reverse("admin-audit-log")).context["page"].paginator.count == 0


def test_unknown_action_is_shown_as_written(as_admin, alfa):
    log_events(alfa, 1, action="support.lookup")
    assert "support.lookup" in as_admin.get(reverse("admin-audit-log")).content.decode()
