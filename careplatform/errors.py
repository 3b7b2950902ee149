"""Error pages: proper HTML for people, JSON for the API."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"detail": _("Sidan finns inte."), "code": "not_found"}, status=404)
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """In the language of the failed request; rendered without the request (no context
    processors, no database), so that the page itself cannot fail the same way."""
    title = _("Ett oväntat fel inträffade.")
    if wants_json(request):
        return JsonResponse({"detail": title, "code": "error"}, status=500)
    advice = _("Försök igen om en stund. Kvarstår felet, kontakta supporten: 08-444 34 34.")
    context = {"title": title, "advice": advice, "language": translation.get_language()}
    return HttpResponse(loader.render_to_string("errors/500.html", context), status=500)
