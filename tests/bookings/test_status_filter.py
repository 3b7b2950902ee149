"""with_effective_status: the list filter agrees with effective_status for every booking."""

import datetime

from careplatform import clock
from tenant_apps.bookings import selectors, services
from tenant_apps.bookings.models import Booking, BookingStatus
from tests.bookings.helpers import in_days, patient_spec


def book(cast, n: int, starts_at: datetime.datetime) -> Booking:
    return services.invite(
        actor=cast.clinician,
        clinician=cast.clinician,
        visit_type=cast.one_to_one,
        provider=cast.provider,
        patients=[patient_spec(n)],
        starts_at=starts_at,
    )


def test_filter_by_effective_status_matches_effective_status(ready):
    now = clock.now()
    soon = book(ready, 1, now + datetime.timedelta(hours=1))
    book(ready, 2, in_days(2))
    confirmed = book(ready, 3, in_days(3))
    services.confirm(confirmed, confirmed.participants.get().user)
    services.cancel(book(ready, 4, in_days(4)), actor=ready.clinician)
    later = now + datetime.timedelta(hours=2)  # `soon` has passed unconfirmed: expired
    for status in BookingStatus.values:
        found = set(selectors.with_effective_status(Booking.objects.all(), status, later))
        expected = {
            b for b in Booking.objects.all() if services.effective_status(b, later) == status
        }
        assert found == expected, status
    expired = selectors.with_effective_status(Booking.objects.all(), BookingStatus.EXPIRED, later)
    assert list(expired) == [soon]
