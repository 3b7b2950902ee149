"""Who hears what happens in a video room.

The room publishes its events without knowing who handles them: an app that cares (the
clinician's notices, the SMS to a clinician whose patient waits) registers its handler once, in
its AppConfig.ready(), as with booking events (bookings/events.py). A handler runs inside the
transaction of the room change (services.join), so what it writes commits or rolls back with
it; anything for after the commit goes through transaction.on_commit. Joining waits for the
handlers: they write a row or two and return.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from tenant_apps.accounts.models import User
from tenant_apps.bookings.models import Booking


@dataclass(frozen=True)
class PatientArrived:
    """A patient's page entered the room (a page reconnecting is not an arrival)."""

    booking: Booking
    patient: User
    at: datetime.datetime
    clinician_present: bool  # the booking's clinician was in the room already


RoomEvent = PatientArrived
RoomEventHandler = Callable[[RoomEvent], None]

_handlers: list[RoomEventHandler] = []


def register(handler: RoomEventHandler) -> None:
    """Hand every room event to `handler` from now on (once, however often it is registered)."""
    if handler not in _handlers:
        _handlers.append(handler)


def publish(event: RoomEvent) -> None:
    """Every registered handler, in registration order, inside the caller's transaction."""
    for handler in _handlers:
        handler(event)
