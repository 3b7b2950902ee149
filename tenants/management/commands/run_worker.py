import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django_q.cluster import Cluster
from django_q.tasks import async_task

from tenants.tasks import record_heartbeat


class Command(BaseCommand):
    help = "Run the django-q2 worker cluster and keep its heartbeat (seen by /healthz) fresh."

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
        next_beat = 0.0
        while not stopping and cluster.sentinel.is_alive():
            if time.monotonic() >= next_beat:
                # Executed by a worker process: a stale heartbeat means nothing is consumed.
                async_task(record_heartbeat)
                next_beat = time.monotonic() + settings.WORKER_HEARTBEAT_INTERVAL
            time.sleep(0.2)
        cluster.stop()
