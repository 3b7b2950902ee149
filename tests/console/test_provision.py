"""Provisioning from the browser (/konsol/ny/): the form refuses what the command refuses, at
the field, creating nothing; the job runs in a worker and its page shows the steps; the same
form sent twice is one provider; only operators get in."""

import re
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context, schema_exists

from careplatform.sms.fake_gateway import FakeElks46
from careplatform.sms.models import OutboxMessage
from tenant_apps.accounts.models import User
from tenant_apps.notifications.models import SmsMessage
from tenants import provisioning_jobs
from tenants.models import CareProvider, OperatorAction, ProvisioningJob
from tenants.provisioning import ProvisionRequest
from tests.clients import PUBLIC, logged_in
from tests.console.provisioning import jobs_removed_afterwards
from tests.notifications.helpers import ELKS_SETTINGS
from tests.support import personnummer, wait_for

ADMIN_PERSONNUMMER = personnummer("19740404", "004")
FORM = {
    "name": "Hälsan Norr",
    "subdomain": "halsan-norr",
    "org_number": "556123-4567",
    "admin_personnummer": ADMIN_PERSONNUMMER,
    "admin_name": "Nora Nilsson",
    "admin_mobile": "070-765 43 21",
}


def form(**overrides) -> dict:
    return {**FORM, "token": str(uuid.uuid4()), **overrides}


def jobs():
    """This module's jobs (committed ones of other tests may be there too)."""
    return ProvisioningJob.objects.filter(subdomain__in=(FORM["subdomain"], "annan"))


def nothing_created(subdomain: str) -> bool:
    connection.set_schema_to_public()
    return (
        not ProvisioningJob.objects.filter(subdomain__in=(subdomain, FORM["subdomain"])).exists()
        and not CareProvider.objects.filter(subdomain=subdomain).exists()
        and not schema_exists("t_" + subdomain.replace("-", "_"))
    )


def field_error(html: str, field: str) -> str:
    """The error shown at the field, which the field names as its description."""
    errors = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    assert errors, f"no error at {field}"
    tag = re.search(rf'<input [^>]*id="id_{field}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in tag
    assert f"id_{field}_error" in re.search(r'aria-describedby="([^"]*)"', tag).group(1)
    return re.sub(r"<[^>]+>", "", errors.group(1)).strip()


@pytest.fixture
def console(operator):
    return logged_in(operator, PUBLIC, ip="203.0.113.5")


# -- the form ----------------------------------------------------------------------------------


def test_the_form_has_the_commands_fields_and_a_token(console):
    page = console.get("/konsol/ny/")
    assert page.status_code == 200
    html = page.content.decode()
    for label in (
        "Vårdgivarens namn",
        "Subdomän",
        "Organisationsnummer (valfritt)",
        "Administratörens personnummer",
        "Administratörens namn",
        "Administratörens mobilnummer",
    ):
        assert f">{label}</label>" in html
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    assert uuid.UUID(token)
    # Each time the empty form is shown, a token of its own.
    again = console.get("/konsol/ny/").content.decode()
    assert token not in again


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Ange vårdgivarens namn."),
        ("name", "N" * 101, "Namnet får vara högst 100 tecken."),
        ("subdomain", "", "Ange en subdomän."),
        ("subdomain", "www", "Subdomänen ”www” är reserverad."),
        ("subdomain", "support", "Subdomänen ”support” är reserverad."),
        ("subdomain", "alfa", "Subdomänen ”alfa” används redan."),
        ("subdomain", "min_klinik", "får bara innehålla a–z, 0–9 och bindestreck"),
        ("subdomain", "-klinik", "får bara innehålla a–z, 0–9 och bindestreck"),
        ("subdomain", "x" * 41, "Subdomänen får vara högst 40 tecken."),
        ("org_number", "556123-4568", "Organisationsnumret är inte giltigt (fel kontrollsiffra)."),
        ("org_number", "556123-456", "Ange organisationsnumret med 10 siffror"),
        ("admin_personnummer", "", "Ange personnumret med 10 eller 12 siffror"),
        ("admin_personnummer", "19740404-0000", "fel datum eller kontrollsiffra"),
        ("admin_name", "Nora", "Ange administratörens för- och efternamn."),
        ("admin_mobile", "", "Ange ett mobilnummer"),
        ("admin_mobile", "08-444 34 34", "Numret är inte ett mobilnummer"),
    ],
)
def test_a_refused_field_is_named_at_the_field_and_nothing_is_created(
    console, alfa, django_capture_on_commit_callbacks, field, value, message
):
    with django_capture_on_commit_callbacks() as started:
        page = console.post("/konsol/ny/", form(**{field: value}))
    assert page.status_code == 200
    html = page.content.decode()
    assert message in field_error(html, field)
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert 'role="alert"' in summary and f'href="#id_{field}"' in summary and message in summary
    assert started == []
    if field != "subdomain" or value != "alfa":
        assert nothing_created(FORM["subdomain"] if field != "subdomain" else value or "x")


