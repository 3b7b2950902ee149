"""The signing page (`/konsol/signera/<token>/`) and the JSON its script (js/login.js, as on the
login page) polls: start an order, its status, cancel. The service is public_site.signing."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from careplatform.access import role_required
from public_site import signing


@never_cache
@role_required("operator")
@require_GET
def sign_page(request: HttpRequest, token: str) -> HttpResponse:
    pending = signing.pending_action(request, token)
    status = 200 if pending is not None else 404
    return render(request, "public_site/console/sign.html", {"pending": pending}, status=status)


@never_cache
@role_required("operator")
@require_POST
def sign_start(request: HttpRequest, token: str) -> JsonResponse:
    try:
        order = signing.start_order(request, token, request.POST.get("mode", "qr"))
    except signing.ActionRefused as exc:
        return JsonResponse({"state": "failed", "message": exc.message}, status=400)
    return JsonResponse({"state": "pending", "autoStartToken": order.auto_start_token})


@never_cache
@role_required("operator")
@require_POST
def sign_status(request: HttpRequest, token: str) -> JsonResponse:
    state = signing.poll(request, token)
    return JsonResponse(
        {
            "state": state.state,
            "message": state.message,
            "rfa": state.rfa,
            "qr": state.qr,
            "redirect": state.redirect,
        }
    )


@role_required("operator")
@require_POST
def sign_cancel(request: HttpRequest, token: str) -> JsonResponse:
    signing.cancel_order(request, token)
    return JsonResponse({"state": "none"})
