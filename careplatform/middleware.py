"""Refusals of malformed requests before any view sees them."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from careplatform.errors import wants_json

NUL = "\x00"


class RefuseNulInQueryMiddleware:
    """PostgreSQL cannot store or compare text with a NUL character: a search for one would be a
    server error. Any query parameter (name or value) holding one is refused with a 400 that
    names it: JSON on the API, a page in the user's language elsewhere. Form and JSON bodies are
    refused by their fields (Django's and DRF's CharField refuse NUL)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, values in request.GET.lists():
            if NUL in name or any(NUL in value for value in values):
                return refused(request, name.replace(NUL, ""))
        return self.get_response(request)


def refused(request: HttpRequest, field: str) -> HttpResponse:
    message = _("Fältet %(field)s innehåller ett otillåtet tecken (NUL).") % {"field": field}
    if wants_json(request):
        return JsonResponse({field: [message]}, status=400)
    return render(request, "errors/400.html", {"message": message}, status=400)
