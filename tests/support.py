"""Helpers for tests that need real processes: an ASGI server and a django-q2 worker running
against the test database, plus a few builders."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx
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
        self._log = self.log_path.open("wb")
        self.popen = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT
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


class LiveServer(Process):
    """uvicorn serving careplatform.asgi on 127.0.0.1 against the test database; `env` adds or
    overrides environment variables (e.g. another REDIS_URL)."""

    def __init__(self, **env: str):
        self.port = free_port()
        super().__init__(
            [
                sys.executable, "-m", "uvicorn", "careplatform.asgi:application",
                "--host", "127.0.0.1", "--port", str(self.port),
                "--ws", "websockets", "--lifespan", "off", "--log-level", "warning",
            ],
            subprocess_env(
                # Test browsers give each test its own client IP through X-Forwarded-For.
                TRUSTED_PROXIES="127.0.0.1",
                BANKID_URL=f"http://localhost:{self.port}/bankid-simulator/rp/v6.0",
                BANKID_COLLECT_INTERVAL="0.2",
                **env,
            ),
            f"server-{self.port}.log",
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.1)
        raise RuntimeError(f"server did not start:\n{self.log()}")

    def host(self, subdomain: str | None) -> str:
        name = f"{subdomain}.{settings.BASE_DOMAIN}" if subdomain else settings.BASE_DOMAIN
        return f"{name}:{self.port}"

    def get(self, subdomain: str | None, path: str, **kwargs) -> httpx.Response:
        # Python clients do not resolve *.localhost: connect to 127.0.0.1, send the Host header.
        headers = {"Host": self.host(subdomain), **kwargs.pop("headers", {})}
        return httpx.get(f"http://127.0.0.1:{self.port}{path}", headers=headers, **kwargs)


class PrivateRedis:
    """A redis-server of the test's own on a free port (no persistence), to hang or kill."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.popen = subprocess.Popen(
            [
                "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no",
            ],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: port_in_use(self.port), timeout=10)

    def hang(self) -> None:
        """Stopped, not gone: connections are accepted and never answered."""
        self.popen.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.popen.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.resume()
            self.popen.kill()
            self.popen.wait()


class Worker(Process):
    def __init__(self):
        super().__init__(
            [sys.executable, str(ROOT / "manage.py"), "run_worker"],
            subprocess_env(WORKER_LOG_LEVEL="INFO"),
            f"worker-{os.getpid()}.log",
        )


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
