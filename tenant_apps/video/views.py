"""Testa video (manual 5) and the visit's room page (manual 6, 7.6). The rule for entering is
rooms.admission; the call itself runs over the room's WebSocket (consumers)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from careplatform.access import home_url, role_required
from tenant_apps.accounts.http import AuthenticatedRequest
from tenant_apps.bookings.access import booking_for
from tenant_apps.video import rooms, services

# A refusal is told on the page. An admin outside the visit also gets a 403: admins see every
# booking, so the status confirms nothing (bookings.access).
STATUS_FOR = {rooms.Reason.NOT_PARTICIPANT: 403}


@role_required("admin", "clinician", "patient")
@require_GET
def test_video(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "video/test_video.html")


@role_required("admin", "clinician", "patient")
@require_GET
def room(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    booking = booking_for(request.user, pk)
    decision = rooms.admission(booking, request.user)
    context = {"booking": booking, "home_url": home_url(request.user), "current_room": pk}
    if not decision.allowed:
        context["decision"] = decision
        status = STATUS_FOR.get(decision.reason, 200)
        return render(request, "video/room_closed.html", context, status=status)
    context.update(
        {
            "is_host": rooms.is_host(booking, request.user),
            "tools": [name for name, enabled in request.tenant.visit_tools.items() if enabled],
        }
    )
    return render(request, "video/room.html", context)


@role_required("admin", "clinician")
@require_POST
def end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """ "Avsluta besöket": the booking's clinician ends the call for everyone."""
    booking = booking_for(request.user, pk)
    try:
        services.end_visit(booking, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Besöket är avslutat."))
    return redirect("booking-detail", pk=pk)
