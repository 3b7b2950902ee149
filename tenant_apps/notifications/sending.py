"""Handing messages to the gateway: never lost, never twice.

Only the worker that moves a message from queued to sending (rows locked with SKIP LOCKED: of
two workers, one gets each message) hands it to the gateway. "Sending" is committed durably
before the request, with a claim that outlasts the HTTP timeout, and no request starts that
could outlive its claim; the outcome is committed right after it:

- accepted: sent, with the gateway's id (delivery reports find the message by it);
- not sent (no connection, 5xx, 429): queued again after an exponential backoff;
- 429: besides, the whole gateway account waits the advised delay (careplatform.sms.pause):
  no sender, for any provider, starts a request before then;
- rejected (other 4xx), too late: failed;
- ambiguous (timeout after sending, unreadable answer), or a worker that died while sending
  (its claim runs out): unknown, then looked up in the gateway's own message list; only a
  message the gateway does not have is sent again, after the same backoff.

Every request to the gateway is an attempt, whatever its outcome; after SMS_MAX_ATTEMPTS of
them a message that is still not sent fails for good (an admin can send it again).

Every unfinished message keeps a row in the public due index, so the sweep comes back to it.
"""

import datetime
import logging
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F

from careplatform import clock
from careplatform.sms.gateway import (
    Accepted,
    Ambiguous,
    GatewayRecord,
    NotSent,
    OutgoingSms,
    Rejected,
    SmsBackend,
    get_backend,
)
from careplatform.sms.models import DueKind
from careplatform.sms.pause import pause_account, paused_until
from tenant_apps.notifications import due
from tenant_apps.notifications.callbacks import callback_url
from tenant_apps.notifications.models import SmsMessage, SmsStatus
from tenants.db import connection

log = logging.getLogger(__name__)

# How far before our own attempt a gateway's "created" time may lie (clock skew).
RECONCILE_SLACK = datetime.timedelta(minutes=2)
# While the gateway's list cannot be read, a message in doubt is looked up again after half the
# time it has been in doubt (at least SMS_RECONCILE_DELAY), and at least this often (seconds).
MAX_LOOKUP_INTERVAL = 600
# Messages claimed in one durable commit; a worker that dies leaves at most this many to be
# looked up in the gateway's list.
CLAIM_CHUNK = 10


class RateLimited(Exception):
    def __init__(self, until: datetime.datetime):
        super().__init__(until)
        self.until = until


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.SMS_LEASE_SECONDS)


def backoff(attempt: int) -> float:
    """Seconds before attempt number `attempt` + 1: base, 2 x base, 4 x base ... capped."""
    delay = settings.SMS_RETRY_BASE_SECONDS * 2 ** max(0, attempt - 1)
    return float(min(delay, settings.SMS_RETRY_MAX_SECONDS))


def send_messages(message_ids: Iterable[int], budget: float | None = None) -> dict[str, int]:
    """Send (or settle) these messages of the current provider, a chunk at a time, for at most
    `budget` seconds (SMS_JOB_BUDGET); what is left over is due again at once. Returns how
    many messages had each outcome."""
    ids = sorted(set(message_ids))
    if not ids:
        return {}
    backend = get_backend()
    callback = callback_url(connection.schema_name)
    # Read once; every step below is fenced by a conditional UPDATE, so a stale copy is safe.
    loaded = SmsMessage.objects.in_bulk(ids)
    stop_at = time.monotonic() + (settings.SMS_JOB_BUDGET if budget is None else budget)
    outcomes: Counter[str] = Counter()
    for start in range(0, len(ids), CLAIM_CHUNK):
        rest = ids[start:]
        if time.monotonic() > stop_at:
            due.move(DueKind.MESSAGE, rest, clock.now())
            outcomes["deferred"] += len(rest)
            break
        pause = paused_until(backend.account, clock.now())
        if pause is not None:
            due.move(DueKind.MESSAGE, rest, pause)
            outcomes["paused"] += len(rest)
            break
        ready = []
        for message_id in rest[:CLAIM_CHUNK]:
            outcome, message = prepare(message_id, loaded.get(message_id), backend)
            if message is not None:
                ready.append(message)
            else:
                outcomes[outcome] += 1
        try:
            _send_chunk(ready, backend, callback, outcomes)
        except RateLimited as limited:
            later = rest[CLAIM_CHUNK:]
            due.move(DueKind.MESSAGE, later, limited.until)
            outcomes["deferred"] += len(later)
            break
    return dict(outcomes)


