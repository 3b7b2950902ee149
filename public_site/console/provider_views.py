"""A provider's page in the console (/konsol/vardgivare/<subdomain>/): settings, domains, admins,
usage and history. Operators only. Each form posts to its own action, which calls one service
and goes back to the page, or shows the page again with the refusal at its field."""

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careplatform.access import role_required
from careplatform.netutils import client_ip
from public_site import signing
from public_site.console import charts, history
from public_site.console.forms import DomainForm, FirstAdminForm, ProviderSettingsForm
from tenant_apps.accounts.http import AuthenticatedRequest
from tenants import console, domains
from tenants.models import CareProvider, Domain
from tenants.provisioning import provider_url

PAGE = "public_site/console/provider.html"


def _page(
    request: AuthenticatedRequest,
    provider: CareProvider,
    *,
    settings_form: ProviderSettingsForm | None = None,
    domain_form: DomainForm | None = None,
    admin_form: FirstAdminForm | None = None,
    status: int = 200,
) -> HttpResponse:
    admins = console.provider_admins(provider)
    actions = console.provider_history(provider)
    context = {
        "provider": provider,
        "provider_url": provider_url(provider),
        "settings_form": settings_form or ProviderSettingsForm.for_provider(provider),
        "domains": [
            (domain, domains.readable_host(domain.domain), domains.is_removable(provider, domain))
            for domain in domains.provider_domains(provider)
        ],
        "domain_form": domain_form or DomainForm(),
        "admins": admins,
        "admin_form": (admin_form or FirstAdminForm())
        if console.may_add_admin(provider, admins)
        else None,
        "charts": [charts.bar_chart(series) for series in console.monthly_usage(provider)],
        "history": [(action, history.changes(action)) for action in actions],
        "history_limit": console.HISTORY_LIMIT,
    }
    return render(request, PAGE, context, status=status)


@role_required("operator")
@require_GET
def provider_page(request: AuthenticatedRequest, subdomain: str) -> HttpResponse:
    return _page(request, console.provider_by_subdomain(subdomain))


@role_required("operator")
@require_POST
def provider_settings(request: AuthenticatedRequest, subdomain: str) -> HttpResponse:
    provider = console.provider_by_subdomain(subdomain)
    form = ProviderSettingsForm(request.POST)
    form.is_valid()
    try:
        console.update_operator_settings(
            provider, **form.cleaned_data, actor=request.user, ip_address=client_ip(request)
        )
    except ValidationError as error:
        form.show_service_error(error)
        return _page(request, provider, settings_form=form, status=400)
    messages.success(request, _("Inställningarna är sparade."))
    return redirect("console-provider", subdomain=subdomain)


@role_required("operator")
@require_POST
def domain_add(request: AuthenticatedRequest, subdomain: str) -> HttpResponse:
    provider = console.provider_by_subdomain(subdomain)
    form = DomainForm(request.POST)
    form.is_valid()
    try:
        added = domains.add_domain(
            provider, form.cleaned_data["domain"], actor=request.user, ip_address=client_ip(request)
        )
    except ValidationError as error:
        form.show_service_error(error)
        return _page(request, provider, domain_form=form, status=400)
    messages.success(
        request,
        _("%(host)s leder nu till vårdgivaren.") % {"host": domains.readable_host(added.domain)},
    )
    return redirect("console-provider", subdomain=subdomain)


@role_required("operator")
@require_http_methods(["GET", "POST"])
def domain_remove(request: AuthenticatedRequest, subdomain: str, pk: int) -> HttpResponse:
    """Asks first (GET); a POST sends the operator to sign the removal with BankID (it is
    destructive), and the signed action removes it (`perform_domain_removal`)."""
    provider = console.provider_by_subdomain(subdomain)
    domain = domains.domain_of(provider, pk)
    context = {
        "provider": provider,
        "domain": domain,
        "host": domains.readable_host(domain.domain),
        "removable": domains.is_removable(provider, domain),
    }
    if request.method == "POST":
        if not context["removable"]:
            context["error"] = _("Vårdgivarens subdomän kan inte tas bort.")
            return render(request, "public_site/console/domain_remove.html", context, status=400)
        text = _("Jag tar bort domänen %(host)s från %(provider)s.") % {
            "host": context["host"],
            "provider": provider,
        }
        params = {"domain_id": domain.pk, "host": domain.domain}
        return signing.start_signed_action(request, DOMAIN_REMOVAL, provider, params, text)
    return render(request, "public_site/console/domain_remove.html", context)


DOMAIN_REMOVAL = "domain_removed"


def perform_domain_removal(
    request: HttpRequest,
    provider: CareProvider,
    params: dict[str, Any],
    signature: dict[str, Any],
) -> str:
    """The signed removal of an extra host name: exactly the one the operator signed for."""
    domain = Domain.objects.filter(
        pk=params["domain_id"], tenant=provider, domain=params["host"]
    ).first()
    if domain is None:
        raise signing.ActionRefused(_("Domänen finns inte längre hos vårdgivaren."))
    try:
        domains.remove_domain(
            provider,
            domain,
            actor=cast(AuthenticatedRequest, request).user,
            ip_address=client_ip(request),
            signature=signature,
        )
    except ValidationError as error:
        raise signing.ActionRefused(" ".join(error.messages)) from None
    host = domains.readable_host(params["host"])
    messages.success(request, _("%(host)s är borttagen.") % {"host": host})
    return reverse("console-provider", kwargs={"subdomain": provider.subdomain})


@role_required("operator")
@require_POST
def admin_add(request: AuthenticatedRequest, subdomain: str) -> HttpResponse:
    provider = console.provider_by_subdomain(subdomain)
    form = FirstAdminForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        name = console.add_first_admin(
            provider,
            personnummer=data["personnummer"],
            name=data["admin_name"],
            mobile=data["mobile"],
            actor=request.user,
            ip_address=client_ip(request),
        )
    except ValidationError as error:
        form.show_service_error(error)
        if form.non_field_errors():
            # The page offers no form (an admin exists, the provider is not active): it says why.
            messages.error(request, " ".join(str(message) for message in form.non_field_errors()))
        return _page(request, provider, admin_form=form, status=400)
    messages.success(
        request,
        _("%(name)s är administratör och får ett sms med länken för inloggning.") % {"name": name},
    )
    return redirect("console-provider", subdomain=subdomain)
