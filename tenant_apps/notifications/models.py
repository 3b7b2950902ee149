from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from careplatform import clock
from tenant_apps.bookings.models import Booking


class SmsKind(models.TextChoices):
    INVITED = "invited", _("Inbjudan")
    RESCHEDULED = "rescheduled", _("Ny tid")
    CANCELLED = "cancelled", _("Avbokning")
    REMINDER = "reminder", _("Påminnelse")
    # To the clinician: a patient has waited in the room (the clinician's choice on Min profil).
    WAITING = "waiting", _("Patient väntar")
    # To a new provider's first admin, about no booking: the login link.
    FIRST_ADMIN = "first_admin", _("Inloggningslänk till administratör")


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("I kö")
    SENDING = "sending", _("Skickas")
    SENT = "sent", _("Skickat")
    DELIVERED = "delivered", _("Levererat")
    FAILED = "failed", _("Misslyckades")
    UNKNOWN = "unknown", _("Okänt, kontrolleras")


# Statuses that still need a worker: each such message has a row in the public due index.
UNFINISHED = (SmsStatus.QUEUED, SmsStatus.SENDING, SmsStatus.UNKNOWN)


class SmsMessage(models.Model):
    """One SMS to one recipient about one version of a booking, or about no booking (the first
    admin's login link, booking empty).

    The idempotency key (booking, kind, booking version, recipient) is unique, and without a
    booking (kind, recipient): however often an event is handled or a job is retried, the
    message exists once, and it is handed to the gateway only by the worker that moved it from
    queued to sending."""

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, null=True, blank=True, related_name="sms_messages"
    )
    kind = models.CharField(max_length=12, choices=SmsKind.choices)
    booking_version = models.PositiveIntegerField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    to = models.CharField(max_length=20, blank=True)  # E.164, checked before sending
    sender = models.CharField(max_length=11)
    language = models.CharField(max_length=2)
    text = models.TextField()
    segments = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=SmsStatus.choices, default=SmsStatus.QUEUED)
    gateway_id = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    # Not handed over by then (the visit started or ended), it is pointless: failed instead.
    expires_at = models.DateTimeField()
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    # A sending worker owns the message until then; after it, the outcome is looked up.
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # When the status (or anything a worker writes) last changed.
    updated_at = models.DateTimeField(default=clock.now)
    # "Skicka igen": an admin put a message that had failed for good back in the queue.
    resends = models.PositiveSmallIntegerField(default=0)
    resent_at = models.DateTimeField(null=True, blank=True)
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "kind", "booking_version", "recipient"],
                name="sms_once_per_key",
            ),
            models.UniqueConstraint(
                fields=["kind", "recipient"],
                condition=Q(booking__isnull=True),
                name="sms_once_per_account_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["gateway_id"], name="sms_gateway_id", condition=~Q(gateway_id="")),
            # Usage metering sums a day's segments sent (tenants.usage).
            models.Index(
                fields=["sent_at"], name="sms_sent_at", condition=Q(sent_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.booking_version} till {self.recipient_id}: {self.status}"
