"""Konsol: the providers list (operators only, on the public host; a provider's host has no
/konsol/ at all)."""

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from careplatform import clock
from careplatform.access import role_required
from public_site.console import listing
from tenants.provisioning import provider_url

PAGE_SIZE = 50


@role_required("operator")
@require_GET
def provider_list(request: HttpRequest) -> HttpResponse:
    form = listing.ProviderListForm(request.GET or None)
    refused = form.is_bound and not form.is_valid()
    query = form.query()
    today = clock.today_local()
    page = Paginator(listing.providers(query, today), PAGE_SIZE).get_page(request.GET.get("sida"))
    context = {
        "form": form,
        "query": query,
        "page": page,
        "rows": [_row(provider) for provider in page.object_list],
        "headers": _headers(query),
        "month": today,
        "new_provider_path": reverse("console-provision"),
    }
    return render(
        request, "public_site/console/provider_list.html", context, status=400 if refused else 200
    )


def _row(provider: Any) -> dict[str, Any]:
    return {
        "provider": provider,
        "host_url": provider_url(provider),
        "page_path": reverse("console-provider", kwargs={"subdomain": provider.subdomain}),
    }


def _headers(query: listing.ListQuery) -> list[dict[str, Any]]:
    """Each column's header: the sort its link asks for (the other direction when the list is
    sorted by it; numbers largest first, words A to Ö otherwise) and its aria-sort."""
    headers = []
    for column in listing.COLUMNS:
        current = query.column == column
        descending = not query.descending if current else column.numeric
        aria = ("descending" if query.descending else "ascending") if current else ""
        headers.append(
            {
                "column": column,
                "sort": f"-{column.key}" if descending else column.key,
                "aria_sort": aria,
                "next_descending": descending,
            }
        )
    return headers
