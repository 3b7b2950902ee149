"""Fault test helpers: the platform under test (servers, worker, provider) and a booking whose
reminder is due now."""

import datetime
import itertools
from dataclasses import dataclass

import time_machine
from django_tenants.utils import schema_context

from careplatform import clock
from careplatform.sms.fake_gateway import FakeElks46
from tenant_apps.accounts.models import User
from tenant_apps.bookings import services as bookings
from tenant_apps.bookings.models import Booking
from tenant_apps.profiles import services as profiles
from tenants.models import CareProvider
from tests.faults.servers import PostgresServer, RedisServer
from tests.support import LiveServer, Worker, personnummer

SUBDOMAIN = "felprov"
ADMIN_PERSONNUMMER = personnummer("19640404", "004")
_serials = itertools.count(10)


@dataclass
class Platform:
    postgres: PostgresServer
    redis: RedisServer
    elks: FakeElks46
    server: LiveServer
    worker: Worker
    provider: CareProvider

    def book(self) -> "Made":
        return book(self.provider)


@dataclass
class Made:
    booking: Booking
    mobile: str  # the patient's number as the gateway sees it


def book(provider: CareProvider) -> Made:
    """A confirmed visit of a clinician and a patient of their own, made ten minutes ago and
    starting in 25 minutes: its reminder (30 minutes before) is due now."""
    serial = next(_serials)
    mobile = f"+4670555{serial:04d}"
    starts_at = clock.now() + datetime.timedelta(minutes=25)
    with (
        schema_context(provider.schema_name),
        time_machine.travel(clock.now() - datetime.timedelta(minutes=10), tick=True),
    ):
        clinician = User.objects.create_user(
            personnummer("19700303", f"{serial:03d}"), "Klinik", f"Nr{serial}",
            mobile="0701112233", is_clinician=True,
        )  # fmt: skip
        profiles.update_consultation(clinician, title="Sjuksköterska", description="")
        visit_type = profiles.create_visit_type(
            clinician, title="Återbesök", duration_minutes=15, kind="video"
        )
        profiles.activate_booking(clinician)
        booking = bookings.invite(
            actor=clinician,
            clinician=clinician,
            visit_type=visit_type,
            provider=provider,
            patients=[
                bookings.PatientSpec(
                    personnummer("19800808", f"{serial:03d}"), "Patient", f"Nr{serial}", mobile
                )
            ],
            starts_at=starts_at,
        )
    return Made(booking, mobile)
