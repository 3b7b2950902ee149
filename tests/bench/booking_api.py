"""Bench worker (own process, real settings): the booking list API with 10,000 bookings in one
provider, in-process (Django's test client, no network): median and p95 latency of
GET /api/v1/bookings/ as an admin, and the SQL queries each request sends.

The provider is provisioned by clone and deleted again. Writes its figures as JSON to --output.
"""

import argparse
import datetime
import json
import statistics
import time

import django

SUBDOMAIN = "benchapi"
PATIENTS = 500


def fill(bookings: int):
    """An admin-clinician with a visit type, PATIENTS patients and `bookings` bookings an hour
    apart (non-overlapping), a quarter of them group visits with two patients."""
    from careplatform import clock
    from tenant_apps.accounts.models import User
    from tenant_apps.bookings.models import Booking, BookingStatus, Participant
    from tenant_apps.profiles.models import ClinicianProfile, VisitType

    admin = User.objects.get(is_admin=True)
    ClinicianProfile.objects.update_or_create(
        user=admin, defaults={"title": "Läkare", "booking_enabled": True}
    )
    one = VisitType.objects.create(
        clinician=admin, title="Återbesök", duration_minutes=30, kind="video"
    )
    group = VisitType.objects.create(
        clinician=admin, title="Grupp", duration_minutes=30, kind="video_group", max_patients=2
    )
    patients = User.objects.bulk_create(
        User(
            personnummer=f"19700101{n:04d}",  # unique is enough: no validation here
            first_name=f"Patient{n}",
            last_name="Bench",
            mobile="+46701234567",
            is_patient=True,
        )
        for n in range(PATIENTS)
    )
    now = clock.now()
    statuses = [BookingStatus.UNCONFIRMED, BookingStatus.CONFIRMED, BookingStatus.CANCELLED]
    rows = Booking.objects.bulk_create(
        Booking(
            reference=nth_reference(n),
            clinician=admin,
            visit_type=group if n % 4 == 0 else one,
            starts_at=now + datetime.timedelta(hours=n - bookings // 2),
            ends_at=now + datetime.timedelta(hours=n - bookings // 2, minutes=30),
            status=statuses[n % 3],
            created_by=admin,
            created_at=now,
        )
        for n in range(bookings)
    )
    Participant.objects.bulk_create(
        Participant(booking=booking, user=patients[(n + k) % PATIENTS], role="patient")
        for n, booking in enumerate(rows)
        for k in range(2 if n % 4 == 0 else 1)
    )
    return admin


def nth_reference(n: int) -> str:
    """A visit reference of its own for the n-th booking: 10,000 random ones would share one
    now and then (the service draws again; a bulk insert cannot)."""
    from tenant_apps.bookings import references

    digits = []
    for _ in range(references.LENGTH):
        n, digit = divmod(n, len(references.ALPHABET))
        digits.append(references.ALPHABET[digit])
    return "".join(digits)


def timed(client, path: str, params: dict) -> float:
    started = time.perf_counter()
    response = client.get(path, params)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{path} {params}: {response.status_code} {response.content[:200]!r}")
    return elapsed


def queries_per_request(client, path: str, params: dict) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(path, params)
    return len(captured)


def measure(client, requests: int) -> dict:
    path = "/api/v1/bookings/"
    # First, middle and a filtered page: the list is paginated, 50 a page.
    cases = [{}, {"page": 100}, {"status": "confirmed", "from": "2000-01-01"}]
    for _ in range(20):
        timed(client, path, {})
    results = {}
    for params in cases:
        times = sorted(timed(client, path, params) for _ in range(requests))
        results[json.dumps(params)] = {
            "median_ms": statistics.median(times) * 1000,
            "p95_ms": times[int(len(times) * 0.95) - 1] * 1000,
            "queries": queries_per_request(client, path, params),
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    django.setup()
    from django.conf import settings
    from django_tenants.utils import schema_context

    from tenants.provisioning import ProvisionRequest, delete_provider, provision_provider
    from tests.clients import Site, logged_in

    provider = provision_provider(
        ProvisionRequest(
            name="Bench API",
            subdomain=SUBDOMAIN,
            admin_personnummer="198112189876",
            admin_name="Bench Admin",
            admin_mobile="0701234567",
        )
    )
    try:
        with schema_context(provider.schema_name):
            site = Site(f"{SUBDOMAIN}.{settings.BASE_DOMAIN}", provider.schema_name)
            client = logged_in(fill(args.bookings), site)
        print(f"    {args.bookings} bookings in {SUBDOMAIN}", flush=True)
        results = {"bookings": args.bookings, "cases": measure(client, args.requests)}
    finally:
        delete_provider(provider)
    with open(args.output, "w") as output:
        json.dump(results, output)


if __name__ == "__main__":
    main()
