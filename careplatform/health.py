"""/healthz on every host: database, Redis (cache and channel layer) and worker heartbeat."""

import uuid

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


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache() -> None:
    key = "healthz"
    token = uuid.uuid4().hex
    cache.set(key, token, 10)
    if cache.get(key) != token:
        raise RuntimeError("cache did not return what was stored")


def _check_channel_layer() -> None:
    layer = get_channel_layer()

    async def roundtrip() -> None:
        channel = await layer.new_channel("healthz.")
        await layer.send(channel, {"type": "healthz.ping"})
        message = await layer.receive(channel)
        if message.get("type") != "healthz.ping":
            raise RuntimeError("channel layer returned another message")

    async_to_sync(roundtrip)()


def _check_worker() -> None:
    beat = last_heartbeat()
    if beat is None:
        raise RuntimeError("no worker heartbeat recorded")
    age = clock.now().timestamp() - beat
    if age > settings.WORKER_HEARTBEAT_MAX_AGE:
        raise RuntimeError(f"last worker heartbeat {age:.0f} s ago")


CHECKS = {
    "database": _check_database,
    "cache": _check_cache,
    "channel_layer": _check_channel_layer,
    "worker": _check_worker,
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    components: dict[str, dict[str, str]] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # each failure is reported by name, never raised
            components[name] = {"status": "fail", "error": str(exc) or type(exc).__name__}
        else:
            components[name] = {"status": "ok"}
    failed = [name for name, result in components.items() if result["status"] != "ok"]
    body = {
        "status": "fail" if failed else "ok",
        "failed": failed,
        "components": components,
        "provider": getattr(getattr(request, "tenant", None), "subdomain", None),
    }
    return JsonResponse(body, status=503 if failed else 200)
