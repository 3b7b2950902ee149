from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tenant_apps.accounts.login import services
from tenant_apps.accounts.login.services import LoginRefused


def _safe_next(request: HttpRequest) -> str | None:
    target = request.GET.get("next") or request.POST.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return None


@never_cache
@require_GET
def login_page(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_safe_next(request) or services.start_url(request, request.user))
    # A reloaded or reopened login page starts over: one pending order per session.
    services.cancel_login(request)
    return render(
        request,
        "login/login.html",
        {"provider": getattr(request, "tenant", None), "next": _safe_next(request) or ""},
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
        redirect_to = _safe_next(request) or redirect_to
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
