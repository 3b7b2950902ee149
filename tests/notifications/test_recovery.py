"""Booking events whose hand-off to a job was lost are found, in one statement for all
providers, and dispatched."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from careplatform import clock
from tenant_apps.bookings.models import BookingEvent
from tenant_apps.notifications.models import SmsStatus
from tenant_apps.notifications.sweep import DISPATCH, schemas_with_stale_events
from tests.notifications.helpers import invite, messages, recover


def test_events_whose_job_was_lost_are_dispatched(ready, frozen, settings):
    invite(ready)  # committed in real life; its after-commit job never reached the queue
    frozen.shift(settings.SMS_RECOVERY_AFTER - 1)
    assert recover().queued == []  # young events: their job may still be on its way
    frozen.shift(2)
    jobs = recover()
    assert [args[:2] for func, args, kwargs in jobs.queued] == [
        (ready.provider.schema_name, DISPATCH)
    ]
    assert BookingEvent.objects.get().dispatched_at is not None
    assert [m.status for m in messages()] == [SmsStatus.SENT]
    frozen.shift(settings.SMS_RECOVERY_AFTER)
    assert recover().queued == []


def test_looking_for_lost_events_is_one_statement_for_all_providers(alfa, beta, frozen):
    with schema_context("public"), CaptureQueriesContext(connection) as queries:
        assert schemas_with_stale_events(cutoff=clock.now()) == []
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET ")]
    assert len(statements) == 2  # the provider list, then one UNION ALL over every schema
    assert statements[1].count("UNION ALL") == 1 and "t_beta" in statements[1]
