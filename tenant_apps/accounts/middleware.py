from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from tenant_apps.accounts.services import needs_consent

# What a patient may reach before consenting (manual 7.3: consent comes before anything else);
# the service desk's contact details too (manual 9): they hold no one's data.
OPEN_PATHS = ("/samtycke/", "/logout/", "/login/", "/static/", "/healthz", "/i18n/", "/support/")


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
            return redirect(consent_url(request))
        return self.get_response(request)


def consent_url(request: HttpRequest) -> str:
    """The consent page; a page the patient asked for (a visit link, a booking) is where
    consenting leads on to, rather than Mina besök."""
    url = reverse("consent")
    if request.method == "GET" and request.path not in ("/", reverse("patient-home")):
        url += "?" + urlencode({"next": request.get_full_path()})
    return url
