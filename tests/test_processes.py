"""Behaviour across real processes: an ASGI server (HTTP + WebSocket) and a django-q2 worker
running against the test database."""

import json
import os
import socket
import uuid

import pytest
import time_machine
from django.db import connection
from django_q.models import Task
from django_tenants.utils import schema_context
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from careplatform import clock
from careplatform.health import HEARTBEAT_KEY, record_heartbeat
from careplatform.redis import get_redis, platform_key
from tenants.models import ProviderStatus
from tenants.provisioning import set_provider_status
from tenants.tasks import enqueue_for_provider
from tests.jobs import read_report
from tests.support import Worker, alive, wait_for

pytestmark = pytest.mark.server


def ws_connect(server, subdomain: str | None, origin_subdomain: str | None = "same"):
    host = server.host(subdomain)
    headers = {}
    if origin_subdomain is not None:
        origin_host = host if origin_subdomain == "same" else server.host(origin_subdomain)
        headers["Origin"] = f"http://{origin_host}"
    sock = socket.create_connection(("127.0.0.1", server.port))
    return connect(
        f"ws://{host}/ws/healthz/", sock=sock, additional_headers=headers, open_timeout=10
    )


def ws_refusal(server, subdomain, **kwargs) -> tuple[int, dict]:
    with pytest.raises(InvalidStatus) as excinfo, ws_connect(server, subdomain, **kwargs):
        pass
    response = excinfo.value.response
    return response.status_code, json.loads(response.body)


@pytest.fixture
def gamma(committed):
    return committed.provider("gamma", name="Gammakliniken")


def test_websocket_on_a_provider_host_resolves_that_provider(live_server_process, gamma):
    with ws_connect(live_server_process, "gamma") as ws:
        assert json.loads(ws.recv(timeout=5)) == {"status": "ok", "provider": "gamma"}


def test_websocket_on_unknown_host_is_refused(live_server_process, db):
    status, body = ws_refusal(live_server_process, "okand")
    assert (status, body["code"]) == (404, "unknown_provider")


def test_websocket_from_another_providers_page_is_refused(live_server_process, gamma, alfa):
    status, body = ws_refusal(live_server_process, "gamma", origin_subdomain="alfa")
    assert (status, body["code"]) == (403, "foreign_origin")


def test_websocket_without_origin_is_refused(live_server_process, gamma):
    status, body = ws_refusal(live_server_process, "gamma", origin_subdomain=None)
    assert (status, body["code"]) == (403, "foreign_origin")


def test_suspension_takes_effect_at_once_in_the_server_process(live_server_process, gamma):
    server = live_server_process
    assert server.get("gamma", "/").status_code == 200  # now cached in the server process
    with ws_connect(server, "gamma") as ws:
        assert json.loads(ws.recv(timeout=5))["provider"] == "gamma"

    set_provider_status(gamma, ProviderStatus.SUSPENDED)

    page = server.get("gamma", "/")
    assert page.status_code == 403
    assert "Plattformen är avstängd" in page.text
    api = server.get("gamma", "/api/v1/provider/")
    assert (api.status_code, api.json()["code"]) == (403, "provider_suspended")
    status, body = ws_refusal(server, "gamma")
    assert (status, body["code"]) == (403, "provider_suspended")

    set_provider_status(gamma, ProviderStatus.ACTIVE)
    assert server.get("gamma", "/").status_code == 200


def test_unknown_host_over_http_is_a_404_page(live_server_process, db):
    response = live_server_process.get("okand", "/")
    assert response.status_code == 404
    assert "Det finns ingen vårdgivare" in response.text


def test_background_job_runs_in_its_providers_schema(
    worker_process, alfa, beta, django_capture_on_commit_callbacks
):
    token = uuid.uuid4().hex
    for cast in (alfa, beta):
        with (
            schema_context(cast.provider.schema_name),
            django_capture_on_commit_callbacks(execute=True),
        ):
            enqueue_for_provider("tests.jobs.report_users", f"{token}-{cast.provider.subdomain}")

    on_alfa = wait_for(lambda: read_report(f"{token}-alfa"))
    on_beta = wait_for(lambda: read_report(f"{token}-beta"))
    assert on_alfa["schema"] == alfa.provider.schema_name
    assert "Klara Kliniker" in on_alfa["names"]
    assert on_beta["schema"] == beta.provider.schema_name
    assert on_beta["names"] == ["Bert Admin", "Olle Utomstående"]


