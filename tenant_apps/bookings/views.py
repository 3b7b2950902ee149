"""Bokningar (manual 3, 7.4, 8): invite, lists, detail, confirm, reschedule, cancel, and a
patient's "Jag kan inte komma".

Nothing irreversible in one click: cancelling, rescheduling and declining change the booking
only when the form says `confirmed` (the button in the page's dialog); without it, the answer is
a confirmation page with the same form, so the step holds without JavaScript too."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careplatform.access import has_role, home_url, role_required
from careplatform.netutils import client_ip
from careplatform.timeutil import local
from tenant_apps.accounts.access import colleagues, staff_members
from tenant_apps.accounts.http import AuthenticatedRequest
from tenant_apps.bookings import selectors, services
from tenant_apps.bookings.access import (
    booking_by_reference,
    booking_for,
    managed_booking,
    may_manage,
    shown_cancel_reason,
    shown_participants,
)
from tenant_apps.bookings.forms import (
    BookingFilterForm,
    CancelForm,
    ColleagueInviteForm,
    DeclineForm,
    InviteForm,
    RescheduleForm,
    when_initial,
)
from tenant_apps.bookings.models import Booking, BookingStatus
from tenant_apps.notifications.resend import resend, sms_log, sms_message_for
from tenant_apps.profiles.access import bookable_visit_types, own_visit_types
from tenant_apps.profiles.services import invite_blockers, missing_for_invite_page

PAGE_SIZE = 25
FIELD_FOR = {"starts_at": "time", "patients": "personnummer_1", "clinician": None}


def _form_field(key: str) -> str | None:
    """The form field of a service error's key; "patients.1.mobile" is the second patient's."""
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "patients" and parts[1].isdigit():
        return f"{parts[2]}_{int(parts[1]) + 1}"
    return FIELD_FOR.get(key, key)


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
    """Bokningar: Obekräftade and Bekräftade, or the filtered list (selectors.booking_list,
    the API's list too)."""
    user = request.user
    form = BookingFilterForm(
        request.GET or None,
        statuses=BookingStatus.choices,
        clinicians=staff_members().filter(is_clinician=True) if user.is_admin else None,
    )
    filtered = form.is_bound and form.is_valid() and any(form.cleaned_data.values())
    context: dict = {"form": form, "filtered": filtered}
    if filtered:
        bookings = selectors.rows(selectors.booking_list(user, form.filters()))
        context["page"] = Paginator(bookings, PAGE_SIZE).get_page(request.GET.get("sida"))
    else:
        context["unconfirmed"] = selectors.upcoming_unconfirmed(user)
        context["confirmed"] = selectors.upcoming_confirmed(user)
    return render(request, "bookings/list.html", context, status=_status(form))


@role_required("admin", "clinician")
@require_http_methods(["GET", "POST"])
def invite(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    blockers = [str(blocker) for blocker in missing_for_invite_page(user)]
    form = InviteForm(
        request.POST or None,
        visit_types=bookable_visit_types(user),
        initial=when_initial(request.GET),  # an empty slot of the day or week view
    )
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
    form = ColleagueInviteForm(
        request.POST or None,
        colleagues=colleagues(user),
        visit_types=own_visit_types(user).filter(is_active=True),
    )
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


@role_required("admin", "clinician", "patient")
def detail(
    request: AuthenticatedRequest, pk: int, reschedule_form: RescheduleForm | None = None
) -> HttpResponse:
    """The booking; `reschedule_form` is a refused new time, shown with its errors (400)."""
    booking = booking_for(request.user, pk)
    status = services.effective_status(booking)
    manages = may_manage(request.user, booking)
    local_start = local(booking.starts_at)
    everyone = list(booking.participants.select_related("user"))
    participants = shown_participants(request.user, booking, everyone)
    mine = next((p for p in everyone if p.user_id == request.user.pk), None)
    context = {
        "booking": booking,
        "status_label": BookingStatus(status).label,
        "participants": participants,
        "others_count": len(everyone) - len(participants),
        "manage": manages and status in (BookingStatus.UNCONFIRMED, BookingStatus.CONFIRMED),
        "reschedule_form": reschedule_form
        or RescheduleForm(initial={"date": local_start.date(), "time": local_start.time()}),
        "cancel_form": CancelForm(auto_id="id_cancel_%s"),
        "decline_form": DeclineForm(),
        "mine": mine,
        "can_decline": services.can_decline(booking, mine),
        "cancel_reason": shown_cancel_reason(request.user, booking),
        # The booking's history (who did what, with their reasons) is for staff.
        "history": booking.events.select_related("actor") if manages else [],
        "can_be_held": services.can_be_held(booking),
        # The SMS log is for the booking's clinician and admins, not for patients.
        "sms_messages": sms_log(booking, request.user) if manages else [],
        # Back to the list for those who have it, else home (Mina besök).
        "back_url": reverse("bookings")
        if has_role(request.user, "admin", "clinician")
        else home_url(request.user),
    }
    return render(request, "bookings/detail.html", context, status=400 if reschedule_form else 200)


@never_cache
@require_GET
def visit_link(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """The short link every SMS carries (/b/K7F2Q9): log in with BankID, then that visit.

    Before login it reveals nothing: every reference, existing or not, answers the same
    redirect to the login page, without looking the reference up. After login the booking page of
    that visit for those who may see it (access.booking_by_reference); anyone else lands on
    their own start page, as for a reference that does not exist. Guessing references is
    therefore pointless and needs no rate limit of its own (BankID logins have one). A patient
    who has not consented yet consents first and is then taken on here
    (ConsentRequiredMiddleware)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    booking = booking_by_reference(request.user, reference)
    if booking is None:
        return redirect(home_url(request.user))
    return redirect("booking-detail", pk=booking.pk)


def _refused(request: AuthenticatedRequest, refusal: str, to: str) -> HttpResponse:
    """A change that cannot be made any more is not offered for confirmation: said at once."""
    messages.error(request, refusal)
    return redirect(to)


def _confirmation(
    request: AuthenticatedRequest, template: str, booking: Booking, form: Form
) -> HttpResponse:
    """The confirmation step: the same form again, to be sent with `confirmed` (400 when it
    has errors to fix)."""
    context = {"booking": booking, "form": form}
    return render(request, template, context, status=400 if form.errors else 200)


@role_required("admin", "clinician")
@require_POST
def reschedule(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    booking = managed_booking(request.user, pk)
    refusal = services.change_refusal(booking)
    if refusal is not None:
        return _refused(request, refusal, reverse("booking-detail", args=[pk]))
    form = RescheduleForm(request.POST)
    # The new time is checked before it is confirmed; an error in the reason is shown in the
    # confirmation step, where the reason is asked.
    if not form.is_valid() and set(form.errors) != {"reason"}:
        return detail(request, pk, reschedule_form=form)
    data = form.cleaned_data
    try:
        if not (form.is_valid() and data["confirmed"]):
            services.check_new_time(booking, data["starts_at"])
            return _confirmation(request, "bookings/confirm_reschedule.html", booking, form)
        services.reschedule(
            booking,
            actor=request.user,
            provider=request.tenant,
            starts_at=data["starts_at"],
            reason=data["reason"],
        )
    except ValidationError as exc:
        _show_errors(form, exc)
        return detail(request, pk, reschedule_form=form)
    messages.success(request, _("Besöket har fått ny tid."))
    return redirect("booking-detail", pk=pk)


@role_required("admin", "clinician")
@require_POST
def cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    booking = managed_booking(request.user, pk)
    refusal = services.change_refusal(booking)
    if refusal is not None:
        return _refused(request, refusal, reverse("booking-detail", args=[pk]))
    form = CancelForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["confirmed"]:
        return _confirmation(request, "bookings/confirm_cancel.html", booking, form)
    try:
        services.cancel(booking, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Besöket är avbokat. Deltagarna får ett sms om det."))
    return redirect("booking-detail", pk=pk)


@role_required("patient")
@require_POST
def decline(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Jag kan inte komma: the clinician is told, and the visit is cancelled (a group visit
    goes on for the others)."""
    booking = booking_for(request.user, pk)
    mine = booking.participants.filter(user=request.user).first()
    refusal = services.decline_refusal(booking, mine)
    if refusal is not None:
        return _refused(request, refusal, reverse("patient-home"))
    form = DeclineForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["confirmed"]:
        return _confirmation(request, "bookings/confirm_decline.html", booking, form)
    try:
        booking = services.decline(booking, request.user, form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _declined_message(booking))
    return redirect("patient-home")


def _declined_message(booking: Booking) -> str:
    if booking.status == BookingStatus.CANCELLED:
        return _(
            "Tack för att du hör av dig. Besöket är avbokat och vårdgivaren har fått veta att du "
            "inte kan komma."
        )
    return _("Tack för att du hör av dig. Vårdgivaren har fått veta att du inte kan komma.")


@role_required("admin")
@require_POST
def resend_sms(request: AuthenticatedRequest, pk: int, sms_pk: int) -> HttpResponse:
    """Skicka igen: an SMS that failed for good, sent again (admins)."""
    booking = managed_booking(request.user, pk)
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
    booking = booking_for(request.user, pk)
    try:
        services.confirm(booking, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Tack! Besöket är bekräftat."))
    return redirect("patient-home")
