"""Provisioning from the console: a job row in the public schema that a worker runs and the
progress page reads.

The form's values are checked before any job exists (`start_provisioning`), with the same
validation as the command. The provisioning itself is one transaction, all or nothing; the
steps it reports are written on a connection of their own, committed at once, so the page sees
them while that transaction is still open. A job is safe to run twice: only the worker that
moves it from queued to running provisions.
"""

import datetime
import logging
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_q.conf import Conf
from django_q.tasks import async_task

from careplatform import clock
from tenants.db import connection
from tenants.models import (
    UNFINISHED_JOB,
    CareProvider,
    ProvisioningJob,
    ProvisioningStatus,
    ProvisioningStep,
)
from tenants.provisioning import (
    ProvisionedBy,
    ProvisioningError,
    ProvisionRequest,
    provision_provider,
    validate_request,
)
from tenants.tasks import dotted_path

log = logging.getLogger(__name__)


def _stale_after() -> datetime.timedelta:
    """A running job not heard from for longer than a worker may run a task has lost its
    worker (django-q2 stops a task at its timeout): its retry may take it over."""
    return datetime.timedelta(seconds=Conf.TIMEOUT + 30)


def start_provisioning(
    request: ProvisionRequest,
    *,
    token: uuid.UUID,
    actor: AbstractBaseUser,
    ip_address: str | None,
) -> ProvisioningJob:
    """A job for `request`, queued for a worker after the commit; or ProvisioningError with
    each refused field, and nothing created. The same token again (the form sent twice) gets
    the job it started; a subdomain that already has an unfinished job is refused."""
    connection.set_schema_to_public()
    existing = ProvisioningJob.objects.filter(token=token).first()
    if existing is not None:
        return existing
    clean = validate_request(request)
    now = clock.now()
    _give_up_lost_jobs(str(clean["subdomain"]), now)
    try:
        with transaction.atomic():
            job = ProvisioningJob.objects.create(
                token=token,
                requested_by_id=actor.pk,
                ip_address=ip_address or None,
                name=str(clean["name"]),
                subdomain=str(clean["subdomain"]),
                org_number=str(clean["org_number"]),
                admin_personnummer=str(clean["admin_personnummer"]),
                admin_name=" ".join(request.admin_name.split()),
                admin_mobile=str(clean["admin_mobile"]),
                created_at=now,
                updated_at=now,
            )
            transaction.on_commit(
                lambda: async_task(dotted_path(run_provisioning_job), job.pk),
            )
    except IntegrityError:
        # A second POST with the same form may have won the race; else the subdomain's job.
        same = ProvisioningJob.objects.filter(token=token).first()
        if same is not None:
            return same
        raise ProvisioningError(
            {
                "subdomain": _("Vårdgivaren med subdomänen ”%(sub)s” håller redan på att skapas.")
                % {"sub": clean["subdomain"]}
            }
        ) from None
    return job


def _give_up_lost_jobs(subdomain: str, now: datetime.datetime) -> None:
    """An unfinished job for the subdomain that no worker has touched for long was lost (its
    task with it); the provider does not exist (validated), so it is failed and a new job may
    start. Should its task come after all, the job is no longer queued: it does not run."""
    ProvisioningJob.objects.filter(
        subdomain=subdomain, status__in=UNFINISHED_JOB, updated_at__lt=now - _stale_after()
    ).update(
        status=ProvisioningStatus.FAILED,
        message=_("Jobbet blev aldrig klart och avbröts. Ingenting skapades."),
        finished_at=now,
        updated_at=now,
        admin_personnummer="",
        admin_name="",
        admin_mobile="",
    )


def run_provisioning_job(job_id: int) -> str:
    """The worker's part: provision, reporting each step, then record the result."""
    connection.set_schema_to_public()
    job = _claim(job_id)
    if job is None:
        return "not mine"
    earlier = _provider_of_lost_run(job)
    if earlier is not None:
        _finish(job, ProvisioningStatus.DONE, _done_message(earlier), provider=earlier)
        return "done"
    actor = (
        get_user_model().objects.filter(pk=job.requested_by_id).first()
        if job.requested_by_id is not None
        else None
    )
    try:
        provider = provision_provider(
            _request_of(job),
            by=ProvisionedBy(actor=actor, ip_address=job.ip_address),
            progress=lambda step: _report(job_id, step),
        )
    except ProvisioningError as exc:
        _finish(job, ProvisioningStatus.FAILED, " ".join(exc.errors.values()))
        return "failed"
    except Exception:
        log.exception("Provisioning job %s failed", job.pk)
        _finish(
            job,
            ProvisioningStatus.FAILED,
            _("Ett tekniskt fel stoppade jobbet. Ingenting skapades; försök igen."),
        )
        return "failed"
    _finish(job, ProvisioningStatus.DONE, _done_message(provider), provider=provider)
    return "done"


