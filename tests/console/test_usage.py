"""Usage metering (tenants.usage): each provider's day in the public usage table, counted in the
providers' own schemas by a job that costs the same number of statements however many providers
there are, and gives the same rows when it runs again."""

import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from careplatform.timeutil import local, local_datetime
from tenant_apps.accounts.models import User
from tenant_apps.notifications.management.commands.run_worker import periodic_tasks
from tenant_apps.notifications.models import SmsMessage
from tenant_apps.profiles import services as profiles
from tenant_apps.video import services as video
from tenants import usage
from tenants.models import CareProvider, ProviderStatus, Usage, UsageMetric
from tenants.provisioning import ProvisionRequest, provision_provider
from tests.bookings.helpers import patient_spec
from tests.notifications.helpers import dispatch, sweep
from tests.support import personnummer
from tests.video.helpers import book, patients_of

# Saturday 24 October 2026; Sunday the 25th has 25 hours (summer time ends at 03:00).
DAY = datetime.date(2026, 10, 24)
NEXT = DAY + datetime.timedelta(days=1)
EVENTS = {UsageMetric.VISITS_HELD, UsageMetric.VIDEO_MINUTES, UsageMetric.SMS_SEGMENTS}


def at_local(day: datetime.date, hour: int, minute: int, second: int = 0):
    return local_datetime(day, datetime.time(hour, minute, second))


