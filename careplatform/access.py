"""Role checks for views: one decorator, used by every page that needs a role."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
