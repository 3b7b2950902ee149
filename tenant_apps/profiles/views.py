"""Min profil (manual section 2), profile photos and the clinician listing. Views parse the
request, check access, call one service and render."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from careplatform.access import role_required
from tenant_apps.accounts.http import AuthenticatedRequest
from tenant_apps.profiles import services
from tenant_apps.profiles.access import own_visit_type, own_visit_types
from tenant_apps.profiles.forms import ConsultationForm, PhotoForm, VisitTypeForm, WaitingSmsForm
from tenant_apps.profiles.models import ClinicianProfile
from tenant_apps.profiles.services import BOOKING, CONSULTATION, PHOTO, VISIT_TYPES
from tenant_apps.profiles.steps import STEPS, blocker_links
from tenants.http import TenantRequest


def _page(request: AuthenticatedRequest, template: str, step: str, **context: Any) -> HttpResponse:
    menu = [
        {"url": reverse(url_name), "label": label, "active": key == step}
        for key, url_name, label, _about in STEPS
    ]
    return render(request, template, {"profile_menu": menu, "step": step, **context})


def _applied(form: Form, action: Callable[[dict], object]) -> bool:
    """Run the service on the cleaned data; its refusals are shown next to the fields."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@role_required("clinician")
@require_safe
def profile(request: AuthenticatedRequest) -> HttpResponse:
    done = services.profile_steps(request.user)
    steps = [
        {"url": reverse(url_name), "label": label, "about": about, "done": done[key]}
        for key, url_name, label, about in STEPS
    ]
    current = services.get_profile(request.user).sms_when_patient_waits
    sms_form = WaitingSmsForm(initial={"sms_when_patient_waits": current})
    return _page(request, "profiles/profile.html", "", steps=steps, sms_form=sms_form)


@role_required("clinician")
@require_POST
def waiting_sms(request: AuthenticatedRequest) -> HttpResponse:
    """Sms när en patient väntar: on or off."""
    form = WaitingSmsForm(request.POST)
    on = form.is_valid() and form.cleaned_data["sms_when_patient_waits"]
    try:
        services.set_waiting_sms(request.user, on)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if on:
            messages.success(request, _("Du får ett sms när en patient väntar på dig."))
        else:
            messages.success(request, _("Du får inga sms när en patient väntar."))
    return redirect(reverse("profile") + "#sms")


@role_required("clinician")
@require_http_methods(["GET", "POST"])
def consultation(request: AuthenticatedRequest) -> HttpResponse:
    current = services.get_profile(request.user)
    form = ConsultationForm(
        _posted(request), initial={"title": current.title, "description": current.description}
    )
    if form.is_bound and _applied(
        form, lambda data: services.update_consultation(request.user, **data)
    ):
        messages.success(request, _("Konsultation är sparad."))
        return redirect("profile-consultation")
    return _page(request, "profiles/consultation.html", CONSULTATION, form=form)


@role_required("clinician")
@require_http_methods(["GET", "POST"])
def photo(request: AuthenticatedRequest) -> HttpResponse:
    files = request.FILES if request.method == "POST" else None
    form = PhotoForm(_posted(request), files)
    if form.is_bound and _applied(
        form, lambda data: services.set_photo(request.user, data["photo"])
    ):
        messages.success(request, _("Profilbilden är sparad."))
        return redirect("profile-photo")
    current = services.get_profile(request.user)
    return _page(request, "profiles/photo.html", PHOTO, form=form, profile=current)


@role_required("clinician")
@require_POST
def photo_remove(request: AuthenticatedRequest) -> HttpResponse:
    services.remove_photo(request.user)
    messages.success(request, _("Profilbilden är borttagen."))
    return redirect("profile-photo")


@role_required("clinician")
@require_safe
def visit_types(request: AuthenticatedRequest) -> HttpResponse:
    own = own_visit_types(request.user).order_by("-is_active", "title", "id")
    return _page(request, "profiles/visit_types.html", VISIT_TYPES, visit_types=own)


