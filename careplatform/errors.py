"""Error pages: proper HTML for people, JSON for the API."""

import sys

from django.db import InterfaceError, OperationalError
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


# Seconds a client is asked to wait when the database cannot be reached or every pooled
# connection is busy: the request itself was fine.
RETRY_AFTER = 5


def server_error(request: HttpRequest) -> HttpResponse:
    """In the language of the failed request; rendered without the request (no context
    processors, no database), so that the page itself cannot fail the same way. A database
    out of reach or out of free connections is 503 with Retry-After, not a defect (500)."""
    unavailable = isinstance(sys.exc_info()[1], OperationalError | InterfaceError)
    if unavailable:
        title, code, status = _("Tjänsten är tillfälligt otillgänglig."), "unavailable", 503
    else:
        title, code, status = _("Ett oväntat fel inträffade."), "error", 500
    if wants_json(request):
        response: HttpResponse = JsonResponse({"detail": title, "code": code}, status=status)
    else:
        advice = _("Försök igen om en stund. Kvarstår felet, kontakta supporten: 08-444 34 34.")
        context = {"title": title, "advice": advice, "language": translation.get_language()}
        response = HttpResponse(loader.render_to_string("errors/500.html", context), status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER)
    return response
