"""Signaling for a booking's room: `/ws/visits/<booking>/?peer=<page id>` (manual 6).

The provider comes from the host and the user from the session in the provider's schema
(careplatform.websocket_auth). On connect the room rule decides (rooms.admission via
services.join); a refusal is sent to the page with its reason before the socket closes. Admitted
pages exchange SDP and ICE candidates through the server, which checks every message
(protocol.parse), limits their rate, and relays only to the pages of the same room.

A page also reports about itself (protocol "diagnostics"): a camera or microphone it could not
use, and the ICE candidate types of a call that connected or failed. These become call events of
its user in this booking (for support) and are never relayed to the others.

The server assigns the perfect-negotiation roles: of two pages, the later arrival is polite.
Each page sends a heartbeat; a page silent for VIDEO_PEER_TIMEOUT seconds is gone and the others
are told at once. A cancelled or completed booking ends the room for everyone in it: told over
the channel layer at once, and noticed by the process's room watch (watch.py) even if that notice
was lost.
"""

import contextlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, TypeVar
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from careplatform import clock
from careplatform.asgi_types import Message
from tenant_apps.accounts.models import User
from tenant_apps.bookings.models import Booking
from tenant_apps.video import ice, protocol, rooms, services
from tenant_apps.video.services import VIDEO_LAYER
from tenant_apps.video.watch import ROOM_WATCH
from tenants.models import CareProvider

log = logging.getLogger(__name__)

T = TypeVar("T")

HEARTBEAT_SECONDS = 4
MAX_DROPPED = 1000

# Close codes the page acts on (it reconnects only after other codes, e.g. 1006 or 4408).
CLOSE_BAD_REQUEST = 4400
CLOSE_NOT_LOGGED_IN = 4401
CLOSE_NOT_ALLOWED = 4403
CLOSE_GONE = 4408
CLOSE_REPLACED = 4409
CLOSE_ROOM_CLOSED = 4410
CLOSE_NOT_OPEN_YET = 4425
CLOSE_TOO_MANY_BAD = 4429

CLOSE_FOR = {
    rooms.Reason.NOT_LOGGED_IN: CLOSE_NOT_LOGGED_IN,
    rooms.Reason.NOT_PARTICIPANT: CLOSE_NOT_ALLOWED,
    rooms.Reason.CONSENT_REQUIRED: CLOSE_NOT_ALLOWED,
    rooms.Reason.TOO_EARLY: CLOSE_NOT_OPEN_YET,
}