def prepare(
    message_id: int, message: SmsMessage | None, backend: SmsBackend
) -> tuple[str, SmsMessage | None]:
    """Everything short of sending: settle what is finished, expired or not yet due, look up
    what is in doubt. Returns ("ready", the message) when it is to be sent now."""
    now = clock.now()
    if message is None:
        due.unschedule(DueKind.MESSAGE, [message_id])
        return "gone", None
    if message.status in (SmsStatus.SENDING, SmsStatus.UNKNOWN):
        if message.claimed_until and message.claimed_until > now:
            due.move(DueKind.MESSAGE, [message_id], message.claimed_until)
            return "busy", None
        pause = paused_until(backend.account, now)  # a lookup just met a 429
        if pause is not None:
            due.move(DueKind.MESSAGE, [message_id], pause)
            return "paused", None
        outcome = reconcile(message, backend, now)
        if outcome != "not_found":
            return outcome, None
        message.refresh_from_db()
    if message.status != SmsStatus.QUEUED:
        due.unschedule(DueKind.MESSAGE, [message_id])
        return "done", None
    if message.next_attempt_at > now:
        due.schedule(DueKind.MESSAGE, {message_id: message.next_attempt_at})
        return "later", None
    if now >= message.expires_at:
        _settle(message, SmsStatus.QUEUED, None, status=SmsStatus.FAILED, error=_too_late())
        return "expired", None
    return "ready", message


def _send_chunk(
    ready: list[SmsMessage], backend: SmsBackend, callback: str, outcomes: Counter[str]
) -> None:
    claimed = _claim(ready, clock.now())
    outcomes["busy"] += len(ready) - len(claimed)
    # A request must end before its claim lapses, or a looker-up could send the message too.
    margin = datetime.timedelta(seconds=settings.SMS_HTTP_TIMEOUT + 1)
    for index, message in enumerate(claimed):
        now = clock.now()
        if message.claimed_until is None or now + margin >= message.claimed_until:
            _release(claimed[index:], now)
            outcomes["deferred"] += len(claimed) - index
            return
        pause = paused_until(backend.account, now)  # another sender may have met a 429
        if pause is not None:
            _release(claimed[index:], pause)
            outcomes["paused"] += len(claimed) - index
            raise RateLimited(pause)
        try:
            outcomes[_send(message, backend, callback)] += 1
        except RateLimited as limited:
            outcomes["rate_limited"] += 1
            _release(claimed[index + 1 :], limited.until)
            outcomes["deferred"] += len(claimed) - index - 1
            raise


def _too_late() -> str:
    return "Besöket hann börja innan sms:et kunde skickas; det skickades inte."


def _settle(
    message: SmsMessage, expected: str, due_at: datetime.datetime | None, **fields: Any
) -> bool:
    """Write an outcome, if the message is still as this worker left it (status and attempt
    number); its due row moves to `due_at`, or goes when the message is finished.

    The commit does not wait for the disk (synchronous_commit off): should the database lose
    its last moments in a crash, the message is back to its previous state, at worst sending
    with a lapsed claim, and is looked up in the gateway's list, never resent blindly. Only the
    claim before a request waits for the disk."""
    fields.setdefault("updated_at", clock.now())
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        updated = SmsMessage.objects.filter(
            pk=message.pk, status=expected, attempts=message.attempts
        ).update(**fields)
        if updated and due_at is None:
            due.unschedule(DueKind.MESSAGE, [message.pk])
        elif updated and due_at is not None:
            due.schedule(DueKind.MESSAGE, {message.pk: due_at})
    if not updated:
        log.warning("SMS %s changed under this worker; outcome %s not written", message.pk, fields)
    return bool(updated)


