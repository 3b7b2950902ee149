"""A provider's host names: the subdomain stays; extra host names route to the provider as soon
as they are added, in every process, and stop when removed."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tenants import domains
from tenants.models import Domain, OperatorActionKind
from tests.console.helpers import OPERATOR_IP, field_error, log_rows, operator_client, page
from tests.console.lifecycle_helpers import Operator
from tests.login_support import Simulator
from tests.support import personnummer

EXTRA = "video.vardcentralen.se"


def _add(client, host: str):
    return client.post(page("alfa", "domaner/"), {"domain": host})


def _extra(alfa) -> Domain:
    return Domain.objects.get(tenant=alfa.provider, domain=EXTRA)


def test_an_added_host_name_routes_to_the_provider_at_once(
    alfa, operator, client, django_capture_on_commit_callbacks
):
    assert client.get("/", HTTP_HOST=EXTRA).status_code == 404  # and cached as nobody's

    with django_capture_on_commit_callbacks(execute=True):
        response = _add(operator_client(operator), " Video.Vardcentralen.se. ")

    assert response.status_code == 302
    served = client.get("/", HTTP_HOST=EXTRA)
    assert served.status_code == 200
    assert "Vårdcentralen Alfa" in served.content.decode()
    [row] = log_rows(alfa.provider)
    assert (row.action, row.after, row.ip_address) == (
        OperatorActionKind.DOMAIN_ADDED,
        {"domain": EXTRA},
        OPERATOR_IP,
    )


@pytest.fixture
def otto(operator, live_server_process, settings) -> Operator:
    """Otto with the BankID simulator of the test server, to sign with."""
    settings.BANKID_URL = f"http://localhost:{live_server_process.port}/bankid-simulator/rp/v6.0"
    settings.BANKID_COLLECT_INTERVAL = 0
    return Operator(operator, Simulator(live_server_process.port))


def test_a_removed_host_name_stops_routing_at_once_after_a_signature(
    alfa, otto, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _add(otto.client, EXTRA)
    assert client.get("/", HTTP_HOST=EXTRA).status_code == 200
    remove = page("alfa", f"domaner/{_extra(alfa).pk}/ta-bort/")

    asked = otto.get(remove)
    token = otto.sign_token(otto.post(remove))
    assert client.get("/", HTTP_HOST=EXTRA).status_code == 200  # nothing before the signature
    signing_page = otto.get(f"/konsol/signera/{token}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        state = otto.sign(token)

    assert f"Signera och ta bort {EXTRA}" in asked.content.decode()
    text = f"Jag tar bort domänen {EXTRA} från Vårdcentralen Alfa (alfa)."
    assert text in signing_page
    assert state["state"] == "complete" and state["redirect"] == "/konsol/vardgivare/alfa/"
    assert client.get("/", HTTP_HOST=EXTRA).status_code == 404
    assert client.get("/", HTTP_HOST=alfa.host).status_code == 200
    row = log_rows(alfa.provider)[-1]
    assert (row.action, row.before, row.ip_address) == (
        OperatorActionKind.DOMAIN_REMOVED,
        {"domain": EXTRA},
        otto.ip,
    )
    assert row.signature["userVisibleData"] == text
    assert row.signature["user"]["personalNumber"] == otto.user.personnummer


def test_a_removal_signed_by_another_person_removes_nothing(alfa, otto):
    _add(otto.client, EXTRA)
    token = otto.sign_token(otto.post(page("alfa", f"domaner/{_extra(alfa).pk}/ta-bort/")))

    state = otto.sign(token, personnummer=personnummer("19700101", "101"))

    assert state["state"] == "failed"
    assert _extra(alfa)  # still there
    assert [row.action for row in log_rows(alfa.provider)] == [OperatorActionKind.DOMAIN_ADDED]


def test_removing_without_a_signature_is_refused(alfa, operator):
    added = domains.add_domain(alfa.provider, EXTRA, actor=operator, ip_address=None)

    with pytest.raises(ValidationError, match="signeras med BankID"):
        domains.remove_domain(alfa.provider, added, actor=operator, ip_address=None, signature={})

    assert _extra(alfa)


def test_an_international_host_name_is_stored_as_browsers_send_it(alfa, operator):
    _add(operator_client(operator), "video.vårdcentralen.se")

    stored = Domain.objects.get(tenant=alfa.provider, is_primary=False).domain
    assert stored == "video.xn--vrdcentralen-tcb.se"
    html = operator_client(operator).get(page("alfa")).content.decode()
    assert "video.vårdcentralen.se" in html


def test_the_page_lists_the_subdomain_first_and_it_cannot_be_removed(alfa, operator):
    _add(operator_client(operator), EXTRA)
    primary = Domain.objects.get(tenant=alfa.provider, is_primary=True)

    listed = domains.provider_domains(alfa.provider)
    asked = operator_client(operator).get(page("alfa", f"domaner/{primary.pk}/ta-bort/"))
    refused = operator_client(operator).post(page("alfa", f"domaner/{primary.pk}/ta-bort/"))

    assert [d.domain for d in listed] == ["alfa.localhost", EXTRA]
    assert (
        "alfa.localhost är vårdgivarens subdomän och kan inte tas bort." in asked.content.decode()
    )
    assert refused.status_code == 400
    assert "Vårdgivarens subdomän kan inte tas bort." in refused.content.decode()
    assert Domain.objects.filter(pk=primary.pk).exists()
    assert [row.action for row in log_rows(alfa.provider)] == [OperatorActionKind.DOMAIN_ADDED]


def test_another_providers_host_name_is_not_on_this_page(alfa, beta, operator):
    betas = Domain.objects.get(tenant=beta.provider)

    asked = operator_client(operator).get(page("alfa", f"domaner/{betas.pk}/ta-bort/"))
    removed = operator_client(operator).post(page("alfa", f"domaner/{betas.pk}/ta-bort/"))

    assert (asked.status_code, removed.status_code) == (404, 404)
    assert Domain.objects.filter(pk=betas.pk).exists()


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("", "Ange ett värdnamn, t.ex. video.vardcentralen.se."),
        ("https://video.vardcentralen.se/", "Ange bara värdnamnet, utan https:// och utan sökväg."),
        ("video.vardcentralen.se:8443", "Ange värdnamnet utan portnummer."),
        ("*.vardcentralen.se", "Jokertecken (*) går inte att använda; ange hela värdnamnet."),
        ("192.0.2.10", "En IP-adress går inte att använda; ange ett värdnamn."),
        ("2001:db8::1", "En IP-adress går inte att använda; ange ett värdnamn."),
        ("[2001:db8::1]", "En IP-adress går inte att använda; ange ett värdnamn."),
        ("10.0.0.300", "En IP-adress går inte att använda; ange ett värdnamn."),
        ("vardcentralen", "”vardcentralen” är inte ett giltigt värdnamn."),
        ("-video.vardcentralen.se", "”-video.vardcentralen.se” är inte ett giltigt värdnamn."),
        ("video_1.vardcentralen.se", "”video_1.vardcentralen.se” är inte ett giltigt värdnamn."),
        ("a" * 64 + ".se", f"”{'a' * 64}.se” är inte ett giltigt värdnamn."),
        ("alfa.localhost", "Vårdgivarens subdomän finns redan bland domänerna."),
        ("localhost", "Adresser under localhost är plattformens egna"),
        ("www.localhost", "Adresser under localhost är plattformens egna"),
        ("video.alfa.localhost", "Adresser under localhost är plattformens egna"),
        ("beta.localhost", "Adresser under localhost är plattformens egna"),
    ],
)
def test_a_refused_host_name_is_named_at_the_field_and_nothing_changes(
    alfa, operator, host, message
):
    response = _add(operator_client(operator), host)

    assert response.status_code == 400
    assert field_error(response.content.decode(), "domain").startswith(message)
    assert list(Domain.objects.filter(tenant=alfa.provider).values_list("domain", flat=True)) == [
        "alfa.localhost"
    ]
    assert log_rows(alfa.provider) == []


def test_a_host_name_of_another_provider_is_refused(alfa, beta, operator):
    Domain.objects.create(domain=EXTRA, tenant=beta.provider, is_primary=False)

    response = _add(operator_client(operator), EXTRA)

    assert response.status_code == 400
    assert field_error(response.content.decode(), "domain") == (
        f"{EXTRA} används redan av en annan vårdgivare."
    )
    assert Domain.objects.get(domain=EXTRA).tenant_id == beta.provider.pk
    assert log_rows(alfa.provider) == []


def test_the_same_host_name_twice_is_refused(alfa, operator):
    client = operator_client(operator)
    _add(client, EXTRA)

    response = _add(client, EXTRA.upper())

    assert field_error(response.content.decode(), "domain") == (
        f"{EXTRA} finns redan bland vårdgivarens domäner."
    )
    assert len(log_rows(alfa.provider)) == 1


@pytest.mark.server
def test_an_added_host_name_routes_in_the_server_process_at_once(live_server_process, committed):
    server = live_server_process
    provider = committed.provider("domtest", name="Domänkliniken")
    host = {"Host": f"video.domankliniken.se:{server.port}"}
    assert server.get(None, "/", headers=host).status_code == 404  # cached there as nobody's

    connection.set_schema_to_public()
    added = domains.add_domain(provider, "video.domankliniken.se", actor=None, ip_address=None)
    page_there = server.get(None, "/", headers=host)
    assert page_there.status_code == 200
    assert "Domänkliniken" in page_there.text

    domains.remove_domain(provider, added, actor=None, ip_address=None, signature={"sig": "x"})
    assert server.get(None, "/", headers=host).status_code == 404
