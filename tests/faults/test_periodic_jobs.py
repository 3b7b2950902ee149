"""The worker's periodic loop against a private Redis that goes away and comes back, with the
loop's clock given by the test: it pauses longer after each failed attempt (1, 2, 4 … 10 s),
logs the outage once and resumes by itself."""

import logging

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tenant_apps.notifications.management.commands.run_worker import PeriodicJobs
from tests.faults.servers import RedisServer

pytestmark = pytest.mark.faults


@pytest.fixture
def broker(tmp_path):
    server = RedisServer(tmp_path / "redis")
    # No retries inside the client: each attempt of the loop is one attempt.
    client = redis.Redis(port=server.port, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))
    yield server, client
    client.close()
    server.close()


def test_periodic_jobs_pause_longer_while_redis_is_away_and_resume_when_it_is_back(broker, caplog):
    server, client = broker
    jobs = PeriodicJobs([("heartbeat", 1.0)], enqueue=lambda task: client.rpush("jobs", task))
    caplog.set_level(logging.INFO, logger=PeriodicJobs.__module__)
    jobs.tick(0.0)
    assert client.lrange("jobs", 0, -1) == [b"heartbeat"]

    server.stop()
    attempts = []
    for now in [float(second) for second in range(1, 60)]:
        before = jobs.failures
        jobs.tick(now)
        if jobs.failures > before:
            attempts.append(now)
    assert attempts == [1, 2, 4, 8, 16, 26, 36, 46, 56]  # then every 10 s
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "cannot be queued" in errors[0].getMessage()

    server.start()
    jobs.tick(66.0)
    assert client.lrange("jobs", 0, -1) == [b"heartbeat"]  # a new Redis, queued again
    assert "Periodic jobs queued again after 65 s" in caplog.text
    jobs.tick(66.5)  # back to its interval
    jobs.tick(67.0)
    assert client.llen("jobs") == 2
