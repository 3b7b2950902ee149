"""Booking events and reminders become SMS messages (manual 4, 7.1).

Who gets what: every participant (each patient of a group visit, or the invited colleague)
gets the invitation, a changed time and a cancellation; patients get a reminder 30 minutes
before the start of a confirmed booking, never for Boka nu. A patient who said they cannot
come gets nothing more but a cancellation. Messages are created in the same transaction that
marks the booking events dispatched, and each unfinished message has a row in the public due
index, so a worker that dies leaves nothing behind.

A clinician who asks for it on Min profil gets an SMS when a patient has waited in the room
for more than WAITING_SMS_AFTER without them: the room's arrival event puts a look in the due
index, and the look sends the message once per visit (its idempotency key) if someone still
waits.
"""

import datetime
import functools
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from careplatform import clock
from careplatform.sms.models import DueKind
from careplatform.sms.segments import count_segments
from careplatform.validators import normalize_mobile
from tenant_apps.accounts.models import User
from tenant_apps.bookings.access import may_manage
from tenant_apps.bookings.events import AfterCommit
from tenant_apps.bookings.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    EventKind,
    Participant,
    ParticipantRole,
)
from tenant_apps.notifications import due, texts
from tenant_apps.notifications.models import SmsKind, SmsMessage, SmsStatus
from tenant_apps.notifications.sending import send_messages
from tenant_apps.profiles.models import ClinicianProfile
from tenant_apps.video import rooms
from tenant_apps.video.events import RoomEvent
from tenants.db import connection
from tenants.models import CareProvider
from tenants.provisioning import provider_url

REMINDER_BEFORE = datetime.timedelta(minutes=30)
WAITING_SMS_AFTER = datetime.timedelta(minutes=2)
SMS_FOR_EVENT = {
    EventKind.INVITED: SmsKind.INVITED,
    EventKind.RESCHEDULED: SmsKind.RESCHEDULED,
    EventKind.CANCELLED: SmsKind.CANCELLED,
}


def current_provider() -> CareProvider:
    return CareProvider.objects.get(schema_name=connection.schema_name)


def sms_link(provider: CareProvider, booking: Booking) -> str:
    """The link every SMS carries, built here and nowhere else (its length is budgeted in
    texts.py): the booking's short visit link on the provider's host,
    https://ertnamn.careplatform.se/b/K7F2Q9, which opens BankID login and then that visit."""
    path = reverse("visit-link", args=[booking.reference], urlconf=settings.ROOT_URLCONF)
    return provider_url(provider) + path.lstrip("/")


def reminder_due_at(booking: Booking) -> datetime.datetime | None:
    """Confirmed bookings get a reminder 30 minutes before the start; Boka nu does not."""
    if booking.instant or booking.status != BookingStatus.CONFIRMED:
        return None
    return booking.starts_at - REMINDER_BEFORE


