"""`Authorization: Token <key>` for integrations; pages use the session (with CSRF)."""

from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from tenant_apps.accounts.models import User
from tenant_apps.api.models import ApiToken
from tenant_apps.api.services import authenticate_key

KEYWORD = "Token"


class TokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Ange API-nyckeln som: Authorization: Token <nyckel>."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("Ogiltig API-nyckel.")) from None
        token = authenticate_key(key)
        if token is None:
            raise AuthenticationFailed(_("Ogiltig eller återkallad API-nyckel."))
        # The session middleware chose the language before DRF knew who is calling.
        translation.activate(token.user.language)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes refusals 401 with a challenge instead of 403.
        return KEYWORD


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Personal API key: `Token <key>` (created at /api-nycklar/).",
        }
