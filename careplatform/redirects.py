"""Where a "next" parameter may lead: a path on the same host, nothing else.

The login page, the status poll that ends a login and the consent page take the page to go on
to from the request (a visit link, /b/K7F2Q9, sends its visitor to log in first). Anyone can
craft such a link, so only a local path is followed: never another host, another scheme or a
URL that a browser reads as one ("//evil.example", "/\\evil.example", "/\t/evil.example").
"""

import unicodedata

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def local_path(target: str | None, request: HttpRequest) -> str | None:
    """`target` when it is a path on this host ("/b/K7F2Q9", "/bokningar/5/"), else None."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(unicodedata.category(char)[0] in "CZ" and char != " " for char in target):
        return None  # control characters and odd spaces, which browsers drop or misread
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return None
    return target


def next_path(request: HttpRequest) -> str | None:
    """The request's "next" (query string or form), when it is a local path."""
    return local_path(request.GET.get("next") or request.POST.get("next"), request)
