from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from careplatform.redirects import next_path
from tenant_apps.accounts.login import services
from tenant_apps.accounts.login.services import LoginRefused
from tenants import support_contact


@never_cache
@require_GET
def login_page(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(next_path(request) or services.start_url(request, request.user))
    # A reloaded or reopened login page starts over: one pending order per session.
    services.cancel_login(request)
    return render(
        request,
        "login/login.html",
        {
            "provider": getattr(request, "tenant", None),
            "next": next_path(request) or "",
            "support": support_contact.shown(),
        },
    )


def _refused(exc: LoginRefused) -> JsonResponse:
    return JsonResponse({"state": "failed", "message": exc.message}, status=exc.status)


@never_cache
@require_POST
def start(request: HttpRequest) -> JsonResponse:
    try:
        pending = services.start_login(request, request.POST.get("mode", "qr"))
    except LoginRefused as exc:
        return _refused(exc)
    return JsonResponse({"state": "pending", "autoStartToken": pending.auto_start_token})


@never_cache
@require_POST
def status(request: HttpRequest) -> JsonResponse:
    try:
        state = services.poll_login(request)
    except LoginRefused as exc:
        return _refused(exc)
    redirect_to = state.redirect
    if state.state == "complete":
        redirect_to = next_path(request) or redirect_to
    return JsonResponse(
        {
            "state": state.state,
            "message": state.message,
            "rfa": state.rfa,
            "qr": state.qr,
            "redirect": redirect_to,
        }
    )


@require_POST
def cancel(request: HttpRequest) -> JsonResponse:
    services.cancel_login(request)
    return JsonResponse({"state": "none"})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.log_out_everywhere(request)
    return redirect("login")
