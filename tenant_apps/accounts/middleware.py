from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from tenant_apps.accounts.services import needs_consent

# What a patient may reach before consenting (manual 7.3: consent comes before anything else).
OPEN_PATHS = ("/samtycke/", "/logout/", "/login/", "/static/", "/healthz", "/i18n/")


class ConsentRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            getattr(request, "tenant", None) is not None
            and user.is_authenticated
            and user.is_patient
            and not request.path.startswith(OPEN_PATHS)
            and needs_consent(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Ge ditt samtycke först."), "code": "consent_required"},
                    status=403,
                )
            return redirect(reverse("consent"))
        return self.get_response(request)