def frozen(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


def figures(cast, day: datetime.date) -> dict[str, int]:
    rows = Usage.objects.filter(provider=cast.provider, day=day)
    return dict(rows.values_list("metric", "value"))


def table() -> list[tuple]:
    return list(
        Usage.objects.order_by("provider", "day", "metric").values_list(
            "id", "provider", "day", "metric", "value", "updated_at"
        )
    )


def collect(day: datetime.date) -> usage.Collected:
    with schema_context("public"):  # as the worker runs it; the test's schema comes back
        return usage.collect(day)


def sent_segments(day: datetime.date) -> int:
    sent = SmsMessage.objects.filter(sent_at__isnull=False)
    return sum(m.segments for m in sent if local(m.sent_at).date() == day)


def test_every_metric_is_counted_by_a_registered_query():
    assert set(usage.registered()) == set(UsageMetric.values)
    snapshots = {metric for metric, query in usage.registered().items() if query.snapshot}
    assert snapshots == {UsageMetric.ACTIVE_CLINICIANS, UsageMetric.PATIENTS}


def test_a_visit_across_midnight_counts_on_the_stockholm_day_its_call_connected(ready):
    with frozen(at_local(DAY, 12, 0)):
        booking = book(ready, starts_at=at_local(DAY, 23, 45))
    patient = patients_of(booking)[0]
    with frozen(at_local(DAY, 23, 50)):
        video.join(booking.pk, ready.clinician, "peer-c", "chan.c")
        video.join(booking.pk, patient, "peer-p", "chan.p")
    with frozen(at_local(DAY, 23, 58, 30)):
        assert video.record_call_state("chan.p", "connected", "peer-c")
    with frozen(at_local(NEXT, 0, 10)):  # 11.5 minutes later, past midnight
        video.end_visit(booking, ready.clinician)
        video.leave("chan.c", "left")
        video.leave("chan.p", "left")
    with frozen(at_local(NEXT, 0, 30)):
        collect(DAY)
        collect(NEXT)
    on_day, next_day = figures(ready, DAY), figures(ready, NEXT)
    assert on_day[UsageMetric.VISITS_HELD] == 1
    assert on_day[UsageMetric.VIDEO_MINUTES] == 12  # a started minute counts whole
    assert UsageMetric.VISITS_HELD not in next_day
    assert UsageMetric.VIDEO_MINUTES not in next_day


def test_a_call_that_never_connected_is_no_visit_and_no_minutes(ready):
    with frozen(at_local(DAY, 9, 0)):
        booking = book(ready, starts_at=at_local(DAY, 10, 0))
    with frozen(at_local(DAY, 10, 0)):
        video.join(booking.pk, ready.clinician, "peer-c", "chan.c")
        video.join(booking.pk, patients_of(booking)[0], "peer-p", "chan.p")
        video.record_call_state("chan.p", "failed", "peer-c")
    with frozen(at_local(DAY, 10, 20)):
        video.leave("chan.c", "left")
        collect(DAY)
    assert UsageMetric.VISITS_HELD not in figures(ready, DAY)
    assert UsageMetric.VIDEO_MINUTES not in figures(ready, DAY)


def test_sms_segments_count_on_the_stockholm_day_the_gateway_took_them(ready):
    def invite_and_send(moment, n):
        with frozen(moment):
            book(
                ready, patients=[patient_spec(n)], starts_at=moment + datetime.timedelta(days=2 + n)
            )
            dispatch()
            sweep()

    invite_and_send(at_local(DAY, 23, 59, 30), 1)
    invite_and_send(at_local(NEXT, 0, 0, 30), 2)  # 22:00:30 UTC, still the 24th in UTC
    with frozen(at_local(NEXT, 0, 5)):
        collect(DAY)
        collect(NEXT)
    assert sent_segments(DAY) > 0 and sent_segments(NEXT) > 0
    assert figures(ready, DAY)[UsageMetric.SMS_SEGMENTS] == sent_segments(DAY)
    assert figures(ready, NEXT)[UsageMetric.SMS_SEGMENTS] == sent_segments(NEXT)
    total = sum(SmsMessage.objects.filter(sent_at__isnull=False).values_list("segments", flat=True))
    assert sent_segments(DAY) + sent_segments(NEXT) == total


def test_clinicians_and_patients_are_counted_for_today_only(beta, ready):
    with frozen(at_local(DAY, 12, 0)):
        collect(DAY - datetime.timedelta(days=1))
        collect(DAY)
    # Klara is bookable (Alma and Kalle are clinicians without the booking function); Per.
    assert figures(ready, DAY) == {UsageMetric.ACTIVE_CLINICIANS: 1, UsageMetric.PATIENTS: 1}
    assert figures(beta, DAY) == {UsageMetric.ACTIVE_CLINICIANS: 0, UsageMetric.PATIENTS: 1}
    assert figures(ready, DAY - datetime.timedelta(days=1)) == {}
    # A day keeps what its last run saw.
    with schema_context(ready.schema_name):
        profiles.deactivate_booking(User.objects.get(pk=ready.clinician.pk))
    with frozen(at_local(DAY, 23, 50)):
        collect(DAY)
    assert figures(ready, DAY)[UsageMetric.ACTIVE_CLINICIANS] == 0


def test_running_twice_writes_the_same_rows(beta, ready):
    with frozen(at_local(DAY, 9, 0)):
        booking = book(ready, starts_at=at_local(DAY, 10, 0))
        dispatch()
        sweep()
    with frozen(at_local(DAY, 10, 0)):
        video.join(booking.pk, ready.clinician, "peer-c", "chan.c")
        video.join(booking.pk, patients_of(booking)[0], "peer-p", "chan.p")
        video.record_call_state("chan.p", "connected", "peer-c")
    with frozen(at_local(DAY, 10, 25)):
        video.end_visit(booking, ready.clinician)
    with frozen(at_local(DAY, 11, 0)):
        collect(DAY)
    first = table()
    with frozen(at_local(DAY, 11, 15)):
        collect(DAY)
    assert table() == first  # same ids, values, and untouched rows (updated_at)
    assert figures(ready, DAY)[UsageMetric.VIDEO_MINUTES] == 25


def test_a_figure_that_was_too_high_is_corrected_and_empty_days_write_nothing(beta, ready):
    Usage.objects.create(provider=ready.provider, day=DAY, metric=UsageMetric.SMS_SEGMENTS, value=7)
    with frozen(at_local(NEXT, 1, 0)):
        collect(DAY)
    assert figures(ready, DAY) == {UsageMetric.SMS_SEGMENTS: 0}
    assert figures(beta, DAY) == {}


def test_terminated_providers_the_template_and_missing_schemas_are_skipped(beta, ready):
    CareProvider.objects.filter(pk=beta.provider.pk).update(status=ProviderStatus.TERMINATED)
    with schema_context("public"):  # a provider row whose schema is gone (or not there yet)
        CareProvider.objects.create(schema_name="utan_schema", name="Utan schema", subdomain="utan")
    with frozen(at_local(DAY, 12, 0)):
        done = collect(DAY)
    assert done.failed == 0
    counted = set(Usage.objects.values_list("provider__subdomain", flat=True))
    assert "alfa" in counted and not counted & {"beta", "utan"}
    assert not Usage.objects.filter(provider__is_template=True).exists()


def _statements(day: datetime.date) -> int:
    with CaptureQueriesContext(connection) as captured:
        collect(day)
    sql = [q["sql"] for q in captured.captured_queries]
    return sum(1 for s in sql if "SAVEPOINT" not in s and not s.startswith("SET search_path"))


def test_statements_do_not_grow_with_the_number_of_providers(alfa, beta, settings):
    providers = len(usage._providers())
    with frozen(at_local(DAY, 12, 0)):
        assert _statements(DAY) == 1 + 5  # the providers, then one statement per metric
        assert _statements(DAY - datetime.timedelta(days=1)) == 1 + 3  # no states for the past
        for n in (1, 2):
            provision_provider(
                ProvisionRequest(
                    name=f"Fler {n}", subdomain=f"fler{n}",
                    admin_personnummer=personnummer("19700707", "007"),
                    admin_name="Tove Testadmin", admin_mobile="0733445566",
                )
            )  # fmt: skip
        assert len(usage._providers()) == providers + 2
        assert _statements(DAY) == 1 + 5
        # The bound is one statement per metric and batch of schemas.
        settings.USAGE_SCHEMAS_PER_STATEMENT = 2
        batches = -(-(providers + 2) // 2)
        assert _statements(DAY) == 1 + 5 * batches
    assert Usage.objects.filter(provider__subdomain="fler2", day=DAY).count() == 2


def test_the_command_counts_a_day_and_refuses_bad_days(ready, capsys):
    with frozen(at_local(NEXT, 8, 0)):
        call_command("collect_usage", "--day", DAY.isoformat())
        out = capsys.readouterr().out
        assert out.startswith("2026-10-24: visits_held, video_minutes, sms_segments hos")
        call_command("collect_usage")
        lines = capsys.readouterr().out.splitlines()
        assert [line[:10] for line in lines] == ["2026-10-24", "2026-10-25"]
        assert "active_clinicians" in lines[1] and "active_clinicians" not in lines[0]
        for bad, message in (
            ("2026-13-01", "Ogiltigt datum ”2026-13-01”: skriv det som ÅÅÅÅ-MM-DD."),
            ("24/10/2026", "Ogiltigt datum"),
            ("2026-10-26", "2026-10-26 har inte kommit än"),
        ):
            with pytest.raises(CommandError, match=message):
                call_command("collect_usage", "--day", bad)
    assert figures(ready, NEXT)[UsageMetric.ACTIVE_CLINICIANS] == 1


def test_the_worker_counts_usage_every_usage_interval(settings):
    settings.USAGE_INTERVAL = 900
    assert (usage.collect_recent, 900) in periodic_tasks()
    settings.USAGE_INTERVAL = 0
    assert usage.collect_recent not in [task for task, _interval in periodic_tasks()]


def test_the_periodic_job_queues_today_and_yesterday_in_jobs_of_some_providers(
    beta, ready, settings
):
    settings.USAGE_PROVIDERS_PER_JOB = 1
    queued = []
    with frozen(at_local(NEXT, 0, 5)), schema_context("public"):
        assert usage.collect_recent(enqueue=lambda *job: queued.append(job)) == 4
        done = [func(*args) for func, *args in queued]
    assert [(d.day, d.providers) for d in done] == [(DAY, 1), (DAY, 1), (NEXT, 1), (NEXT, 1)]
    assert figures(ready, NEXT)[UsageMetric.PATIENTS] == 1
    assert figures(beta, NEXT)[UsageMetric.PATIENTS] == 1
