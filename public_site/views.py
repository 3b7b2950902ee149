from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from careplatform.access import role_required


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "public_site/landing.html")


@role_required("support")
def support_home(request: HttpRequest) -> HttpResponse:
    return render(request, "public_site/support_home.html")
