"""One watch per server process over every room page it holds (manual 6).

Once a second it looks for pages whose heartbeat has stopped: such a peer is gone, and the others
are told at once. Every few seconds it asks the database, in one transaction per provider,
whether the rooms it holds can still be held (a booking cancelled or completed elsewhere ends
its room), and marks its pages as still there, so a room is never kept open by a process that
died. The cost is a few queries per provider and interval, however many pages are open.
"""

import asyncio
import logging
import time
from collections import defaultdict
from typing import Protocol

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import transaction
from django_tenants.utils import schema_context

from tenant_apps.video import rooms, services

log = logging.getLogger(__name__)

TICK_SECONDS = 1.0
STATUS_CHECK_SECONDS = 4.0
TOUCH_SECONDS = 15.0


class Page(Protocol):
    schema_name: str
    booking_id: int
    channel_name: str
    last_heard: float  # time.monotonic() of its last message

    async def vanished(self) -> None: ...

    async def room_refused(self, refusal: rooms.Admission) -> None: ...


def _look(
    schema_rooms: dict[str, set[int]], alive: dict[str, list[str]]
) -> dict[str, dict[int, rooms.Admission]]:
    """services.room_states for every provider with pages here (in the database thread)."""
    refusals = {}
    for schema_name, booking_ids in schema_rooms.items():
        with schema_context(schema_name), transaction.atomic():
            refusals[schema_name] = services.room_states(booking_ids, alive.get(schema_name, ()))
    return refusals


class RoomWatch:
    def __init__(self) -> None:
        self.pages: set[Page] = set()
        self.task: asyncio.Task | None = None
        self.told: set[asyncio.Task] = set()
        self.last_status = self.last_touch = time.monotonic()

    def add(self, page: Page) -> None:
        self.pages.add(page)
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.task.get_loop() is not loop:
            self.task = loop.create_task(self.run())

    def discard(self, page: Page) -> None:
        self.pages.discard(page)

    async def run(self) -> None:
        while self.pages:
            await asyncio.sleep(TICK_SECONDS)
            try:
                await self.tick(time.monotonic())
            except Exception:  # the next tick tries again
                log.exception("The room watch failed")

    async def tick(self, now: float) -> None:
        for page in list(self.pages):
            if now - page.last_heard > settings.VIDEO_PEER_TIMEOUT:
                self.tell(page, page.vanished())
        if now - self.last_status < STATUS_CHECK_SECONDS or not self.pages:
            return
        self.last_status = now
        touch = now - self.last_touch >= TOUCH_SECONDS
        if touch:
            self.last_touch = now
        schema_rooms: dict[str, set[int]] = defaultdict(set)
        alive: dict[str, list[str]] = defaultdict(list)
        for page in self.pages:
            schema_rooms[page.schema_name].add(page.booking_id)
            if touch:
                alive[page.schema_name].append(page.channel_name)
        refusals = await database_sync_to_async(_look)(dict(schema_rooms), dict(alive))
        for page in list(self.pages):
            refusal = refusals.get(page.schema_name, {}).get(page.booking_id)
            if refusal is not None:
                self.tell(page, page.room_refused(refusal))

    def tell(self, page: Page, news) -> None:
        """The page is no longer watched; it acts on the news in a task of its own."""
        self.pages.discard(page)
        task = asyncio.get_running_loop().create_task(news)
        self.told.add(task)
        task.add_done_callback(self.told.discard)


ROOM_WATCH = RoomWatch()
