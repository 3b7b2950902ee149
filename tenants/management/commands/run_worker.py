import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django_q.cluster import Cluster
from django_q.tasks import async_task

from tenant_apps.notifications.sweep import recover_events, sweep_due
from tenants.tasks import record_heartbeat


def periodic_tasks() -> list[tuple[object, float]]:
    """(task, interval in seconds) queued by the loop; an interval of 0 turns a task off."""
    tasks = [
        # Executed by a worker process: a stale heartbeat means nothing is consumed.
        (record_heartbeat, settings.WORKER_HEARTBEAT_INTERVAL),
        # Due SMS reminders and messages at every provider (one indexed query).
        (sweep_due, settings.SMS_SWEEP_INTERVAL),
        # Booking events whose hand-off to a job was lost.
        (recover_events, settings.SMS_RECOVERY_INTERVAL),
    ]
    return [(task, interval) for task, interval in tasks if interval > 0]


class Command(BaseCommand):
    help = (
        "Run the django-q2 worker cluster; keep its heartbeat (seen by /healthz) fresh and "
        "queue the periodic SMS sweeps."
    )

    def handle(self, *args, **options):
        cluster = Cluster()
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        cluster.start()
        # Cluster.start() installs its own handlers; ours mark the loop to end and stop it.
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        tasks = periodic_tasks()
        next_run = [0.0] * len(tasks)
        while not stopping and cluster.sentinel.is_alive():
            for index, (task, interval) in enumerate(tasks):
                if time.monotonic() >= next_run[index]:
                    async_task(task)
                    next_run[index] = time.monotonic() + interval
            time.sleep(0.2)
        cluster.stop()
