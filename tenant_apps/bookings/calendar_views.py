from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from careplatform.access import role_required
from tenant_apps.accounts.http import AuthenticatedRequest
from tenant_apps.bookings import calendar
from tenant_apps.bookings.access import booking_for
from tenant_apps.bookings.models import CalendarFeed
from tenants.http import TenantRequest

BOOKING_PATH = "/bokningar/{pk}/"


def _booking_url(request: HttpRequest, pk: int) -> str:
    return request.build_absolute_uri(BOOKING_PATH.format(pk=pk))


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def booking_ics(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    booking = booking_for(request.user, pk)
    body = calendar.booking_ics(
        booking, request.get_host(), _booking_url(request, pk), request.tenant.name
    )
    return _ics(body, f"videobesok-{pk}.ics")


@require_GET
def feed(request: TenantRequest, token: str) -> HttpResponse:
    owner = calendar.feed_owner(token)
    if owner is None:
        raise Http404("Okänt kalenderflöde")
    body = calendar.feed_ics(
        owner,
        request.get_host(),
        lambda booking: _booking_url(request, booking.pk),
        request.tenant.name,
    )
    return _ics(body, "videobesok.ics")


@role_required("clinician")
@require_http_methods(["GET", "POST"])
def feed_settings(request: AuthenticatedRequest) -> HttpResponse:
    new_url = None
    if request.method == "POST":
        if request.POST.get("action") == "off":
            calendar.revoke_feed(request.user)
            return redirect("calendar-feed")
        token = calendar.new_feed_token(request.user)
        new_url = request.build_absolute_uri(f"/kalender/{token}.ics")
    active = CalendarFeed.objects.filter(user=request.user).first()
    return render(request, "bookings/calendar_feed.html", {"feed": active, "new_url": new_url})
