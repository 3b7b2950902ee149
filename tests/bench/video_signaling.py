"""Bench worker (own process, real settings): video signaling at scale on one ASGI worker.

`--rooms` group visits (Boka nu: open at once) spread over `--providers` providers, each with
its clinician and three patients, all logged in (sessions in their provider's schema). One
uvicorn process serves /ws/visits/<booking>/ with the Redis pub/sub channel layer, as in
production. This process opens one WebSocket per person (1,000 by default) the way the room page
does: same-origin, session cookie, a heartbeat every few seconds. Once all are in, every page
sends an ICE candidate to another page of its room every `--interval` seconds for `--hold`
seconds; the relay latency is the time from sending until the other page has it (both pages
live in this process, so one clock). Counts the connections admitted and still open at the end.
Writes JSON to --output.

    python -m tests.bench.video_signaling --providers 10 --rooms 250 --output out.json
"""

import argparse
import asyncio
import contextlib
import gc
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import django
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parents[2]
PATIENTS_PER_ROOM = 3
CONNECT_CONCURRENCY = 25
HEARTBEAT_SECONDS = 4  # as the room page (consumers.HEARTBEAT_SECONDS)
CANDIDATE = "candidate:bench {}"


@dataclass
class Person:
    subdomain: str
    booking_id: int
    session: str


@dataclass
class Page:
    person: Person
    peer: str
    room_peers: list[str] = field(default_factory=list)
    ws: object = None
    welcomed: float | None = None
    closed: int | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- data -----------------------------------------------------------------------------------
def bench_personnummer(first_year: int, index: int) -> str:
    """The index-th of a series of valid personnummer (800 serials a year)."""
    from tests.support import personnummer

    return personnummer(f"{first_year + index // 800}0101", f"{100 + index % 800:03d}")


def fill(provider, rooms: int) -> list[Person]:
    """`rooms` Boka nu group visits of this provider, each clinician with three patients who
    have consented; a logged-in session for each of them."""
    from django_tenants.utils import schema_context

    from tenant_apps.accounts.models import User
    from tenant_apps.accounts.services import current_consent_version, give_consent
    from tenant_apps.bookings import services as bookings
    from tests.video.live import book_video, session_for

    people = []
    with schema_context(provider.schema_name):
        consent = current_consent_version()
        for number in range(rooms):
            clinician = User.objects.create_user(
                bench_personnummer(1950, number),
                f"Klinik{number}",
                "Bench",
                mobile="0701234500",
                is_clinician=True,
            )
            patients = [
                bookings.PatientSpec(
                    bench_personnummer(1970, number * PATIENTS_PER_ROOM + n), f"Patient{n}",
                    "Bench", "0701234501",
                )
                for n in range(PATIENTS_PER_ROOM)
            ]  # fmt: skip
            booking = book_video(provider, clinician, patients)
            for participant in booking.participants.select_related("user"):
                user = participant.user
                if participant.role == "patient":
                    give_consent(user, consent, "127.0.0.1")
                session = session_for(provider, user)
                people.append(Person(provider.subdomain, booking.pk, session))
            people.append(Person(provider.subdomain, booking.pk, session_for(provider, clinician)))
    return people


def setup(provider_count: int, rooms: int) -> list[Person]:
    from tests.bench.sms_reminders import providers

    present = providers(provider_count)
    per_provider = rooms // provider_count
    people = []
    for index, provider in enumerate(present):
        people += fill(provider, per_provider)
        print(f"    {index + 1}/{provider_count} providers: {per_provider} rooms each", flush=True)
    return people


# -- the server -----------------------------------------------------------------------------
def start_server(port: int) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        # A channel-layer prefix of its own: nothing else on this Redis hears the bench.
        CHANNEL_PREFIX=f"cpbench-{os.getpid()}",
        LOG_LEVEL="WARNING",
    )
    server = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "careplatform.asgi:application",
            "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
            "--ws", "websockets", "--lifespan", "off", "--log-level", "warning",
        ],
        env=env,
        cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the ASGI server exited at start")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
            return server
        time.sleep(0.1)
    raise SystemExit("the ASGI server did not start")


def server_figures(pid: int) -> dict:
    status = Path(f"/proc/{pid}/status").read_text()
    rss_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return {"rss_mb": rss_kb / 1024, "cpu_seconds": cpu}


