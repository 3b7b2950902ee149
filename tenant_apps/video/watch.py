"""One watch per server process over every room page it holds (manual 6).

Once a second it looks for pages whose heartbeat has stopped: such a peer is gone, and the others
are told at once. Every few seconds it asks the database whether the rooms it holds can still be
held (a booking cancelled or completed elsewhere ends its room, even if the notice was lost), and
every 15 s it marks its pages as still there, so a room is never kept open by a process that
died. That is one statement for all providers, however many pages and providers: the work of
one query per provider would hold the interpreter long enough to delay every page's messages.
"""

import asyncio
import contextlib
import datetime
import logging
import time
from collections import defaultdict
from collections.abc import Collection, Coroutine, Mapping
from typing import Any, Protocol

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import DatabaseError, transaction

from careplatform import clock
from tenant_apps.bookings.models import Booking
from tenant_apps.video import rooms
from tenant_apps.video.models import RoomConnection
from tenants.db import connection

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

    async def room_refused(self, booking: Booking | None) -> None: ...


def _rows(
    booking_ids: Mapping[str, Collection[int]],
    alive: Mapping[str, Collection[str]],
    now: datetime.datetime,
) -> list[tuple[str, int, str, datetime.datetime]]:
    quote = connection.ops.quote_name
    params: list = []
    touches = []
    for n, (schema_name, channels) in enumerate(sorted(alive.items())):
        table = f"{quote(schema_name)}.{quote(RoomConnection._meta.db_table)}"
        touches.append(
            f"touched_{n} AS (UPDATE {table} SET seen_at = %s WHERE channel_name = ANY(%s))"
        )
        params += [now, list(channels)]
    selects = []
    for schema_name, ids in sorted(booking_ids.items()):
        table = f"{quote(schema_name)}.{quote(Booking._meta.db_table)}"
        selects.append(
            f"SELECT %s::text, id, status, starts_at FROM {table} WHERE id = ANY(%s::bigint[])"
        )
        params += [schema_name, list(ids)]
    if not selects:
        return []
    statement = (f"WITH {', '.join(touches)} " if touches else "") + " UNION ALL ".join(selects)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def look(
    booking_ids: Mapping[str, Collection[int]], alive: Mapping[str, Collection[str]]
) -> dict[tuple[str, int], Booking | None]:
    """Those of these rooms (booking ids by provider schema) that cannot be held any more, by
    rooms.held_refusal: their bookings' state, None for a booking that is gone. `alive` are pages
    (channel names by schema), marked as still there. Each part of the statement names its
    provider's schema. Each page words the refusal in its own user's language."""
    now = clock.now()
    try:
        rows = _rows(booking_ids, alive, now)
    except DatabaseError:
        # A provider removed while its pages are still here: each provider on its own, and the
        # rooms of one that is gone are gone.
        log.warning("The room watch looks at each provider on its own", exc_info=True)
        rows = []
        for schema_name, ids in booking_ids.items():
            with contextlib.suppress(DatabaseError):
                rows += _rows({schema_name: ids}, {schema_name: alive.get(schema_name, ())}, now)
    found = {
        (schema_name, pk): Booking(pk=pk, status=status, starts_at=starts_at)
        for schema_name, pk, status, starts_at in rows
    }
    refused: dict[tuple[str, int], Booking | None] = {}
    for schema_name, ids in booking_ids.items():
        for booking_id in ids:
            booking = found.get((schema_name, booking_id))
            if rooms.held_refusal(booking, now) is not None:
                refused[schema_name, booking_id] = booking
    return refused


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
        booking_ids: dict[str, set[int]] = defaultdict(set)
        alive: dict[str, list[str]] = defaultdict(list)
        for page in self.pages:
            booking_ids[page.schema_name].add(page.booking_id)
            if touch:
                alive[page.schema_name].append(page.channel_name)
        refused = await database_sync_to_async(look)(booking_ids, alive)
        for page in list(self.pages):
            key = (page.schema_name, page.booking_id)
            if key in refused:
                self.tell(page, page.room_refused(refused[key]))

    def tell(self, page: Page, news: Coroutine[Any, Any, None]) -> None:
        """The page is no longer watched; it acts on the news in a task of its own."""
        self.pages.discard(page)
        task = asyncio.get_running_loop().create_task(news)
        self.told.add(task)
        task.add_done_callback(self.told.discard)


ROOM_WATCH = RoomWatch()
