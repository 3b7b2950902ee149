"""`make run` on its own, in a fresh copy of the checkout: embedded PostgreSQL and Redis (or the
ones it finds), demo provider, servers, healthz 200, a crashed server or worker started again,
Ctrl-C leaves no process behind; and the commands README prints run as printed in a second
terminal with nothing but the `.env` that `make run` wrote."""

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import dj_database_url
import httpx
import psutil
import psycopg
import pytest
import redis
from dotenv import dotenv_values

from careplatform.devserver import Supervised
from tests.support import ROOT, alive, free_port, port_in_use, wait_for

pytestmark = pytest.mark.server

# A new terminal: none of the settings `make test` runs with.
TERMINAL = {
    k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if k in os.environ
}
# `make run` with the default key prefix.
HEARTBEAT = "cp:platform:worker-heartbeat"
NOT_COPIED = (".git", ".venv", ".data", ".cache", ".env", "__pycache__", "*_cache", "*.egg-info")


def fresh_checkout() -> Path:
    """This checkout's files without servers' data, caches or a `.env`, sharing its `.venv`
    (what a developer has after cloning and `make install`). Not under pytest's base
    directory, which every pytest session (of other checkouts too) closes to its owner again:
    as root, the embedded PostgreSQL runs as a user of its own that must reach its data. And a
    short path: the PostgreSQL socket lives under it (at most 107 bytes)."""
    checkout = Path(tempfile.mkdtemp(prefix="cp-checkout-"))
    shutil.copytree(
        ROOT,
        checkout,
        ignore=shutil.ignore_patterns(*NOT_COPIED),
        symlinks=True,
        dirs_exist_ok=True,
    )
    (checkout / ".venv").symlink_to(ROOT / ".venv")
    return checkout


