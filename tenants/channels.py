"""Tenant resolution for WebSocket connections (Channels), from the Host header.

Unknown hosts are refused with 404, suspended providers with 403 and connections whose Origin is
not this host with 403, before the consumer runs (close codes 4404, 4403 and 4400 where the
server cannot answer the handshake with an HTTP status).
Consumers find the provider in scope["tenant"] and must enter its schema for ORM work
(`provider_schema` below): the schema is per thread and does not follow sync_to_async.
"""

import json
from urllib.parse import urlsplit

from channels.db import database_sync_to_async

from careplatform.asgi_types import ASGIApp, Receive, Scope, Send
from tenants.routing import ACTIVE, NOT_FOUND, PUBLIC, SUSPENDED, resolve_host

CLOSE_UNKNOWN_PROVIDER = 4404
CLOSE_PROVIDER_SUSPENDED = 4403
CLOSE_FOREIGN_ORIGIN = 4400


def _header(scope: Scope, wanted: bytes) -> str:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return value.decode("latin-1")
    return ""


def same_origin(scope: Scope) -> bool:
    """Browsers always send Origin; it must be this very host (not a sibling provider's)."""
    origin = urlsplit(_header(scope, b"origin"))
    return bool(origin.netloc) and origin.netloc.lower() == _header(scope, b"host").lower()


class TenantWebSocketMiddleware:
    def __init__(self, inner: ASGIApp) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            return await self.inner(scope, receive, send)
        if not same_origin(scope):
            return await _refuse(scope, receive, send, CLOSE_FOREIGN_ORIGIN)
        resolution = await database_sync_to_async(resolve_host)(_header(scope, b"host"))
        if resolution.kind == NOT_FOUND:
            return await _refuse(scope, receive, send, CLOSE_UNKNOWN_PROVIDER)
        if resolution.kind == SUSPENDED:
            return await _refuse(scope, receive, send, CLOSE_PROVIDER_SUSPENDED)
        scope = dict(scope, tenant=resolution.provider, public=resolution.kind == PUBLIC)
        assert resolution.kind in (ACTIVE, PUBLIC)
        return await self.inner(scope, receive, send)


REFUSALS = {
    CLOSE_FOREIGN_ORIGIN: (403, "foreign_origin", "Anslutningen kommer från en annan webbplats."),
    CLOSE_UNKNOWN_PROVIDER: (404, "unknown_provider", "Det finns ingen vårdgivare här."),
    CLOSE_PROVIDER_SUSPENDED: (403, "provider_suspended", "Vårdgivarens plattform är avstängd."),
}


async def _refuse(scope: Scope, receive: Receive, send: Send, code: int) -> None:
    """Refuse the handshake: an HTTP answer where the server supports it (the browser sees a
    status), otherwise a close with our application code."""
    await receive()  # websocket.connect
    if "websocket.http.response" not in scope.get("extensions", {}):
        await send({"type": "websocket.close", "code": code})
        return
    status, error, message = REFUSALS[code]
    body = json.dumps({"detail": message, "code": error}).encode()
    await send(
        {
            "type": "websocket.http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "websocket.http.response.body", "body": body})
