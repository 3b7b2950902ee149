import uuid
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class ProviderStatus(models.TextChoices):
    ACTIVE = "active", _("Aktiv")
    SUSPENDED = "suspended", _("Avstängd")
    # Schema dropped after the grace period; the row stays for invoices and the operator log.
    TERMINATED = "terminated", _("Avslutad")


def default_visit_tools() -> dict[str, bool]:
    return {"chat": True, "todos": True, "private_notes": True, "documents": True}


class RoutedByHost(models.Model):
    """A row the host -> provider routing reads: saving or deleting one refreshes it."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        _invalidate_routing_after_commit()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        result = super().delete(*args, **kwargs)
        _invalidate_routing_after_commit()
        return result


class CareProvider(RoutedByHost, TenantMixin):
    """One care unit's platform: one schema, one subdomain, at least one admin."""

    name = models.CharField(_("namn"), max_length=100)
    subdomain = models.CharField(_("subdomän"), max_length=40, unique=True)
    org_number = models.CharField(_("organisationsnummer"), max_length=11, blank=True)
    status = models.CharField(
        max_length=10, choices=ProviderStatus.choices, default=ProviderStatus.ACTIVE
    )
    # The template schema every new provider is cloned from; never routed to.
    is_template = models.BooleanField(default=False)
    patient_confirmation_required = models.BooleanField(default=True)
    clinician_listing_enabled = models.BooleanField(default=False)
    visit_tools = models.JSONField(default=default_visit_tools)
    sms_sender_name = models.CharField(max_length=11, default="CarePlatfrm")
    created_at = models.DateTimeField(auto_now_add=True)
    # Why the provider was last suspended (or reactivated), and when.
    status_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Set while a termination is pending: the scheduled job drops the schema at this time.
    terminate_at = models.DateTimeField(null=True, blank=True)

    # Provisioning creates the schema itself, inside its own transaction.
    auto_create_schema = False
    auto_drop_schema = True

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.subdomain})"

    @property
    def is_active(self) -> bool:
        return self.status == ProviderStatus.ACTIVE


class Domain(RoutedByHost, DomainMixin):
    def __str__(self) -> str:
        return self.domain


def _invalidate_routing_after_commit() -> None:
    # Every process caches host -> provider; a change must reach all of them at once.
    from tenants.routing import host_cache

    transaction.on_commit(host_cache.publish_invalidation)


class UsageMetric(models.TextChoices):
    ACTIVE_CLINICIANS = "active_clinicians", _("Aktiv vårdpersonal")
    VISITS_HELD = "visits_held", _("Genomförda besök")
    VIDEO_MINUTES = "video_minutes", _("Videominuter")
    SMS_SEGMENTS = "sms_segments", _("SMS-segment")
    PATIENTS = "patients", _("Patienter")


