"""Role checks for views: one decorator, used by every page that needs a role, and where each
role is at home.

A page or action the caller's role may not use answers 403 ("wrong role"); an object outside the
caller's scope answers 404 ("not yours"), from the access module of the object's app
(tenant_apps.bookings.access, tenant_apps.profiles.access, tenant_apps.accounts.access).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

ROLE_FLAGS = {
    "admin": "is_admin",
    "clinician": "is_clinician",
    "patient": "is_patient",
    "operator": "is_operator",
    "support": "is_support",
}


def has_role(user: AbstractBaseUser | AnonymousUser, *roles: str) -> bool:
    return bool(user.is_authenticated) and any(getattr(user, ROLE_FLAGS[r]) for r in roles)


def role_required(*roles: str) -> Callable:
    """Logged-in users with one of `roles` pass; others log in or get a 403 page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                return render(request, "errors/403.html", status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def home_url(user: AbstractBaseUser | AnonymousUser, *, public_host: bool = False) -> str:
    """Where the user lands after login, and where "Tillbaka" and "Lämna videobesök" lead
    home: on a provider's host Översikt for admins and clinicians, Mina besök for patients; on
    the public host Konsol for operators, Support for support staff."""
    if public_host:
        return reverse("console-home") if has_role(user, "operator") else reverse("support-home")
    if has_role(user, "admin", "clinician"):
        return reverse("overview")
    return reverse("patient-home")
