"""Which provider a console URL names: any provider but the template, for operators (the views
check the role); an unknown subdomain is 404."""

from django.shortcuts import get_object_or_404

from tenants.db import connection
from tenants.models import CareProvider


def provider_or_404(subdomain: str) -> CareProvider:
    connection.set_schema_to_public()
    return get_object_or_404(CareProvider, subdomain=subdomain, is_template=False)