def test_every_refusal_at_once_each_at_its_field(console, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as started:
        page = console.post("/konsol/ny/", {"token": str(uuid.uuid4())})
    html = page.content.decode()
    for field in ("name", "subdomain", "admin_personnummer", "admin_name", "admin_mobile"):
        assert field_error(html, field)
    assert 'id="id_org_number_error"' not in html  # optional
    assert started == [] and not jobs().exists()


def test_a_valid_form_starts_one_job_and_shows_its_page(
    console, operator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as started:
        sent = console.post("/konsol/ny/", form())
    job = jobs().get()
    assert sent.status_code == 302 and sent["Location"] == f"/konsol/ny/{job.public_id}/"
    assert len(started) == 1  # the worker's task, once committed
    assert (job.name, job.subdomain, job.org_number) == (
        "Hälsan Norr",
        "halsan-norr",
        "556123-4567",
    )
    assert (job.admin_personnummer, job.admin_mobile) == (ADMIN_PERSONNUMMER, "+46707654321")
    assert (job.requested_by_id, job.ip_address, job.status) == (
        operator.pk,
        "203.0.113.5",
        "queued",
    )
    page = console.get(sent["Location"]).content.decode()
    assert "Ny vårdgivare: Hälsan Norr" in page
    assert page.count('class="step step-waiting"') == 3
    assert '<meta http-equiv="refresh"' in page and ">Uppdatera</a>" in page  # without JS
    assert ADMIN_PERSONNUMMER not in page and "Nora" not in page  # no personal data


def test_the_same_form_sent_twice_is_one_job(console, django_capture_on_commit_callbacks):
    sent = form()
    with django_capture_on_commit_callbacks() as started:
        first = console.post("/konsol/ny/", sent)
        second = console.post("/konsol/ny/", sent)  # a double click, a reloaded POST
    assert first["Location"] == second["Location"]
    assert jobs().count() == 1 and len(started) == 1


def test_a_second_job_for_a_subdomain_being_provisioned_is_refused(
    console, operator, django_capture_on_commit_callbacks
):
    other_tab = logged_in(operator, PUBLIC)
    console.post("/konsol/ny/", form())
    with django_capture_on_commit_callbacks() as started:
        page = other_tab.post("/konsol/ny/", form(name="Hälsan Norr igen"))
    assert page.status_code == 200
    assert "Vårdgivaren med subdomänen ”halsan-norr” håller redan på att skapas." in field_error(
        page.content.decode(), "subdomain"
    )
    assert jobs().count() == 1 and started == []


def test_a_job_that_finished_leaves_its_subdomain_free_again(
    console, django_capture_on_commit_callbacks
):
    console.post("/konsol/ny/", form())
    jobs().update(status="failed", admin_personnummer="")
    with django_capture_on_commit_callbacks() as started:
        again = console.post("/konsol/ny/", form())
    assert again.status_code == 302 and len(started) == 1
    assert jobs().count() == 2


# -- who gets in -------------------------------------------------------------------------------


@pytest.fixture
def a_job(operator) -> ProvisioningJob:
    return provisioning_jobs.start_provisioning(
        ProvisionRequest(**FORM),
        token=uuid.uuid4(),
        actor=operator,
        ip_address="203.0.113.5",
    )


def job_urls(job: ProvisioningJob) -> list[str]:
    return [f"/konsol/ny/{job.public_id}/", f"/konsol/ny/{job.public_id}/status/"]


def test_anonymous_visitors_are_sent_to_log_in(a_job):
    for path in ["/konsol/ny/", *job_urls(a_job)]:
        response = logged_in(None, PUBLIC).get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert logged_in(None, PUBLIC).post("/konsol/ny/", form()).status_code == 302
    assert jobs().count() == 1


def test_support_staff_get_403_and_start_nothing(support_user, a_job):
    client = logged_in(support_user, PUBLIC)
    for path in ["/konsol/ny/", *job_urls(a_job)]:
        assert client.get(path).status_code == 403
    assert client.post("/konsol/ny/", form(subdomain="annan")).status_code == 403
    assert jobs().count() == 1


def test_a_providers_users_find_no_console_on_their_host(alfa, a_job):
    for user in (alfa.admin, alfa.clinician, alfa.patient):
        client = logged_in(user, alfa)
        for path in ["/konsol/ny/", *job_urls(a_job)]:
            assert client.get(path).status_code == 404
        assert client.post("/konsol/ny/", form(subdomain="annan")).status_code == 404
    assert jobs().count() == 1


def test_an_unknown_job_is_404_and_pages_answer_get_only(console, a_job):
    assert console.get(f"/konsol/ny/{uuid.uuid4()}/").status_code == 404
    assert console.get(f"/konsol/ny/{uuid.uuid4()}/status/").status_code == 404
    for path in job_urls(a_job):
        assert console.post(path).status_code == 405
    assert console.put("/konsol/ny/").status_code == 405


# -- the progress page -------------------------------------------------------------------------


def test_the_page_and_its_json_show_the_current_step(console, a_job):
    ProvisioningJob.objects.filter(pk=a_job.pk).update(status="running", step="admin")
    state = console.get(f"/konsol/ny/{a_job.public_id}/status/").json()
    assert (state["status"], state["finished"]) == ("running", False)
    assert [(s["label"], s["state_label"]) for s in state["steps"]] == [
        ("Schemat kopieras", "Klart"),
        ("Administratören skapas", "Pågår"),
        ("SMS med inloggningslänk skickas", "Väntar"),
    ]
    page = console.get(f"/konsol/ny/{a_job.public_id}/").content.decode()
    live = re.search(r'<p class="provisioning-live"[^>]*>(.*?)</p>', page, re.S)
    assert 'aria-live="polite"' in live.group(0) and live.group(1) == "Administratören skapas …"


def test_a_failed_job_shows_why_and_where(console, a_job):
    ProvisioningJob.objects.filter(pk=a_job.pk).update(
        status="failed", step="schema", message="Subdomänen ”halsan-norr” används redan."
    )
    state = console.get(f"/konsol/ny/{a_job.public_id}/status/").json()
    assert [s["state"] for s in state["steps"]] == ["failed", "waiting", "waiting"]
    page = console.get(f"/konsol/ny/{a_job.public_id}/").content.decode()
    assert "Subdomänen ”halsan-norr” används redan." in page
    assert ">Försök igen</a>" in page and 'http-equiv="refresh"' not in page


# -- the job, run as a worker runs it ----------------------------------------------------------


@pytest.fixture
def own_jobs(committed, monkeypatch):
    """The jobs the console queues (committed), kept here instead of going to the shared test
    worker; removed again afterwards."""
    queued = []
    monkeypatch.setattr(provisioning_jobs, "async_task", lambda *args: queued.append(args))
    with jobs_removed_afterwards():
        yield queued


def public_client(user) -> Client:
    return logged_in(user, PUBLIC, ip="203.0.113.5")


def test_while_the_job_runs_the_page_sees_each_step(committed, own_jobs, monkeypatch):
    operator = User.objects.get(is_operator=True)
    client = public_client(operator)
    sent = client.post("/konsol/ny/", form(subdomain="stegvis"))
    [(path, job_id)] = own_jobs
    status_url = sent["Location"] + "status/"
    seen = []
    report = provisioning_jobs._report

    def look():
        try:
            seen.append(client.get(status_url).json())
        finally:
            connection.close()

    def report_and_look(job_pk, step):
        report(job_pk, step)
        # What the page shows at this moment, asked on another connection (another thread)
        # while the provisioning's transaction is open on this one.
        looker = threading.Thread(target=look)
        looker.start()
        looker.join()

    monkeypatch.setattr(provisioning_jobs, "_report", report_and_look)
    assert provisioning_jobs.run_provisioning_job(job_id) == "done"
    committed.created.append(CareProvider.objects.get(subdomain="stegvis"))
    assert [[s["state"] for s in state["steps"]] for state in seen] == [
        ["active", "waiting", "waiting"],
        ["done", "active", "waiting"],
        ["done", "done", "active"],
    ]
    assert not any(state["finished"] for state in seen)
    done = client.get(status_url).json()
    assert done["finished"] and [s["state"] for s in done["steps"]] == ["done"] * 3
    assert done["provider_url"] == "http://stegvis.localhost/"
    assert done["console_url"] == "/konsol/vardgivare/stegvis/"
    assert done["message"] == (
        "Hälsan Norr är skapad. Administratören får ett sms med inloggningslänken."
    )


def test_the_first_admins_sms_reaches_the_gateway_with_the_login_link(
    committed, own_jobs, settings
):
    operator = User.objects.get(is_operator=True)
    public_client(operator).post("/konsol/ny/", form(subdomain="smslank"))
    [(path, job_id)] = own_jobs
    with FakeElks46(hang_seconds=1.5) as elks:
        settings.ELKS46_API_URL = elks.url
        for name, value in ELKS_SETTINGS.items():
            setattr(settings, name, value)
        provisioning_jobs.run_provisioning_job(job_id)
        provider = CareProvider.objects.get(subdomain="smslank")
        committed.created.append(provider)
        [sent] = elks.accepted
    assert sent["to"] == "+46707654321"
    assert sent["message"] == (
        "Hälsan Norr: du är administratör på CarePlatform. Logga in: http://smslank.localhost/login/"
    )
    with schema_context(provider.schema_name):
        [message] = SmsMessage.objects.all()
        admin = User.objects.get(is_admin=True)
    assert (message.kind, message.booking_id, message.recipient_id) == (
        "first_admin",
        None,
        admin.pk,
    )
    assert message.status == "sent" and message.gateway_id


def test_the_job_writes_the_operator_log_and_forgets_the_admins_details(committed, own_jobs):
    operator = User.objects.get(is_operator=True)
    public_client(operator).post("/konsol/ny/", form(subdomain="loggad"))
    [(path, job_id)] = own_jobs
    provisioning_jobs.run_provisioning_job(job_id)
    provider = CareProvider.objects.get(subdomain="loggad")
    committed.created.append(provider)
    [logged] = OperatorAction.objects.filter(provider=provider)
    assert (logged.action, logged.actor_id, logged.actor_name) == (
        "provision",
        operator.pk,
        "Otto Operatör",
    )
    assert logged.ip_address == "203.0.113.5"
    assert logged.after == {
        "name": "Hälsan Norr",
        "subdomain": "loggad",
        "org_number": "556123-4567",
    }
    assert ADMIN_PERSONNUMMER not in str(logged.after) + str(logged.before)
    job = ProvisioningJob.objects.get(pk=job_id)
    assert (job.status, job.provider_id) == ("done", provider.pk)
    assert (job.admin_personnummer, job.admin_name, job.admin_mobile) == ("", "", "")
    # Run again (a retried task): nothing more happens.
    assert provisioning_jobs.run_provisioning_job(job_id) == "not mine"
    assert OperatorAction.objects.filter(provider=provider).count() == 1


def test_a_job_whose_subdomain_was_taken_meanwhile_fails_and_says_why(committed, own_jobs):
    operator = User.objects.get(is_operator=True)
    public_client(operator).post("/konsol/ny/", form(subdomain="hinntill"))
    [(path, job_id)] = own_jobs
    committed.provider("hinntill", name="Först till kvarn")  # the command was quicker
    assert provisioning_jobs.run_provisioning_job(job_id) == "failed"
    job = ProvisioningJob.objects.get(pk=job_id)
    assert job.status == "failed" and job.message == "Subdomänen ”hinntill” används redan."
    assert CareProvider.objects.get(subdomain="hinntill").name == "Först till kvarn"
    assert not OperatorAction.objects.filter(provider__subdomain="hinntill").exists()


def test_two_tabs_sending_the_same_form_at_once_make_one_provider(committed, own_jobs):
    operator = User.objects.get(is_operator=True)
    sent = form(subdomain="dubbel")
    together = threading.Barrier(2)
    answers = []

    def send():
        client = public_client(operator)
        try:
            together.wait()
            answers.append(client.post("/konsol/ny/", sent))
        finally:
            connection.close()

    tabs = [threading.Thread(target=send) for _ in range(2)]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join()
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert ProvisioningJob.objects.filter(subdomain="dubbel").count() == 1
    for _path, job_id in own_jobs:
        provisioning_jobs.run_provisioning_job(job_id)
    committed.created += list(CareProvider.objects.filter(subdomain="dubbel"))
    assert len(committed.created) == 1 and len(own_jobs) == 1


@pytest.mark.server
def test_a_worker_runs_the_job_to_done(committed, worker_process):
    operator = User.objects.get(is_operator=True)
    client = public_client(operator)
    with jobs_removed_afterwards():
        sent = client.post("/konsol/ny/", form(subdomain="arbetare"))
        assert sent.status_code == 302
        status_url = sent["Location"] + "status/"
        try:
            done = wait_for(lambda: (state := client.get(status_url).json())["finished"] and state)
        finally:
            for provider in CareProvider.objects.filter(subdomain="arbetare"):
                committed.created.append(provider)
    assert done["status"] == "done", done
    assert [s["state"] for s in done["steps"]] == ["done"] * 3
    provider = CareProvider.objects.get(subdomain="arbetare")
    with schema_context(provider.schema_name):
        admin = User.objects.get()
    assert (admin.full_name, admin.personnummer, admin.is_admin) == (
        "Nora Nilsson",
        ADMIN_PERSONNUMMER,
        True,
    )
    [sms] = OutboxMessage.objects.filter(provider_id=provider.schema_name)
    assert sms.text.endswith("Logga in: http://arbetare.localhost/login/")
