"""The platform's own Redis client, for keys that belong to no provider (worker heartbeat,
routing-cache invalidation). Provider data goes through Django's tenant-keyed cache instead."""

from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=1)
def get_redis() -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=5, health_check_interval=30
    )


def platform_key(name: str) -> str:
    return f"{settings.CACHES['default']['KEY_PREFIX']}:platform:{name}"
