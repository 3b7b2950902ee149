"""Bench worker (own process, real settings): the operators' console at --providers providers
(provisioned by clone as far as missing).

1. The usage job (tenants.usage.collect) over every provider, each with a day of activity (a
   bookable clinician, patients, visits whose calls connected, SMS sent): wall time and SQL
   statements, the first run of the day (writing) and runs after it (nothing changed).
2. The providers list (/konsol/) with --days days of usage history per provider: median and p95
   latency in-process (Django's test client, no network) as an operator, and its SQL queries
   per request, for the first page, a figure sorted, a search and a later page.

Writes its figures as JSON to --output.

    python -m tests.bench.console --providers 1000 --output out.json
"""

import argparse
import datetime
import json
import statistics
import time

import django

from tests.bench.providers import at_least

PREFIX = "konsol"
VISITS = 3  # a day's visits held per provider
SMS = 4  # a day's SMS per provider
MARK = "Konsol-bench"  # the visit type's title: this provider has its day of activity


def fill_day(provider, now: datetime.datetime) -> None:
    """Today at `provider`: the admin bookable, two patients, VISITS visits whose calls
    connected and ended (20 minutes each) and SMS sent messages (a segment or two)."""
    from django.db import transaction
    from django_tenants.utils import schema_context

    from tenant_apps.accounts.models import User
    from tenant_apps.bookings.models import Booking, BookingStatus
    from tenant_apps.notifications.models import SmsMessage
    from tenant_apps.profiles.models import ClinicianProfile, VisitType
    from tenant_apps.video.models import CallEvent

    with schema_context(provider.schema_name), transaction.atomic():
        if VisitType.objects.filter(title=MARK).exists():
            return
        admin = User.objects.get(is_admin=True)
        ClinicianProfile.objects.update_or_create(user=admin, defaults={"booking_enabled": True})
        visit_type = VisitType.objects.create(
            clinician=admin, title=MARK, duration_minutes=30, kind="video"
        )
        patients = User.objects.bulk_create(
            User(personnummer=f"1970010100{n:02d}", first_name="Pat", last_name=f"{n}",
                 is_patient=True)
            for n in range(2)
        )  # fmt: skip
        start = now - datetime.timedelta(hours=VISITS + 1)
        bookings = Booking.objects.bulk_create(
            Booking(
                reference=f"KB{n:04d}",
                clinician=admin,
                visit_type=visit_type,
                starts_at=start + datetime.timedelta(hours=n),
                ends_at=start + datetime.timedelta(hours=n, minutes=30),
                status=BookingStatus.COMPLETED,
                created_by=admin,
                created_at=start,
            )
            for n in range(VISITS)
        )
        CallEvent.objects.bulk_create(
            CallEvent(booking=b, user=admin, kind=kind, created_at=b.starts_at + after)
            for b in bookings
            for kind, after in (
                ("joined", datetime.timedelta()),
                ("connected", datetime.timedelta(minutes=1)),
                ("ended", datetime.timedelta(minutes=21)),
                ("left", datetime.timedelta(minutes=21, seconds=2)),
            )
        )
        SmsMessage.objects.bulk_create(
            SmsMessage(
                booking=bookings[n % VISITS], kind="reminder", booking_version=n,
                recipient=patients[n % 2], to="+46701234567", sender="Bench", language="sv",
                text="Påminnelse", segments=1 + n % 2, status="delivered", created_at=start,
                next_attempt_at=start, expires_at=now, sent_at=start,
            )
            for n in range(SMS)
        )  # fmt: skip


