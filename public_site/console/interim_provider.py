"""INTERIM — drop at merge: a minimal provider page (`/konsol/vardgivare/<subdomain>/`, URL name
`console-provider`) until the console's real provider page is merged from its own branch. It
shows only what this branch owns: the status include with its actions, and the messages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from careplatform.access import role_required
from public_site.console.access import provider_or_404


@role_required("operator")
@require_GET
def provider_page(request: HttpRequest, subdomain: str) -> HttpResponse:
    provider = provider_or_404(subdomain)
    return render(request, "public_site/console/interim_provider.html", {"provider": provider})
