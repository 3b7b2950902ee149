from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    BigIntegerRangeField,
    DateTimeRangeField,
    RangeBoundary,
    RangeOperators,
)
from django.db import models
from django.db.models import Func, Q, Value
from django.utils.translation import gettext_lazy as _

from tenant_apps.bookings import references
from tenant_apps.profiles.models import VisitType


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class Int8Range(Func):
    function = "INT8RANGE"
    output_field = BigIntegerRangeField()


class BookingStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("Obekräftad")
    CONFIRMED = "confirmed", _("Bekräftad")
    COMPLETED = "completed", _("Genomförd")
    CANCELLED = "cancelled", _("Avbokad")
    EXPIRED = "expired", _("Utgången")


REFERENCE_UNIQUE = "booking_reference_unique"

# Bookings in these states hold their clinician's time; expired and cancelled ones free it.
HOLDS_TIME = (BookingStatus.UNCONFIRMED, BookingStatus.CONFIRMED)


class Booking(models.Model):
    # The visit reference (besöksnummer, references.py): stored as "K7F2Q9", shown "K7F-2Q9".
    reference = models.CharField(
        _("besöksnummer"), max_length=references.LENGTH, default=references.new_reference
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clinician_bookings"
    )
    visit_type = models.ForeignKey(VisitType, on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField(_("starttid"))
    ends_at = models.DateTimeField(_("sluttid"))
    status = models.CharField(
        max_length=12, choices=BookingStatus.choices, default=BookingStatus.UNCONFIRMED
    )
    instant = models.BooleanField(_("Boka nu"), default=False)
    message = models.TextField(_("meddelande"), max_length=500, blank=True)
    # Increases with every change of time or state; SMS idempotency keys carry it.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("anledning"), max_length=500, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["status", "starts_at"], name="booking_status_start")]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name=REFERENCE_UNIQUE),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"
            ),
            ExclusionConstraint(
                name="booking_no_overlap",
                # "Same clinician" as overlapping one-point ranges: GiST indexes ranges natively,
                # so no btree_gist extension is needed (the embedded PostgreSQL has none).
                expressions=[
                    (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                    (
                        Int8Range("clinician", "clinician", Value("[]")),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(status__in=[s.value for s in HOLDS_TIME]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit_type.title} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def visit_reference(self) -> str:
        """The reference as people read it: "K7F-2Q9"."""
        return references.display(self.reference)


class ParticipantRole(models.TextChoices):
    PATIENT = "patient", _("Patient")
    COLLEAGUE = "colleague", _("Kollega")


class Participant(models.Model):
    """An invited patient, or a colleague invited for a test visit."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(max_length=10, choices=ParticipantRole.choices)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # "Jag kan inte komma": a patient of a group visit who will not come; the visit goes on for
    # the others (the last patient's decline cancels the booking).
    declined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "user"], name="participant_once_per_booking")
        ]

    def __str__(self) -> str:
        return f"{self.user} i {self.booking_id}"


class EventKind(models.TextChoices):
    INVITED = "invited", _("Inbjuden")
    RESCHEDULED = "rescheduled", _("Ny tid")
    CANCELLED = "cancelled", _("Avbokad")
    CONFIRMED = "confirmed", _("Bekräftad")
    # A patient confirmed while others of a group visit have not yet.
    ACCEPTED = "accepted", _("Patienten bekräftade")
    DECLINED = "declined", _("Patienten kan inte komma")


class BookingEvent(models.Model):
    """Transactional outbox: written in the booking's own transaction, handed to workers after
    commit (the SMS issue reads them). A rolled-back change leaves no event.

    Also the booking's history, shown to its clinician and admins: who did it (`actor`, empty
    for the platform) and the reason or note they gave, which no SMS ever carries."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    booking_version = models.PositiveIntegerField()
    # Never looked up by actor: no index to build on every provider's events.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    note = models.CharField(_("anledning"), max_length=500, blank=True, default="", db_default="")
    created_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="booking_event_pending",
                condition=Q(dispatched_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.booking_version} ({self.booking_id})"


class CalendarFeed(models.Model):
    """A clinician's private iCal feed. Only a hash of the secret is stored; a new link
    replaces the old one, and turning the feed off revokes it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Kalenderflöde för {self.user}"
