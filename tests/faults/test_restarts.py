"""Redis and PostgreSQL restarted underneath a running ASGI server and worker: pages, login,
WebSockets, the worker heartbeat and SMS come back by themselves, without restarting the app;
no SMS is lost and none is sent twice."""

import json
import socket
from collections import Counter

import pytest
from django.db import connections
from websockets.sync.client import connect

from tests.faults.helpers import ADMIN_PERSONNUMMER, SUBDOMAIN, Made, Platform
from tests.login_support import HttpBrowser, Simulator
from tests.support import wait_for

pytestmark = [pytest.mark.server, pytest.mark.faults]

REMINDER = "Påminnelse"


def healthz(platform: Platform):
    return platform.server.get(SUBDOMAIN, "/healthz", timeout=30)


def healthy(platform: Platform) -> bool:
    return healthz(platform).status_code == 200


def logged_in(platform: Platform) -> HttpBrowser:
    browser = HttpBrowser(platform.server, SUBDOMAIN)
    assert browser.login(ADMIN_PERSONNUMMER, Simulator(platform.server.port))["state"] == "complete"
    return browser


def websocket_answers(platform: Platform) -> bool:
    server = platform.server
    host = server.host(SUBDOMAIN)
    sock = socket.create_connection(("127.0.0.1", server.port))
    with connect(
        f"ws://{host}/ws/healthz/",
        sock=sock,
        additional_headers={"Origin": f"http://{host}"},
        open_timeout=10,
    ) as ws:
        return json.loads(ws.recv(timeout=10)) == {"status": "ok", "provider": SUBDOMAIN}


def texts_to(platform: Platform, made: Made) -> list[str]:
    return [m["message"] for m in platform.elks.accepted if m["to"] == made.mobile]


def invited_and_reminded(platform: Platform, made: Made) -> bool:
    return len(texts_to(platform, made)) >= 2


def assert_each_sent_once(platform: Platform, made: list[Made]) -> None:
    """Every booking's patient got the invitation and the reminder, once each; the gateway
    was asked for nothing else."""
    for one in made:
        texts = texts_to(platform, one)
        assert len(texts) == 2, texts
        assert sum(text.startswith(REMINDER) for text in texts) == 1, texts
    counts = Counter(m["to"] for m in platform.elks.accepted)
    assert all(count == 2 for count in counts.values()), counts
    assert len(platform.elks.posts) == len(platform.elks.accepted)


def test_redis_restart_under_a_running_server_and_worker(platform):
    wait_for(lambda: healthy(platform), timeout=60, interval=0.5)
    browser = logged_in(platform)
    before = platform.book()
    wait_for(lambda: invited_and_reminded(platform, before), timeout=30)

    platform.redis.stop()
    body = healthz(platform).json()
    assert "cache" in body["failed"] and "worker" in body["failed"]
    # Made while Redis is away (the jobs of the past ten minutes are lost with it).
    during = platform.book()
    # An outage the worker cannot miss: the Redis client's own retries gave up twice (django-q2
    # waits 10 s before it tries again).
    wait_for(
        lambda: platform.worker.log().count("Failed to pull task from broker") >= 2, timeout=40
    )
    platform.redis.start()

    # The heartbeat was lost with Redis' data: 200 means the worker beats again.
    wait_for(lambda: healthy(platform), timeout=45, interval=0.5)
    assert browser.http.get("/oversikt/").status_code == 200  # the session lives on
    assert logged_in(platform).http.get("/oversikt/").status_code == 200
    assert websocket_answers(platform)
    after = platform.book()
    wait_for(
        lambda: invited_and_reminded(platform, during) and invited_and_reminded(platform, after),
        timeout=45,
    )
    assert_each_sent_once(platform, [before, during, after])
    log = platform.worker.log()
    assert log.count("Periodic jobs cannot be queued") == 1  # once per outage, not per tick
    assert "Periodic jobs queued again" in log


def test_postgres_restart_under_a_running_server_and_worker(platform):
    wait_for(lambda: healthy(platform), timeout=60, interval=0.5)
    browser = logged_in(platform)
    assert browser.http.get("/oversikt/").status_code == 200
    failed_sweeps = platform.worker.log().count("Failed 'tenant_apps.notifications.sweep")
    # Made just before the outage: its messages may be on their way when the database goes.
    racing = platform.book()

    platform.postgres.stop()
    assert "database" in healthz(platform).json()["failed"]
    # Not a defect but an outage: 503 with a time to come back, in words and in JSON.
    page = browser.http.get("/oversikt/")
    assert (page.status_code, page.headers["Retry-After"]) == (503, "5")
    assert "Tjänsten är tillfälligt otillgänglig." in page.text
    api = browser.http.get("/api/v1/me/", headers={"Accept": "application/json"})
    assert (api.status_code, api.json()["code"]) == (503, "unavailable")
    wait_for(
        lambda: (
            platform.worker.log().count("Failed 'tenant_apps.notifications.sweep") > failed_sweeps
        ),
        timeout=30,
    )
    platform.postgres.start()
    connections.close_all()  # the test process's own connection was cut too

    wait_for(lambda: healthy(platform), timeout=45, interval=0.5)
    assert browser.http.get("/oversikt/").status_code == 200
    assert logged_in(platform).http.get("/oversikt/").status_code == 200
    assert websocket_answers(platform)
    after = platform.book()
    wait_for(
        lambda: invited_and_reminded(platform, racing) and invited_and_reminded(platform, after),
        timeout=45,
    )
    assert_each_sent_once(platform, [racing, after])
