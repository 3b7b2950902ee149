"""The logged-in user of a WebSocket connection, from the session of the provider's host.

Sessions live in each provider's schema (cookies are host-only), so the session is read inside
that schema; the schema is per thread, so the lookup enters it in the worker thread itself. On
the public host and without a valid session the user is anonymous.
"""

from importlib import import_module
from types import SimpleNamespace

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http.cookie import parse_cookie
from django_tenants.utils import schema_context

from careplatform.asgi_types import ASGIApp, Receive, Scope, Send
from careplatform.i18n import language_for


def _header(scope: Scope, wanted: bytes) -> str:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return value.decode("latin-1")
    return ""


def user_for_session(schema_name: str, session_key: str | None) -> AbstractBaseUser | AnonymousUser:
    if not session_key:
        return AnonymousUser()
    engine = import_module(settings.SESSION_ENGINE)
    with schema_context(schema_name):
        session = engine.SessionStore(session_key)
        # auth.get_user checks the backend and the session hash, as for a page request.
        return auth.get_user(SimpleNamespace(session=session))  # type: ignore[arg-type]


class SessionUserMiddleware:
    """Sets scope["user"], and scope["language"] as for a page (careplatform.i18n); must run
    inside TenantWebSocketMiddleware (scope["tenant"])."""

    def __init__(self, inner: ASGIApp) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            return await self.inner(scope, receive, send)
        user = AnonymousUser()
        tenant = scope.get("tenant")
        cookies = parse_cookie(_header(scope, b"cookie"))
        if tenant is not None and not scope.get("public"):
            key = cookies.get(settings.SESSION_COOKIE_NAME)
            user = await database_sync_to_async(user_for_session)(tenant.schema_name, key)
        language = language_for(user, cookies.get(settings.LANGUAGE_COOKIE_NAME, ""))
        return await self.inner(dict(scope, user=user, language=language), receive, send)
