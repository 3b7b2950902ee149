"""Bokningar (manual 3, 7.4, 8): invite, lists, detail, confirm, reschedule, cancel."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from careplatform import clock
from careplatform.access import role_required
from careplatform.netutils import client_ip
from careplatform.timeutil import local
from tenant_apps.accounts.http import AuthenticatedRequest
from tenant_apps.accounts.models import User
from tenant_apps.bookings import services
from tenant_apps.bookings.access import (
    get_booking_for_user,
    shown_participants,
    visible_bookings,
)
from tenant_apps.bookings.forms import (
    BookingFilterForm,
    CancelForm,
    ColleagueInviteForm,
    InviteForm,
    RescheduleForm,
)
from tenant_apps.bookings.models import Booking, BookingStatus, Participant
from tenant_apps.notifications.resend import resend, sms_log, sms_message_for
from tenant_apps.profiles.models import VisitType
from tenant_apps.profiles.services import invite_blockers

PAGE_SIZE = 25
FIELD_FOR = {"starts_at": "time", "patients": "personnummer_1", "clinician": None}


def _form_field(key: str) -> str | None:
    """The form field of a service error's key; "patients.1.mobile" is the second patient's."""
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "patients" and parts[1].isdigit():
        return f"{parts[2]}_{int(parts[1]) + 1}"
    return FIELD_FOR.get(key, key)


def listed(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """Everything a booking row shows, in a constant number of queries."""
    participants = Participant.objects.select_related("user").order_by("id")
    return bookings.select_related("visit_type", "clinician__profile").prefetch_related(
        Prefetch("participants", queryset=participants)
    )


def _bookable_visit_types(user: User) -> QuerySet[VisitType]:
    """Own active visit types; admins may book for any clinician whose booking function is on."""
    types = VisitType.objects.filter(is_active=True).select_related("clinician")
    if user.is_admin:
        return types.filter(clinician__is_active=True, clinician__profile__booking_enabled=True)
    return types.filter(clinician=user)


def _show_errors(form: Form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = _form_field(field)
        form.add_error(target if target in form.fields else None, errors)


def _status(form: Form) -> int:
    """A refused form is shown again with its errors, as a 400."""
    return 400 if form.is_bound and form.errors else 200


@role_required("admin", "clinician")
def booking_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    bookings = (
        visible_bookings(user) if user.is_admin else visible_bookings(user).filter(clinician=user)
    )
    form = BookingFilterForm(
        request.GET or None,
        statuses=BookingStatus.choices,
        clinicians=User.objects.filter(is_clinician=True) if user.is_admin else User.objects.none(),
    )
    filtered = form.is_bound and form.is_valid() and any(form.cleaned_data.values())
    context: dict = {"form": form, "filtered": filtered}
    if filtered:
        data = form.cleaned_data
        if data["status"]:
            bookings = services.with_effective_status(bookings, data["status"])
        if data.get("clinician"):
            bookings = bookings.filter(clinician=data["clinician"])
        start, end = form.range_utc()
        if start:
            bookings = bookings.filter(starts_at__gte=start)
        if end:
            bookings = bookings.filter(starts_at__lt=end)
        page = Paginator(listed(bookings.order_by("starts_at", "id")), PAGE_SIZE)
        context["page"] = page.get_page(request.GET.get("sida"))
    else:
        upcoming = bookings.filter(ends_at__gte=clock.now()).order_by("starts_at", "id")
        context["unconfirmed"] = listed(
            services.with_effective_status(upcoming, BookingStatus.UNCONFIRMED)
        )[:100]
        context["confirmed"] = listed(upcoming.filter(status=BookingStatus.CONFIRMED))[:100]
    return render(request, "bookings/list.html", context)


@role_required("admin", "clinician")
@require_http_methods(["GET", "POST"])
def invite(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    blockers = [] if user.is_admin else invite_blockers(user)
    form = InviteForm(request.POST or None, visit_types=_bookable_visit_types(user))
    if request.method == "POST" and not blockers and form.is_valid():
        visit_type = form.cleaned_data["visit_type"]
        patients = form.patients()
        try:
            booking = services.invite(
                actor=user,
                clinician=visit_type.clinician,
                visit_type=visit_type,
                provider=request.tenant,
                patients=patients,
                starts_at=form.cleaned_data["starts_at"],
                instant=form.cleaned_data["instant"],
                message=form.cleaned_data["message"],
                ip_address=client_ip(request),
            )
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("Inbjudan är skickad."))
            for notice in services.kept_details(booking, patients):
                messages.info(request, notice)
            return redirect("booking-detail", pk=booking.pk)
    return render(
        request, "bookings/invite.html", {"form": form, "blockers": blockers}, status=_status(form)
    )


@role_required("admin", "clinician")
@require_http_methods(["GET", "POST"])
def invite_colleague(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    blockers = invite_blockers(user)
    colleagues = User.objects.filter(is_active=True, is_clinician=True).exclude(pk=user.pk)
    own_types = VisitType.objects.filter(clinician=user, is_active=True)
    form = ColleagueInviteForm(request.POST or None, colleagues=colleagues, visit_types=own_types)
    if request.method == "POST" and not blockers and form.is_valid():
        try:
            booking = services.invite(
                actor=user,
                clinician=user,
                visit_type=form.cleaned_data["visit_type"],
                provider=request.tenant,
                colleague=form.cleaned_data["colleague"],
                starts_at=form.cleaned_data["starts_at"],
                instant=form.cleaned_data["instant"],
            )
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("Kollegan är inbjuden."))
            return redirect("booking-detail", pk=booking.pk)
    context = {"form": form, "blockers": blockers}
    return render(request, "bookings/invite_colleague.html", context, status=_status(form))


def _may_manage(user: User, booking: Booking) -> bool:
    return user.is_admin or booking.clinician_id == user.pk


@role_required("admin", "clinician", "patient")
def detail(
    request: AuthenticatedRequest, pk: int, reschedule_form: RescheduleForm | None = None
) -> HttpResponse:
    """The booking; `reschedule_form` is a refused new time, shown with its errors (400)."""
    booking = get_booking_for_user(request.user, pk)
    status = services.effective_status(booking)
    manage = _may_manage(request.user, booking) and status in (
        BookingStatus.UNCONFIRMED,
        BookingStatus.CONFIRMED,
    )
    local_start = local(booking.starts_at)
    everyone = list(booking.participants.select_related("user"))
    participants = shown_participants(request.user, booking, everyone)
    context = {
        "booking": booking,
        "status_label": BookingStatus(status).label,
        "participants": participants,
        "others_count": len(everyone) - len(participants),
        "manage": manage,
        "reschedule_form": reschedule_form
        or RescheduleForm(initial={"date": local_start.date(), "time": local_start.time()}),
        "cancel_form": CancelForm(),
        "mine": booking.participants.filter(user=request.user).first(),
        "can_be_held": services.can_be_held(booking),
        # The SMS log is for the booking's clinician and admins, not for patients.
        "sms_messages": sms_log(booking, request.user)
        if _may_manage(request.user, booking)
        else [],
    }
    return render(request, "bookings/detail.html", context, status=400 if reschedule_form else 200)


@role_required("admin", "clinician")
@require_POST
def reschedule(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    booking = get_booking_for_user(request.user, pk)
    form = RescheduleForm(request.POST)
    if form.is_valid():
        try:
            services.reschedule(
                booking,
                actor=request.user,
                provider=request.tenant,
                starts_at=form.cleaned_data["starts_at"],
            )
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("Besöket har fått ny tid."))
            return redirect("booking-detail", pk=pk)
    return detail(request, pk, reschedule_form=form)


@role_required("admin", "clinician")
@require_POST
def cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    booking = get_booking_for_user(request.user, pk)
    form = CancelForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Anledningen får vara högst 500 tecken."))
        services.cancel(booking, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Besöket är avbokat."))
    return redirect("booking-detail", pk=pk)


@role_required("admin")
@require_POST
def resend_sms(request: AuthenticatedRequest, pk: int, sms_pk: int) -> HttpResponse:
    """Skicka igen: an SMS that failed for good, sent again (admins)."""
    booking = get_booking_for_user(request.user, pk)
    message = sms_message_for(booking, sms_pk)
    try:
        resend(message, actor=request.user, ip_address=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Sms:et skickas igen."))
    return redirect(reverse("booking-detail", args=[pk]) + "#sms")


@role_required("patient")
@require_POST
def confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    booking = get_booking_for_user(request.user, pk)
    try:
        services.confirm(booking, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Tack! Besöket är bekräftat."))
    return redirect("patient-home")


def patient_bookings(user: User) -> list[Booking]:
    """The patient's upcoming bookings with what the start page shows (manual 7.4)."""
    bookings = listed(
        Booking.objects.filter(participants__user=user, ends_at__gte=clock.now()).order_by(
            "starts_at"
        )
    )
    rows = list(bookings[:50])
    for booking in rows:
        # Attributes for the template only, not model fields.
        booking.effective = services.effective_status(booking)  # type: ignore[attr-defined]
        booking.mine = next(  # type: ignore[attr-defined]
            p for p in booking.participants.all() if p.user_id == user.pk
        )
    return rows


def upcoming_confirmed(user: User, limit: int = 10) -> list[Booking]:
    """Översikt: the clinician's upcoming confirmed bookings."""
    return list(
        listed(
            Booking.objects.filter(
                clinician=user, status=BookingStatus.CONFIRMED, ends_at__gte=clock.now()
            ).order_by("starts_at")
        )[:limit]
    )
