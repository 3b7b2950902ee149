"""Notiser: telling a user what matters to them, and marking it read.

Booking events (bookings/events.py) and room events (video/events.py) reach here through the
handlers registered in apps.py, inside the transaction of the change that caused them: a
patient who confirmed or cannot come (told to the booking's clinician once, when the event is
dispatched), a patient who entered the room while the clinician is not there.
"""

import datetime
from collections.abc import Sequence

from django.db import transaction

from careplatform import clock
from tenant_apps.accounts.models import User
from tenant_apps.bookings.events import AfterCommit
from tenant_apps.bookings.models import Booking, BookingEvent, EventKind
from tenant_apps.inbox import kinds
from tenant_apps.inbox.models import Notice
from tenant_apps.video.events import RoomEvent

# Booking events a clinician hears about, when someone else did them.
KIND_FOR_EVENT = {
    EventKind.CONFIRMED: kinds.CONFIRMED,
    EventKind.ACCEPTED: kinds.CONFIRMED,
    EventKind.DECLINED: kinds.DECLINED,
}


def notify(
    recipient: User,
    kind: str,
    *,
    booking: Booking | None = None,
    actor: User | None = None,
    note: str = "",
    at: datetime.datetime | None = None,
) -> Notice:
    """Tell `recipient` something of a registered kind (kinds.register)."""
    if not kinds.is_known(kind):
        raise ValueError(f"unknown notice kind {kind!r}")
    return Notice.objects.create(
        recipient=recipient,
        kind=kind,
        booking=booking,
        actor=actor,
        note=note[:500],
        created_at=at or clock.now(),
    )


def on_booking_events(events: Sequence[BookingEvent]) -> AfterCommit | None:
    """Registered with bookings: a patient's confirmation or "Jag kan inte komma" becomes a
    notice for the booking's clinician, in the transaction that marks the events dispatched
    (so once). Nobody is told what they did themselves."""
    wanted = [e for e in events if e.kind in KIND_FOR_EVENT and e.actor_id is not None]
    if not wanted:
        return None
    clinicians = dict(
        Booking.objects.filter(pk__in={e.booking_id for e in wanted}).values_list(
            "pk", "clinician_id"
        )
    )
    Notice.objects.bulk_create(
        Notice(
            recipient_id=clinicians[event.booking_id],
            kind=KIND_FOR_EVENT[EventKind(event.kind)],
            booking_id=event.booking_id,
            actor_id=event.actor_id,
            note=event.note,
            created_at=event.created_at,
        )
        for event in wanted
        if event.actor_id != clinicians[event.booking_id]
    )
    return None


def on_room_event(event: RoomEvent) -> None:
    """Registered with video: a patient waiting in the room without the clinician. A page
    reloaded or opened twice is no news while the last such notice is unread."""
    booking = event.booking
    if event.clinician_present:
        return
    unread = Notice.objects.filter(
        recipient_id=booking.clinician_id,
        kind=kinds.WAITING,
        booking=booking,
        actor=event.patient,
        read_at__isnull=True,
    )
    if not unread.exists():
        notify(booking.clinician, kinds.WAITING, booking=booking, actor=event.patient, at=event.at)


def mark_read(notice: Notice) -> None:
    Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=clock.now())


@transaction.atomic
def mark_all_read(user: User) -> int:
    return Notice.objects.filter(recipient=user, read_at__isnull=True).update(read_at=clock.now())
