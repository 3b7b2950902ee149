"""A server process keeps its PostgreSQL connections within DB_POOL_MAX_SIZE, whatever the traffic.

Under ASGI every concurrent request runs in a thread of its own. With a persistent connection per
thread one uvicorn process once held 72 connections, and later requests got "too many clients".
"""

import asyncio
import threading
from collections import Counter

import httpx
import psycopg
import pytest

from tenants.models import CareProvider
from tenants.routing import host_cache
from tests.login_support import HttpBrowser, Simulator
from tests.support import LiveServer, current_database_url, personnummer

BOUND = 4
CONCURRENCY = 60  # requests in flight at once (the attack run saw 72 connections)


class ConnectionWatch:
    """Samples, until stopped, how many PostgreSQL connections one process holds: the backend
    names each connection after its process (`application_name`)."""

    def __init__(self, pid: int):
        self.name = f"careplatform pid {pid}"
        self.peak: list[tuple] = []  # the most connections seen at once: (backend pid, state)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _look(self, db: psycopg.Connection) -> None:
        rows = db.execute(
            "SELECT pid, state FROM pg_stat_activity WHERE application_name = %s", [self.name]
        ).fetchall()
        if len(rows) > len(self.peak):
            self.peak = rows

    def _sample(self) -> None:
        with psycopg.connect(current_database_url(), autocommit=True) as db:
            while not self._stop.is_set():
                self._look(db)
                self._stop.wait(0.01)
            self._look(db)

    def __enter__(self) -> "ConnectionWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture
def listing_on(django_db_setup, django_db_blocker):
    """Alfa publishes its clinician listing: a page anyone may load, which reads the database."""
    with django_db_blocker.unblock():
        CareProvider.objects.filter(subdomain="alfa").update(clinician_listing_enabled=True)
        host_cache.publish_invalidation()
        yield
        CareProvider.objects.filter(subdomain="alfa").update(clinician_listing_enabled=False)
        host_cache.publish_invalidation()


def logged_in_session(server: LiveServer, subdomain: str, personnummer: str) -> str:
    browser = HttpBrowser(server, subdomain)
    assert browser.login(personnummer, Simulator(server.port))["state"] == "complete"
    return browser.http.cookies["sessionid"]


Request = tuple[str | None, str, str | None, str]  # subdomain, path, session, expected text


async def fire(server: LiveServer, requests: list[Request]) -> list[tuple[Request, int, str]]:
    """GET every request at once, CONCURRENCY in flight, each on a connection of its own (as
    from many visitors; a kept-alive connection may be closed by the server just as a starved
    client sends on it)."""
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=0)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{server.port}", limits=limits, timeout=60
    ) as client:

        async def get(request: Request) -> tuple[Request, int, str]:
            subdomain, path, session, _ = request
            headers = {"Host": server.host(subdomain)}
            if session:
                headers["Cookie"] = f"sessionid={session}"
            response = await client.get(path, headers=headers)
            return request, response.status_code, response.text

        return await asyncio.gather(*(get(request) for request in requests))


@pytest.mark.server
def test_server_holds_at_most_its_bound_of_connections_under_load(listing_on):
    # 60 requests in flight share 4 connections: on a busy machine a request may wait for one
    # longer than the 5 s a production pool of 10 allows.
    server = LiveServer(DB_POOL_MAX_SIZE=str(BOUND), DB_POOL_TIMEOUT="30")
    try:
        people = [
            ("alfa", personnummer("19800101", "001"), "Alma Admin"),
            ("alfa", personnummer("19850505", "005"), "Klara Kliniker"),
            ("beta", personnummer("19800202", "002"), "Bert Admin"),
        ]
        logged_in: list[Request] = [
            (subdomain, "/oversikt/", logged_in_session(server, subdomain, theirs), name)
            for subdomain, theirs, name in people
        ] * 67
        anonymous: list[Request] = [("alfa", "/vardpersonal/", None, "Vårdpersonal")] * 400
        anonymous += [(None, "/", None, "CarePlatform")] * 100
        # Interleaved, so that both kinds are in flight together.
        requests = [
            r for pair in zip(anonymous, logged_in + [None] * 299, strict=True) for r in pair
        ]
        requests = [request for request in requests if request]
        assert (len(anonymous), len(logged_in)) == (500, 201)

        with ConnectionWatch(server.popen.pid) as watch:
            responses = asyncio.run(fire(server, requests))

        assert 1 <= len(watch.peak) <= BOUND, watch.peak
        assert Counter(status for _, status, _ in responses) == {200: len(requests)}
        for (_, path, _, expected), _, text in responses:
            assert expected in text, path
    finally:
        server.stop()
