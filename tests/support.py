"""Helpers for tests that need real processes: an ASGI server and a django-q2 worker running
against the test database, plus a few builders."""

import contextlib
import datetime
import itertools
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import psutil
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def luhn_digit(digits: str) -> int:
    total = 0
    for i, char in enumerate(digits):
        value = int(char) * (2 - i % 2)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def personnummer(yyyymmdd: str, serial: str) -> str:
    """A valid 12-digit personnummer for the date and three-digit serial."""
    return f"{yyyymmdd}{serial}{luhn_digit(yyyymmdd[2:] + serial)}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_in_use(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def current_database_url() -> str:
    db = connection.settings_dict
    host = db["HOST"] or "localhost"
    if host.startswith("/"):
        host = quote(host, safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgresql://{db['USER'] or 'postgres'}@{host}{port}/{db['NAME']}"


def subprocess_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": current_database_url(), "PYTHONUNBUFFERED": "1", **extra})
    return env


class Process:
    def __init__(self, args: list[str], env: dict[str, str], log_name: str):
        self.log_path = Path(settings.DATA_DIR) / "test-logs" / log_name
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.args, self.env = args, env
        self._log = self.log_path.open("wb")
        self.popen = self._start()

    def _start(self) -> subprocess.Popen:
        return subprocess.Popen(
            self.args, env=self.env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._log.close()


def image_server_options() -> list[str]:
    """The uvicorn options of the production image (deploy/Dockerfile's CMD) but its address:
    the live server runs as production does, proxy-header handling included."""
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text().replace("\\\n", " ")
    command = next(line for line in dockerfile.splitlines() if line.startswith("CMD "))
    args = json.loads(command.removeprefix("CMD "))
    assert args[:2] == ["uvicorn", "careplatform.asgi:application"], args
    options, rest = [], iter(args[2:])
    for arg in rest:
        if arg in ("--host", "--port"):
            next(rest)
        else:
            options.append(arg)
    return options


class ServerClock:
    """The wall clock of a server process started with `LiveServer(clock=True)`: it runs from
    the real time until the test moves it (tests/served_clock.py); time flows on from there."""

    def __init__(self, path: Path):
        self.path = path
        self.moves = itertools.count(1)

    def move_to(self, moment: datetime.datetime, timeout: float = 10) -> None:
        """The server's clock shows `moment` (and runs on) once this returns."""
        number = str(next(self.moves))
        scratch = self.path.with_name(self.path.name + ".new")
        scratch.write_text(f"{number} {moment.timestamp()}")
        os.replace(scratch, self.path)
        moved = self.path.with_name(self.path.name + ".moved")
        wait_for(lambda: moved.exists() and moved.read_text() == number, timeout=timeout)

    def reset(self) -> None:
        """Back to the real time."""
        self.move_to(datetime.datetime.now(datetime.UTC))


class LiveServer(Process):
    """uvicorn serving careplatform.asgi on 127.0.0.1 against the test database, with the
    production image's options. By default 127.0.0.1 is a trusted proxy: test browsers give
    each test its own client IP through X-Forwarded-For. With `clock`, the test sets the
    server's clock (`server.clock`, a ServerClock)."""

    def __init__(
        self, trusted_proxies: str = "127.0.0.1", *, clock: bool = False, **extra_env: str
    ):
        self.port = free_port()
        python = [sys.executable, "-m"]
        self.clock: ServerClock | None = None
        if clock:
            path = Path(settings.DATA_DIR) / "test-logs" / f"clock-{self.port}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink(missing_ok=True)
            self.clock = ServerClock(path)
            python += ["tests.served_clock", str(path)]
        super().__init__(
            [
                *python, "uvicorn", "careplatform.asgi:application",
                *image_server_options(),
                "--host", "127.0.0.1", "--port", str(self.port),
                "--lifespan", "off", "--log-level", "warning",
            ],
            subprocess_env(
                TRUSTED_PROXIES=trusted_proxies,
                BANKID_URL=f"http://localhost:{self.port}/bankid-simulator/rp/v6.0",
                BANKID_COLLECT_INTERVAL="0.2",
                **extra_env,
            ),
            f"server-{self.port}.log",
        )  # fmt: skip
        self._wait_listening()

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.1)
        raise RuntimeError(f"server did not start:\n{self.log()}")

    def restart(self) -> None:
        """Stopped and started again on the same port, as a deploy does: every WebSocket is cut.
        A server with `clock` keeps the time the test last set."""
        self.stop()
        self._log = self.log_path.open("ab")
        self.popen = self._start()
        self._wait_listening()

    def host(self, subdomain: str | None) -> str:
        name = f"{subdomain}.{settings.BASE_DOMAIN}" if subdomain else settings.BASE_DOMAIN
        return f"{name}:{self.port}"

    def get(self, subdomain: str | None, path: str, **kwargs) -> httpx.Response:
        # Python clients do not resolve *.localhost: connect to 127.0.0.1, send the Host header.
        headers = {"Host": self.host(subdomain), **kwargs.pop("headers", {})}
        return httpx.get(f"http://127.0.0.1:{self.port}{path}", headers=headers, **kwargs)


class Worker(Process):
    """`manage.py run_worker`; `extra_env` e.g. a queue of its own (Q_CLUSTER_NAME)."""

    def __init__(self, **extra_env: str):
        name = f"worker-{os.getpid()}-{next(_worker_numbers)}.log"
        super().__init__(
            [sys.executable, str(ROOT / "manage.py"), "run_worker"],
            subprocess_env(**{"WORKER_LOG_LEVEL": "INFO", **extra_env}),
            name,
        )

    def cluster(self, size: int) -> list[psutil.Process]:
        """Its processes (django-q2 sentinel, workers, monitor, pusher), once `size` are up."""
        parent = psutil.Process(self.popen.pid)
        return wait_for(
            lambda: len(found := parent.children(recursive=True)) >= size and found, timeout=60
        )


_worker_numbers = itertools.count()


def alive(pid: int) -> bool:
    """The process runs (a zombie waiting for its parent to read its exit status does not)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
