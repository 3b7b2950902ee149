"""Every console URL, walked from its URL conf (`public_site.console.urls`): only operators get
in, on the public host only, and nothing they get holds the personnummer of anyone at a
provider (counts only, issue 14). A new console URL is covered as it is; one with a path
parameter this file cannot fill fails every test here, naming it, until FILL says what to put.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.urls import resolve, reverse

from careplatform import clock
from tenant_apps.accounts.models import User
from tenants import operator_log
from tenants.models import (
    CareProvider,
    Domain,
    OperatorAction,
    OperatorActionKind,
    ProvisioningJob,
    Usage,
    UsageMetric,
)
from tests.clients import PUBLIC, logged_in
from tests.console.provisioning import provisioned
from tests.isolation import personnummer_markers, walk
from tests.support import personnummer

CONSOLE = "public_site.console.urls"


@dataclass
class Sample:
    """Real objects of the public schema to put in console URLs: provider alfa (with usage),
    its domain and an operator log row about it."""

    provider: CareProvider
    domain: Domain
    action: OperatorAction
    job: ProvisioningJob


# What each path parameter of a console URL is filled with, by its name, or by
# "<route template>:<name>" where one name means different things in different routes.
FILL: dict[str, Callable[[Sample], object]] = {
    "pk": lambda sample: sample.domain.pk,  # the one domain route's
    "job": lambda sample: sample.job.public_id,
    "token": lambda sample: "ej-en-signering",  # a signing that is not (or no longer) pending
    "provider_id": lambda sample: sample.provider.pk,
    "subdomain": lambda sample: sample.provider.subdomain,
    "domain_id": lambda sample: sample.domain.pk,
    "action_id": lambda sample: sample.action.pk,
}


def console_paths(sample: Sample) -> list[str]:
    """Every console URL with its parameters filled, as the public host serves it."""
    prefix = reverse("console-home", urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    paths = []
    for route in walk(CONSOLE):
        values = {}
        for _slot, name in route.params:
            fill = FILL.get(f"{route.template}:{name}") or FILL.get(name)
            if fill is None:
                pytest.fail(
                    f"console URL {prefix}{route.template} has a path parameter {name!r} that "
                    f"tests/console/test_access.py cannot fill: add it to FILL there"
                )
            values[name] = str(fill(sample))
        path = prefix + route.path(values).removeprefix("/")
        resolve(path, urlconf=settings.PUBLIC_SCHEMA_URLCONF)  # a path the public host serves
        paths.append(path)
    assert prefix in paths  # the walk found the console
    return paths


@pytest.fixture
def sample(alfa, operator) -> Sample:
    connection.set_schema_to_public()
    for metric in UsageMetric:
        Usage.objects.create(
            provider=alfa.provider, day=clock.today_local(), metric=metric, value=3
        )
    with transaction.atomic():
        action = operator_log.record(
            OperatorActionKind.SETTINGS,
            actor=operator,
            provider=alfa.provider,
            ip_address="203.0.113.9",
            before={"name": "Alfa"},
            after={"name": alfa.provider.name},
        )
    job = provisioned(alfa.provider)
    return Sample(alfa.provider, alfa.provider.domains.get(is_primary=True), action, job)


@pytest.fixture
def paths(sample) -> list[str]:
    return console_paths(sample)


def public_state() -> tuple:
    """What a console action could change in the public schema."""
    connection.set_schema_to_public()
    return (
        list(CareProvider.objects.order_by("pk").values()),
        list(Domain.objects.order_by("pk").values()),
        list(OperatorAction.objects.order_by("pk").values_list("pk", flat=True)),
        list(Usage.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values()),
    )


@pytest.fixture
def nobody_in_particular(db) -> User:
    """A user of the public schema with neither the operator's nor the support role."""
    connection.set_schema_to_public()
    return User.objects.create_user(personnummer("19550505", "055"), "Nils", "Ingenroll")


def test_anonymous_visitors_are_sent_to_log_in_from_every_console_url(paths):
    client = logged_in(None, PUBLIC)
    for path in paths:
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 302, (method.__name__, path)
            assert response.headers["Location"].startswith(reverse("login")), path


@pytest.mark.parametrize("who", ["support_user", "nobody_in_particular"])
def test_public_host_users_other_than_operators_are_refused_every_console_url(who, request, paths):
    client = logged_in(request.getfixturevalue(who), PUBLIC)
    before = public_state()
    for path in paths:
        assert client.get(path).status_code in (403, 404), path
        # POST with nothing, as a form sent by someone who may not: refused, nothing changed.
        assert client.post(path).status_code in (403, 404), path
    assert public_state() == before


@pytest.mark.parametrize("who", ["admin", "clinician", "patient"])
def test_provider_users_find_no_console_on_their_host(who, alfa, paths):
    client = logged_in(getattr(alfa, who), alfa)
    before = public_state()
    for path in paths:
        assert client.get(path).status_code == 404, path
        assert client.post(path).status_code == 404, path
    assert public_state() == before


@pytest.mark.parametrize("who", ["admin", "clinician", "patient"])
def test_a_provider_users_session_does_not_work_on_the_public_host(who, alfa, paths):
    client = logged_in(getattr(alfa, who), alfa)  # its session cookie, sent to the public host
    for path in paths:
        response = client.get(path, HTTP_HOST=PUBLIC.host)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith(reverse("login")), path


def test_operators_get_every_console_page_without_a_personnummer(operator, alfa, beta, paths):
    markers = {}
    for user in (alfa.admin, alfa.clinician, alfa.colleague, alfa.patient, beta.admin):
        markers.update(personnummer_markers(user.personnummer, user.full_name))
    markers.update(personnummer_markers(beta.patient.personnummer, beta.patient.full_name))
    client = logged_in(operator, PUBLIC)
    for path in paths:
        response = client.get(path)
        # 405: a form's action; 404: the signing pages of a signing that is not pending
        allowed = (200, 302, 405, 404) if "/signera/ej-en-signering/" in path else (200, 302, 405)
        assert response.status_code in allowed, path
        if response.status_code == 302:
            assert not response.headers["Location"].startswith(reverse("login")), path
        body = response.content.decode()
        shown = sorted({whose for text, whose in markers.items() if text in body})
        assert not shown, f"{path} shows {', '.join(shown)}"