def _claim(job_id: int) -> ProvisioningJob | None:
    """Queued -> running for this worker only; a running job whose worker was lost is taken
    over by the retry."""
    now = clock.now()
    claimable = Q(status=ProvisioningStatus.QUEUED) | Q(
        status=ProvisioningStatus.RUNNING, updated_at__lt=now - _stale_after()
    )
    claimed = (
        ProvisioningJob.objects.filter(claimable, pk=job_id)
        .exclude(admin_personnummer="")
        .update(status=ProvisioningStatus.RUNNING, updated_at=now)
    )
    return ProvisioningJob.objects.get(pk=job_id) if claimed else None


def _provider_of_lost_run(job: ProvisioningJob) -> CareProvider | None:
    """A worker lost after its provisioning committed left the provider: that run counts."""
    if not job.step:
        return None
    return CareProvider.objects.filter(
        subdomain=job.subdomain, created_at__gte=job.created_at
    ).first()


def _request_of(job: ProvisioningJob) -> ProvisionRequest:
    return ProvisionRequest(
        name=job.name,
        subdomain=job.subdomain,
        admin_personnummer=job.admin_personnummer,
        admin_name=job.admin_name,
        admin_mobile=job.admin_mobile,
        org_number=job.org_number,
    )


def _report(job_id: int, step: ProvisioningStep) -> None:
    """The step, committed on a connection of its own: the provisioning's transaction is open
    on this thread's connection, and whatever it writes shows only when it ends. The page only
    reads it: a step that cannot be written (no connection to be had) stops nothing."""
    own = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with own.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ProvisioningJob._meta.db_table} SET step = %s, updated_at = %s "
                "WHERE id = %s",
                [step.value, clock.now(), job_id],
            )
    except Exception:
        log.warning("Provisioning job %s: step %s not written", job_id, step, exc_info=True)
    finally:
        own.close()


def _finish(
    job: ProvisioningJob,
    status: ProvisioningStatus,
    message: str,
    provider: CareProvider | None = None,
) -> None:
    """The result; the first admin's personnummer and mobile go, the job needs them no more."""
    now = clock.now()
    connection.set_schema_to_public()
    ProvisioningJob.objects.filter(pk=job.pk).update(
        status=status,
        message=message,
        provider=provider,
        finished_at=now,
        updated_at=now,
        admin_personnummer="",
        admin_name="",
        admin_mobile="",
    )


def _done_message(provider: CareProvider) -> str:
    return _("%(name)s är skapad. Administratören får ett sms med inloggningslänken.") % {
        "name": provider.name
    }


# -- what the progress page shows --------------------------------------------------------------

STEPS = (ProvisioningStep.SCHEMA, ProvisioningStep.ADMIN, ProvisioningStep.SMS)
STATE_LABELS = {
    "waiting": gettext_lazy("Väntar"),
    "active": gettext_lazy("Pågår"),
    "done": gettext_lazy("Klart"),
    "failed": gettext_lazy("Misslyckades"),
}


@dataclass(frozen=True)
class StepState:
    step: ProvisioningStep
    state: str  # waiting, active, done or failed

    @property
    def label(self) -> str:
        return str(self.step.label)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


def step_states(job: ProvisioningJob) -> list[StepState]:
    """Each step as the page shows it: done before the current one, then the current one
    active (or failed), the rest waiting; all done when the job is."""
    if job.status == ProvisioningStatus.DONE:
        return [StepState(step, "done") for step in STEPS]
    current = STEPS.index(ProvisioningStep(job.step)) if job.step else -1
    here = "failed" if job.status == ProvisioningStatus.FAILED else "active"
    if current < 0 and job.status == ProvisioningStatus.FAILED:
        current = 0
    states = []
    for index, step in enumerate(STEPS):
        if index < current:
            states.append(StepState(step, "done"))
        elif index == current:
            states.append(StepState(step, here))
        else:
            states.append(StepState(step, "waiting"))
    return states
