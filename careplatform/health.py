"""/healthz on every host: database, Redis (cache and channel layer) and worker heartbeat.

A load balancer gives up on a slow answer, so the checks run side by side and the answer comes
within TIMEOUT seconds whatever hangs: a check without a result by then fails with "no answer".
A check still running for an earlier request is waited for, not started again, so a hanging
server never ties up more than one thread per check.
"""

import asyncio
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from careplatform import clock
from careplatform.redis import get_redis, platform_key

HEARTBEAT_KEY = "worker-heartbeat"


def record_heartbeat() -> float:
    """Runs in a worker: proves the queue is being consumed."""
    stamp = clock.now().timestamp()
    get_redis().set(platform_key(HEARTBEAT_KEY), str(stamp))
    return stamp


def last_heartbeat() -> float | None:
    value = get_redis().get(platform_key(HEARTBEAT_KEY))
    return float(value) if value else None


TIMEOUT = 1.5  # seconds for all checks together


class NoAnswer(Exception):
    def __init__(self) -> None:
        super().__init__(f"no answer within {TIMEOUT} s")


def _check_database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()  # this thread's connection goes back to the pool


def _check_cache() -> None:
    key = "healthz"
    token = uuid.uuid4().hex
    cache.set(key, token, 10)
    if cache.get(key) != token:
        raise RuntimeError("cache did not return what was stored")


def _check_channel_layer(seconds: float) -> None:
    layer = get_channel_layer()

    async def roundtrip() -> None:
        channel = await layer.new_channel("healthz.")
        await layer.send(channel, {"type": "healthz.ping"})
        message = await layer.receive(channel)
        if message.get("type") != "healthz.ping":
            raise RuntimeError("channel layer returned another message")

    async def bounded() -> None:
        try:
            await asyncio.wait_for(roundtrip(), max(seconds, 0))
        except TimeoutError:
            raise NoAnswer() from None

    async_to_sync(bounded)()


def _check_worker() -> None:
    beat = last_heartbeat()
    if beat is None:
        raise RuntimeError("no worker heartbeat recorded")
    age = clock.now().timestamp() - beat
    if age > settings.WORKER_HEARTBEAT_MAX_AGE:
        raise RuntimeError(f"last worker heartbeat {age:.0f} s ago")


# Checks run in threads of their own; the channel layer's runs on the request's event loop.
THREADED: dict[str, Callable[[], None]] = {
    "database": _check_database,
    "cache": _check_cache,
    "worker": _check_worker,
}
COMPONENTS = ("database", "cache", "channel_layer", "worker")

_executor = ThreadPoolExecutor(max_workers=len(THREADED), thread_name_prefix="healthz")
_running: dict[str, Future[None]] = {}
_running_lock = threading.Lock()


def _started(name: str) -> Future[None]:
    """The running check of this name, or a new one."""
    with _running_lock:
        future = _running.get(name)
        if future is None or future.done():
            future = _running[name] = _executor.submit(THREADED[name])
        return future


def _outcome(wait: Callable[[], None]) -> dict[str, str]:
    try:
        wait()
    except FutureTimeout:
        return {"status": "fail", "error": str(NoAnswer())}
    except Exception as exc:  # each failure is reported by name, never raised
        return {"status": "fail", "error": str(exc) or type(exc).__name__}
    return {"status": "ok"}


def run_checks() -> dict[str, dict[str, str]]:
    deadline = time.monotonic() + TIMEOUT
    futures = {name: _started(name) for name in THREADED}
    results = {"channel_layer": _outcome(lambda: _check_channel_layer(deadline - time.monotonic()))}
    for name, future in futures.items():
        results[name] = _outcome(partial(future.result, max(deadline - time.monotonic(), 0)))
    return {name: results[name] for name in COMPONENTS}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    components = run_checks()
    failed = [name for name, result in components.items() if result["status"] != "ok"]
    body = {
        "status": "fail" if failed else "ok",
        "failed": failed,
        "components": components,
        "provider": getattr(getattr(request, "tenant", None), "subdomain", None),
    }
    return JsonResponse(body, status=503 if failed else 200)
