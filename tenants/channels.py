"""Tenant resolution for WebSocket connections (Channels), from the Host header.

Unknown hosts are closed with 4404, suspended providers with 4403 and connections whose Origin is
not this host with 4400, all before the consumer runs.
Consumers find the provider in scope["tenant"] and must enter its schema for ORM work
(`provider_schema` below): the schema is per thread and does not follow sync_to_async.
"""

from urllib.parse import urlsplit

from channels.db import database_sync_to_async

from tenants.routing import ACTIVE, NOT_FOUND, PUBLIC, SUSPENDED, resolve_host

CLOSE_UNKNOWN_PROVIDER = 4404
CLOSE_PROVIDER_SUSPENDED = 4403
CLOSE_FOREIGN_ORIGIN = 4400


def _header(scope, wanted: bytes) -> str:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return value.decode("latin-1")
    return ""


def same_origin(scope) -> bool:
    """Browsers always send Origin; it must be this very host (not a sibling provider's)."""
    origin = urlsplit(_header(scope, b"origin"))
    return bool(origin.netloc) and origin.netloc.lower() == _header(scope, b"host").lower()


class TenantWebSocketMiddleware:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.inner(scope, receive, send)
        if not same_origin(scope):
            return await _refuse(receive, send, CLOSE_FOREIGN_ORIGIN)
        resolution = await database_sync_to_async(resolve_host)(_header(scope, b"host"))
        if resolution.kind == NOT_FOUND:
            return await _refuse(receive, send, CLOSE_UNKNOWN_PROVIDER)
        if resolution.kind == SUSPENDED:
            return await _refuse(receive, send, CLOSE_PROVIDER_SUSPENDED)
        scope = dict(scope, tenant=resolution.provider, public=resolution.kind == PUBLIC)
        assert resolution.kind in (ACTIVE, PUBLIC)
        return await self.inner(scope, receive, send)


async def _refuse(receive, send, code: int) -> None:
    await receive()  # websocket.connect
    await send({"type": "websocket.close", "code": code})
