"""Skicka igen: an admin puts an SMS that failed for good back in the queue.

It is the same message (same idempotency key, same text) given a new round of attempts; the
usual machinery sends it, so it is still handed to the gateway by one worker only. Only a
failed message qualifies, so a message that was sent or delivered is never sent again; and
only while it still tells the truth: the booking has not moved on (no newer message to that
recipient, still active unless it is the cancellation) and the visit has not passed. The
recipient's current number is used, so a corrected number can be tried. Each resend is
counted on the message, shown with the admin's name on the booking page, and written to the
audit log.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils.translation import gettext as _

from careplatform import clock
from careplatform.sms.models import DueKind
from tenant_apps.accounts.models import User
from tenant_apps.audit.services import record_access
from tenant_apps.bookings.models import Booking, BookingStatus
from tenant_apps.bookings.services import effective_status
from tenant_apps.notifications import due
from tenant_apps.notifications.models import SmsKind, SmsMessage, SmsStatus
from tenant_apps.notifications.services import messages_by_booking, recipient_number
from tenant_apps.notifications.sweep import RUN_DUE
from tenants.tasks import enqueue_for_provider

SMS_RESEND = "sms.resend"  # audit action


def sms_message_for(booking: Booking, pk: int) -> SmsMessage:
    """One of the booking's messages, or 404 (the booking comes from its access helper)."""
    message = booking.sms_messages.filter(pk=pk).first()
    if message is None:
        raise Http404("Inget sådant sms")
    return message


def refusal(
    message: SmsMessage, booking: Booking, *, newer: bool, now: datetime.datetime
) -> str | None:
    """Why `message` cannot be sent again, or None if it can."""
    if message.status != SmsStatus.FAILED:
        return _("Bara ett sms som har misslyckats kan skickas igen.")
    if now >= message.expires_at:
        return _("Besöket har redan börjat eller passerat; sms:et skickas inte igen.")
    if newer:
        return _("Mottagaren har fått ett nyare sms om bokningen.")
    active = effective_status(booking, now) in (BookingStatus.UNCONFIRMED, BookingStatus.CONFIRMED)
    if message.kind != SmsKind.CANCELLED and not active:
        return _("Bokningen är inte längre aktuell.")
    if recipient_number(message.recipient.mobile)[1]:
        return _("Mottagarens mobilnummer saknas eller är ogiltigt. Rätta det först.")
    return None


def sms_log(booking: Booking, viewer: User) -> list[tuple[SmsMessage, bool]]:
    """The booking's SMS log for its page, each message with whether `viewer` may send it
    again (admins only). No query per message."""
    rows = list(messages_by_booking(booking))
    now = clock.now()
    latest = {row.recipient_id: row.pk for row in rows}  # oldest first: the last one wins
    return [
        (
            row,
            viewer.is_admin
            and refusal(row, booking, newer=latest[row.recipient_id] != row.pk, now=now) is None,
        )
        for row in rows
    ]


def resend(message: SmsMessage, *, actor: User, ip_address: str | None) -> None:
    """Skicka igen (admins): queued again with a fresh round of attempts, sent by a job after
    commit (and by the sweep, should that job be lost). Raises ValidationError saying why
    not; a second click finds the message no longer failed."""
    if not actor.is_admin:
        raise ValidationError(_("Bara en administratör kan skicka ett sms igen."))
    now = clock.now()
    with transaction.atomic():
        locked = (
            SmsMessage.objects.select_for_update(of=("self",))
            .select_related("booking", "recipient")
            .get(pk=message.pk)
        )
        booking = locked.booking
        assert booking is not None  # a booking's message (sms_message_for)
        newer = (
            SmsMessage.objects.filter(booking=booking, recipient_id=locked.recipient_id)
            .filter(pk__gt=locked.pk)
            .exists()
        )
        why = refusal(locked, booking, newer=newer, now=now)
        if why is not None:
            raise ValidationError(why)
        SmsMessage.objects.filter(pk=locked.pk).update(
            status=SmsStatus.QUEUED,
            to=recipient_number(locked.recipient.mobile)[0],
            attempts=0,
            next_attempt_at=now,
            claimed_until=None,
            error="",
            resends=F("resends") + 1,
            resent_at=now,
            resent_by=actor,
            updated_at=now,
        )
        lease = now + datetime.timedelta(seconds=settings.SMS_LEASE_SECONDS)
        due.schedule(DueKind.MESSAGE, {locked.pk: lease})
        record_access(actor, locked.recipient, SMS_RESEND, ip_address)
        enqueue_for_provider(RUN_DUE, [], [locked.pk])
