"""The platform's own Redis client, for keys that belong to no provider (worker heartbeat,
routing-cache invalidation). Provider data goes through Django's tenant-keyed cache instead."""

from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=1)
def get_redis() -> redis.Redis:
    # The timeout bounds each command; a subscriber's wait for messages is not a command.
    return redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=settings.REDIS_TIMEOUT,
        socket_timeout=settings.REDIS_TIMEOUT,
        health_check_interval=30,
    )


def platform_key(name: str) -> str:
    return f"{settings.CACHES['default']['KEY_PREFIX']}:platform:{name}"
