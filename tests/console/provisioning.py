"""Helpers for the provisioning tests: committed jobs are removed again afterwards."""

import contextlib

from tenants.models import ProvisioningJob


@contextlib.contextmanager
def jobs_removed_afterwards():
    """Provisioning jobs made in the block with committed data are deleted at its end (their
    providers are the `committed` fixture's to remove)."""
    before = set(ProvisioningJob.objects.values_list("pk", flat=True))
    try:
        yield
    finally:
        ProvisioningJob.objects.exclude(pk__in=before).delete()