def _claim(messages: list[SmsMessage], now: datetime.datetime) -> list[SmsMessage]:
    """Queued -> sending, each message for one worker only, in one durable commit before any
    request goes out. Returns the messages this worker got. The due rows keep their lease
    (taken by the sweep, or by the job that created the messages): should this worker die, the
    sweep comes back and finds the claims lapsed."""
    if not messages:
        return []
    claimed_until = now + _lease()
    with transaction.atomic():
        mine = set(
            SmsMessage.objects.select_for_update(skip_locked=True)
            .filter(
                pk__in=[m.pk for m in messages],
                status=SmsStatus.QUEUED,
                next_attempt_at__lte=now,
            )
            .values_list("pk", flat=True)
        )
        SmsMessage.objects.filter(pk__in=mine).update(
            status=SmsStatus.SENDING,
            attempts=F("attempts") + 1,
            attempt_started_at=now,
            claimed_until=claimed_until,
            updated_at=now,
        )
    claimed = [m for m in messages if m.pk in mine]
    for message in claimed:
        message.status, message.attempts = SmsStatus.SENDING, message.attempts + 1
        message.attempt_started_at, message.claimed_until = now, claimed_until
    return claimed


def _release(messages: list[SmsMessage], retry_at: datetime.datetime) -> None:
    """Give back claimed messages that were not sent: queued again, the attempt not counted."""
    for message in messages:
        _settle(
            message,
            SmsStatus.SENDING,
            retry_at,
            status=SmsStatus.QUEUED,
            attempts=F("attempts") - 1,
            next_attempt_at=retry_at,
            claimed_until=None,
        )


def _send(message: SmsMessage, backend: SmsBackend, callback: str) -> str:
    sms = OutgoingSms(
        sender=message.sender,
        to=message.to,
        text=message.text,
        callback_url=callback,
        provider_schema=connection.schema_name,
    )
    try:
        accepted = backend.send(sms)
    except NotSent as exc:
        return _not_sent(message, exc, backend)
    except Rejected as exc:
        _settle(message, SmsStatus.SENDING, None, status=SmsStatus.FAILED, error=str(exc)[:300])
        return "rejected"
    except Ambiguous as exc:
        _unknown(message, str(exc))
        return "unknown"
    _accepted(message, SmsStatus.SENDING, accepted)
    return "sent"


def _accepted(message: SmsMessage, expected: str, accepted: Accepted) -> None:
    now = clock.now()
    fields: dict[str, Any] = {
        "status": SmsStatus.SENT,
        "gateway_id": accepted.gateway_id,
        "sent_at": now,
        "claimed_until": None,
        "error": "",
    }
    if accepted.status == "delivered":
        fields.update(status=SmsStatus.DELIVERED, delivered_at=now)
    elif accepted.status == "failed":
        fields.update(status=SmsStatus.FAILED, error="Kunde inte levereras till mobilen.")
    _settle(message, expected, None, **fields)


def _not_sent(message: SmsMessage, exc: NotSent, backend: SmsBackend) -> str:
    """The gateway did not take it: try again after a backoff, or give up. A 429 pauses the
    whole account for the advised delay (or the backoff), and ends this batch."""
    now = clock.now()
    delay = backoff(message.attempts)
    pause = None
    if exc.rate_limited:
        advised = exc.retry_after if exc.retry_after is not None else delay
        pause = now + datetime.timedelta(seconds=advised)
        pause_account(backend.account, pause)
        delay = max(delay, advised)
    outcome = _retry_or_give_up(
        message, SmsStatus.SENDING, now + datetime.timedelta(seconds=delay), str(exc)
    )
    if pause is not None:
        raise RateLimited(pause)
    return outcome


