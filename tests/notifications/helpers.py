"""SMS test helpers: the sweep's and dispatch's jobs run in this process, the messages sent,
invitations, and a frozen clock moved to a moment."""

import datetime
import os
import uuid

import time_machine
from django_tenants.utils import schema_context

from tenant_apps.bookings import services as bookings
from tenant_apps.notifications.models import SmsMessage
from tenant_apps.notifications.sweep import recover_events, sweep_due
from tests.bookings.helpers import in_days, patient_spec


class Jobs:
    """Stands in for django-q's async_task: collects jobs, runs them here on request."""

    def __init__(self):
        self.queued: list[tuple] = []

    def __call__(self, func, *args, **kwargs):
        self.queued.append((func, args, kwargs))


def _pass(function, now: datetime.datetime | None) -> Jobs:
    jobs = Jobs()
    with schema_context("public"):  # puts the test's schema back afterwards
        function(now, enqueue=jobs)
        for func, args, kwargs in list(jobs.queued):
            func(*args, **kwargs)
    return jobs


def sweep(now: datetime.datetime | None = None) -> Jobs:
    """One sweep pass and its jobs, run as a worker would; returns the jobs it queued."""
    return _pass(sweep_due, now)


def recover(now: datetime.datetime | None = None) -> Jobs:
    """One pass looking for lost booking events, and the dispatch jobs it queued, run."""
    return _pass(recover_events, now)


def dispatch() -> int:
    """The job that booking changes queue after commit, run here."""
    return bookings.dispatch_events()


def messages(**filters) -> list[SmsMessage]:
    return list(SmsMessage.objects.filter(**filters).order_by("id"))


ELKS_SETTINGS = {
    "SMS_BACKEND": "elks46",
    "ELKS46_USERNAME": "elkuser",
    "ELKS46_PASSWORD": "elkpass",
    "SMS_HTTP_TIMEOUT": 0.5,
}


def at(moment: datetime.datetime):
    """Move a frozen clock to `moment` for the block."""
    return time_machine.travel(moment, tick=False)


def invite(cast, n: int = 1, **kwargs):
    values = {
        "actor": cast.clinician,
        "clinician": cast.clinician,
        "visit_type": cast.one_to_one,
        "provider": cast.provider,
        "patients": [patient_spec(n)],
        "starts_at": in_days(2),
    }
    values.update(kwargs)
    return bookings.invite(**values)


def confirmed(cast, **kwargs):
    """Invited, every patient confirmed, events dispatched."""
    booking = invite(cast, **kwargs)
    dispatch()
    for participant in booking.participants.all():
        bookings.confirm(booking, participant.user)
    dispatch()
    booking.refresh_from_db()
    return booking


def sms_worker_env(elks, queue: str = "") -> dict[str, str]:
    """A worker's environment for SMS tests: a queue of its own, the fake 46elks and quick
    timings (lease, look-up, sweeps, recovery)."""
    prefix = os.environ.get("Q_CLUSTER_NAME", "cptest")
    return {
        "Q_CLUSTER_NAME": f"{prefix}-{queue}{uuid.uuid4().hex[:8]}",
        "SMS_BACKEND": "elks46",
        "ELKS46_API_URL": elks.url,
        "ELKS46_USERNAME": elks.username,
        "ELKS46_PASSWORD": elks.password,
        "SMS_LEASE_SECONDS": "4",
        "SMS_RECONCILE_DELAY": "1",
        "SMS_SWEEP_INTERVAL": "0.5",
        "SMS_RECOVERY_INTERVAL": "0.5",
        "SMS_RECOVERY_AFTER": "0",
    }