class MakeRun:
    """A running `make run` in its own process group, with its output in a file."""

    def __init__(self, tmp_path, **extra_env: str):
        self.checkout = fresh_checkout()
        self.data_dir = self.checkout / ".data"
        self.port = "8000" if not port_in_use(8000) else str(free_port())
        env = {**TERMINAL, "PORT": self.port, **extra_env}
        self.log_path = tmp_path / "make-run.log"
        self._log = self.log_path.open("wb")
        self.make = subprocess.Popen(
            # The shared .venv is installed already: never reinstalled from the copy.
            ["make", "-o", ".venv/.installed", "run"], cwd=self.checkout, env=env,
            stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, like a terminal's foreground job
        )  # fmt: skip
        self.process_tree: set[int] = set()

    def terminal(self, command: str, **env: str) -> subprocess.CompletedProcess[str]:
        """`command` typed in a second terminal of the checkout."""
        return subprocess.run(
            shlex.split(command), cwd=self.checkout, env={**TERMINAL, **env},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    def http(self, host: str, path: str, **headers: str) -> httpx.Response:
        return httpx.get(
            f"http://127.0.0.1:{self.port}{path}",
            headers={"Host": f"{host}:{self.port}", **headers},
            timeout=10,
        )

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
        leftovers += [p.pid for p in psutil.process_iter() if _mentions(p, str(self.checkout))]
        return not leftovers


@contextlib.contextmanager
def make_run(tmp_path, **extra_env: str):
    run = MakeRun(tmp_path, **extra_env)
    try:
        try:
            yield run
        finally:
            run.ctrl_c()
        wait_for(run.all_gone, timeout=30, interval=0.5)
        assert not port_in_use(int(run.port))
    finally:
        shutil.rmtree(run.checkout, ignore_errors=True)


def readme_commands() -> tuple[list[str], str]:
    """The commands README prints for a second terminal, and the line provisioning prints."""
    section = README.split("### Commands in a second terminal", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\.venv/bin/python manage\.py .+$", section, re.MULTILINE)
    printed = re.findall(r"^Skapade .+$", section, re.MULTILINE)
    assert [c.split()[2] for c in commands] == [
        "provision_tenant",
        "create_staff_user",
        "issue_api_token",
    ]
    assert len(printed) == 1
    return commands, printed[0]


README = (ROOT / "README.md").read_text()


def run_readme_commands(run: MakeRun) -> None:
    """Each command as README prints it, in a terminal that has nothing but the checkout."""
    (provision, staff, token), printed = readme_commands()

    result = run.terminal(provision)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == printed.replace(":8000/", f":{run.port}/")
    subdomain = re.search(r"--subdomain (\S+)", provision)[1]
    # The running server knows the new provider at once (routing over the same Redis).
    healthz = run.http(f"{subdomain}.localhost", "/healthz")
    assert healthz.status_code == 200 and healthz.json()["provider"] == subdomain

    result = run.terminal(staff)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Skapade operator Ulla Operatör (19640823-3234)")

    result = run.terminal(token)
    assert result.returncode == 0, result.stderr
    key = result.stdout.strip()
    assert "\n" not in key and len(key) >= 20
    me = run.http("demo.localhost", "/api/v1/me/", Authorization=f"Token {key}")
    assert me.status_code == 200 and me.json()["first_name"] == "Karin"

    # Environment variables win over .env: a database that is not there, said in one line.
    closed = f"postgresql://postgres@127.0.0.1:{free_port()}/careplatform"
    result = run.terminal(token, DATABASE_URL=closed)
    assert result.returncode == 1
    assert result.stderr.startswith("Databasen gick inte att nå: ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_embedded_make_run_serves_demo_and_stops_cleanly_on_ctrl_c(tmp_path):
    with make_run(tmp_path, EMBEDDED="1", WORKER_HEARTBEAT_INTERVAL="2") as run:
        response = wait_for(run.healthz, timeout=240, interval=1)
        assert response.json()["provider"] == "demo"
        assert response.json()["status"] == "ok"
        output = run.output()
        assert f"http://demo.localhost:{run.port}/" in output
        assert f"http://localhost:{run.port}/" in output
        assert "Kommandon i en annan terminal: .venv/bin/python manage.py" in output
        run.children()
        assert len(run.process_tree) >= 4  # runner, embedded servers, ASGI server, worker

        written = dotenv_values(run.checkout / ".env")
        assert written["DATABASE_URL"].startswith("postgresql://postgres@%2F")  # its socket
        assert written["REDIS_URL"] == f"unix://{run.data_dir.resolve()}/redis.sock"
        run_readme_commands(run)


@pytest.fixture
def database_of_its_own():
    """A database for a `make run` on the PostgreSQL the tests use, dropped afterwards."""
    url = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = f"{url['NAME']}_makerun"
    server = {"host": url["HOST"] or None, "port": url["PORT"] or None, "user": url["USER"]}

    def drop() -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    yield os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"
    drop()


def test_commands_in_a_second_terminal_use_the_servers_make_run_found(
    tmp_path, database_of_its_own
):
    prefix = f"makerun-{uuid.uuid4().hex[:8]}"
    namespaces = {
        "CACHE_KEY_PREFIX": prefix,
        "CHANNEL_PREFIX": f"{prefix}-asgi",
        "Q_CLUSTER_NAME": prefix,
    }
    try:
        with make_run(tmp_path, DATABASE_URL=database_of_its_own, **namespaces) as run:
            wait_for(run.healthz, timeout=240, interval=1)

            env_file = run.checkout / ".env"
            assert env_file.stat().st_mode & 0o777 == 0o600  # it holds the secret key
            written = dotenv_values(env_file)
            assert written["DATABASE_URL"] == database_of_its_own
            assert written["REDIS_URL"] == "redis://127.0.0.1:6379/0"  # found on its port
            assert written["DEBUG"] == "1" and written["SITE_PORT"] == run.port
            assert len(written["SECRET_KEY"]) >= 50
            assert {name: written[name] for name in namespaces} == namespaces
            run_readme_commands(run)
    finally:
        shared = redis.Redis()
        for pattern in (f"{prefix}*", f"django_q:{prefix}*"):
            for key in shared.scan_iter(pattern):
                shared.delete(key)


def test_make_run_starts_a_crashed_server_or_worker_again(tmp_path):
    with make_run(tmp_path, EMBEDDED="1", WORKER_HEARTBEAT_INTERVAL="1") as run:
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
