"""`/ws/prompts/`: one WebSocket per open page that shows video prompts (manual 6, 7.6).

The provider comes from the host and the user from the session in the provider's schema
(careplatform.websocket_auth), as for the room. The page gets its prompts as HTML in its user's
language whenever they change: "Starta videomöte" on staff pages, "Börja videobesöket" on the
patient's start page, and who waits in the room for the visit's clinician. The server decides
when: the process's prompt watch (prompt_watch.py) reads the due pages on the project's clock,
and the user's channel-layer group (prompts.user_group) tells of changed bookings and rooms.
A page that is not logged in here is refused; one whose user logs out or is deactivated is
closed. The page reconnects with a growing pause after any other break.
"""

import contextlib
import json

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from careplatform.asgi_types import Message
from tenant_apps.video import prompts
from tenant_apps.video.prompt_watch import PROMPT_WATCH
from tenant_apps.video.services import VIDEO_LAYER, provider_group

# The page stops reconnecting after these; after any other close or failure it tries again.
CLOSE_NOT_LOGGED_IN = 4401
CLOSE_NOT_HERE = 4403


class PromptConsumer(AsyncWebsocketConsumer):
    channel_layer_alias = VIDEO_LAYER

    async def connect(self) -> None:
        self.watched = False
        self.shown: str | None = None
        await self.accept()
        tenant, user = self.scope.get("tenant"), self.scope.get("user")
        if tenant is None or self.scope.get("public"):
            return await self.refuse("not_here", CLOSE_NOT_HERE)
        if user is None or not user.is_authenticated:
            return await self.refuse("not_logged_in", CLOSE_NOT_LOGGED_IN)
        self.language = self.scope.get("language", settings.LANGUAGE_CODE)
        self.schema_name = tenant.schema_name
        self.user_id = user.pk
        self.session_generation = user.session_generation
        self.patient = user.is_patient
        self.group = prompts.user_group(self.schema_name, self.user_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.channel_layer.group_add(provider_group(self.schema_name), self.channel_name)
        self.watched = True
        PROMPT_WATCH.add(self)

    async def refuse(self, reason: str, code: int) -> None:
        await self.send_json({"type": "refused", "reason": reason})
        await self.close(code=code)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # The page's heartbeat; anything else is ignored.
        if self.watched and text_data is not None and len(text_data) <= 64:
            with contextlib.suppress(ValueError):
                if json.loads(text_data) == {"type": "ping"}:
                    await self.send_json({"type": "pong"})

    async def prompts_changed(self, event: Message) -> None:
        PROMPT_WATCH.changed(self)

    async def provider_suspended(self, event: Message) -> None:
        """The provider was suspended (tenants.lifecycle): nothing of it is shown any more."""
        PROMPT_WATCH.discard(self)
        await self.send_json({"type": "prompts", "html": ""})
        await self.refuse("provider_suspended", CLOSE_NOT_HERE)

    # -- from the prompt watch ----------------------------------------------------------
    async def show(self, html: str) -> None:
        if html != self.shown:
            self.shown = html
            await self.send_json({"type": "prompts", "html": html})

    async def logged_out(self) -> None:
        await self.send_json({"type": "prompts", "html": ""})
        await self.refuse("not_logged_in", CLOSE_NOT_LOGGED_IN)

    async def disconnect(self, code: int) -> None:
        PROMPT_WATCH.discard(self)
        if self.watched:
            self.watched = False
            with contextlib.suppress(Exception):  # Redis may be away; the socket is gone anyway
                await self.channel_layer.group_discard(self.group, self.channel_name)
                await self.channel_layer.group_discard(
                    provider_group(self.schema_name), self.channel_name
                )

    async def send_json(self, payload: dict) -> None:
        with contextlib.suppress(Exception):  # the socket may be closing already
            await self.send(text_data=json.dumps(payload))
