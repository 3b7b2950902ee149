"""Bench worker (own process, own DJANGO_SETTINGS_MODULE): requests per second of the one-query
view through Django's WSGI handler, called in process exactly as a WSGI server calls it
(request_started/request_finished included, so persistent connections behave as in production).

`--side tenant` spreads the requests round-robin over the provider hosts and needs the providers
provisioned; `--side plain` sends the same hosts to plain Django. Every response is checked
(status 200, the host's own schema, one user).

The bench drives it over stdin/stdout so that the tenant and plain rounds can alternate: one JSON
line when warmed up, one per `round <count>` line read, and a last one when stdin closes.
Everything else it prints goes to stderr.
"""

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from itertools import cycle, islice

import django

PATH = "/bench/users/count"
# The JSON replies; stdout is kept for them alone.
PROTOCOL = sys.stdout


class WrongResponse(Exception):
    pass


class Client:
    """Calls the WSGI application with a minimal GET environ for each request."""

    def __init__(self, hosts: list[str], expected: dict[str, bytes]):
        from django.core.wsgi import get_wsgi_application

        self.app = get_wsgi_application()
        self.hosts = hosts
        self.expected = expected

    def get(self, host: str) -> None:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": PATH,
            "QUERY_STRING": "",
            "SERVER_NAME": host,
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": host,
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        statuses = []
        response = self.app(environ, lambda status, headers, exc_info=None: statuses.append(status))
        try:
            body = b"".join(response)
        finally:
            response.close()
        if statuses[0] != "200 OK" or body != self.expected[host]:
            raise WrongResponse(f"{host}: {statuses[0]} {body[:200]!r}")

    def run(self, count: int, start: int = 0) -> float:
        """Send `count` requests round-robin over the hosts; returns the elapsed seconds."""
        hosts = list(islice(cycle(self.hosts), start, start + count))
        started = time.perf_counter()
        for host in hosts:
            self.get(host)
        return time.perf_counter() - started


def statements_per_request(client: Client, count: int) -> float:
    """Every statement sent to PostgreSQL (health check, SET search_path, queries) goes through
    psycopg's Cursor.execute: count them over `count` requests."""
    import psycopg

    original = psycopg.Cursor.execute
    executed = 0

    def counting(self, *args, **kwargs):
        nonlocal executed
        executed += 1
        return original(self, *args, **kwargs)

    psycopg.Cursor.execute = counting
    try:
        client.run(count)
    finally:
        psycopg.Cursor.execute = original
    return executed / count


def profile(side: str, client: Client, count: int) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(client.run, count)
    listings = [
        ("tottime", (25,), "top 25 by own time"),
        ("cumulative", (25,), "top 25 by cumulative time"),
        ("cumulative", ("/tenants/|django_tenants", 20), "project routing and django-tenants"),
    ]
    for order, restrictions, title in listings:
        print(f"\n--- {side} side, {count} requests profiled: {title} ---")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats(order).print_stats(*restrictions)
    sys.stdout.flush()


def routing_cache_active() -> bool:
    from tenants.routing import host_cache

    return host_cache._subscribed.is_set()


def wait_for_routing_cache(seconds: float = 5.0) -> bool:
    """The host cache is only used once its Redis invalidation listener has subscribed."""
    deadline = time.monotonic() + seconds
    while not routing_cache_active() and time.monotonic() < deadline:
        time.sleep(0.05)
    return routing_cache_active()


def check_setup(side: str) -> None:
    """The tenant side must go through provider routing on django-tenants; the plain side not."""
    from django.conf import settings
    from django.db import connection

    routed = "tenants.routing.ProviderRoutingMiddleware" in settings.MIDDLEWARE
    stock = connection.settings_dict["ENGINE"] == "django.db.backends.postgresql"
    if (side == "tenant") != routed or (side == "plain") != stock:
        raise SystemExit(f"{side} side misconfigured: routing {routed}, stock backend {stock}")


def expected_bodies(side: str, hosts: list[str]) -> dict[str, bytes]:
    if side == "plain":
        return {host: b"plain users=1" for host in hosts}
    # bench001.localhost is served from schema t_bench001, which holds one user (its admin).
    return {host: f"t_{host.split('.')[0]} users=1".encode() for host in hosts}


def seed_plain_user() -> None:
    from tenant_apps.accounts.models import User

    if not User.objects.exists():
        User.objects.create_user("198112189876", "Bench", "Admin", mobile="0701234567")


def reply(**fields) -> None:
    print(json.dumps(fields), file=PROTOCOL, flush=True)


def serve_commands(side: str, client: Client, profile_requests: bool) -> None:
    """Run one timed round per `round <count>` line on stdin, answering with a JSON line; at the
    end of input, count statements per request, optionally profile, and say goodbye."""
    for number, line in enumerate(sys.stdin, start=1):
        count = int(line.split()[1])
        cpu = time.process_time()
        elapsed = client.run(count, start=number)
        # CPU time of this process alone: steadier than the rate when the machine is shared.
        reply(rate=count / elapsed, cpu_ms=(time.process_time() - cpu) * 1000 / count)
    statements = statements_per_request(client, 200)
    if profile_requests:
        profile(side, client, 2000)
    reply(
        statements=statements,
        routing_cache=routing_cache_active() if side == "tenant" else None,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--side", choices=["tenant", "plain"], required=True)
    parser.add_argument("--hosts", type=int, required=True)
    parser.add_argument("--warmup", type=int, required=True)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    sys.stdout = sys.stderr  # stray output (and the profile) must not mix with the replies
    django.setup()
    from django.conf import settings
    from django.db import connection

    check_setup(args.side)
    if args.side == "plain":
        seed_plain_user()
    hosts = [f"bench{number:03d}.{settings.BASE_DOMAIN}" for number in range(1, args.hosts + 1)]
    client = Client(hosts, expected_bodies(args.side, hosts))
    client.run(len(hosts))  # every host once
    if args.side == "tenant":
        wait_for_routing_cache()
    client.run(args.warmup)
    reply(
        conn_max_age=connection.settings_dict["CONN_MAX_AGE"],
        pool=connection.settings_dict["OPTIONS"].get("pool"),
        engine=connection.settings_dict["ENGINE"],
    )
    serve_commands(args.side, client, args.profile)


if __name__ == "__main__":
    main()
