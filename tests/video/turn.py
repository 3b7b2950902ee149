"""coturn (Debian's `turnserver`) on loopback for a test: TURN REST credentials
(use-auth-secret), and allow-loopback-peers, which only a local test may use."""

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support import free_port, port_in_use

CONFIG = """\
listening-ip=127.0.0.1
relay-ip=127.0.0.1
listening-port={port}
min-port={min_port}
max-port={max_port}
use-auth-secret
static-auth-secret={secret}
realm=careplatform.test
userdb={folder}/turndb
pidfile={folder}/turnserver.pid
no-tls
no-dtls
no-cli
no-multicast-peers
fingerprint
allow-loopback-peers
verbose
simple-log
log-file=stdout
"""


def available() -> bool:
    return shutil.which("turnserver") is not None


class Coturn:
    def __init__(self, secret: str, port: int | None = None):
        self.port = port or free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="coturn-"))
        relay_ports = free_port()  # a random, probably quiet range
        config = CONFIG.format(
            port=self.port,
            min_port=relay_ports,
            max_port=min(relay_ports + 40, 65535),
            secret=secret,
            folder=self.folder,
        )
        (self.folder / "turnserver.conf").write_text(config)
        self.log_path = self.folder / "turnserver.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            ["turnserver", "-c", str(self.folder / "turnserver.conf")],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while not port_in_use(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"coturn did not start:\n{self.log()}")
            time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"turn:127.0.0.1:{self.port}?transport=udp"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        shutil.rmtree(self.folder, ignore_errors=True)