def _with_people(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    people = Participant.objects.select_related("user").order_by("id")
    return bookings.prefetch_related(Prefetch("participants", queryset=people))


def recipient_number(mobile: str) -> tuple[str, str]:
    """(E.164 number, "") or ("", why it cannot be used): refused before any sending."""
    if not mobile:
        return "", "Mobilnummer saknas."
    try:
        return normalize_mobile(mobile), ""
    except ValidationError as exc:
        return "", f"Ogiltigt mobilnummer: {' '.join(exc.messages)}"[:300]


def build_message(
    booking: Booking,
    participant: Participant,
    kind: SmsKind,
    version: int,
    provider: CareProvider,
    now: datetime.datetime,
) -> SmsMessage:
    needs_confirmation = (
        booking.status == BookingStatus.UNCONFIRMED and participant.confirmed_at is None
    )
    return build_for(booking, participant.user, kind, version, provider, now, needs_confirmation)


def build_for(
    booking: Booking,
    user: User,
    kind: SmsKind,
    version: int,
    provider: CareProvider,
    now: datetime.datetime,
    needs_confirmation: bool = False,
) -> SmsMessage:
    """One message about `booking` to `user` (a participant, or its clinician)."""
    language = texts.language_of(user.language)
    text = texts.compose(
        kind,
        language=language,
        provider_name=provider.name,
        link=sms_link(provider, booking),
        starts_at=booking.starts_at,
        instant=booking.instant,
        needs_confirmation=needs_confirmation,
    )
    to, error = recipient_number(user.mobile)
    expires_at = booking.starts_at if kind == SmsKind.REMINDER else booking.ends_at
    if not error and now >= expires_at:
        error = "Besöket hade redan passerat; sms:et skickades inte."
    return SmsMessage(
        booking=booking,
        kind=kind,
        booking_version=version,
        recipient=user,
        to=to,
        sender=provider.sms_sender_name,
        language=language,
        text=text,
        segments=count_segments(text).segments,
        status=SmsStatus.FAILED if error else SmsStatus.QUEUED,
        error=error,
        created_at=now,
        updated_at=now,
        next_attempt_at=now,
        expires_at=expires_at,
    )


def store_messages(messages: list[SmsMessage], now: datetime.datetime) -> list[int]:
    """Insert; a message whose idempotency key exists already is left as it is. The new queued
    ones are entered in the due index, leased to the calling job for SMS_LEASE_SECONDS.
    Returns their ids."""
    if not messages:
        return []
    SmsMessage.objects.bulk_create(messages, ignore_conflicts=True)
    # Rows this call inserted carry its `now`; a conflicting older row does not.
    new_ids = list(
        SmsMessage.objects.filter(
            booking_id__in={m.booking_id for m in messages},
            created_at=now,
            status=SmsStatus.QUEUED,
        ).values_list("id", flat=True)
    )
    lease = now + datetime.timedelta(seconds=settings.SMS_LEASE_SECONDS)
    due.schedule(DueKind.MESSAGE, dict.fromkeys(new_ids, lease))
    return new_ids


def sync_reminder(
    booking: Booking, *, changed_at: datetime.datetime, now: datetime.datetime
) -> None:
    """Put the booking's reminder in the due index, move it, or take it out. A change made
    after the reminder time (e.g. booked 20 minutes ahead) gets no reminder: its own SMS is the
    notice."""
    due_at = reminder_due_at(booking)
    if due_at is None or changed_at >= due_at or booking.starts_at <= now:
        due.unschedule(DueKind.REMINDER, [booking.pk])
    else:
        due.schedule(DueKind.REMINDER, {booking.pk: due_at})


def on_booking_events(events: Sequence[BookingEvent]) -> AfterCommit | None:
    """Registered with bookings (apps.py): the events' messages and reminders now, inside the
    transaction that marks the events dispatched; sending the messages after it commits."""
    message_ids = handle_events(events)
    return functools.partial(send_messages, message_ids) if message_ids else None


def handle_events(events: Sequence[BookingEvent]) -> list[int]:
    """Inside the transaction that marks `events` dispatched: their messages and the bookings'
    reminders. Returns the ids of the messages to send."""
    if not events:
        return []
    provider = current_provider()
    now = clock.now()
    bookings = _with_people(Booking.objects.filter(pk__in={e.booking_id for e in events}))
    by_id = {booking.pk: booking for booking in bookings}
    messages: list[SmsMessage] = []
    last_change: dict[int, datetime.datetime] = {}
    for event in events:
        booking = by_id[event.booking_id]
        last_change[booking.pk] = event.created_at  # events come in order
        kind = SMS_FOR_EVENT.get(EventKind(event.kind))
        if kind is None:
            continue
        for participant in booking.participants.all():
            if participant.declined_at is not None and kind != SmsKind.CANCELLED:
                continue
            messages.append(
                build_message(booking, participant, kind, event.booking_version, provider, now)
            )
    new_ids = store_messages(messages, now)
    for booking_id, changed_at in last_change.items():
        sync_reminder(by_id[booking_id], changed_at=changed_at, now=now)
    return new_ids


def create_due_reminders(
    booking_ids: Iterable[int], now: datetime.datetime | None = None
) -> list[int]:
    """Job part: reminders whose index rows the sweep found due. The booking decides: sent if
    it is still confirmed and has not started (late is fine, after the start never), moved if
    its time changed, dropped otherwise. Returns the ids of the new messages."""
    now = now or clock.now()
    with transaction.atomic():
        locked = due.lock(DueKind.REMINDER, booking_ids)
        if not locked:
            return []
        provider = current_provider()
        bookings = {b.pk: b for b in _with_people(Booking.objects.filter(pk__in=locked))}
        messages, moved, done = [], {}, []
        for booking_id in locked:
            booking = bookings.get(booking_id)
            due_at = reminder_due_at(booking) if booking else None
            if booking is None or due_at is None or booking.starts_at <= now:
                done.append(booking_id)
            elif due_at > now:
                moved[booking_id] = due_at
            else:
                messages += [
                    build_message(booking, p, SmsKind.REMINDER, booking.version, provider, now)
                    for p in booking.participants.all()
                    if p.role == ParticipantRole.PATIENT and p.declined_at is None
                ]
                done.append(booking_id)
        new_ids = store_messages(messages, now)
        due.unschedule(DueKind.REMINDER, done)
        due.schedule(DueKind.REMINDER, moved)
    return new_ids


def wants_waiting_sms(clinician_id: int) -> bool:
    """The clinician's choice on Min profil (off unless turned on)."""
    return ClinicianProfile.objects.filter(
        user_id=clinician_id, sms_when_patient_waits=True
    ).exists()


def on_room_event(event: RoomEvent) -> None:
    """Registered with video (apps.py): a patient entered the room while the clinician is not
    there. For a clinician who wants the SMS, the due index gets a look in WAITING_SMS_AFTER
    (one per booking: a later arrival leaves an earlier look where it is)."""
    booking = event.booking
    if event.clinician_present or not wants_waiting_sms(booking.clinician_id):
        return
    due.schedule_once(DueKind.WAITING, {booking.pk: event.at + WAITING_SMS_AFTER})


def create_waiting_messages(
    booking_ids: Iterable[int], now: datetime.datetime | None = None
) -> list[int]:
    """Job part: the looks the sweep found due. A patient who has waited WAITING_SMS_AFTER
    without the clinician gets the clinician an SMS (once per visit: the key holds the
    booking's version); one who has waited less is looked at again when the time is up;
    otherwise (nobody waits, the clinician came, the setting is off) nothing is sent."""
    now = now or clock.now()
    with transaction.atomic():
        locked = due.lock(DueKind.WAITING, booking_ids)
        if not locked:
            return []
        provider = current_provider()
        messages, moved = [], {}
        for booking in Booking.objects.filter(pk__in=locked).select_related("clinician"):
            since = rooms.waiting_since(booking, now)
            if since is not None and since + WAITING_SMS_AFTER > now:
                moved[booking.pk] = since + WAITING_SMS_AFTER
            elif since is not None and wants_waiting_sms(booking.clinician_id):
                clinician = booking.clinician
                messages.append(
                    build_for(booking, clinician, SmsKind.WAITING, booking.version, provider, now)
                )
        new_ids = store_messages(messages, now)
        due.unschedule(DueKind.WAITING, set(locked) - set(moved))
        due.schedule(DueKind.WAITING, moved)
    return new_ids


def run_due(
    booking_ids: list[int], message_ids: list[int], waiting_ids: Sequence[int] = ()
) -> dict[str, int]:
    """The sweep's job, in one provider's schema: due reminders and looks at waiting
    patients, then due messages."""
    new_ids = create_due_reminders(booking_ids)
    new_ids += create_waiting_messages(waiting_ids) if waiting_ids else []
    return send_messages([*message_ids, *new_ids])


def apply_delivery_report(gateway_id: str, status: str, delivered_at: datetime.datetime) -> bool:
    """A delivery report from the gateway; the same report twice changes nothing, and a late
    "sent" or "failed" never undoes "delivered". False when no message has that id here."""
    if status not in ("sent", "delivered", "failed"):
        raise ValueError(status)
    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().filter(gateway_id=gateway_id).first()
        if message is None:
            return False
        if message.status == SmsStatus.DELIVERED or status == "sent":
            return True
        if status == "delivered":
            message.status, message.delivered_at, message.error = (
                SmsStatus.DELIVERED,
                delivered_at,
                "",
            )
        else:
            message.status, message.error = SmsStatus.FAILED, "Kunde inte levereras till mobilen."
        message.updated_at = clock.now()
        message.save(update_fields=["status", "delivered_at", "error", "updated_at"])
    return True


def messages_by_booking(booking: Booking) -> QuerySet[SmsMessage]:
    """The booking's SMS log for its detail page, oldest first."""
    return booking.sms_messages.select_related("recipient", "resent_by").order_by(
        "created_at", "id"
    )


def visible_sms(booking: Booking, viewer: User) -> list[SmsMessage]:
    """The booking's messages as the API shows them (from `booking.sms_messages`, prefetched):
    its clinician and admins see every message, anyone else only those sent to them, so no
    patient learns another participant's number."""
    manages = may_manage(viewer, booking)
    rows = sorted(booking.sms_messages.all(), key=lambda m: (m.created_at, m.pk))
    return [m for m in rows if manages or m.recipient_id == viewer.pk]
