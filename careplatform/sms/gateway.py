"""The SMS gateway interface: what a backend must do, and how it tells the caller what happened.

A backend hands one message to the gateway and answers in one of four ways, because "never lost,
never twice" depends on the difference:

- `Accepted`: the gateway took it (its id is kept for delivery reports).
- `NotSent`: the gateway certainly did not take it (connection refused, 5xx, 429): try again,
  with backoff; after a 429 the whole account waits `retry_after` seconds when the gateway
  said so.
- `Rejected`: the gateway refused it for good (other 4xx): never retried.
- `Ambiguous`: it may have been taken (timeout after sending, unreadable answer): look it up
  in the gateway's message list (`sent_to`) before any resend.

The backend is chosen by `SMS_BACKEND`: `outbox` (stored in the public schema, shown on the
public host's outbox page), `console` (written to the log) or `elks46` (46elks over HTTP).
"""

import datetime
import threading
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class OutgoingSms:
    sender: str
    to: str  # E.164
    text: str
    callback_url: str = ""  # where the gateway posts delivery reports
    provider_schema: str = ""  # whose message it is (the outbox shows it)


@dataclass(frozen=True)
class Accepted:
    gateway_id: str
    status: str = "created"  # the gateway's word: created, sent, delivered or failed
    parts: int | None = None


@dataclass(frozen=True)
class GatewayRecord:
    """One outgoing message in the gateway's own list (for reconciliation)."""

    gateway_id: str
    sender: str
    to: str
    text: str
    created: datetime.datetime  # aware, UTC
    status: str


class GatewayError(Exception):
    """The gateway did not (knowingly) accept the message."""


class NotSent(GatewayError):
    def __init__(self, message: str, retry_after: float | None = None, rate_limited: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.rate_limited = rate_limited


class Rejected(GatewayError):
    pass


class Ambiguous(GatewayError):
    pass


class SmsBackend(Protocol):
    name: str
    # Who the gateway counts requests against (a 429 pauses the whole account).
    account: str

    def send(self, sms: OutgoingSms) -> Accepted: ...

    def sent_to(self, to: str, since: datetime.datetime) -> list[GatewayRecord]:
        """Outgoing messages to `to` that the gateway created at or after `since`. Raises
        NotSent when the list cannot be read now."""
        ...


BACKENDS = {
    "outbox": "careplatform.sms.backends.outbox.OutboxBackend",
    "console": "careplatform.sms.backends.console.ConsoleBackend",
    "elks46": "careplatform.sms.backends.elks46.Elks46Backend",
}

_lock = threading.Lock()
_backends: dict[tuple, SmsBackend] = {}


def get_backend() -> SmsBackend:
    """The configured backend, one per process and configuration (it may hold a connection
    pool); tests that change the settings get a fresh one."""
    key = (
        settings.SMS_BACKEND,
        settings.ELKS46_API_URL,
        settings.ELKS46_USERNAME,
        settings.ELKS46_PASSWORD,
        settings.SMS_HTTP_TIMEOUT,
    )
    with _lock:
        backend = _backends.get(key)
        if backend is None:
            if settings.SMS_BACKEND not in BACKENDS:
                choices = ", ".join(BACKENDS)
                raise ImproperlyConfigured(f"SMS_BACKEND must be one of {choices}")
            backend = import_string(BACKENDS[settings.SMS_BACKEND])()
            _backends[key] = backend
        return backend
