from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class ProviderStatus(models.TextChoices):
    ACTIVE = "active", _("Aktiv")
    SUSPENDED = "suspended", _("Avstängd")


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
