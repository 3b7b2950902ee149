"""Video test helpers: a confirmed booking of Klara's, its patients, a logged-in client, and the
room watch marking pages as still there."""

import datetime

from tenant_apps.accounts.services import current_consent_version, give_consent
from tenant_apps.bookings import services as bookings
from tenants.db import connection
from tests.bookings.helpers import in_days, patient_spec

MINUTE = datetime.timedelta(minutes=1)


def book(cast, *, patients=1, group=False, confirm=True, **kwargs):
    """A booking of Klara's in two days (10:00, 30 or 60 minutes), confirmed by its patients
    (`patients`: how many, or their PatientSpecs)."""
    values = {
        "actor": cast.clinician,
        "clinician": cast.clinician,
        "visit_type": cast.group if group else cast.one_to_one,
        "provider": cast.provider,
        "patients": (
            patients
            if isinstance(patients, list)
            else [patient_spec(n) for n in range(1, patients + 1)]
        ),
        "starts_at": in_days(2),
    }
    values.update(kwargs)
    booking = bookings.invite(**values)
    for participant in booking.participants.select_related("user"):
        give_consent(participant.user, current_consent_version(), "127.0.0.1")
        if confirm and participant.role == "patient":
            booking = bookings.confirm(booking, participant.user)
    booking.refresh_from_db()
    return booking


def still_here(booking, *channel_names: str) -> None:
    """The room watch of the pages' server process marks them as still there."""
    from tenant_apps.video import watch

    schema = connection.schema_name
    watch.look({schema: [booking.pk]}, {schema: channel_names})


def patients_of(booking):
    return [p.user for p in booking.participants.select_related("user").order_by("id")]
