"""Helpers for the provisioning tests: a finished job, and committed jobs removed again."""

import contextlib
import uuid

from django.db import connection

from careplatform import clock
from tenants.models import CareProvider, ProvisioningJob


@contextlib.contextmanager
def jobs_removed_afterwards():
    """Provisioning jobs made in the block with committed data are deleted at its end (their
    providers are the `committed` fixture's to remove)."""
    connection.set_schema_to_public()
    before = set(ProvisioningJob.objects.values_list("pk", flat=True))
    try:
        yield
    finally:
        connection.set_schema_to_public()
        ProvisioningJob.objects.exclude(pk__in=before).delete()


def provisioned(provider: CareProvider) -> ProvisioningJob:
    """The console's finished job that made `provider` (public schema)."""
    now = clock.now()
    return ProvisioningJob.objects.create(
        token=uuid.uuid4(),
        name=provider.name,
        subdomain=provider.subdomain,
        status="done",
        step="sms",
        message=f"{provider.name} är skapad. Administratören får ett sms med inloggningslänken.",
        provider=provider,
        created_at=now,
        updated_at=now,
        finished_at=now,
    )
