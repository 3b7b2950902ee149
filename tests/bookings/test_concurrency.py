"""No double booking under concurrency: PostgreSQL's exclusion constraint decides."""

import datetime
import threading

from django.core.exceptions import ValidationError
from django.db import connections
from django_tenants.utils import schema_context

from careplatform import clock
from tenant_apps.accounts.models import User
from tenant_apps.bookings import services
from tenant_apps.bookings.models import Booking
from tenant_apps.profiles import services as profiles
from tests.bookings.helpers import patient_spec


def test_two_concurrent_overlapping_invites_leave_one_booking_and_one_clear_error(committed):
    provider = committed.provider("samtidig")
    with schema_context(provider.schema_name):
        clinician = User.objects.get(is_clinician=True)
        profiles.update_consultation(clinician, title="Läkare", description="")
        visit_type = profiles.create_visit_type(
            clinician, title="Besök", duration_minutes=30, kind="video"
        )
        profiles.activate_booking(clinician)
    start = clock.now() + datetime.timedelta(days=1)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def invite(n: int, offset: int) -> None:
        try:
            with schema_context(provider.schema_name):
                barrier.wait(timeout=10)
                booking = services.invite(
                    actor=clinician,
                    clinician=clinician,
                    visit_type=visit_type,
                    provider=provider,
                    patients=[patient_spec(n)],
                    starts_at=start + datetime.timedelta(minutes=offset),
                )
                outcomes.append(booking.pk)
        except ValidationError as exc:
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=invite, args=(n, n * 10)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    errors = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(outcomes) == 2 and len(errors) == 1
    assert "krockar" in " ".join(errors[0].messages)
    with schema_context(provider.schema_name):
        assert Booking.objects.count() == 1
