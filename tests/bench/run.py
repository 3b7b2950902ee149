"""`make bench`: provisioning, request routing, no-op migrations, the booking list API, SMS
reminders, video signaling and the operators' console (usage job, providers list) at scale on a
throwaway database.

Creates `<db>_bench` (the platform with N providers) and `<db>_bench_plain` (plain Django for
comparison) next to the DATABASE_URL database, measures, prints a table and drops both again.
Each measurement runs in its own process with its own settings; nothing here asserts timings.

    python -m tests.bench.run [--providers 100] [--clones 20] [--migrations 10] [--profile]
    python -m tests.bench.run --only console [--console-providers 1000]
"""

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import psycopg

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/careplatform"
TENANT_SETTINGS = "tests.bench.tenant_settings"
PLAIN_SETTINGS = "tests.bench.plain_settings"

# From ../shared/notes/django-tenants.md (25 tenant models, PostgreSQL 15, 2 cores).
STOCK = {
    "clone": "~0.55 s",
    "migrate": "~0.9 s",
    "ratio": "0.34–0.40x",
    "migrate_schemas": "50: 6.2 s, 200: 39 s",
    "migrate_schemas_mp": "50: 4.4 s, 200: 18 s",
}

_started = time.monotonic()


def progress(message: str) -> None:
    print(f"[{time.monotonic() - _started:6.1f} s] {message}", flush=True)


# -- databases ------------------------------------------------------------------------------
def with_database(url: str, name: str) -> str:
    """The same server and credentials as `url`, another database."""
    return urlsplit(url)._replace(path=f"/{name}").geturl()


def database_name(url: str) -> str:
    return dj_database_url.parse(url)["NAME"]


@contextlib.contextmanager
def maintenance_connection(url: str):
    config = dj_database_url.parse(url)
    params = {
        "host": config.get("HOST"),
        "port": config.get("PORT"),
        "user": config.get("USER"),
        "password": config.get("PASSWORD"),
    }
    params = {key: value for key, value in params.items() if value}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        yield conn


def drop_database(url: str) -> None:
    with maintenance_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')


def recreate_database(url: str) -> None:
    drop_database(url)
    with maintenance_connection(url) as conn:
        conn.execute(f'CREATE DATABASE "{database_name(url)}"')


