"""Notiser: the list, opening a notice (read, then its visit), marking all as read."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from careplatform.access import role_required
from tenant_apps.accounts.http import AuthenticatedRequest
from tenant_apps.inbox import selectors, services
from tenant_apps.inbox.access import notice_for

PAGE_SIZE = 25


@role_required("admin", "clinician")
@require_safe
def notice_list(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(selectors.notice_list(request.user), PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
    return render(request, "inbox/list.html", {"page": page})


@role_required("admin", "clinician")
@require_POST
def notice_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    notice = notice_for(request.user, pk)
    services.mark_read(notice)
    if notice.booking_id is not None:
        return redirect("booking-detail", pk=notice.booking_id)
    return redirect("notices")


@role_required("admin", "clinician")
@require_POST
def mark_all_read(request: AuthenticatedRequest) -> HttpResponse:
    services.mark_all_read(request.user)
    messages.success(request, _("Alla notiser är markerade som lästa."))
    return redirect("notices")
