"""The worker: a django-q2 cluster, and a loop that queues the periodic jobs (heartbeat, SMS
sweeps, lost-event recovery, due provider terminations, usage metering).

The loop outlives Redis and PostgreSQL outages: a tick that cannot queue its jobs is logged
once per outage and retried after a growing pause; when the servers are back the jobs resume by
themselves. What the loop cannot mend (the cluster died) ends the process with a non-zero exit
status, so a supervisor starts a new one; the cluster's processes die with it (prctl
PR_SET_PDEATHSIG), never leaving a second cluster behind.
"""

import logging
import signal
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from django import db
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_q.cluster import Cluster
from django_q.conf import Conf
from django_q.tasks import async_task
from redis.exceptions import RedisError

from careplatform.health import record_heartbeat
from careplatform.processes import forks_die_with_parent
from tenant_apps.notifications.sweep import recover_events, sweep_due
from tenants.lifecycle import queue_due_drops
from tenants.usage import collect_recent

log = logging.getLogger(__name__)

TICK_SECONDS = 0.2
MAX_PAUSE_SECONDS = 10.0  # longest pause between attempts while Redis or PostgreSQL is away
# Queueing talks to the broker (Redis); a broker on PostgreSQL would fail with DatabaseError.
OUTAGE_ERRORS = (RedisError, db.DatabaseError, OSError)


def periodic_tasks() -> list[tuple[Callable[..., Any], float]]:
    """(task, interval in seconds) queued by the loop; an interval of 0 turns a task off."""
    tasks = [
        # Executed by a worker process: a stale heartbeat means nothing is consumed.
        (record_heartbeat, settings.WORKER_HEARTBEAT_INTERVAL),
        # Due SMS reminders and messages at every provider (one indexed query).
        (sweep_due, settings.SMS_SWEEP_INTERVAL),
        # Booking events whose hand-off to a job was lost.
        (recover_events, settings.SMS_RECOVERY_INTERVAL),
        # Terminated providers whose grace period is over: exported, then dropped.
        (queue_due_drops, settings.TERMINATION_CHECK_INTERVAL),
        # Usage of today and yesterday at every provider, for the console and billing.
        (collect_recent, settings.USAGE_INTERVAL),
    ]
    return [(task, interval) for task, interval in tasks if interval > 0]


class PeriodicJobs:
    """Queues each task every `interval` seconds; survives the broker being away."""

    def __init__(
        self,
        tasks: list[tuple[Callable[..., Any], float]],
        enqueue: Callable[..., Any] = async_task,
    ):
        self.tasks = tasks
        self.enqueue = enqueue
        self.next_run = [0.0] * len(tasks)
        self.outage_since: float | None = None
        self.failures = 0
        self.retry_at = 0.0

    def tick(self, now: float) -> None:
        if now < self.retry_at:
            return
        # A connection broken by a PostgreSQL restart is closed here, as after a request.
        db.close_old_connections()
        for index, (task, interval) in enumerate(self.tasks):
            if now < self.next_run[index]:
                continue
            try:
                self.enqueue(task)
            except OUTAGE_ERRORS as exc:
                self._failed(now, exc)
                return
            self.next_run[index] = now + interval
            self._succeeded(now)

    def pause(self) -> float:
        """Seconds until the next attempt after `failures` failed ones: 1, 2, 4 … 10."""
        return min(2.0 ** (self.failures - 1), MAX_PAUSE_SECONDS)

    def _failed(self, now: float, exc: Exception) -> None:
        if self.outage_since is None:
            self.outage_since = now
            log.error(
                "Periodic jobs cannot be queued (%s: %s); retrying until Redis and PostgreSQL "
                "answer again",
                type(exc).__name__,
                exc,
            )
        self.failures += 1
        self.retry_at = now + self.pause()

    def _succeeded(self, now: float) -> None:
        if self.outage_since is not None:
            log.warning("Periodic jobs queued again after %.0f s", now - self.outage_since)
        self.outage_since = None
        self.failures = 0


class Command(BaseCommand):
    help = (
        "Run the django-q2 worker cluster; keep its heartbeat (seen by /healthz) fresh and "
        "queue the periodic SMS sweeps. Exits non-zero when the cluster dies."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # Every process of the cluster (forked from here or from its sentinel) dies with its
        # parent, even when the parent is killed with SIGKILL.
        forks_die_with_parent(signal.SIGKILL)
        cluster = Cluster()
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        cluster.start()
        # Cluster.start() installs its own handlers; ours mark the loop to end and stop it.
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        jobs = PeriodicJobs(periodic_tasks())
        try:
            while not stopping:
                if not cluster.sentinel.is_alive():
                    raise CommandError(
                        f"the worker cluster stopped (exit code {cluster.sentinel.exitcode}); "
                        "exiting so that a supervisor starts a new worker"
                    )
                jobs.tick(time.monotonic())
                time.sleep(TICK_SECONDS)
        finally:
            stop_cluster(cluster)


def stop_cluster(cluster: Cluster) -> None:
    """Let running jobs finish (as long as a job may run), then end what is left; the processes
    of the cluster die with their sentinel."""
    sentinel = cluster.sentinel
    if sentinel is None or not sentinel.is_alive():
        return
    cluster.stop_event.set()
    sentinel.join(timeout=(Conf.TIMEOUT or 60) + 10)
    if sentinel.is_alive():
        log.error("The worker cluster did not stop in time; killing it")
        sentinel.kill()
        sentinel.join()
