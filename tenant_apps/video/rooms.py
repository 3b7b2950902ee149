"""Video rooms (manual 6 and 7.6): who may enter which booking's room, and when.

The one place for the rule; the room page, the prompts and the WebSocket all ask it. A booking
that can be held (bookings.services.can_be_held) has a room that admits its participants from
15 minutes before the start until 5 minutes after the planned end (Boka nu: at once, since it
starts when it is booked). A call in progress is never cut by the clock: while it lasts, its
participants may also come back after the window. Cancelling (or completing) the booking ends it.
"""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from careplatform import clock
from careplatform.timeutil import format_local
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import needs_consent
from tenant_apps.bookings.models import Booking, BookingStatus, ParticipantRole
from tenant_apps.bookings.services import can_be_held, effective_status
from tenant_apps.video.models import CallEvent, CallEventKind, RoomConnection

OPENS_BEFORE = datetime.timedelta(minutes=15)
CLOSES_AFTER = datetime.timedelta(minutes=5)
# A room page sends a heartbeat every few seconds; a connection silent this long is gone
# (its server process died without saying so).
FRESH_FOR = datetime.timedelta(seconds=45)


class Reason(StrEnum):
    ALLOWED = "allowed"
    NOT_LOGGED_IN = "not_logged_in"
    CONSENT_REQUIRED = "consent_required"
    NOT_PARTICIPANT = "not_participant"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NOT_CONFIRMED = "not_confirmed"
    TOO_EARLY = "too_early"
    CLOSED = "closed"


@dataclass(frozen=True)
class Admission:
    reason: Reason
    message: str = ""

    @property
    def allowed(self) -> bool:
        return self.reason == Reason.ALLOWED


ALLOWED = Admission(Reason.ALLOWED)


def opens_at(booking: Booking) -> datetime.datetime:
    return booking.starts_at - OPENS_BEFORE


def closes_at(booking: Booking) -> datetime.datetime:
    return booking.ends_at + CLOSES_AFTER


def in_window(booking: Booking, now: datetime.datetime) -> bool:
    return opens_at(booking) <= now <= closes_at(booking)


def is_host(booking: Booking, user: User | AnonymousUser) -> bool:
    """The booking's clinician hosts its visit: "Avsluta besöket" ends it for everyone."""
    return user.is_authenticated and booking.clinician_id == user.pk


def is_participant(booking: Booking, user: User | AnonymousUser) -> bool:
    """The clinician, an invited patient or an invited colleague; nobody else, admins included,
    nor a patient who said they cannot come."""
    if not user.is_authenticated:
        return False
    invited = booking.participants.filter(user=user, declined_at__isnull=True)
    return is_host(booking, user) or invited.exists()


def present(booking: Booking, now: datetime.datetime) -> QuerySet[RoomConnection]:
    """Connections of people in the room now (heartbeat seen recently)."""
    return RoomConnection.objects.filter(booking=booking, seen_at__gte=now - FRESH_FOR)


def call_in_progress(booking: Booking, now: datetime.datetime) -> bool:
    """Someone is still in the room of a call that connected."""
    connected = CallEvent.objects.filter(booking=booking, kind=CallEventKind.CONNECTED)
    return present(booking, now).exists() and connected.exists()


def held_refusal(booking: Booking | None, now: datetime.datetime) -> Admission | None:
    """Why the booking cannot be held (any more), or None. This alone ends a room in use."""
    if booking is None:
        return Admission(Reason.CANCELLED, _("Besöket finns inte längre."))
    if can_be_held(booking, now):
        return None
    status = effective_status(booking, now)
    if status == BookingStatus.CANCELLED:
        return Admission(Reason.CANCELLED, _("Besöket är avbokat."))
    if status == BookingStatus.COMPLETED:
        return Admission(Reason.COMPLETED, _("Besöket är avslutat."))
    return Admission(
        Reason.NOT_CONFIRMED,
        _("Besöket kan inte genomföras eftersom det inte är bekräftat."),
    )


def admission(
    booking: Booking, user: User | AnonymousUser, now: datetime.datetime | None = None
) -> Admission:
    """May `user` (logged in on this provider's host) enter the booking's room now?"""
    now = now or clock.now()
    if not user.is_authenticated or not user.is_active:
        return Admission(Reason.NOT_LOGGED_IN, _("Logga in med BankID för att gå in i besöket."))
    if not is_participant(booking, user):
        return Admission(Reason.NOT_PARTICIPANT, _("Du är inte med i det här besöket."))
    if needs_consent(user):
        return Admission(Reason.CONSENT_REQUIRED, _("Ge ditt samtycke först."))
    refusal = held_refusal(booking, now)
    if refusal is not None:
        return refusal
    if now < opens_at(booking):
        opening = format_local(opens_at(booking), "long_day_time")
        return Admission(
            Reason.TOO_EARLY,
            _("Besöksrummet öppnar %(time)s, 15 minuter före besöket.") % {"time": opening},
        )
    if now > closes_at(booking) and not call_in_progress(booking, now):
        return Admission(Reason.CLOSED, _("Besökstiden är slut och besöksrummet är stängt."))
    return ALLOWED


def waiting_since(booking: Booking, now: datetime.datetime) -> datetime.datetime | None:
    """Since when a patient has been in the room without the booking's clinician: from the
    first patient's arrival, or from when the clinician last left if that is later. None when
    nobody waits (no patient there, the clinician there, or the visit cannot be held)."""
    if held_refusal(booking, now) is not None:
        return None
    here = present(booking, now)
    if here.filter(user_id=booking.clinician_id).exists():
        return None
    patients = booking.participants.filter(role=ParticipantRole.PATIENT).values("user_id")
    arrived = (
        here.filter(user_id__in=patients).order_by("joined_at").values_list("joined_at", flat=True)
    ).first()
    if arrived is None:
        return None
    clinician_left = (
        CallEvent.objects.filter(
            booking=booking, user_id=booking.clinician_id, kind=CallEventKind.LEFT
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return max(arrived, clinician_left) if clinician_left else arrived


def is_open(booking: Booking, now: datetime.datetime | None = None) -> bool:
    """The room takes people now: what the "Starta videomöte" prompts show (manual 6;
    prompts.py reads them for every page)."""
    now = now or clock.now()
    return can_be_held(booking, now) and in_window(booking, now)