def time_job(today: datetime.date) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tenants import usage

    def run(day: datetime.date) -> tuple[float, int]:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            done = usage.collect(day)
            elapsed = time.perf_counter() - started
        if done.failed:
            raise SystemExit(f"usage job: {done.failed} statements failed")
        # django-tenants' SET search_path is the connection's, not the job's.
        sql = [q["sql"] for q in captured.captured_queries]
        return elapsed, sum(not s.startswith("SET search_path") for s in sql)

    first, statements = run(today)
    again = [run(today)[0] for _ in range(3)]
    yesterday, past_statements = run(today - datetime.timedelta(days=1))
    return {
        "first_s": first,
        "again_s": statistics.median(again),
        "yesterday_s": yesterday,
        "statements": statements,
        "past_statements": past_statements,
        "batch": settings.USAGE_SCHEMAS_PER_STATEMENT,
    }


def fill_history(days: int, today: datetime.date) -> int:
    """`days` days before today of usage for every provider, as the job leaves them; one
    statement. Returns the number of usage rows."""
    from django.db import connection

    from tenants.models import Usage, UsageMetric

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tenants_usage (provider_id, day, metric, value, updated_at) "
            "SELECT p.id, %(today)s - d, m, (p.id * 7 + d * 13) %% 50, now() "
            "FROM tenants_careprovider p, generate_series(1, %(days)s) d, "
            "unnest(%(metrics)s::text[]) m "
            "WHERE NOT p.is_template ON CONFLICT DO NOTHING",
            {"today": today, "days": days, "metrics": list(UsageMetric.values)},
        )
        cursor.execute("ANALYZE tenants_usage")
    return Usage.objects.count()


def timed(client, params: dict) -> float:
    started = time.perf_counter()
    response = client.get("/konsol/", params)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"/konsol/ {params}: {response.status_code} {response.content[:200]!r}")
    return elapsed


def queries_per_request(client, params: dict) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get("/konsol/", params)
    return len(captured)


def cases(present: list) -> dict[str, dict]:
    # A subdomain without its last digit: the ten providers around the middle one.
    ten = present[len(present) // 2].subdomain[:-1]
    return {
        "page 1": {},
        "sorted by SMS segments": {"sortera": "-sms"},
        f"search for {ten!r}": {"q": ten},
        "page 10": {"sida": 10},
    }


def time_list(present: list, requests: int) -> dict:
    from django.conf import settings

    from tenant_apps.accounts.models import User
    from tests.clients import Site, logged_in

    operator, _ = User.objects.get_or_create(
        personnummer="196606060667",
        defaults={"first_name": "Bench", "last_name": "Operatör", "is_operator": True},
    )
    client = logged_in(operator, Site(settings.BASE_DOMAIN, "public"))
    for _ in range(20):
        timed(client, {})
    results = {}
    for label, params in cases(present).items():
        times = sorted(timed(client, params) for _ in range(requests))
        results[label] = {
            "median_ms": statistics.median(times) * 1000,
            "p95_ms": times[int(len(times) * 0.95) - 1] * 1000,
            "queries": queries_per_request(client, params),
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--providers", type=int, default=1000)
    parser.add_argument("--days", type=int, default=400, help="usage history per provider")
    parser.add_argument("--requests", type=int, default=100, help="per list case")
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    django.setup()
    from careplatform import clock
    from tenants.db import connection

    present = at_least(
        args.providers, name="Konsol-bench {0:04d}", subdomain=PREFIX + "{0:04d}", report_every=50
    )
    now = clock.now()
    for number, provider in enumerate(present, start=1):
        fill_day(provider, now)
        if number % 200 == 0:
            print(f"    a day of activity at {number}/{len(present)} providers", flush=True)
    connection.set_schema_to_public()
    today = clock.today_local()
    print("    timing the usage job", flush=True)
    job = time_job(today)
    rows = fill_history(args.days, today)
    print(f"    {rows} usage rows; timing /konsol/", flush=True)
    results = {
        "providers": len(present),
        "job": job,
        "usage_rows": rows,
        "days": args.days,
        "list": time_list(present, args.requests),
    }
    with open(args.output, "w") as output:
        json.dump(results, output)


if __name__ == "__main__":
    main()
