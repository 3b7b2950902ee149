import json

from channels.generic.websocket import AsyncWebsocketConsumer


class HealthConsumer(AsyncWebsocketConsumer):
    """`/ws/healthz/`: answers which provider this connection belongs to (support and tests)."""

    async def connect(self) -> None:
        await self.accept()
        tenant = self.scope.get("tenant")
        await self.send(
            json.dumps({"status": "ok", "provider": tenant.subdomain if tenant else None})
        )
