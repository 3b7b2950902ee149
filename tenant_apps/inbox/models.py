from django.conf import settings
from django.db import models
from django.db.models import Q

from tenant_apps.bookings.models import Booking
from tenant_apps.inbox.kinds import sentence


class Notice(models.Model):
    """One thing one user is told (Notiser in the header), e.g. that a patient cannot come.
    `kind` names a kinds.NoticeKind, which says how it reads; `actor` is who did it; `note`
    is what they wrote (a patient's note when they cannot come)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20)
    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notice_recent"),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notice_unread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} till {self.recipient_id} ({self.booking_id})"

    @property
    def text(self) -> str:
        return sentence(self)