@role_required("clinician")
@require_http_methods(["GET", "POST"])
def visit_type_create(request: AuthenticatedRequest) -> HttpResponse:
    form = VisitTypeForm(_posted(request))
    if form.is_bound and _applied(
        form, lambda data: services.create_visit_type(request.user, **data)
    ):
        messages.success(request, _("Det bokningsbara besöket är sparat."))
        return redirect("profile-visit-types")
    return _page(request, "profiles/visit_type_form.html", VISIT_TYPES, form=form)


@role_required("clinician")
@require_http_methods(["GET", "POST"])
def visit_type_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    visit_type = own_visit_type(request.user, pk)
    initial = {
        "title": visit_type.title,
        "duration_minutes": visit_type.duration_minutes,
        "kind": visit_type.kind,
        "max_patients": visit_type.max_patients if visit_type.is_group else None,
    }
    form = VisitTypeForm(_posted(request), initial=initial)
    if form.is_bound and _applied(
        form, lambda data: services.update_visit_type(visit_type, **data)
    ):
        messages.success(request, _("Det bokningsbara besöket är sparat."))
        return redirect("profile-visit-types")
    return _page(
        request, "profiles/visit_type_form.html", VISIT_TYPES, form=form, visit_type=visit_type
    )


@role_required("clinician")
@require_POST
def visit_type_active(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    visit_type = own_visit_type(request.user, pk)
    active = {"1": True, "0": False}.get(request.POST.get("active", ""))
    if active is None:
        return HttpResponseBadRequest()
    was_published = services.get_profile(request.user).booking_enabled
    services.set_visit_type_active(visit_type, active)
    if active:
        messages.success(request, _("Besöket är aktiverat."))
    elif was_published and not services.get_profile(request.user).booking_enabled:
        messages.warning(
            request,
            _("Besöket är inaktiverat. Bokningsfunktionen är avstängd eftersom du inte har "
              "något aktivt bokningsbart besök."),
        )  # fmt: skip
    else:
        messages.success(request, _("Besöket är inaktiverat."))
    return redirect("profile-visit-types")


@role_required("clinician")
@require_http_methods(["GET", "POST"])
def booking(request: AuthenticatedRequest) -> HttpResponse:
    refused: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "deactivate":
            services.deactivate_booking(request.user)
            messages.success(request, _("Bokningsfunktionen är avstängd."))
            return redirect("profile-booking")
        if action != "activate":
            return HttpResponseBadRequest()
        try:
            services.activate_booking(request.user)
        except ValidationError as error:
            refused = error.messages
        else:
            messages.success(request, _("Bokningsfunktionen är aktiv. Du kan bjuda in patienter."))
            return redirect("profile-booking")
    context = {
        "profile": services.get_profile(request.user),
        "missing": blocker_links(services.missing_for_publishing(request.user)),
        "refused": refused,
    }
    return _page(request, "profiles/booking.html", BOOKING, **context)


# -- seen by patients -------------------------------------------------------------------------


@require_safe
def photo_file(request: TenantRequest, user_id: int) -> HttpResponse:
    """A clinician's photo, read from this provider's storage (MEDIA_ROOT/<schema>/). Everyone
    logged in here may see it; others only a published clinician's, when listing is on."""
    profile = get_object_or_404(ClinicianProfile.objects.select_related("user"), user_id=user_id)
    visible = request.user.is_authenticated or (
        request.tenant.clinician_listing_enabled and services.is_published(profile)
    )
    name = profile.photo.name
    if not (name and visible):
        raise Http404
    try:
        with profile.photo.open("rb") as stored:
            data = stored.read()
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(data, content_type=services.photo_content_type(name))
    response["Cache-Control"] = "private, max-age=86400"  # a new photo gets a new URL
    return response


@require_safe
def clinician_listing(request: TenantRequest) -> HttpResponse:
    """Vårdpersonal (manual 2): the published clinicians, where the provider lists them."""
    if not request.tenant.clinician_listing_enabled:
        raise Http404
    clinicians = services.published_clinicians()
    return render(request, "profiles/clinician_listing.html", {"clinicians": clinicians})
