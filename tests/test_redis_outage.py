"""Redis hanging (stopped: connections accepted, never answered) or down, under a live server:
/healthz answers 503 naming it while a load balancer still waits, a login start asks the user to
try again in a while, and both work again once Redis answers."""

import httpx
import pytest

from tests.browser import chromium
from tests.faults.servers import RedisServer
from tests.login_support import HttpBrowser
from tests.support import LiveServer, wait_for

pytestmark = pytest.mark.server

# A load balancer's patience: a server that keeps the client waiting longer fails the test.
CLIENT_TIMEOUT = 5


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis")
    yield server
    server.stop()


@pytest.fixture
def server(redis_server, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        live = LiveServer(REDIS_URL=redis_server.url)
    yield live
    live.stop()


def fail(redis_server: RedisServer, how: str) -> None:
    if how == "hanging":
        redis_server.hang()
    else:
        redis_server.stop()


def healthz(server: LiveServer) -> httpx.Response:
    return server.get("alfa", "/healthz", timeout=CLIENT_TIMEOUT)


@pytest.mark.parametrize("how", ["hanging", "down"])
def test_healthz_answers_503_naming_redis_while_the_client_still_waits(server, redis_server, how):
    # No worker runs against this Redis, so its heartbeat is missing from the start.
    assert healthz(server).json()["failed"] == ["worker"]
    fail(redis_server, how)
    response = healthz(server)
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["cache", "channel_layer", "worker"]
    assert body["components"]["database"] == {"status": "ok"}
    if how == "hanging":
        assert body["components"]["cache"]["error"] == "no answer within 1.5 s"


def test_healthz_sees_redis_again_once_it_answers(server, redis_server):
    redis_server.hang()
    assert healthz(server).json()["failed"] == ["cache", "channel_layer", "worker"]
    healthz(server)  # a second probe while the first one's checks may still be waiting
    redis_server.resume()
    wait_for(lambda: healthz(server).json()["failed"] == ["worker"], timeout=15)


@pytest.mark.parametrize("how", ["hanging", "down"])
def test_login_start_asks_to_try_again_in_a_while_when_redis_is_unavailable(
    server, redis_server, how
):
    browser = HttpBrowser(server, "alfa")
    browser.http.timeout = httpx.Timeout(CLIENT_TIMEOUT)
    fail(redis_server, how)
    assert browser.http.get("/login/").status_code == 200
    started = browser.http.post("/login/start/", data={"mode": "qr"}, headers=browser.csrf())
    assert started.status_code == 503
    body = started.json()
    assert body["state"] == "failed"
    assert "Försök igen om en stund." in body["message"]


def test_login_starts_again_once_redis_answers(server, redis_server):
    browser = HttpBrowser(server, "alfa")
    browser.http.timeout = httpx.Timeout(CLIENT_TIMEOUT)
    assert browser.http.get("/login/").status_code == 200
    redis_server.hang()
    started = browser.http.post("/login/start/", data={"mode": "qr"}, headers=browser.csrf())
    assert started.status_code == 503
    redis_server.resume()
    started = browser.http.post("/login/start/", data={"mode": "qr"}, headers=browser.csrf())
    assert started.status_code == 200 and started.json()["state"] == "pending"


def test_login_page_shows_try_again_in_a_while_when_redis_hangs(server, redis_server):
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"http://alfa.localhost:{server.port}/login/")
        redis_server.hang()
        page.get_by_role("button", name="Mobilt BankID på annan enhet").click()
        error = page.locator('[data-role="error"]')
        error.wait_for(state="visible")
        assert error.inner_text() == "Inloggningen fungerar inte just nu. Försök igen om en stund."
        assert page.get_by_role("button", name="Försök igen").is_visible()
