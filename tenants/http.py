"""The request as django-tenants hands it to a provider's views, typed for mypy."""

from django.http import HttpRequest

from tenants.models import CareProvider


class TenantRequest(HttpRequest):
    """A request on a provider's host: the tenant middleware has set `tenant`."""

    tenant: CareProvider