def _retry_or_give_up(
    message: SmsMessage, expected: str, retry_at: datetime.datetime, error: str
) -> str:
    """After an attempt that did not get the message to the gateway: failed for good once the
    attempts are used up or the next one would come too late, else queued for `retry_at`."""
    if message.attempts >= settings.SMS_MAX_ATTEMPTS:
        gave_up = f"Gav upp efter {message.attempts} försök: {error}"[:300]
        _settle(message, expected, None, status=SmsStatus.FAILED, claimed_until=None, error=gave_up)
        return "gave_up"
    if retry_at >= message.expires_at:
        _settle(
            message, expected, None, status=SmsStatus.FAILED, claimed_until=None, error=_too_late()
        )
        return "expired"
    _settle(
        message,
        expected,
        retry_at,
        status=SmsStatus.QUEUED,
        next_attempt_at=retry_at,
        claimed_until=None,
        error=error[:300],
    )
    return "retry"


def _unknown(
    message: SmsMessage,
    error: str,
    expected: str = SmsStatus.SENDING,
    look_at: datetime.datetime | None = None,
) -> None:
    if look_at is None:
        look_at = clock.now() + datetime.timedelta(seconds=settings.SMS_RECONCILE_DELAY)
    _settle(
        message,
        expected,
        look_at,
        status=SmsStatus.UNKNOWN,
        claimed_until=look_at,
        error=error[:300],
    )


def _match(message: SmsMessage, records: list[GatewayRecord]) -> GatewayRecord | None:
    """The oldest message in the gateway's list that is this one (same sender, number and
    text) and not already known as another of our messages."""
    candidates = [
        r
        for r in records
        if r.to == message.to and r.sender == message.sender and r.text == message.text
    ]
    taken = set(
        SmsMessage.objects.filter(gateway_id__in=[r.gateway_id for r in candidates])
        .exclude(pk=message.pk)
        .values_list("gateway_id", flat=True)
    )
    fresh = [r for r in candidates if r.gateway_id not in taken]
    return min(fresh, key=lambda r: r.created) if fresh else None


def reconcile(message: SmsMessage, backend: SmsBackend, now: datetime.datetime) -> str:
    """An unknown message (or one whose sender died mid-request): did the gateway take it?
    Returns "reconciled", "not_found" (queued again, after its backoff), "gave_up" or
    "expired" (failed), "unknown" (the list could not be read; try later) or "busy"."""
    expected = message.status
    look_until = now + _lease()
    claimed = _settle(
        message, expected, look_until, status=SmsStatus.UNKNOWN, claimed_until=look_until
    )
    if not claimed:
        return "busy"
    since = (message.attempt_started_at or message.created_at) - RECONCILE_SLACK
    try:
        found = _match(message, backend.sent_to(message.to, since))
    except NotSent as exc:
        # Look again later, and less often the longer the gateway cannot say: a 429 pauses the
        # whole account (as for sending) and the next look waits for the pause to end.
        in_doubt = (now - (message.attempt_started_at or message.created_at)).total_seconds()
        delay = min(max(settings.SMS_RECONCILE_DELAY, in_doubt / 2), MAX_LOOKUP_INTERVAL)
        if exc.rate_limited:
            delay = max(delay, exc.retry_after if exc.retry_after is not None else delay)
            pause_account(backend.account, now + datetime.timedelta(seconds=delay))
        error = f"Kunde inte stämma av mot gatewayen: {exc}"
        _unknown(message, error, SmsStatus.UNKNOWN, look_at=now + datetime.timedelta(seconds=delay))
        return "paused" if exc.rate_limited else "unknown"
    if found is not None:
        _accepted(message, SmsStatus.UNKNOWN, Accepted(found.gateway_id, found.status))
        return "reconciled"
    # The attempt did not reach the gateway: it counts, and the next waits its backoff.
    tried_at = message.attempt_started_at or now
    retry_at = max(now, tried_at + datetime.timedelta(seconds=backoff(message.attempts)))
    why = "Gatewayen har inte sms:et" + (f" ({message.error})" if message.error else "")
    outcome = _retry_or_give_up(message, SmsStatus.UNKNOWN, retry_at, why)
    return "not_found" if outcome == "retry" else outcome
