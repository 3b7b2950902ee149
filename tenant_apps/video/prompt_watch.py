"""One watch per server process over every page it holds a prompt socket for (manual 6, 7.6).

A page is due when it has just connected, when it was told that something of its user changed
(a booking, someone entering or leaving the room), when the clock reaches its state's next
change (a room opening or closing), and every REFRESH_SECONDS in any case, for a notice that was
lost. The due pages are read together: one statement for all providers (prompts.look), however
many pages, so a thousand pages whose rooms open at 10:00 cost one statement, not a thousand.
The clock is asked once a second, so a moved clock (tests, a corrected system clock) is noticed
at the next tick. A failed read (PostgreSQL restarting) keeps the pages due and is tried again
after a pause that grows to MAX_PAUSE_SECONDS; pages keep what they show meanwhile.
"""

import asyncio
import contextlib
import datetime
import logging
import time
from collections import defaultdict
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from channels.db import database_sync_to_async

from careplatform import clock
from tenant_apps.video import prompts

log = logging.getLogger(__name__)

TICK_SECONDS = 1.0
GATHER_SECONDS = 0.05  # a burst of arrivals or notices: one read for all of them
REFRESH_SECONDS = 30.0
MAX_PAUSE_SECONDS = 30.0


class PromptPage(Protocol):
    schema_name: str
    user_id: int
    session_generation: int  # of the session it connected with (a logout raises it)
    patient: bool
    language: str

    async def show(self, html: str) -> None: ...

    async def logged_out(self) -> None: ...


@dataclass(frozen=True)
class View:
    html: str
    next_change: datetime.datetime


def views(pages: Iterable[PromptPage], now: datetime.datetime) -> dict[PromptPage, View | None]:
    """What each page shows now, and until when; None for a page whose user is gone, inactive or
    logged out. One statement for all of them; each distinct view rendered once."""
    pages = list(pages)
    user_ids: dict[str, set[int]] = defaultdict(set)
    for page in pages:
        user_ids[page.schema_name].add(page.user_id)
    states = prompts.look(user_ids, now)
    rendered: dict[tuple, str] = {}
    shown: dict[PromptPage, View | None] = {}
    for page in pages:
        state = states.get((page.schema_name, page.user_id))
        if state is None or not state.active or state.session_generation != page.session_generation:
            shown[page] = None
            continue
        key = (page.schema_name, page.user_id, page.patient, page.language)
        if key not in rendered:
            rendered[key] = prompts.render(state, patient=page.patient, language=page.language)
        shown[page] = View(rendered[key], state.next_change)
    return shown


class PromptWatch:
    def __init__(self) -> None:
        self.pages: set[PromptPage] = set()
        self.dirty: set[PromptPage] = set()
        self.next_change: dict[PromptPage, datetime.datetime] = {}
        self.task: asyncio.Task | None = None
        self.wake: asyncio.Event | None = None
        self.told: set[asyncio.Task] = set()
        self.last_refresh = time.monotonic()

    def add(self, page: PromptPage) -> None:
        self.pages.add(page)
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.task.get_loop() is not loop:
            self.wake = asyncio.Event()
            self.task = loop.create_task(self.run())
        self.changed(page)

    def changed(self, page: PromptPage) -> None:
        """Something of the page's user changed: read it again soon."""
        if page in self.pages:
            self.dirty.add(page)
            if self.wake is not None:
                self.wake.set()

    def discard(self, page: PromptPage) -> None:
        self.pages.discard(page)
        self.dirty.discard(page)
        self.next_change.pop(page, None)

    async def run(self) -> None:
        failures = 0
        while self.pages:
            assert self.wake is not None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), TICK_SECONDS)
            self.wake.clear()
            await asyncio.sleep(GATHER_SECONDS)
            try:
                await self.tick()
            except Exception:
                failures += 1
                if failures == 1:
                    log.exception("The prompt watch could not read; trying again")
                await asyncio.sleep(min(MAX_PAUSE_SECONDS, 2.0 ** (failures - 1)))
            else:
                if failures:
                    log.warning("The prompt watch reads again after %d failures", failures)
                failures = 0

    def due(self, now: datetime.datetime) -> list[PromptPage]:
        if time.monotonic() - self.last_refresh >= REFRESH_SECONDS:
            self.last_refresh = time.monotonic()
            return list(self.pages)
        return [
            page
            for page in self.pages
            if page in self.dirty or page not in self.next_change or self.next_change[page] <= now
        ]

    async def tick(self) -> None:
        now = clock.now()
        due = self.due(now)
        if not due:
            return
        # Notices that arrive during the read make their pages due again.
        self.dirty.difference_update(due)
        try:
            shown = await database_sync_to_async(views)(due, now)
        except BaseException:
            self.dirty.update(page for page in due if page in self.pages)
            raise
        for page in due:
            if page not in self.pages:  # gone during the read
                continue
            view = shown[page]
            if view is None:
                self.discard(page)
                self.tell(page.logged_out())
            else:
                self.next_change[page] = view.next_change
                self.tell(page.show(view.html))

    def tell(self, news: Coroutine[Any, Any, None]) -> None:
        """Each page sends in a task of its own: a slow page does not hold up the others."""
        task = asyncio.get_running_loop().create_task(news)
        self.told.add(task)
        task.add_done_callback(self.told.discard)


PROMPT_WATCH = PromptWatch()
