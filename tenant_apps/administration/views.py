"""The administration tool (administrationsverktyget, manual 1 and 8): a care unit's admins add
and edit clinicians and patients and change the provider's settings. Admins only; every view of
a patient's personal data is written to the audit log."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careplatform.access import role_required
from careplatform.netutils import client_ip
from tenant_apps.accounts.access import patient_for, staff_member, staff_members, visible_patients
from tenant_apps.accounts.http import AuthenticatedRequest
from tenant_apps.accounts.models import User
from tenant_apps.accounts.search import search_users
from tenant_apps.accounts.services import (
    add_patient,
    add_staff_member,
    current_consent_version,
    set_user_active,
    update_patient,
    update_staff_member,
)
from tenant_apps.administration import services
from tenant_apps.administration.forms import (
    NewStaffMemberForm,
    PatientForm,
    ProviderSettingsForm,
    StaffMemberForm,
)
from tenant_apps.audit.services import record_access
from tenant_apps.notifications.resend import SMS_RESEND

PAGE_SIZE = 25
AUDIT_ACTIONS = {
    services.PATIENT_DETAIL: gettext_lazy("Visade patientens uppgifter"),
    services.PATIENT_EDIT: gettext_lazy("Öppnade patientens uppgifter för ändring"),
    services.PATIENT_CHANGED_BY_INVITE: gettext_lazy(
        "Ändrade patientens namn eller mobilnummer i en inbjudan"
    ),
    services.PATIENT_LIST: gettext_lazy("Såg patienten i patientlistan"),
    services.PATIENT_SEARCH: gettext_lazy("Såg patienten i en sökning"),
    SMS_RESEND: gettext_lazy("Skickade ett sms igen"),
}


def _page(request: AuthenticatedRequest, queryset: QuerySet) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("sida"))


@role_required("admin")
@require_GET
def start(request: AuthenticatedRequest) -> HttpResponse:
    context = {"counts": services.start_page_counts()}
    return render(request, "administration/start.html", context)


# -- Vårdpersonal ------------------------------------------------------------------------------


@role_required("admin")
@require_GET
def staff_list(request: AuthenticatedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    page = _page(request, search_users(staff_members(), query))
    return render(request, "administration/staff_list.html", {"page": page, "query": query})


@role_required("admin")
@require_http_methods(["GET", "POST"])
def staff_add(request: AuthenticatedRequest) -> HttpResponse:
    form = NewStaffMemberForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            user = add_staff_member(
                personnummer=form.cleaned_data["personnummer"],
                **form.role_flags(),
                **form.person_fields(),
            )
        except ValidationError as error:
            form.show_service_error(error, "roles")
        else:
            messages.success(request, _("%(name)s är tillagd.") % {"name": user.full_name})
            return redirect("admin-staff-edit", pk=user.pk)
    return render(request, "administration/staff_form.html", {"form": form})


@role_required("admin")
@require_http_methods(["GET", "POST"])
def staff_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = staff_member(pk)
    if request.method != "POST":
        form = StaffMemberForm(initial=StaffMemberForm.initial_for(member))
        return _staff_page(request, member, form)
    form = StaffMemberForm(request.POST)
    if form.is_valid():
        try:
            update_staff_member(member, **form.role_flags(), **form.person_fields())
        except ValidationError as error:
            member.refresh_from_db()
            form.show_service_error(error, "roles")
        else:
            messages.success(request, _("Uppgifterna är sparade."))
            return redirect("admin-staff-edit", pk=member.pk)
    return _staff_page(request, member, form)


@role_required("admin")
@require_POST
def staff_set_active(request: AuthenticatedRequest, pk: int, active: bool) -> HttpResponse:
    member = staff_member(pk)
    try:
        set_user_active(member, active)
    except ValidationError as error:
        member.refresh_from_db()
        form = StaffMemberForm(initial=StaffMemberForm.initial_for(member))
        return _staff_page(request, member, form, status_errors=error.messages)
    if active:
        messages.success(request, _("%(name)s är aktiverad.") % {"name": member.full_name})
    else:
        messages.success(
            request,
            _("%(name)s är inaktiverad och kan inte längre logga in.") % {"name": member.full_name},
        )
    return redirect("admin-staff-edit", pk=member.pk)


def _staff_page(
    request: AuthenticatedRequest,
    member: User,
    form: StaffMemberForm,
    status_errors: list | None = None,
) -> HttpResponse:
    context = {"member": member, "form": form, "status_errors": status_errors or []}
    return render(request, "administration/staff_form.html", context)


# -- Patienter ---------------------------------------------------------------------------------


@role_required("admin")
@require_GET
def patient_list(request: AuthenticatedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    page = _page(request, search_users(visible_patients(request.user), query))
    action = services.PATIENT_SEARCH if query else services.PATIENT_LIST
    services.record_patients_shown(request.user, page.object_list, action, client_ip(request))
    return render(request, "administration/patient_list.html", {"page": page, "query": query})


@role_required("admin")
@require_http_methods(["GET", "POST"])
def patient_add(request: AuthenticatedRequest) -> HttpResponse:
    form = PatientForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            patient = add_patient(
                personnummer=form.cleaned_data["personnummer"], **form.person_fields()
            )
        except ValidationError as error:
            form.show_service_error(error)
        else:
            messages.success(request, _("%(name)s är tillagd.") % {"name": patient.full_name})
            return redirect("admin-patient", pk=patient.pk)
    return render(request, "administration/patient_form.html", {"form": form})


@role_required("admin")
@require_GET
def patient_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    patient = patient_for(request.user, pk)
    record_access(request.user, patient, services.PATIENT_DETAIL, client_ip(request))
    context = {
        "patient": patient,
        "consents": patient.consents.select_related("version").order_by("-given_at"),
        "current_consent": current_consent_version(),
    }
    return render(request, "administration/patient_detail.html", context)


@role_required("admin")
@require_http_methods(["GET", "POST"])
def patient_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    patient = patient_for(request.user, pk)
    if request.method != "POST":
        record_access(request.user, patient, services.PATIENT_EDIT, client_ip(request))
        form = PatientForm(initial=PatientForm.initial_for(patient))
    else:
        form = PatientForm(request.POST)
        if form.is_valid():
            try:
                update_patient(
                    patient, personnummer=form.cleaned_data["personnummer"], **form.person_fields()
                )
            except ValidationError as error:
                patient.refresh_from_db()
                form.show_service_error(error)
            else:
                messages.success(request, _("Uppgifterna är sparade."))
                return redirect("admin-patient", pk=patient.pk)
    return render(request, "administration/patient_form.html", {"form": form, "patient": patient})


# -- Inställningar och granskningslogg ---------------------------------------------------------


@role_required("admin")
@require_http_methods(["GET", "POST"])
def provider_settings(request: AuthenticatedRequest) -> HttpResponse:
    consent = current_consent_version()
    if request.method != "POST":
        initial = ProviderSettingsForm.initial_for(request.tenant, consent.text)
        form = ProviderSettingsForm(initial=initial)
    else:
        form = ProviderSettingsForm(request.POST)
        if form.is_valid():
            try:
                published = services.save_provider_settings(request.tenant, **form.settings())
            except ValidationError as error:
                form.show_service_error(error)
            else:
                messages.success(request, _("Inställningarna är sparade."))
                if published is not None:
                    messages.info(
                        request,
                        _(
                            "Samtyckestexten är publicerad som version %(version)s. Patienterna "
                            "får godkänna den vid nästa inloggning."
                        )
                        % {"version": published.version},
                    )
                return redirect("admin-settings")
    return render(request, "administration/settings.html", {"form": form, "consent": consent})


@role_required("admin")
@require_GET
def audit_log(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    patient = patient_for(request.user, pk) if pk is not None else None
    page = _page(request, services.audit_events(patient))
    for event in page.object_list:
        event.label = AUDIT_ACTIONS.get(event.action, event.action)
    return render(request, "administration/audit_log.html", {"page": page, "patient": patient})
