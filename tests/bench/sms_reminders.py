"""Bench worker (own process, real settings): SMS reminders at scale. `--bookings` confirmed
bookings spread over `--providers` providers (provisioned by clone as far as missing), all
reminders due in the same minute; a real `run_worker` (default SMS settings, elks46 backend)
against the fake 46elks in this process. Measures the time from the due moment until every
reminder was handed to the gateway, counts them and any duplicates, and times one sweep's
look-up of the due index (rolled back). Writes JSON to --output.

    python -m tests.bench.sms_reminders --providers 200 --bookings 10000 --output out.json
"""

import argparse
import contextlib
import datetime
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import django

from tests.bench.providers import at_least

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "smsbench"
WARM_UP = 10.0  # seconds for the worker to start before anything falls due
LATER = datetime.timedelta(days=1)


def fill(provider, index: int, count: int, due: datetime.datetime) -> None:
    """`count` confirmed bookings starting 30 minutes after `due`, each with its own clinician
    and patient, and their reminders in the due index, as dispatching would leave them."""
    from django.db import transaction
    from django_tenants.utils import schema_context

    from careplatform import clock
    from careplatform.sms.models import DueKind, SmsDue
    from tenant_apps.accounts.models import User
    from tenant_apps.bookings.models import Booking, BookingStatus, Participant, ParticipantRole
    from tenant_apps.profiles.models import VisitType

    start = due + datetime.timedelta(minutes=30)
    now = clock.now()
    with schema_context(provider.schema_name), transaction.atomic():
        admin = User.objects.get(is_admin=True)
        visit_type = VisitType.objects.create(
            clinician=admin, title="Återbesök Bench", duration_minutes=30, kind="video"
        )
        people = User.objects.bulk_create(
            User(
                personnummer=f"19{role}{n:09d}",
                first_name=f"{'Klin' if role == 5 else 'Pat'}{n}",
                last_name="Bench",
                mobile=f"+4670{index:03d}{n:04d}",
                is_clinician=role == 5,
                is_patient=role == 6,
            )
            for role in (5, 6)
            for n in range(count)
        )
        clinicians, patients = people[:count], people[count:]
        bookings = Booking.objects.bulk_create(
            Booking(
                clinician=clinician,
                visit_type=visit_type,
                starts_at=start,
                ends_at=start + datetime.timedelta(minutes=30),
                status=BookingStatus.CONFIRMED,
                created_by=admin,
                created_at=now,
                confirmed_at=now,
            )
            for clinician in clinicians
        )
        Participant.objects.bulk_create(
            Participant(booking=b, user=p, role=ParticipantRole.PATIENT, confirmed_at=now)
            for b, p in zip(bookings, patients, strict=True)
        )
        SmsDue.objects.bulk_create(
            SmsDue(
                provider_id=provider.schema_name, kind=DueKind.REMINDER, object_id=b.pk, due_at=due
            )
            for b in bookings
        )


def make_due(present: list, due: datetime.datetime) -> None:
    """Move every bench booking to start 30 minutes after `due`, and its reminder to `due`."""
    from django_tenants.utils import schema_context

    from careplatform.sms.models import SmsDue
    from tenant_apps.bookings.models import Booking

    start = due + datetime.timedelta(minutes=30)
    for provider in present:
        with schema_context(provider.schema_name):
            Booking.objects.filter(visit_type__title="Återbesök Bench").update(
                starts_at=start, ends_at=start + datetime.timedelta(minutes=30)
            )
    SmsDue.objects.filter(due_at__gte=due + LATER / 2).update(due_at=due)


def time_lookup(lease: datetime.timedelta) -> float:
    """One sweep's look-up and lease of 5,000 of the due rows, rolled back: milliseconds."""
    from django.db import transaction

    from careplatform import clock
    from tenant_apps.notifications import due

    with transaction.atomic():
        started = time.perf_counter()
        due.claim(clock.now() + 2 * LATER, limit=5000, lease=lease)  # every bench row is due
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed * 1000


def start_worker(elks) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        SMS_BACKEND="elks46",
        ELKS46_API_URL=elks.url,
        ELKS46_USERNAME=elks.username,
        ELKS46_PASSWORD=elks.password,
        Q_CLUSTER_NAME=f"cpbench-sms-{os.getpid()}",  # a queue of its own
        WORKER_LOG_LEVEL="WARNING",
        LOG_LEVEL="WARNING",
    )
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "run_worker"],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )


def stop_worker(worker: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        worker.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()


def run(provider_count: int, bookings: int, timeout: float) -> dict:
    from careplatform import clock
    from careplatform.sms.fake_gateway import FakeElks46

    present = at_least(
        provider_count, name="SMS-bench {0}", subdomain=PREFIX + "{0:03d}", report_every=20
    )
    per_provider = bookings // provider_count
    total = per_provider * provider_count
    print(f"    filling {total} bookings", flush=True)
    for index, provider in enumerate(present):
        fill(provider, index, per_provider, clock.now() + LATER)
    lookup_ms = time_lookup(datetime.timedelta(seconds=60))
    with FakeElks46() as elks:
        worker = start_worker(elks)
        try:
            time.sleep(WARM_UP)
            due = clock.now() + datetime.timedelta(seconds=5)
            make_due(present, due)
            print(f"    due at {due:%H:%M:%S}; waiting for {total} reminders", flush=True)
            deadline = time.monotonic() + timeout
            while len(elks.accepted) < total and time.monotonic() < deadline:
                time.sleep(0.2)
            finished = clock.now()
            accepted = list(elks.accepted)
        finally:
            stop_worker(worker)
    created = [datetime.datetime.fromisoformat(m["created"]) for m in accepted]
    due_naive = due.astimezone(datetime.UTC).replace(tzinfo=None)
    numbers = [m["to"] for m in accepted]
    return {
        "providers": provider_count,
        "bookings": total,
        "handed_over": len(accepted),
        "duplicates": len(numbers) - len(set(numbers)),
        "posts": len(elks.posts),
        "seconds_to_first": (min(created) - due_naive).total_seconds() if created else None,
        "seconds_to_all": (max(created) - due_naive).total_seconds()
        if len(accepted) >= total
        else None,
        "waited": (finished - due).total_seconds(),
        "lookup_ms": lookup_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--providers", type=int, default=200)
    parser.add_argument("--bookings", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    django.setup()
    results = run(args.providers, args.bookings, args.timeout)
    print(f"    {json.dumps(results)}", flush=True)
    with open(args.output, "w") as output:
        json.dump(results, output)


if __name__ == "__main__":
    main()