class Usage(models.Model):
    """What one provider used on one day: filled by the metering job (and on-commit increments),
    read by the console and billing without touching any provider's schema."""

    provider = models.ForeignKey(CareProvider, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    metric = models.CharField(max_length=30, choices=UsageMetric.choices)
    value = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "day", "metric"], name="usage_once_per_provider_day_metric"
            )
        ]
        indexes = [
            models.Index(fields=["day", "metric"], name="usage_day_metric"),
            # The console reads one provider's metric over a range of days, for every provider
            # of a page (public_site/console/listing.py): an index-only scan each.
            models.Index(
                fields=["provider", "metric", "day"],
                include=["value"],
                name="usage_provider_metric_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.day} {self.metric}={self.value}"


class OperatorActionKind(models.TextChoices):
    PROVISION = "provision", _("Skapade vårdgivaren")
    SETTINGS = "settings", _("Ändrade inställningar")
    DOMAIN_ADDED = "domain_added", _("Lade till domän")
    DOMAIN_REMOVED = "domain_removed", _("Tog bort domän")
    ADMIN_ADDED = "admin_added", _("Lade till administratör")
    SUSPEND = "suspend", _("Stängde av")
    REACTIVATE = "reactivate", _("Återaktiverade")
    TERMINATE = "terminate", _("Avslutade")
    TERMINATE_UNDONE = "terminate_undone", _("Ångrade avslut")
    SCHEMA_DROPPED = "schema_dropped", _("Raderade data")
    SUPPORT_CONTACT = "support_contact", _("Ändrade supportens kontaktuppgifter")


class OperatorAction(models.Model):
    """The platform audit log: one row per operator action. Append-only in PostgreSQL (a trigger
    refuses UPDATE, DELETE and TRUNCATE), so not even the application can rewrite history."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    actor_name = models.CharField(max_length=200)  # as it was; null actor: a scheduled job
    action = models.CharField(max_length=30, choices=OperatorActionKind.choices)
    # The provider may be gone from the table one day (tests drop theirs); the log stays.
    provider = models.ForeignKey(
        CareProvider,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    provider_label = models.CharField(max_length=200, blank=True)  # "Name (subdomain)" as it was
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    # A BankID signature's completion data (user, device, signature, ocspResponse) when the
    # action needed one.
    signature = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["provider", "-created_at"], name="opaction_provider")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.provider_label}"


class ProvisioningStep(models.TextChoices):
    """What a provisioning job is doing, in order (the progress page lists them)."""

    SCHEMA = "schema", _("Schemat kopieras")
    ADMIN = "admin", _("Administratören skapas")
    SMS = "sms", _("SMS med inloggningslänk skickas")


class ProvisioningStatus(models.TextChoices):
    QUEUED = "queued", _("Väntar")
    RUNNING = "running", _("Pågår")
    DONE = "done", _("Klar")
    FAILED = "failed", _("Misslyckades")


UNFINISHED_JOB = (ProvisioningStatus.QUEUED, ProvisioningStatus.RUNNING)


class ProvisioningJob(models.Model):
    """A provisioning the console started: a worker runs it, the progress page reads it.

    The form's token is unique, so the same form sent twice (a double click, a reloaded POST)
    is one job; and one subdomain has at most one unfinished job. The first admin's
    personnummer and mobile are kept only until the job has finished."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token = models.UUIDField(unique=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    name = models.CharField(max_length=100)
    subdomain = models.CharField(max_length=40)
    org_number = models.CharField(max_length=11, blank=True)
    admin_personnummer = models.CharField(max_length=12, blank=True)
    admin_name = models.CharField(max_length=200, blank=True)
    admin_mobile = models.CharField(max_length=20, blank=True)
    status = models.CharField(
        max_length=10, choices=ProvisioningStatus.choices, default=ProvisioningStatus.QUEUED
    )
    step = models.CharField(max_length=10, choices=ProvisioningStep.choices, blank=True)
    message = models.TextField(blank=True)  # the result, or why it failed
    provider = models.ForeignKey(
        CareProvider, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subdomain"],
                condition=models.Q(status__in=UNFINISHED_JOB),
                name="provisioning_one_unfinished_job_per_subdomain",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subdomain}: {self.status} {self.step}"

    @property
    def finished(self) -> bool:
        return self.status not in UNFINISHED_JOB


def default_support_hours() -> list[list[str] | None]:
    """Manual 9: "svenska helgfria vardagar mellan kl. 07:00 och 17:00", Monday first."""
    return [["07:00", "17:00"]] * 5 + [None, None]


class SupportContact(models.Model):
    """The platform's service desk (manual 9): one row, edited by operators in the console and
    shown on every provider's pages and the login pages. Read through tenants.support_contact,
    which caches it and stands in the manual's values while no operator has saved any."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    phone = models.CharField(max_length=20)  # E.164
    email = models.EmailField()
    # Per weekday, Monday first: ["07:00", "17:00"], or null when the desk is closed that day.
    # Swedish public holidays are closed whatever the weekday says.
    hours = models.JSONField(default=default_support_hours)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="support_contact_one_row")
        ]

    def __str__(self) -> str:
        return f"{self.phone} {self.email}"