# -- the pages ------------------------------------------------------------------------------
class Bench:
    def __init__(self, port: int, people: list[Person]):
        from tests.video.live import new_peer_id

        self.port = port
        self.pages = [Page(person, new_peer_id()) for person in people]
        rooms: dict[tuple[str, int], list[Page]] = {}
        for page in self.pages:
            rooms.setdefault((page.person.subdomain, page.person.booking_id), []).append(page)
        for members in rooms.values():
            for page in members:
                page.room_peers = [other.peer for other in members if other is not page]
        self.sent: dict[int, float] = {}
        self.latencies: list[float] = []
        self.refused: list[str] = []
        self.next_id = 0
        self.tasks: list[asyncio.Task] = []
        self.measuring = False

    async def open(self, page: Page, gate: asyncio.Semaphore) -> None:
        from websockets.asyncio.client import connect

        host = f"{page.person.subdomain}.localhost:{self.port}"
        async with gate:
            started = time.perf_counter()
            page.ws = await connect(
                f"ws://{host}/ws/visits/{page.person.booking_id}/?peer={page.peer}",
                host="127.0.0.1",  # Python does not resolve *.localhost: the Host header does
                port=self.port,
                additional_headers={
                    "Origin": f"http://{host}",
                    "Cookie": f"sessionid={page.person.session}",
                },
                open_timeout=60,
                ping_interval=None,
                max_size=None,
            )
            first = json.loads(await page.ws.recv())
            if first["type"] != "welcome":
                self.refused.append(first.get("reason", first["type"]))
                await page.ws.close()
                return
            page.welcomed = time.perf_counter() - started
        # From now on the page is in the room: it listens and keeps its heartbeat.
        self.tasks.append(asyncio.create_task(self.listen(page)))
        self.tasks.append(asyncio.create_task(self.heartbeat(page)))

    async def listen(self, page: Page) -> None:
        try:
            async for raw in page.ws:
                message = json.loads(raw)
                if message["type"] == "signal" and "candidate" in message["data"]:
                    number = int(message["data"]["candidate"]["candidate"].rsplit(" ", 1)[1])
                    sent = self.sent.pop(number, None)
                    if sent is not None and self.measuring:
                        self.latencies.append(time.perf_counter() - sent)
        except Exception:
            pass
        page.closed = page.ws.close_code or 1006

    async def heartbeat(self, page: Page) -> None:
        await asyncio.sleep(random.uniform(0, HEARTBEAT_SECONDS))
        with contextlib.suppress(ConnectionClosed):
            while page.closed is None:
                await page.ws.send('{"type": "ping"}')
                await asyncio.sleep(HEARTBEAT_SECONDS)

    async def talk(self, page: Page, interval: float, until: float) -> None:
        await asyncio.sleep(random.uniform(0, interval))
        while time.monotonic() < until and page.closed is None:
            self.next_id += 1
            number = self.next_id
            message = {
                "type": "signal",
                "to": random.choice(page.room_peers),
                "data": {
                    "candidate": {
                        "candidate": CANDIDATE.format(number),
                        "sdpMid": "0",
                        "sdpMLineIndex": 0,
                    }
                },
            }
            self.sent[number] = time.perf_counter()
            try:
                await page.ws.send(json.dumps(message))
            except ConnectionClosed:
                return
            await asyncio.sleep(interval * random.uniform(0.5, 1.5))  # pages do not march in step

    async def run(self, hold: float, interval: float, warmup: float) -> dict:
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
        started = time.perf_counter()
        results = await asyncio.gather(
            *(self.open(page, gate) for page in self.pages), return_exceptions=True
        )
        connect_seconds = time.perf_counter() - started
        errors = [repr(r) for r in results if isinstance(r, BaseException)]
        admitted = [page for page in self.pages if page.welcomed is not None]
        print(
            f"    {len(admitted)}/{len(self.pages)} pages in the rooms after "
            f"{connect_seconds:.1f} s ({len(errors)} errors, {len(self.refused)} refused)",
            flush=True,
        )
        # These pages stand for 1,000 browsers: this process's own garbage collection pauses
        # are not the server's latency.
        gc.collect()
        gc.freeze()
        gc.disable()
        until = time.monotonic() + warmup + hold
        talkers = [asyncio.create_task(self.talk(page, interval, until)) for page in admitted]
        await asyncio.sleep(warmup)
        self.measuring = True
        measured_from = time.perf_counter()
        await asyncio.gather(*talkers, return_exceptions=True)
        await asyncio.sleep(1)  # the last relays arrive
        self.measuring = False
        measured = time.perf_counter() - measured_from
        held = sum(1 for page in admitted if page.closed is None)
        for page in admitted:
            with contextlib.suppress(Exception):
                await page.ws.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        latencies = sorted(self.latencies)
        welcome = sorted(page.welcomed for page in admitted)
        return {
            "pages": len(self.pages),
            "admitted": len(admitted),
            "held": held,
            "errors": errors[:5],
            "refused": self.refused[:5],
            "connect_seconds": connect_seconds,
            "concurrency": CONNECT_CONCURRENCY,
            "welcome_median_ms": statistics.median(welcome) * 1000 if welcome else None,
            "relays": len(latencies),
            "relay_rate": len(latencies) / measured,
            "lost": len(self.sent),
            "median_ms": statistics.median(latencies) * 1000 if latencies else None,
            "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000 if latencies else None,
            "max_ms": latencies[-1] * 1000 if latencies else None,
        }


def run(args: argparse.Namespace) -> dict:
    people = setup(args.providers, args.rooms)
    port = free_port()
    server = start_server(port)
    try:
        print(f"    opening {len(people)} WebSockets to one uvicorn worker", flush=True)
        bench = Bench(port, people)
        results = asyncio.run(bench.run(args.hold, args.interval, args.warmup))
        results.update(server_figures(server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)
    results.update(providers=args.providers, rooms=args.rooms, interval=args.interval)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--providers", type=int, default=10)
    parser.add_argument("--rooms", type=int, default=250)
    parser.add_argument("--hold", type=float, default=30, help="seconds of relaying, measured")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of relaying first")
    parser.add_argument("--interval", type=float, default=2, help="seconds between a page's sends")
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    django.setup()
    results = run(args)
    print(f"    {json.dumps(results)}", flush=True)
    with open(args.output, "w") as output:
        json.dump(results, output)


if __name__ == "__main__":
    main()
