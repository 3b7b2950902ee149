"""`EMBEDDED=1 make run` on its own: embedded PostgreSQL and Redis, demo provider, servers,
healthz 200, a crashed server or worker started again, and Ctrl-C leaves no process behind."""

import contextlib
import os
import signal
import subprocess
import sys

import httpx
import psutil
import pytest
import redis

from careplatform.devserver import Supervised
from tests.support import ROOT, alive, free_port, port_in_use, wait_for

pytestmark = pytest.mark.server

# `make run` keeps the key prefix of the environment it was started from.
HEARTBEAT = f"{os.environ.get('CACHE_KEY_PREFIX', 'cp')}:platform:worker-heartbeat"


class MakeRun:
    """A running `make run` in its own process group, with its output in a file."""

    def __init__(self, tmp_path, **extra_env: str):
        self.tmp_path = tmp_path
        self.data_dir = tmp_path / "data"
        self.port = "8000" if not port_in_use(8000) else str(free_port())
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG")
        }
        env.update(EMBEDDED="1", DATA_DIR=str(self.data_dir), PORT=self.port, **extra_env)
        self.log_path = tmp_path / "make-run.log"
        self._log = self.log_path.open("wb")
        self.make = subprocess.Popen(
            ["make", "run"], cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, like a terminal's foreground job
        )  # fmt: skip
        self.process_tree: set[int] = set()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def children(self) -> list[psutil.Process]:
        children = psutil.Process(self.make.pid).children(recursive=True)
        self.process_tree.update(p.pid for p in children)
        return children

    def program(self, marker: str) -> psutil.Process | None:
        """The server (`uvicorn`) or worker (`run_worker`) started by the runner."""
        runner = next(p for p in self.children() if "careplatform.devserver" in _cmdline(p))
        for child in runner.children():
            if any(marker in part for part in _cmdline(child)) and alive(child.pid):
                return child
        return None

    def healthz(self) -> httpx.Response | None:
        self.children()
        try:
            response = httpx.get(
                f"http://127.0.0.1:{self.port}/healthz",
                headers={"Host": f"demo.localhost:{self.port}"},
                timeout=5,
            )
        except httpx.HTTPError:
            return None
        return response if response.status_code == 200 else None

    def ctrl_c(self) -> None:
        os.killpg(self.make.pid, signal.SIGINT)
        try:
            self.make.wait(timeout=60)
        finally:
            self._log.close()

    def all_gone(self) -> bool:
        # Embedded servers daemonise out of the tree; they are found by their data directory.
        leftovers = [pid for pid in self.process_tree if alive(pid)]
        leftovers += [p.pid for p in psutil.process_iter() if _mentions(p, str(self.tmp_path))]
        return not leftovers


@contextlib.contextmanager
def make_run(tmp_path, **extra_env: str):
    run = MakeRun(tmp_path, **extra_env)
    try:
        yield run
    finally:
        run.ctrl_c()
    wait_for(run.all_gone, timeout=30, interval=0.5)
    assert not port_in_use(int(run.port))


def test_embedded_make_run_serves_demo_and_stops_cleanly_on_ctrl_c(tmp_path):
    with make_run(tmp_path, WORKER_HEARTBEAT_INTERVAL="2") as run:
        response = wait_for(run.healthz, timeout=240, interval=1)
        assert response.json()["provider"] == "demo"
        assert response.json()["status"] == "ok"
        output = run.output()
        assert f"http://demo.localhost:{run.port}/" in output
        assert f"http://localhost:{run.port}/" in output
        run.children()
        assert len(run.process_tree) >= 4  # runner, embedded servers, ASGI server, worker


def test_make_run_starts_a_crashed_server_or_worker_again(tmp_path):
    with make_run(tmp_path, WORKER_HEARTBEAT_INTERVAL="1") as run:
        wait_for(run.healthz, timeout=240, interval=1)

        server = run.program("uvicorn")
        server.kill()
        wait_for(lambda: run.program("uvicorn") not in (None, server), timeout=30)
        assert wait_for(run.healthz, timeout=60, interval=0.5).json()["status"] == "ok"
        assert (
            "Webbservern (uvicorn) avslutades oväntat (signal SIGKILL); startar om om 1 s."
            in run.output()
        )
        # Crashing again soon after: a longer pause, and back again.
        server = run.program("uvicorn")
        server.kill()
        wait_for(lambda: run.program("uvicorn") not in (None, server), timeout=30)
        assert wait_for(run.healthz, timeout=60, interval=0.5).json()["status"] == "ok"
        assert "(signal SIGKILL); startar om om 2 s." in run.output()

        worker = run.program("run_worker")
        cluster = worker.children(recursive=True)
        assert cluster  # the django-q2 sentinel, its workers, monitor and pusher
        worker.kill()
        # The old cluster dies with its worker: never two clusters at once.
        wait_for(lambda: not any(alive(p.pid) for p in cluster), timeout=15)
        new_worker = wait_for(lambda: run.program("run_worker"), timeout=30)
        assert new_worker.pid != worker.pid
        # The new worker's own heartbeat is what /healthz sees. (This client stays connected
        # until the end, like a developer's redis-cli: Ctrl-C stops the embedded Redis anyway.)
        heartbeat = redis.Redis(unix_socket_path=str(run.data_dir / "redis.sock"))
        wait_for(
            lambda: float(heartbeat.get(HEARTBEAT) or 0) > new_worker.create_time(),
            timeout=60,
            interval=0.5,
        )
        assert wait_for(run.healthz, timeout=30, interval=0.5).json()["status"] == "ok"
        assert "Bakgrundsjobben (run_worker) avslutades oväntat (signal SIGKILL)" in run.output()


def test_restart_pause_doubles_up_to_30_s_and_is_forgotten_after_a_minute_of_running(capsys):
    program = Supervised("testprogrammet", [sys.executable, "-c", "import sys; sys.exit(3)"], {})

    def crash_at(now: float) -> float:
        program.start(now)
        program.popen.wait()
        program.check(now + 0.5)  # seen dead
        pause = program.restart_at - (now + 0.5)
        program.check(now + 0.5 + pause - 0.1)  # not yet
        assert program.popen is None
        return pause

    pauses = [crash_at(now) for now in (1000, 1002, 1005, 1010, 1020, 1040, 1080)]
    assert pauses == [1, 2, 4, 8, 16, 30, 30]
    # A run of a minute or more: the next crash waits 1 s again.
    program.start(2000)
    program.popen.wait()
    program.check(2060)
    assert program.restart_at == 2061
    assert (
        "Testprogrammet avslutades oväntat (kod 3); startar om om 1 s." in capsys.readouterr().err
    )
    program.check(2061)  # the pause is over: started again
    assert program.popen is not None
    program.popen.wait()


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []


def _mentions(process: psutil.Process, text: str) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE and any(
            text in part for part in process.cmdline()
        )
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False
