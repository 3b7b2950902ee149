"""Stäng av, Återaktivera, Avsluta and Ångra avslut: a page per action that takes the reason.

Suspend and terminate go on to a BankID signature (public_site.signing) and are done when it
completes; reactivate and undo are done at once. The rules are tenants.lifecycle's: a page
whose action is not allowed now says why and offers no form, and the service checks again.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from careplatform.access import role_required
from careplatform.netutils import client_ip
from public_site import signing
from public_site.console.access import provider_or_404
from tenants import lifecycle
from tenants.lifecycle import LifecycleRefused
from tenants.models import CareProvider, OperatorActionKind


def provider_page_url(provider: CareProvider) -> str:
    """Where the operator returns after an action: the provider's page in the console."""
    return reverse("console-provider", args=[provider.subdomain])


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Skäl"),
        help_text=gettext_lazy("Sparas i loggen och visas på vårdgivarens sida i konsolen."),
        max_length=lifecycle.REASON_MAX_LENGTH,
        error_messages={"required": gettext_lazy("Ange ett skäl.")},
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": lifecycle.REASON_MAX_LENGTH}),
    )


Service = Callable[..., CareProvider]


@dataclass(frozen=True)
class Action:
    title: Promise  # %(name)s: the provider
    about: Promise
    button: Promise
    done: Promise  # %(name)s
    service: Service
    sign_text: Promise | None = None  # %(provider)s, %(reason)s; None: no signature asked


ACTIONS: dict[str, Action] = {
    OperatorActionKind.SUSPEND: Action(
        title=gettext_lazy("Stäng av %(name)s"),
        about=gettext_lazy(
            "Vårdgivarens sidor visar att plattformen är avstängd, ingen kan logga in, pågående "
            "videobesök avslutas och inga sms eller påminnelser skickas. Inget raderas: när "
            "vårdgivaren återaktiveras finns allt kvar. Du skriver under med BankID."
        ),
        button=gettext_lazy("Fortsätt till underskrift med BankID"),
        done=gettext_lazy("%(name)s är avstängd."),
        service=lifecycle.suspend,
        sign_text=gettext_lazy("Jag stänger av %(provider)s. Skäl: %(reason)s"),
    ),
    OperatorActionKind.REACTIVATE: Action(
        title=gettext_lazy("Återaktivera %(name)s"),
        about=gettext_lazy(
            "Vårdgivarens sidor, inloggning, videobesök, sms och påminnelser fungerar igen. "
            "Påminnelser om besök som redan har börjat skickas inte i efterhand."
        ),
        button=gettext_lazy("Återaktivera"),
        done=gettext_lazy("%(name)s är aktiv igen."),
        service=lifecycle.reactivate,
    ),
    OperatorActionKind.TERMINATE: Action(
        title=gettext_lazy("Avsluta %(name)s"),
        about=gettext_lazy(
            "Vårdgivaren förblir avstängd. När karenstiden är slut exporteras dess data och "
            "raderas sedan från plattformen; fram till dess kan du ångra avslutet. Du skriver "
            "under med BankID."
        ),
        button=gettext_lazy("Fortsätt till underskrift med BankID"),
        done=gettext_lazy("%(name)s avslutas. Dess data raderas när karenstiden är slut."),
        service=lifecycle.terminate,
        sign_text=gettext_lazy(
            "Jag avslutar %(provider)s. Dess data raderas om %(days)s dagar. Skäl: %(reason)s"
        ),
    ),
    OperatorActionKind.TERMINATE_UNDONE: Action(
        title=gettext_lazy("Ångra avslutet av %(name)s"),
        about=gettext_lazy(
            "Ingen data raderas. Vårdgivaren förblir avstängd tills du återaktiverar den."
        ),
        button=gettext_lazy("Ångra avslut"),
        done=gettext_lazy("Avslutet av %(name)s är ångrat. Vårdgivaren är fortfarande avstängd."),
        service=lifecycle.undo_termination,
    ),
}


def perform(
    request: HttpRequest,
    provider: CareProvider,
    params: dict[str, Any],
    signature: dict[str, Any] | None,
    *,
    kind: str,
) -> str:
    """Do the action; a refusal becomes signing.ActionRefused. Returns where to go next."""
    action = ACTIONS[kind]
    try:
        done = action.service(
            provider,
            reason=params.get("reason"),
            actor=request.user,
            ip_address=client_ip(request),
            signature=signature,
        )
    except LifecycleRefused as exc:
        raise signing.ActionRefused(exc.message) from None
    messages.success(request, str(action.done) % {"name": done.name})
    return provider_page_url(done)


def register_signed_actions() -> None:
    """Called from the app's ready(): the signing flow does suspend and terminate."""
    for kind, action in ACTIONS.items():
        if action.sign_text is not None:
            signing.register(kind, _signed_performer(kind))


def _signed_performer(kind: str) -> signing.Performer:
    def performer(
        request: HttpRequest,
        provider: CareProvider,
        params: dict[str, Any],
        signature: dict[str, Any],
    ) -> str:
        return perform(request, provider, params, signature, kind=kind)

    return performer


def _sign_text(action: Action, provider: CareProvider, reason: str) -> str:
    assert action.sign_text is not None
    days = lifecycle.grace_period().days
    return str(action.sign_text) % {"provider": str(provider), "reason": reason, "days": days}


@role_required("operator")
@require_http_methods(["GET", "POST"])
def lifecycle_action(request: HttpRequest, subdomain: str, kind: str) -> HttpResponse:
    provider = provider_or_404(subdomain)
    action = ACTIONS[kind]
    refusal = lifecycle.state_refusal(OperatorActionKind(kind), provider)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and refusal is None and form.is_valid():
        reason = form.cleaned_data["reason"]
        if action.sign_text is not None:
            text = _sign_text(action, provider, reason)
            return signing.start_signed_action(request, kind, provider, {"reason": reason}, text)
        try:
            return redirect(perform(request, provider, {"reason": reason}, None, kind=kind))
        except signing.ActionRefused as exc:
            refusal = exc.message
    context = {
        "provider": provider,
        "form": form,
        "refusal": refusal,
        "title": str(action.title) % {"name": provider.name},
        "about": action.about,
        "button": action.button,
        "back": provider_page_url(provider),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "public_site/console/lifecycle_action.html", context, status=status)
