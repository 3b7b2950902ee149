from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


def provider_home(request: HttpRequest) -> HttpResponse:
    # django-tenants' middleware sets `tenant`; the project package does not import `tenants`
    # for its type (tenants.http.TenantRequest), so the stubs do not know the attribute here.
    provider = request.tenant  # type: ignore[attr-defined]
    return render(request, "provider_home.html", {"provider": provider})


class ProviderInfoView(APIView):
    """Public facts about the provider whose host this is."""

    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        provider = request._request.tenant
        return Response({"name": provider.name, "subdomain": provider.subdomain})
