"""SMS, the gateway integration (it knows no tenant app): the gateway interface and its
backends (`gateway`), per-account pauses after a 429 (`pause`), segment counting, the
development outbox and its page, and a fake 46elks for tests. Its public-schema tables also hold
the due index that notifications keeps (tenant_apps/notifications/due.py); rows name their
provider through settings.TENANT_MODEL."""