def server_version(url: str) -> str:
    with maintenance_connection(url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


# -- child processes ------------------------------------------------------------------------
def child_env(database_url: str, settings_module: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("SECRET_KEY", "bench-secret-key")
    env.setdefault("BASE_DOMAIN", "localhost")
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE=settings_module,
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        # Own cache keys and routing-invalidation channel: a dev server on the same Redis is
        # neither disturbed nor disturbing.
        CACHE_KEY_PREFIX="cpbench",
    )
    return env


def manage(env: dict[str, str], *args: str) -> float:
    """Run manage.py quietly; returns its wall time. Shows its output only if it fails."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.stdout.write(done.stdout)
        sys.stderr.write(done.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed ({done.returncode})")
    return elapsed


def worker(env: dict[str, str], module: str, *args: str) -> dict:
    """Run a bench worker module (progress goes to the terminal); returns its JSON output."""
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "result.json"
        subprocess.run(
            [sys.executable, "-m", module, *args, "--output", str(output)],
            env=env,
            cwd=ROOT,
            check=True,
        )
        return json.loads(output.read_text())


class ThroughputWorker:
    """A warmed-up tests.bench.throughput process, driven one round at a time."""

    def __init__(self, side: str, env: dict[str, str], *args: str):
        self.side = side
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.throughput", f"--side={side}", *args],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.info = self._reply()

    def _reply(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the {self.side} throughput worker failed ({self.process.wait()})")
        return json.loads(line)

    def round(self, requests: int) -> dict:
        """One timed round: {"rate": requests per second, "cpu_ms": CPU ms per request}."""
        self.process.stdin.write(f"round {requests}\n")
        self.process.stdin.flush()
        return self._reply()

    def finish(self) -> dict:
        self.process.stdin.close()
        final = self._reply()
        self.process.wait()
        return {**self.info, **final}

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def wait_for_autovacuum(url: str, seconds: float = 60) -> None:
    """Provisioning churns the catalogs; let autovacuum finish before timing requests."""
    deadline = time.monotonic() + seconds
    with maintenance_connection(url) as conn:
        while time.monotonic() < deadline:
            busy = conn.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE backend_type = 'autovacuum worker' AND datname = %s",
                [database_name(url)],
            ).fetchone()[0]
            if not busy:
                return
            time.sleep(0.5)


# -- the table ------------------------------------------------------------------------------
def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def rows(args: argparse.Namespace, results: dict) -> list[tuple[str, str, str, str]]:
    if args.only == "requests":
        return request_rows(args, results)
    if args.only == "console":
        return console_rows(results["console"])
    clone = statistics.median(results["provision"]["clone"])
    migrate = statistics.median(results["provision"]["migrate"])
    schemas = f"{args.providers} providers + template"
    return [
        (
            f"provision by clone (median of {args.clones})",
            f"{clone:.2f} s",
            f"< 0.5 s: {verdict(clone < 0.5)}",
            STOCK["clone"],
        ),
        (
            f"provision by migration (median of {args.migrations})",
            f"{migrate:.2f} s",
            "",
            STOCK["migrate"],
        ),
        *request_rows(args, results),
        (
            f"no-op migrate_schemas, standard ({schemas})",
            f"{results['migrate_schemas']['standard']:.1f} s",
            "",
            STOCK["migrate_schemas"],
        ),
        (
            "no-op migrate_schemas, --executor multiprocessing",
            f"{results['migrate_schemas']['multiprocessing']:.1f} s",
            "",
            STOCK["migrate_schemas_mp"],
        ),
        *booking_api_rows(results["booking_api"]),
        *sms_rows(results["sms"]),
        *video_rows(results["video"]),
        *console_rows(results["console"]),
    ]


def console_rows(console: dict) -> list[tuple[str, str, str, str]]:
    """The usage job over every provider, and /konsol/ over the usage table."""
    job, providers = console["job"], console["providers"]
    bound = 1 + 5 * -(-providers // job["batch"])
    cases = console["list"]
    queries = {case["queries"] for case in cases.values()}
    return [
        (
            f"usage job over {providers:,} providers: first run of a day / again",
            f"{job['first_s']:.1f} s / {job['again_s']:.1f} s",
            "",
            "",
        ),
        (
            "usage job: SQL statements (today / a past day)",
            f"{job['statements']} / {job['past_statements']}",
            f"1 + 5 x batches of {job['batch']} = {bound}: {verdict(job['statements'] <= bound)}",
            "",
        ),
        *(
            (
                f"providers list /konsol/, {providers:,} providers, "
                f"{console['usage_rows']:,} usage rows: {label}",
                f"median {case['median_ms']:.1f} ms, p95 {case['p95_ms']:.1f} ms",
                "",
                "",
            )
            for label, case in cases.items()
        ),
        (
            "providers list: SQL queries per request",
            "/".join(str(case["queries"]) for case in cases.values()),
            f"constant: {verdict(len(queries) == 1)}",
            "",
        ),
    ]


def video_rows(video: dict) -> list[tuple[str, str, str, str]]:
    """Room pages on one ASGI worker (Redis pub/sub layer), relaying ICE candidates."""
    held = video["held"]
    p99 = video["p99_ms"]
    return [
        (
            f"video signaling: WebSockets in {video['rooms']} group rooms at "
            f"{video['providers']} providers, one ASGI worker",
            f"{held} of {video['pages']} held",
            f"1,000 held: {verdict(held >= 1000)}",
            "",
        ),
        (
            f"signaling relay latency, {video['relay_rate']:.0f} messages/s, "
            f"{video['relays']} relayed, {video['lost']} lost",
            f"median {video['median_ms']:.1f} ms, p99 {p99:.1f} ms",
            f"p99 < 50 ms: {verdict(p99 < 50 and video['lost'] == 0)}",
            "",
        ),
        (
            f"video signaling: {video['pages']} pages joining, {video['concurrency']} at a time",
            f"{video['connect_seconds']:.1f} s, welcome median {video['welcome_median_ms']:.0f} ms",
            "",
            "",
        ),
        (
            "video signaling: the ASGI worker's memory / CPU time for the run",
            f"{video['rss_mb']:.0f} MB / {video['cpu_seconds']:.0f} s",
            "",
            "",
        ),
    ]


def sms_rows(sms: dict) -> list[tuple[str, str, str, str]]:
    """Reminders all due in the same minute, handed to the fake 46elks by one run_worker."""
    complete = sms["handed_over"] == sms["bookings"] and sms["duplicates"] == 0
    seconds = sms["seconds_to_all"]
    in_time = complete and seconds is not None and seconds < 60
    return [
        (
            f"SMS reminders: {sms['bookings']} due in one minute at {sms['providers']} providers",
            f"all in {seconds:.1f} s" if seconds is not None else "not all",
            f"all, none twice, < 60 s: {verdict(in_time)}",
            "",
        ),
        (
            "SMS reminders handed to the gateway / twice",
            f"{sms['handed_over']} / {sms['duplicates']}",
            "",
            "",
        ),
        (
            "SMS due index: one sweep's look-up (5,000 of the rows, all providers)",
            f"{sms['lookup_ms']:.0f} ms",
            "",
            "",
        ),
    ]


def booking_api_rows(api: dict) -> list[tuple[str, str, str, str]]:
    """GET /api/v1/bookings/ with api["bookings"] bookings: first page, page 100, filtered."""
    cases = list(api["cases"].values())
    queries = {case["queries"] for case in cases}
    worst_p95 = max(case["p95_ms"] for case in cases)
    return [
        (
            f"booking list API, {api['bookings']} bookings: {label}",
            f"median {case['median_ms']:.1f} ms, p95 {case['p95_ms']:.1f} ms",
            f"p95 < 50 ms: {verdict(case['p95_ms'] < 50)}",
            "",
        )
        for label, case in zip(("page 1", "page 100", "filtered"), cases, strict=True)
    ] + [
        (
            "booking list API: SQL queries per request",
            "/".join(str(case["queries"]) for case in cases),
            f"constant: {verdict(len(queries) == 1)}; worst p95 {worst_p95:.0f} ms",
            "",
        )
    ]


def rounded(rates: list[float]) -> str:
    return ", ".join(f"{rate:.0f}" for rate in rates)


def print_table(header: tuple[str, ...], body: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        return "| " + " | ".join(cells) + " |"

    print(line(header))
    print("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    for row in body:
        print(line(row))


def print_report(args: argparse.Namespace, results: dict) -> None:
    if args.only == "console":
        print()
        print_table(("measure", "value", "target", "stock (notes)"), rows(args, results))
        print(f"\nPostgreSQL {results['server_version']}, {os.cpu_count()} CPUs.")
        return
    fill = results["provision"]["fill"]
    tenant, plain = results["requests"]["tenant"], results["requests"]["plain"]
    median_ratio = statistics.median(tenant["rates"]) / statistics.median(plain["rates"])
    print()
    print_table(("measure", "value", "target", "stock (notes)"), rows(args, results))
    print()
    print(
        f"Filling {args.providers} providers by clone: median {statistics.median(fill):.2f} s, "
        f"max {max(fill):.2f} s, total {sum(fill):.0f} s."
    )
    print(
        f"Requests: best of {args.rounds} alternating rounds of {args.requests} per side, after "
        f"{args.warmup} warm-up (ratio of medians {median_ratio:.2f}x). Tenant rounds "
        f"{rounded(tenant['rates'])} req/s, plain rounds {rounded(plain['rates'])} req/s."
    )
    tenant_cpu, plain_cpu = min(tenant["cpu_ms"]), min(plain["cpu_ms"])
    print(
        f"CPU time per request in the serving process (least of the rounds): tenant "
        f"{tenant_cpu:.3f} ms, plain {plain_cpu:.3f} ms "
        f"(plain/tenant {plain_cpu / tenant_cpu:.2f}x)."
    )
    pool = tenant.get("pool")
    connections = f"a pool of at most {pool['max_size']}" if pool else "no pool"
    print(
        f"Statements sent to PostgreSQL per request: tenant {tenant['statements']:.1f}, "
        f"plain {plain['statements']:.1f}. Routing cache active: {tenant['routing_cache']}. "
        f"Connections: {connections}, CONN_MAX_AGE {tenant['conn_max_age']} s."
    )
    print(
        f"PostgreSQL {results['server_version']}, {os.cpu_count()} CPUs, Python "
        f"{sys.version.split()[0]}. Stock figures: ../shared/notes/django-tenants.md "
        "(25 tenant models, 2 cores)."
    )


# -- the run --------------------------------------------------------------------------------
def measure_requests(args: argparse.Namespace, tenant_env: dict, plain_env: dict) -> dict:
    """Tenant and plain rounds alternate, so both sides meet the same background load."""
    worker_args = [f"--hosts={args.providers}", f"--warmup={args.warmup}"]
    worker_args += ["--profile"] if args.profile else []
    progress(f"Throughput: starting and warming up both sides ({args.warmup} requests each)")
    workers = []
    try:
        for side, env in (("tenant", tenant_env), ("plain", plain_env)):
            workers.append(ThroughputWorker(side, env, *worker_args))
        rates: dict[str, list[float]] = {worker.side: [] for worker in workers}
        cpu: dict[str, list[float]] = {worker.side: [] for worker in workers}
        for number in range(1, args.rounds + 1):
            for worker in workers:
                measured = worker.round(args.requests)
                rates[worker.side].append(measured["rate"])
                cpu[worker.side].append(measured["cpu_ms"])
            progress(
                f"    round {number}/{args.rounds}: tenant {rates['tenant'][-1]:.0f} req/s, "
                f"plain {rates['plain'][-1]:.0f} req/s"
            )
        return {
            worker.side: {
                **worker.finish(),
                "rates": rates[worker.side],
                "cpu_ms": cpu[worker.side],
            }
            for worker in workers
        }
    finally:
        for worker in workers:
            worker.kill()


def measure_routing_only(args: argparse.Namespace, tenant_url: str, plain_url: str) -> dict:
    """`--only requests`: the providers, then the tenant/plain rounds and nothing else."""
    tenant_env = child_env(tenant_url, TENANT_SETTINGS)
    plain_env = child_env(plain_url, PLAIN_SETTINGS)
    results: dict = {"server_version": server_version(tenant_url)}
    progress("manage.py setup_platform (public schema, template)")
    manage(tenant_env, "setup_platform", "--verbosity", "0")
    progress(f"Provisioning {args.providers} providers")
    results["provision"] = worker(
        tenant_env,
        "tests.bench.provision",
        f"--providers={args.providers}",
        "--clones=0",
        "--migrations=0",
    )
    progress("Plain Django: migrate its own database")
    manage(plain_env, "migrate", "--noinput", "-v", "0")
    progress("Waiting for autovacuum on the bench database to finish")
    wait_for_autovacuum(tenant_url)
    results["requests"] = measure_requests(args, tenant_env, plain_env)
    return results


def request_rows(args: argparse.Namespace, results: dict) -> list[tuple[str, str, str, str]]:
    tenant = max(results["requests"]["tenant"]["rates"])
    plain = max(results["requests"]["plain"]["rates"])
    ratio = tenant / plain
    return [
        (
            f"one-query view, {args.providers} provider hosts (best of {args.rounds})",
            f"{tenant:.0f} req/s",
            "",
            "",
        ),
        (f"same view, plain Django (best of {args.rounds})", f"{plain:.0f} req/s", "", ""),
        (
            "throughput tenant/plain",
            f"{ratio:.2f}x",
            f">= 0.8x: {verdict(ratio >= 0.8)}",
            STOCK["ratio"],
        ),
    ]


def measure(args: argparse.Namespace, tenant_url: str, plain_url: str) -> dict:
    tenant_env = child_env(tenant_url, TENANT_SETTINGS)
    plain_env = child_env(plain_url, PLAIN_SETTINGS)
    results: dict = {"server_version": server_version(tenant_url)}

    progress("manage.py setup_platform (public schema, template)")
    manage(tenant_env, "setup_platform", "--verbosity", "0")

    progress(
        f"Provisioning {args.providers} providers, then timing {args.clones} clones and "
        f"{args.migrations} migrations (each deleted again)"
    )
    results["provision"] = worker(
        tenant_env,
        "tests.bench.provision",
        f"--providers={args.providers}",
        f"--clones={args.clones}",
        f"--migrations={args.migrations}",
    )

    results["migrate_schemas"] = {}
    for executor in ("standard", "multiprocessing"):
        progress(f"No-op manage.py migrate_schemas --executor {executor}")
        elapsed = manage(
            tenant_env, "migrate_schemas", "--noinput", "-v", "0", "--executor", executor
        )
        results["migrate_schemas"][executor] = elapsed
        progress(f"    {elapsed:.1f} s")

    progress(f"Booking list API with {args.bookings} bookings in one provider (in-process)")
    results["booking_api"] = worker(
        tenant_env, "tests.bench.booking_api", f"--bookings={args.bookings}"
    )

    progress("Plain Django: migrate its own database")
    manage(plain_env, "migrate", "--noinput", "-v", "0")

    progress("Waiting for autovacuum on the bench database to finish")
    wait_for_autovacuum(tenant_url)
    results["requests"] = measure_requests(args, tenant_env, plain_env)

    progress(
        f"SMS reminders: {args.sms_bookings} due at once over {args.sms_providers} providers "
        "(providers added as needed), one run_worker, fake 46elks"
    )
    results["sms"] = worker(
        tenant_env,
        "tests.bench.sms_reminders",
        f"--providers={args.sms_providers}",
        f"--bookings={args.sms_bookings}",
    )

    progress(
        f"Video signaling: {args.video_rooms} group rooms x 4 pages over {args.video_providers} "
        f"providers on one uvicorn worker, relaying for {args.video_hold:.0f} s"
    )
    results["video"] = worker(
        tenant_env,
        "tests.bench.video_signaling",
        f"--providers={args.video_providers}",
        f"--rooms={args.video_rooms}",
        f"--hold={args.video_hold}",
    )

    results["console"] = measure_console(args, tenant_url)
    return results


def measure_console(args: argparse.Namespace, tenant_url: str) -> dict:
    tenant_env = child_env(tenant_url, TENANT_SETTINGS)
    progress(
        f"Console: usage job and /konsol/ at {args.console_providers} providers (added as "
        f"needed), {args.console_days} days of usage each"
    )
    return worker(
        tenant_env,
        "tests.bench.console",
        f"--providers={args.console_providers}",
        f"--days={args.console_days}",
    )


def measure_console_only(args: argparse.Namespace, tenant_url: str) -> dict:
    """`--only console`: the platform, the providers, the usage job and the list."""
    results: dict = {"server_version": server_version(tenant_url)}
    progress("manage.py setup_platform (public schema, template)")
    manage(child_env(tenant_url, TENANT_SETTINGS), "setup_platform", "--verbosity", "0")
    results["console"] = measure_console(args, tenant_url)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--providers", type=int, default=100)
    parser.add_argument("--clones", type=int, default=20)
    parser.add_argument("--migrations", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--requests", type=int, default=2000, help="per side and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile both request sides")
    parser.add_argument(
        "--only",
        choices=["requests", "console"],
        help="only the routing throughput (tenant vs plain), or only the console",
    )
    parser.add_argument("--bookings", type=int, default=10_000, help="for the booking list API")
    parser.add_argument("--sms-providers", type=int, default=200)
    parser.add_argument("--sms-bookings", type=int, default=10_000)
    parser.add_argument("--video-providers", type=int, default=10)
    parser.add_argument("--video-rooms", type=int, default=250, help="4 pages each")
    parser.add_argument("--video-hold", type=float, default=30, help="seconds relaying")
    parser.add_argument("--console-providers", type=int, default=1000)
    parser.add_argument("--console-days", type=int, default=400, help="usage history each")
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    base_name = database_name(base_url) or "careplatform"
    tenant_url = with_database(base_url, f"{base_name}_bench")
    plain_url = with_database(base_url, f"{base_name}_bench_plain")

    progress(f"Creating databases {database_name(tenant_url)} and {database_name(plain_url)}")
    recreate_database(tenant_url)
    recreate_database(plain_url)
    try:
        if args.only == "requests":
            results = measure_routing_only(args, tenant_url, plain_url)
        elif args.only == "console":
            results = measure_console_only(args, tenant_url)
        else:
            results = measure(args, tenant_url, plain_url)
    finally:
        progress("Dropping the bench databases")
        drop_database(tenant_url)
        drop_database(plain_url)
    print_report(args, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
