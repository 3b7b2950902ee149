"""The provider URL conf plus two probes that show what a request on a host can see."""

from django.http import JsonResponse
from django.urls import path

from careplatform.urls_tenant import handler404, handler500
from careplatform.urls_tenant import urlpatterns as tenant_urlpatterns
from tenant_apps.accounts.models import User


def user_names(request):
    return JsonResponse({"names": sorted(u.full_name for u in User.objects.all())})


def session_probe(request):
    if "set" in request.GET:
        request.session["marker"] = request.GET["set"]
    return JsonResponse({"marker": request.session.get("marker")})


def failing(request):
    raise RuntimeError("a bug")


urlpatterns = [
    *tenant_urlpatterns,
    path("probe/users/", user_names),
    path("probe/session/", session_probe),
    path("probe/error/", failing),
]
__all__ = ["urlpatterns", "handler404", "handler500"]
