"""Who hears about booking changes.

Every change to a booking writes a `BookingEvent` in the change's own transaction
(services._record); a job then hands the pending events to each handler registered here, inside
the transaction that marks them dispatched, so an event is handled once or not at all. Bookings
knows no consumer: each registers its handler once, in its AppConfig.ready() (notifications:
the SMS of manual 4 and 7.1). No Django signals: the job calls the handlers explicitly.

A handler writes what it needs in that transaction and may return work for after the commit
(sending the messages it created).
"""

from collections.abc import Callable, Sequence

from tenant_apps.bookings.models import BookingEvent

AfterCommit = Callable[[], object]
EventHandler = Callable[[Sequence[BookingEvent]], AfterCommit | None]

_handlers: list[EventHandler] = []


def register(handler: EventHandler) -> None:
    """Hand every batch of booking events to `handler` from now on (once, however often it
    is registered)."""
    if handler not in _handlers:
        _handlers.append(handler)


def handle(pending: Sequence[BookingEvent]) -> list[AfterCommit]:
    """Every registered handler's part, in registration order, inside the caller's transaction;
    returns the work they left for after it commits."""
    if not pending:
        return []
    after_commit = []
    for handler in _handlers:
        work = handler(pending)
        if work is not None:
            after_commit.append(work)
    return after_commit
