"""Handing messages to the gateway: never lost, never twice.

Only the worker that moves a message from queued to sending (a conditional UPDATE: of two
workers, one wins) hands it to the gateway. "Sending" is committed before the request, with a
claim that outlasts the HTTP timeout; the outcome is committed right after it:

- accepted: sent, with the gateway's id (delivery reports find the message by it);
- not sent (no connection, 5xx): queued again after an exponential backoff;
- 429: queued again after the advised delay, and the rest of the batch waits with it;
- rejected (other 4xx), too late, too many attempts: failed;
- ambiguous (timeout after sending, unreadable answer), or a worker that died while sending
  (its claim runs out): unknown, then looked up in the gateway's own message list; only a
  message the gateway does not have is sent again.

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
from careplatform.sms import due
from careplatform.sms.callbacks import callback_url
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
from tenant_apps.notifications.models import SmsMessage, SmsStatus
from tenants.db import connection

log = logging.getLogger(__name__)

# How far before our own attempt a gateway's "created" time may lie (clock skew).
RECONCILE_SLACK = datetime.timedelta(minutes=2)


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
    """Send (or settle) these messages of the current provider, one at a time, for at most
    `budget` seconds (SMS_JOB_BUDGET); what is left over is due again at once."""
    ids = sorted(set(message_ids))
    outcomes: Counter[str] = Counter()
    if not ids:
        return {}
    backend = get_backend()
    callback = callback_url(connection.schema_name)
    stop_at = time.monotonic() + (settings.SMS_JOB_BUDGET if budget is None else budget)
    for index, message_id in enumerate(ids):
        if time.monotonic() > stop_at:
            due.move(DueKind.MESSAGE, ids[index:], clock.now())
            outcomes["deferred"] += len(ids) - index
            break
        try:
            outcomes[process(message_id, backend, callback)] += 1
        except RateLimited as limited:
            outcomes["rate_limited"] += 1
            due.move(DueKind.MESSAGE, ids[index + 1 :], limited.until)
            outcomes["deferred"] += len(ids) - index - 1
            break
    return dict(outcomes)


def process(message_id: int, backend: SmsBackend, callback: str) -> str:
    """Take one message one step further; returns what happened."""
    now = clock.now()
    message = SmsMessage.objects.filter(pk=message_id).first()
    if message is None:
        due.unschedule(DueKind.MESSAGE, [message_id])
        return "gone"
    if message.status in (SmsStatus.SENDING, SmsStatus.UNKNOWN):
        if message.claimed_until and message.claimed_until > now:
            due.move(DueKind.MESSAGE, [message_id], message.claimed_until)
            return "busy"
        outcome = reconcile(message, backend, now)
        if outcome != "not_found":
            return outcome
        message.refresh_from_db()
    if message.status != SmsStatus.QUEUED:
        due.unschedule(DueKind.MESSAGE, [message_id])
        return "done"
    if message.next_attempt_at > now:
        due.schedule(DueKind.MESSAGE, {message_id: message.next_attempt_at})
        return "later"
    if now >= message.expires_at:
        _settle(message, SmsStatus.QUEUED, None, status=SmsStatus.FAILED, error=_too_late())
        return "expired"
    if not _claim(message, now):
        return "busy"
    return _send(message, backend, callback)


def _too_late() -> str:
    return "Besöket hann börja innan sms:et kunde skickas; det skickades inte."


def _settle(
    message: SmsMessage, expected: str, due_at: datetime.datetime | None, **fields: Any
) -> bool:
    """Write an outcome, if the message is still as this worker left it (status and attempt
    number); its due row moves to `due_at`, or goes when the message is finished."""
    with transaction.atomic():
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


def _claim(message: SmsMessage, now: datetime.datetime) -> bool:
    claimed_until = now + _lease()
    won = _settle(
        message,
        SmsStatus.QUEUED,
        claimed_until,
        status=SmsStatus.SENDING,
        attempts=message.attempts + 1,
        attempt_started_at=now,
        claimed_until=claimed_until,
    )
    if won:
        message.status, message.attempts = SmsStatus.SENDING, message.attempts + 1
        message.attempt_started_at, message.claimed_until = now, claimed_until
    return won


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
        return _not_sent(message, exc)
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


def _not_sent(message: SmsMessage, exc: NotSent) -> str:
    now = clock.now()
    delay = exc.retry_after if exc.retry_after is not None else backoff(message.attempts)
    retry_at = now + datetime.timedelta(seconds=delay)
    # A 429 is the gateway's pace, not the message's fault: it does not use up an attempt.
    attempts = F("attempts") - 1 if exc.rate_limited else F("attempts")
    if not exc.rate_limited and message.attempts >= settings.SMS_MAX_ATTEMPTS:
        error = f"Gav upp efter {message.attempts} försök: {exc}"[:300]
        _settle(message, SmsStatus.SENDING, None, status=SmsStatus.FAILED, error=error)
        return "gave_up"
    if retry_at >= message.expires_at:
        _settle(message, SmsStatus.SENDING, None, status=SmsStatus.FAILED, error=_too_late())
        return "expired"
    _settle(
        message,
        SmsStatus.SENDING,
        retry_at,
        status=SmsStatus.QUEUED,
        attempts=attempts,
        next_attempt_at=retry_at,
        claimed_until=None,
        error=str(exc)[:300],
    )
    if exc.rate_limited:
        raise RateLimited(retry_at)
    return "retry"


def _unknown(message: SmsMessage, error: str, expected: str = SmsStatus.SENDING) -> None:
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
    Returns "reconciled", "not_found" (queued again, to be sent now), "unknown" (the list
    could not be read; try later) or "busy"."""
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
        _unknown(message, f"Kunde inte stämma av mot gatewayen: {exc}", SmsStatus.UNKNOWN)
        return "unknown"
    if found is not None:
        _accepted(message, SmsStatus.UNKNOWN, Accepted(found.gateway_id, found.status))
        return "reconciled"
    _settle(
        message,
        SmsStatus.UNKNOWN,
        now,
        status=SmsStatus.QUEUED,
        next_attempt_at=now,
        claimed_until=None,
        error="",
    )
    return "not_found"
