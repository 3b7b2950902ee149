"""Which language a page speaks: the logged-in user's stored preference, else the language
chosen on the site (cookie), else Swedish. Not the browser's Accept-Language: the product is
Swedish first, and a person's choice is kept with their account."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

SUPPORTED = {code for code, _ in settings.LANGUAGES}


def language_for(user: Any, chosen: str = "") -> str:
    """The user's stored language, else `chosen` (the site's language cookie), else Swedish."""
    if user is not None and user.is_authenticated and user.language in SUPPORTED:
        return user.language
    return chosen if chosen in SUPPORTED else settings.LANGUAGE_CODE


def preferred_language(request: HttpRequest) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return language_for(getattr(request, "user", None), chosen)


class PreferredLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = preferred_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """The language switch: kept in a cookie, and with the account when logged in."""
    language = request.POST.get("language", "")
    if language not in SUPPORTED:
        return HttpResponseBadRequest("Unsupported language")
    user = request.user
    if user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response
