"""API-nycklar: a person's own API keys, created (the key is shown once) and revoked."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from careplatform.access import role_required
from tenant_apps.accounts.http import AuthenticatedRequest
from tenant_apps.api.services import issue_token, revoke_token, tokens_of

ROLES = ("admin", "clinician", "patient")


def _page(request: AuthenticatedRequest, **context: Any) -> HttpResponse:
    context = {"tokens": tokens_of(request.user), "name": "", "errors": [], **context}
    return render(request, "api/tokens.html", context, status=400 if context["errors"] else 200)


@never_cache  # the response that shows a new key must not be kept anywhere
@role_required(*ROLES)
@require_http_methods(["GET", "POST"])
def tokens(request: AuthenticatedRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    name = request.POST.get("name", "")
    try:
        token, key = issue_token(request.user, name)
    except ValidationError as error:
        return _page(request, name=name, errors=error.messages)
    return _page(request, new_token=token, new_key=key)


@role_required(*ROLES)
@require_POST
def revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        token = revoke_token(request.user, pk)
    except ValidationError as error:
        return _page(request, errors=error.messages)
    messages.success(request, _("API-nyckeln %(name)s är återkallad.") % {"name": token.name})
    return redirect("api-tokens")
