"""Error pages: proper HTML for people, JSON for the API."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tenants.models import CareProvider


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def unknown_provider(request: HttpRequest) -> HttpResponse:
    message = _("Det finns ingen vårdgivare på den här adressen.")
    if wants_json(request):
        return JsonResponse({"detail": message, "code": "unknown_provider"}, status=404)
    return render(request, "errors/unknown_provider.html", {"message": message}, status=404)


def provider_suspended(request: HttpRequest, provider: CareProvider | None) -> HttpResponse:
    message = _("Vårdgivarens plattform är tillfälligt avstängd. Kontakta din vårdgivare.")
    if wants_json(request):
        return JsonResponse({"detail": message, "code": "provider_suspended"}, status=403)
    return render(
        request, "errors/suspended.html", {"message": message, "provider": provider}, status=403
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"detail": _("Sidan finns inte."), "code": "not_found"}, status=404)
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if wants_json(request):
        return JsonResponse(
            {"detail": _("Ett oväntat fel inträffade."), "code": "error"}, status=500
        )
    return render(request, "errors/500.html", status=500)
