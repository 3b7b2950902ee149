"""Tenant resolution for WebSocket connections (Channels), from the Host header.

Unknown hosts are closed with 4404, suspended providers with 4403, before the consumer runs.
Consumers find the provider in scope["tenant"] and must enter its schema for ORM work
(`provider_schema` below): the schema is per thread and does not follow sync_to_async.
"""

from channels.db import database_sync_to_async

from tenants.routing import ACTIVE, NOT_FOUND, PUBLIC, SUSPENDED, resolve_host

CLOSE_UNKNOWN_PROVIDER = 4404
CLOSE_PROVIDER_SUSPENDED = 4403


def _host(scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"host":
            return value.decode("latin-1")
    return ""


class TenantWebSocketMiddleware:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.inner(scope, receive, send)
        resolution = await database_sync_to_async(resolve_host)(_host(scope))
        if resolution.kind in (NOT_FOUND, SUSPENDED):
            await receive()  # websocket.connect
            code = (
                CLOSE_UNKNOWN_PROVIDER if resolution.kind == NOT_FOUND else CLOSE_PROVIDER_SUSPENDED
            )
            await send({"type": "websocket.close", "code": code})
            return None
        scope = dict(scope, tenant=resolution.provider, public=resolution.kind == PUBLIC)
        assert resolution.kind in (ACTIVE, PUBLIC)
        return await self.inner(scope, receive, send)
