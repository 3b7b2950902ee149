from django.conf import settings
from django.db import models

from careplatform import clock


class DueKind(models.TextChoices):
    REMINDER = "reminder"  # object_id: a booking whose reminder falls due
    MESSAGE = "message"  # object_id: a message to send, retry or reconcile
    WAITING = "waiting"  # object_id: a booking whose patient may have waited too long


class SmsDue(models.Model):
    """The due-work index in the public schema: one row per pending reminder or unfinished
    message at any provider. One indexed query finds everything due across thousands of
    providers; the row carries the schema the work must run in.

    Rows are written in the same transaction as the provider's own rows (the provider's
    search_path includes public), so the index never disagrees with what it points at. A
    sweep leases due rows by moving `due_at` forward; a job that dies leaves its rows to come
    due again. Notifications keeps it (tenant_apps/notifications/due.py); the table is here
    because a tenant app's tables are in every provider's schema, not in public."""

    provider = models.ForeignKey(
        settings.TENANT_MODEL,
        to_field="schema_name",
        db_column="schema_name",
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(max_length=10, choices=DueKind.choices)
    object_id = models.BigIntegerField()
    due_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "kind", "object_id"], name="sms_due_once")
        ]
        indexes = [models.Index(fields=["due_at"], name="sms_due_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} @ {self.provider_id} {self.due_at:%Y-%m-%d %H:%M:%S}"


class GatewayPause(models.Model):
    """A gateway account that asked us to slow down (429): no request on that account starts
    before `not_before`, whichever provider, job or process it is for. Keyed by the account
    (backend, API URL and user name), never by a provider."""

    account = models.CharField(max_length=300, unique=True)
    not_before = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.account} paused until {self.not_before:%Y-%m-%d %H:%M:%S}"


class OutboxMessage(models.Model):
    """A message the development `outbox` backend "sent": kept here, shown on the outbox page."""

    provider = models.ForeignKey(
        settings.TENANT_MODEL,
        to_field="schema_name",
        db_column="schema_name",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    sender = models.CharField(max_length=11)
    to = models.CharField(max_length=20)
    text = models.TextField()
    segments = models.PositiveSmallIntegerField(default=1)
    callback_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["to", "created_at"], name="sms_outbox_to")]

    def __str__(self) -> str:
        return f"{self.to}: {self.text[:40]}"

    @property
    def gateway_id(self) -> str:
        return f"outbox-{self.pk}"
