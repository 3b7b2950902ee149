from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from careplatform.access import role_required
from careplatform.netutils import client_ip
from careplatform.redirects import next_path
from tenant_apps.accounts.http import AuthenticatedRequest
from tenant_apps.accounts.services import current_consent_version, give_consent, needs_consent
from tenant_apps.bookings.forms import DeclineForm
from tenant_apps.bookings.selectors import own_upcoming_confirmed, patient_visits
from tenant_apps.profiles.services import missing_for_invite_page
from tenant_apps.profiles.steps import blocker_links
from tenants import support_contact


@role_required("admin", "clinician")
def overview(request: AuthenticatedRequest) -> HttpResponse:
    # "Bjud in till besök" (manual 3): what is missing before inviting, with links to fix it;
    # the same rule as the invite page itself.
    invite_missing = blocker_links(missing_for_invite_page(request.user))
    context = {"invite_missing": invite_missing, "upcoming": own_upcoming_confirmed(request.user)}
    return render(request, "workspace/overview.html", context)


@role_required("patient")
def patient_home(request: AuthenticatedRequest) -> HttpResponse:
    # Manual 7.4: the patient's bookings, the clinician's message, Bekräfta, and "Jag kan inte
    # komma" (a form of its own per visit: its field ids differ).
    visits = [
        (visit, DeclineForm(auto_id=f"id_decline_{visit.booking.pk}_%s"))
        for visit in patient_visits(request.user)
    ]
    return render(request, "workspace/patient_home.html", {"visits": visits})


@role_required("patient")
@require_http_methods(["GET", "POST"])
def consent(request: AuthenticatedRequest) -> HttpResponse:
    version = current_consent_version()
    # Where to go on afterwards: the page the patient came for (a visit link), else Mina besök.
    after = next_path(request)
    context = {"consent": version, "next": after or ""}
    if request.method == "POST":
        if request.POST.get("version") != str(version.version):
            # The text changed while the page was open: show the new one.
            return render(request, "workspace/consent.html", {**context, "changed": True})
        give_consent(request.user, version, client_ip(request))
        return redirect(after or "patient-home")
    if not needs_consent(request.user):
        return redirect(after or "patient-home")
    return render(request, "workspace/consent.html", context)


@require_safe
def support(request: HttpRequest) -> HttpResponse:
    """The service desk's phone, e-mail and hours (manual 9), open to everyone: the footer of
    every page links here, also for someone who cannot log in."""
    return render(request, "workspace/support.html", {"support": support_contact.shown()})