def test_job_waits_for_commit(alfa, django_capture_on_commit_callbacks):
    with schema_context(alfa.provider.schema_name):
        with django_capture_on_commit_callbacks() as callbacks:
            enqueue_for_provider("tests.jobs.report_users", "never")
        assert len(callbacks) == 1  # waiting for commit, not sent yet


def test_enqueue_outside_a_provider_is_refused(db):
    with pytest.raises(RuntimeError, match="provider schema"):
        enqueue_for_provider("tests.jobs.report_users", "public")


def test_job_for_suspended_provider_is_dropped(worker_process, gamma):
    token = uuid.uuid4().hex

    def finished(suffix):
        for task in Task.objects.filter(func="tenants.tasks.run_in_provider"):
            if task.args and task.args[2:] == (f"{token}-{suffix}",):
                return task
        return None

    set_provider_status(gamma, ProviderStatus.SUSPENDED)
    with schema_context(gamma.schema_name):
        enqueue_for_provider("tests.jobs.report_users", f"{token}-suspended")
    connection.set_schema_to_public()
    dropped = wait_for(lambda: finished("suspended"))
    assert dropped.success and dropped.result is None
    assert read_report(f"{token}-suspended") is None

    # The same job runs once the provider is active again.
    set_provider_status(gamma, ProviderStatus.ACTIVE)
    with schema_context(gamma.schema_name):
        enqueue_for_provider("tests.jobs.report_users", f"{token}-active")
    connection.set_schema_to_public()
    assert wait_for(lambda: read_report(f"{token}-active"))["schema"] == gamma.schema_name


def test_healthz_is_ok_with_a_fresh_worker_heartbeat(live_server_process, worker_process, gamma):
    wait_for(lambda: live_server_process.get("gamma", "/healthz").status_code == 200, timeout=30)
    body = live_server_process.get("gamma", "/healthz").json()
    assert body["status"] == "ok"
    assert body["provider"] == "gamma"
    assert set(body["components"]) == {"database", "cache", "channel_layer", "worker"}
    public = live_server_process.get(None, "/healthz")
    assert public.status_code == 200


def test_healthz_answers_503_naming_the_worker_when_heartbeat_is_stale(client, alfa):
    record_heartbeat()
    assert client.get("/healthz", HTTP_HOST=alfa.host).status_code == 200
    with time_machine.travel(clock.now().timestamp() + 61, tick=False):
        response = client.get("/healthz", HTTP_HOST=alfa.host)
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["worker"]
    assert "heartbeat" in body["components"]["worker"]["error"]


def test_healthz_answers_503_when_no_heartbeat_was_ever_seen(client, alfa):
    get_redis().delete(platform_key(HEARTBEAT_KEY))
    response = client.get("/healthz", HTTP_HOST=alfa.host)
    assert response.status_code == 503
    assert response.json()["failed"] == ["worker"]


def own_queue() -> str:
    return f"{os.environ.get('Q_CLUSTER_NAME', 'cptest')}-{uuid.uuid4().hex[:8]}"


# The cluster: django-q2's sentinel, Q_WORKERS worker processes, its monitor and its pusher.
CLUSTER_SIZE = 5


def test_killing_the_worker_takes_its_whole_cluster_along(django_db_setup):
    worker = Worker(Q_CLUSTER_NAME=own_queue(), Q_WORKERS="2")
    try:
        cluster = worker.cluster(CLUSTER_SIZE)
        worker.popen.kill()  # SIGKILL: no clean-up code of the worker runs
        worker.popen.wait()
        wait_for(lambda: not any(alive(p.pid) for p in cluster), timeout=15)
    finally:
        worker.stop()


def test_worker_whose_cluster_died_exits_non_zero_and_leaves_nothing_behind(django_db_setup):
    worker = Worker(Q_CLUSTER_NAME=own_queue(), Q_WORKERS="2")
    try:
        cluster = worker.cluster(CLUSTER_SIZE)
        [sentinel] = [p for p in cluster if p.ppid() == worker.popen.pid]
        sentinel.kill()
        assert worker.popen.wait(timeout=60) != 0  # a supervisor starts a new one
        wait_for(lambda: not any(alive(p.pid) for p in cluster), timeout=15)
        assert "the worker cluster stopped" in worker.log()
    finally:
        worker.stop()
