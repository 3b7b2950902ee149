"""Real worker processes against the fake 46elks over real HTTP: a worker killed (-9, with its
cluster) in the middle of a batch, then two workers racing to finish it. Every message is
handed to the gateway exactly once."""

import contextlib
import datetime
import os
import signal
import subprocess
import sys
import threading

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from careplatform import clock
from careplatform.sms.fake_gateway import FakeElks46
from tenant_apps.accounts.models import User
from tenant_apps.bookings import services as bookings
from tenant_apps.bookings.models import BookingEvent
from tenant_apps.notifications.models import SmsMessage, SmsStatus
from tenant_apps.profiles import services as profiles
from tests.notifications.helpers import sms_worker_env
from tests.support import ROOT, Process, personnummer, subprocess_env, wait_for

pytestmark = pytest.mark.server

BOOKINGS = 40


class SmsWorker(Process):
    """`manage.py run_worker` with its own queue, quick SMS timings and the elks46 backend,
    in a process group of its own: killing the group takes the cluster's processes along."""

    def __init__(self, elks: FakeElks46, name: str):
        env = subprocess_env(
            **sms_worker_env(elks, queue="sms-"),
            WORKER_LOG_LEVEL="INFO",
            SMS_HTTP_TIMEOUT="1",
            SMS_JOB_BATCH="10",
        )
        self.log_path = ROOT / ".data" / "test-logs" / f"sms-{name}-{os.getpid()}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        self.popen = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "run_worker"],
            env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()
        self._log.close()

    def stop(self) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
                return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)  # stragglers of the cluster
        self._log.close()


def book_many(provider, count: int) -> None:
    """`count` confirmed one-patient bookings, an hour apart, each with its own patient."""
    with schema_context(provider.schema_name):
        admin = User.objects.get(is_admin=True)
        profiles.update_consultation(admin, title="Läkare", description="")
        visit_type = profiles.create_visit_type(
            admin, title="Återbesök", duration_minutes=30, kind="video"
        )
        profiles.activate_booking(admin)
        start = clock.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=2)
        for n in range(count):
            bookings.invite(
                actor=admin,
                clinician=admin,
                visit_type=visit_type,
                provider=provider,
                patients=[
                    bookings.PatientSpec(
                        personnummer("19700101", f"{200 + n:03d}"),
                        f"Patient{n}",
                        "Testsson",
                        f"+4670123{4000 + n:04d}",
                    )
                ],
                starts_at=start + datetime.timedelta(hours=n),
            )
    connection.set_schema_to_public()


def finished(provider) -> bool:
    with schema_context(provider.schema_name):
        unfinished = SmsMessage.objects.exclude(status=SmsStatus.SENT).count()
        total = SmsMessage.objects.count()
    connection.set_schema_to_public()
    return total == BOOKINGS and unfinished == 0


def test_killed_worker_loses_nothing_and_sends_nothing_twice(committed, monkeypatch):
    provider = committed.provider("smskill")
    # The after-commit hand-off is switched off here, so the events reach only the workers of
    # this test (through their lost-event pass), never the session's shared worker.
    monkeypatch.setattr(bookings, "enqueue_for_provider", lambda *args, **kwargs: None)
    book_many(provider, BOOKINGS)
    with FakeElks46(delay=0.1) as elks:
        first = SmsWorker(elks, "first")
        try:
            # Killed in the middle of the batch of 40, while a request is in flight.
            wait_for(lambda: len(elks.accepted) >= 10 and elks.in_flight, timeout=60, interval=0.01)
        finally:
            first.kill()
        at_kill = len(elks.accepted)
        assert 10 <= at_kill < BOOKINGS, first.log()

        workers = [SmsWorker(elks, "second"), SmsWorker(elks, "third")]
        try:
            wait_for(lambda: finished(provider), timeout=90, interval=0.5)
        finally:
            for worker in workers:
                worker.stop()

        numbers = sorted(m["to"] for m in elks.accepted)
        assert numbers == sorted(f"+4670123{4000 + n:04d}" for n in range(BOOKINGS))
        with schema_context(provider.schema_name):
            sent = dict(SmsMessage.objects.values_list("gateway_id", "to"))
            assert not BookingEvent.objects.filter(dispatched_at__isnull=True).exists()
        assert sent == {m["id"]: m["to"] for m in elks.accepted}


def test_two_workers_sending_the_same_batch_hand_each_message_over_once(committed, monkeypatch):
    """Two workers (threads with their own database connections) get the same message ids at
    the same moment, as after a duplicated job."""
    from django.test import override_settings

    from tenant_apps.notifications.sending import send_messages
    from tenant_apps.notifications.services import handle_events
    from tests.notifications.helpers import ELKS_SETTINGS

    provider = committed.provider("smsrace")
    monkeypatch.setattr(bookings, "enqueue_for_provider", lambda *args, **kwargs: None)
    book_many(provider, 20)
    with schema_context(provider.schema_name):
        events = list(BookingEvent.objects.all())
        ids = handle_events(events)
        BookingEvent.objects.update(dispatched_at=clock.now())
    connection.set_schema_to_public()
    barrier = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            with schema_context(provider.schema_name):
                barrier.wait()
                outcomes.append(send_messages(ids))
        finally:
            connection.close()

    with (
        FakeElks46(delay=0.02) as elks,
        override_settings(ELKS46_API_URL=elks.url, **ELKS_SETTINGS),
    ):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert len(elks.posts) == len(elks.accepted) == 20
    assert len({m["to"] for m in elks.accepted}) == 20
    assert sum(outcome.get("sent", 0) for outcome in outcomes) == 20
    with schema_context(provider.schema_name):
        assert set(SmsMessage.objects.values_list("status", flat=True)) == {SmsStatus.SENT}
    connection.set_schema_to_public()