def _in_schema(schema_name: str, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with schema_context(schema_name):
        return func(*args, **kwargs)


def _public(peer: services.Peer, viewer: services.Peer, sees_all: bool) -> dict:
    return {
        "id": peer.peer_id,
        "name": services.name_shown(peer, to=viewer, sees_all=sees_all),
        "role": peer.role,
        "polite": viewer.seq > peer.seq,
    }


class RoomConsumer(AsyncWebsocketConsumer):
    channel_layer_alias = VIDEO_LAYER

    async def connect(self) -> None:
        self.admitted = self.departed = self.replaced = False
        self.dropped: Counter[str] = Counter()
        self.reports = 0
        self.bucket = protocol.TokenBucket()
        self.rate_noticed = 0.0
        self.peers: dict[str, tuple[services.Peer, str]] = {}  # id -> (peer, channel)
        await self.accept()
        # Everything this page is told is in its user's language (the handlers and their
        # database calls run in this connection's context; the room watch's news is worded in
        # room_refused).
        self.language = self.scope.get("language", settings.LANGUAGE_CODE)
        translation.activate(self.language)
        tenant, user = self.scope.get("tenant"), self.scope.get("user")
        if tenant is None or self.scope.get("public") or user is None:
            return await self.refuse("not_participant", _("Det finns inget besök här."), 4403)
        if not user.is_authenticated:
            message = _("Logga in med BankID för att gå in i besöket.")
            return await self.refuse(rooms.Reason.NOT_LOGGED_IN, message, CLOSE_NOT_LOGGED_IN)
        peer_id = parse_qs(self.scope.get("query_string", b"").decode()).get("peer", [""])[0]
        if not protocol.PEER_ID.match(peer_id):
            return await self.refuse("bad_request", _("Ladda om sidan."), CLOSE_BAD_REQUEST)
        self.schema_name = tenant.schema_name
        self.booking_id = int(self.scope["url_route"]["kwargs"]["booking_id"])
        self.group = services.room_group(self.schema_name, self.booking_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        user_agent = dict(self.scope.get("headers", [])).get(b"user-agent", b"")
        result = await self.db(
            services.join,
            self.booking_id,
            user,
            peer_id,
            self.channel_name,
            user_agent.decode("latin-1"),
        )
        if not result.admission.allowed:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            reason = result.admission.reason
            return await self.refuse(
                reason, result.admission.message, CLOSE_FOR.get(reason, CLOSE_ROOM_CLOSED)
            )
        await self.admit(result, user, tenant)

    async def admit(self, result: services.JoinResult, user: User, tenant: CareProvider) -> None:
        assert result.me is not None
        self.admitted = True
        self.me: services.Peer = result.me
        self.sees_all = result.sees_all
        self.last_heard = time.monotonic()
        self.peers = {p.peer_id: (p, p.channel_name) for p in result.peers}
        for old in result.replaced:
            await self.channel_layer.send(
                old.channel_name, {"type": "room.replaced", "silent": old.resumed}
            )
            if not old.resumed:
                await self.group_send("peer.left", peer_id=old.peer_id, reason="replaced")
        await self.group_send("peer.joined", peer=asdict(self.me), channel=self.channel_name)
        await self.channel_layer.group_add(
            services.provider_group(self.schema_name), self.channel_name
        )
        rtc = ice.ice_config(f"{tenant.subdomain}.{user.pk}")
        await self.send_json(
            {
                "type": "welcome",
                "peer": self.me.peer_id,
                "me": {"name": self.me.name, "role": self.me.role},
                "peers": [self.public(p) for p, _channel in self.peers.values()],
                "rtc": rtc,
                "heartbeat": HEARTBEAT_SECONDS,
                "timeout": settings.VIDEO_PEER_TIMEOUT,
                "maxMessageBytes": protocol.MAX_MESSAGE_BYTES,
            }
        )
        ROOM_WATCH.add(self)

    async def refuse(self, reason: str, message: str, code: int) -> None:
        await self.send_json({"type": "refused", "reason": str(reason), "message": message})
        await self.close(code=code)

    async def dispatch(self, message: Message) -> None:
        """AsyncConsumer.dispatch without its close_old_connections() before every message: a
        hop to the database thread for each relayed message, queued behind other pages' queries
        (at 1,000 pages most of the relay latency). This consumer reaches the database only
        through database_sync_to_async (self.db), which does that itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # -- from the page ------------------------------------------------------------------
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.admitted or self.departed:
            return
        self.last_heard = time.monotonic()
        if not self.bucket.take():
            return await self.drop("rate")
        try:
            message = protocol.parse(text_data)
        except protocol.Dropped as dropped:
            return await self.drop(dropped.reason)
        if message["type"] == "ping":
            return await self.send_json({"type": "pong"})
        if message["type"] == "signal":
            return await self.relay(message)
        if message["type"] == "state":
            return await self.call_state(message)
        if message["type"] == "diagnostics":
            return await self.diagnostics(message)
        if message["type"] == "media":
            await self.group_send(
                "peer.media",
                peer_id=self.me.peer_id,
                audio=message["audio"],
                video=message["video"],
            )

    async def relay(self, message: dict) -> None:
        target = self.peers.get(message["to"])
        if target is None:
            return await self.drop("unknown_peer")
        await self.channel_layer.send(
            target[1],
            {
                "type": "signal.relay",
                "peer": asdict(self.me),
                "channel": self.channel_name,
                "data": message["data"],
            },
        )

    async def call_state(self, message: dict) -> None:
        if message["peer"] not in self.peers:
            return await self.drop("unknown_peer")
        await self.db(
            services.record_call_state, self.channel_name, message["state"], message["peer"]
        )

    async def diagnostics(self, message: dict) -> None:
        """Stored for support as this page's call event; not relayed."""
        self.reports += 1
        if self.reports > protocol.MAX_REPORTS:
            return await self.drop("too_many_reports")
        if message["report"] == "media":
            await self.db(
                services.record_media_problem,
                self.channel_name,
                message["problem"],
                message["error"],
            )
            return
        if message["peer"] not in self.peers:
            return await self.drop("unknown_peer")
        await self.db(
            services.record_call_state,
            self.channel_name,
            message["state"],
            message["peer"],
            message["ice"],
        )

    async def drop(self, reason: str) -> None:
        """Never relayed; counted (the page is told, and the counts go into the left event)."""
        self.dropped[reason] += 1
        if self.dropped[reason] == 1:
            log.info("Room %s: dropped a %s message from %s", self.group, reason, self.me.peer_id)
        total = sum(self.dropped.values())
        if total > MAX_DROPPED:
            self.dropped["closed"] += 1
            await self.depart("too_many_bad")
            return await self.close(code=CLOSE_TOO_MANY_BAD)
        if reason == "rate":
            if time.monotonic() - self.rate_noticed < 1:
                return
            self.rate_noticed = time.monotonic()
        await self.send_json(
            {"type": "dropped", "reason": reason, "count": self.dropped[reason], "total": total}
        )

    # -- from the room (channel layer) ----------------------------------------------------
    async def peer_joined(self, event: Message) -> None:
        peer = services.Peer(**event["peer"])
        if peer.peer_id == self.me.peer_id:
            return
        self.peers[peer.peer_id] = (peer, event["channel"])
        await self.send_json({"type": "peer-joined", "peer": self.public(peer)})

    async def peer_left(self, event: Message) -> None:
        if event["peer_id"] == self.me.peer_id:
            return
        self.peers.pop(event["peer_id"], None)
        await self.send_json(
            {"type": "peer-left", "peer": event["peer_id"], "reason": event["reason"]}
        )

    async def peer_media(self, event: Message) -> None:
        if event["peer_id"] != self.me.peer_id:
            await self.send_json(
                {
                    "type": "peer-media",
                    "peer": event["peer_id"],
                    "audio": event["audio"],
                    "video": event["video"],
                }
            )

    async def signal_relay(self, event: Message) -> None:
        peer = services.Peer(**event["peer"])
        if peer.peer_id not in self.peers:  # its arrival is still on its way
            self.peers[peer.peer_id] = (peer, event["channel"])
        await self.send_json(
            {
                "type": "signal",
                "from": peer.peer_id,
                "peer": self.public(peer),
                "data": event["data"],
            }
        )

    async def room_closed(self, event: Message) -> None:
        messages = {"ended": _("Vårdpersonalen har avslutat besöket.")}
        message = messages.get(event["reason"], _("Besöket är avslutat."))
        await self.close_room(event["reason"], message)

    async def provider_suspended(self, event: Message) -> None:
        """The provider was suspended (tenants.lifecycle): its rooms end at once."""
        message = _("Vårdgivarens plattform är tillfälligt avstängd. Besöket kan inte fortsätta.")
        await self.close_room("suspended", message)

    async def room_replaced(self, event: Message) -> None:
        """This page's place was taken: by itself reconnecting (silent), or by a new page."""
        self.replaced = True
        if not event["silent"]:
            message = _("Du har öppnat besöket i ett annat fönster. Det här fönstret är stängt.")
            await self.send_json({"type": "replaced", "message": message})
        await self.close(code=CLOSE_REPLACED)

    async def close_room(self, reason: str, message: str) -> None:
        await self.send_json({"type": "room-closed", "reason": reason, "message": message})
        await self.depart(reason)
        await self.close(code=CLOSE_ROOM_CLOSED)

    # -- from the room watch -------------------------------------------------------------
    async def vanished(self) -> None:
        """No heartbeat for VIDEO_PEER_TIMEOUT seconds: the page is gone."""
        await self.depart("gone")
        await self.close(code=CLOSE_GONE)

    async def room_refused(self, booking: Booking | None) -> None:
        """The booking can no longer be held (cancelled or completed elsewhere, or gone)."""
        with translation.override(self.language):
            refusal = rooms.held_refusal(booking, clock.now())
            if refusal is None:  # it can again, after all
                ROOM_WATCH.add(self)
                return
            await self.close_room(str(refusal.reason), refusal.message)

    async def depart(self, reason: str) -> None:
        """Leave the room once: the call event is written and the others are told."""
        if self.departed or not self.admitted or self.replaced:
            return
        self.departed = True
        ROOM_WATCH.discard(self)
        await self.channel_layer.group_discard(self.group, self.channel_name)
        await self.channel_layer.group_discard(
            services.provider_group(self.schema_name), self.channel_name
        )
        dropped = {"dropped": dict(self.dropped)} if self.dropped else {}
        left = await self.db(services.leave, self.channel_name, reason, **dropped)
        if left is not None:
            await self.group_send("peer.left", peer_id=left.peer_id, reason=reason)

    async def disconnect(self, code: int) -> None:
        ROOM_WATCH.discard(self)
        if self.admitted and self.replaced:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.channel_layer.group_discard(
                services.provider_group(self.schema_name), self.channel_name
            )
            return
        await self.depart("left" if code in (1000, 1001) else "lost")

    # -- helpers ------------------------------------------------------------------------
    def public(self, peer: services.Peer) -> dict:
        """Another page as this page is told of it (names as its user may see them)."""
        return _public(peer, self.me, self.sees_all)

    async def db(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await database_sync_to_async(_in_schema)(self.schema_name, func, *args, **kwargs)

    async def group_send(self, kind: str, **payload: Any) -> None:
        await self.channel_layer.group_send(self.group, {"type": kind, **payload})

    async def send_json(self, payload: dict) -> None:
        with contextlib.suppress(Exception):  # the socket may be closing already
            await self.send(text_data=json.dumps(payload))
