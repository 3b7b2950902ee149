"""`EMBEDDED=1 make run` on its own: embedded PostgreSQL and Redis, demo provider, servers,
healthz 200, and Ctrl-C leaves no process behind."""

import os
import signal
import subprocess

import httpx
import psutil
import pytest

from tests.support import ROOT, free_port, port_in_use, wait_for

pytestmark = pytest.mark.server


def test_embedded_make_run_serves_demo_and_stops_cleanly_on_ctrl_c(tmp_path):
    port = "8000" if not port_in_use(8000) else str(free_port())
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG")
    }
    env.update(
        EMBEDDED="1", DATA_DIR=str(tmp_path / "data"), PORT=port, WORKER_HEARTBEAT_INTERVAL="2"
    )
    log = (tmp_path / "make-run.log").open("wb")
    make = subprocess.Popen(
        ["make", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, like a terminal's foreground job
    )  # fmt: skip
    process_tree: set[int] = set()
    try:

        def healthy():
            process_tree.update(p.pid for p in psutil.Process(make.pid).children(recursive=True))
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/healthz",
                    headers={"Host": f"demo.localhost:{port}"},
                    timeout=5,
                )
            except httpx.HTTPError:
                return None
            return response if response.status_code == 200 else None

        response = wait_for(healthy, timeout=240, interval=1)
        assert response.json()["provider"] == "demo"
        assert response.json()["status"] == "ok"
        output = (tmp_path / "make-run.log").read_text()
        assert f"http://demo.localhost:{port}/" in output
        assert f"http://localhost:{port}/" in output
        process_tree.update(p.pid for p in psutil.Process(make.pid).children(recursive=True))
        assert len(process_tree) >= 4  # runner, embedded servers, ASGI server, worker
    finally:
        os.killpg(make.pid, signal.SIGINT)  # Ctrl-C
        try:
            make.wait(timeout=60)
        finally:
            log.close()

    def all_gone():
        # Embedded servers daemonise out of the tree; they are found by their data directory.
        leftovers = [pid for pid in process_tree if _alive(pid)]
        leftovers += [p.pid for p in psutil.process_iter() if _mentions(p, str(tmp_path))]
        return not leftovers

    wait_for(all_gone, timeout=30, interval=0.5)
    assert not port_in_use(int(port))


def _mentions(process: psutil.Process, text: str) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE and any(
            text in part for part in process.cmdline()
        )
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
