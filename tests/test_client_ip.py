"""The client's IP address over real HTTP, as production serves it (the image's uvicorn options):
X-Forwarded-For counts only when the peer is a configured proxy, and then only its right-most
address that is not one of our proxies. The IP decides the BankID rate limit and is written to
the BankID order (endUserIp), consent records and the audit log."""

import pytest
from django.test import RequestFactory
from django_tenants.utils import schema_context

from careplatform.bankid.simulator import store
from careplatform.netutils import client_ip
from careplatform.redis import get_redis, platform_key
from tenant_apps.accounts.models import Consent, User
from tenant_apps.audit.models import AuditEvent
from tests.login_support import HttpBrowser, InProcessBrowser, Simulator
from tests.support import LiveServer, personnummer

# What a client claims, and what our proxy (nginx: $proxy_add_x_forwarded_for) appends.
FORGED = "203.0.113.{}"
REAL_CLIENT = "198.51.100.7"


@pytest.fixture(scope="module")
def direct_server(django_db_setup, django_db_blocker):
    """Reached without a proxy: the peer (127.0.0.1) is not the configured proxy."""
    with django_db_blocker.unblock():
        server = LiveServer(trusted_proxies="192.0.2.10")
    yield server
    server.stop()


# (server fixture, X-Forwarded-For for the n-th request, the address that must count)
CASES = {
    "direct": ("direct_server", lambda n: FORGED.format(n), "127.0.0.1"),
    "proxied": ("live_server_process", lambda n: f"{FORGED.format(n)}, {REAL_CLIENT}", REAL_CLIENT),
}


@pytest.fixture(params=CASES.values(), ids=CASES.keys())
def case(request):
    fixture, chain, counted = request.param
    get_redis().delete(platform_key(f"bankid-starts:{counted}"))  # a fresh minute
    return request.getfixturevalue(fixture), chain, counted


def browser(server, subdomain, forwarded_for) -> HttpBrowser:
    result = HttpBrowser(server, subdomain)
    result.http.headers["X-Forwarded-For"] = forwarded_for
    return result


def start_login(server, forwarded_for):
    http = browser(server, None, forwarded_for)
    assert http.http.get("/login/").status_code == 200
    return http.http.post("/login/start/", data={"mode": "qr"}, headers=http.csrf())


@pytest.mark.server
def test_forged_forwarded_for_does_not_escape_the_login_rate_limit(case):
    server, chain, counted = case
    for n in range(5):
        started = start_login(server, chain(n))
        assert started.status_code == 200, started.text
        order = store.order_by_autostart(started.json()["autoStartToken"])
        assert order.end_user_ip == counted
    refused = start_login(server, chain(99))
    assert refused.status_code == 429
    assert "För många inloggningsförsök" in refused.json()["message"]


@pytest.mark.server
def test_consent_and_audit_record_the_real_client_address(case, committed):
    server, chain, counted = case
    provider = committed.provider("natverk")
    with schema_context(provider.schema_name):
        patient = User.objects.create_user(
            personnummer("19920303", "033"), "Nora", "Nätverk", is_patient=True
        )
        admin = User.objects.get(is_admin=True)
    simulator = Simulator(server.port)

    as_patient = browser(server, "natverk", chain(1))
    assert as_patient.login(patient.personnummer, simulator)["state"] == "complete"
    given = as_patient.http.post("/samtycke/", data={"version": "1"}, headers=as_patient.csrf())
    assert given.status_code == 302

    as_admin = browser(server, "natverk", chain(2))
    assert as_admin.login(admin.personnummer, simulator)["state"] == "complete"
    assert as_admin.http.get(f"/administration/patienter/{patient.pk}/").status_code == 200

    with schema_context(provider.schema_name):
        assert Consent.objects.get(user=patient).ip_address == counted
        assert AuditEvent.objects.get(actor=admin, subject=patient).ip_address == counted


# -- the rule itself, in-process ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        ("203.0.113.9", "1.2.3.4", "203.0.113.9"),  # not a proxy of ours: the header is ignored
        ("10.0.0.5", "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        ("10.0.0.5", "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),  # two proxies of ours
        ("10.0.0.5", "", "10.0.0.5"),  # no header: the proxy itself
        ("10.0.0.5", "10.0.0.7, 10.0.0.9", "10.0.0.7"),  # all ours: the one furthest out
        ("10.0.0.5", "6.6.6.6, nonsense, 10.0.0.9", "10.0.0.9"),  # garbage ends the chain
        ("10.0.0.5", "::ffff:198.51.100.7", "198.51.100.7"),
        ("10.0.0.5", "2001:DB8:0::1", "2001:db8::1"),  # one spelling per address
        ("::ffff:10.0.0.5", "198.51.100.7", "198.51.100.7"),
    ],
)
def test_client_ip_is_the_right_most_address_that_is_not_our_proxy(
    settings, peer, forwarded_for, expected
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected


def test_addresses_of_one_ipv6_network_share_the_login_rate_limit(
    client, settings, live_server_process, alfa
):
    """An IPv6 client holds a whole /64: a new address per try must not give new tries."""
    settings.BANKID_URL = f"http://localhost:{live_server_process.port}/bankid-simulator/rp/v6.0"
    get_redis().delete(platform_key("bankid-starts:2001:db8:6:4::/64"))
    browser = InProcessBrowser(client, alfa.host, Simulator(live_server_process.port))
    for n in range(1, 6):
        browser.ip = f"2001:db8:6:4::{n}"
        assert browser.start().status_code == 200
    browser.ip = "2001:db8:6:4:ffff::1"
    assert browser.start().status_code == 429
    browser.ip = "2001:db8:6:5::1"  # the next network is someone else
    assert browser.start().status_code == 200
