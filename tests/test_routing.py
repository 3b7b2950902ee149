"""Hosts, schemas and what each provider can see."""

import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from careplatform.redis import get_redis
from tenant_apps.accounts.models import User
from tenants.models import ProviderStatus
from tenants.provisioning import set_provider_status
from tests.support import personnummer


@pytest.fixture
def probes(settings):
    settings.ROOT_URLCONF = "tests.tenant_urls"


def test_rows_of_provider_a_are_invisible_on_provider_b_host(client, alfa, beta, probes):
    with schema_context(alfa.provider.schema_name):
        User.objects.create_user(personnummer("19950101", "101"), "Ny", "Alfapatient")

    on_alfa = client.get("/probe/users/", HTTP_HOST=alfa.host).json()["names"]
    on_beta = client.get("/probe/users/", HTTP_HOST=beta.host).json()["names"]

    assert "Ny Alfapatient" in on_alfa
    assert "Klara Kliniker" in on_alfa
    assert "Ny Alfapatient" not in on_beta
    assert "Klara Kliniker" not in on_beta
    assert on_beta == ["Bert Admin", "Olle Utomstående"]


def test_rows_of_provider_b_are_invisible_on_provider_a_host(client, alfa, beta, probes):
    with schema_context(beta.provider.schema_name):
        User.objects.create_user(personnummer("19950202", "202"), "Ny", "Betapatient")

    assert "Ny Betapatient" in client.get("/probe/users/", HTTP_HOST=beta.host).json()["names"]
    assert "Ny Betapatient" not in client.get("/probe/users/", HTTP_HOST=alfa.host).json()["names"]


def test_provider_host_shows_its_own_name(client, alfa, beta):
    assert "Vårdcentralen Alfa" in client.get("/", HTTP_HOST=alfa.host).content.decode()
    assert "Kliniken Beta" in client.get("/", HTTP_HOST=beta.host).content.decode()


def test_public_host_serves_the_landing_page(client, db):
    response = client.get("/", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert "CarePlatform" in response.content.decode()


def test_provider_pages_are_not_on_the_public_host(client, db):
    assert client.get("/api/v1/provider/", HTTP_HOST="localhost").status_code == 404


@pytest.mark.parametrize("host", ["okand.localhost", "template.localhost", "a.b.localhost"])
def test_unknown_subdomain_gets_a_proper_404_page(client, db, host):
    response = client.get("/", HTTP_HOST=host)
    assert response.status_code == 404
    assert "Det finns ingen vårdgivare på den här adressen." in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_unknown_subdomain_on_the_api_gets_json_404(client, db):
    response = client.get("/api/v1/provider/", HTTP_HOST="okand.localhost")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_provider"


def test_host_outside_our_domain_is_no_provider(client, db):
    # Hosts are checked by the routing (providers may have host names of their own).
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 404
    assert "Det finns ingen vårdgivare på den här adressen." in response.content.decode()


@pytest.mark.parametrize("host", ["evil_host.example.com", "a b.localhost", "localhost:port"])
def test_malformed_host_header_is_refused(client, db, host):
    assert client.get("/", HTTP_HOST=host).status_code == 400


def test_missing_page_on_provider_host_is_a_swedish_404(client, alfa):
    response = client.get("/finns-inte/", HTTP_HOST=alfa.host)
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()


def test_suspended_provider_gets_the_suspended_page(client, alfa):
    set_provider_status(alfa.provider, ProviderStatus.SUSPENDED)
    response = client.get("/", HTTP_HOST=alfa.host)
    assert response.status_code == 403
    assert "Plattformen är avstängd" in response.content.decode()


def test_suspended_provider_api_is_refused_with_json(client, alfa):
    set_provider_status(alfa.provider, ProviderStatus.SUSPENDED)
    response = client.get("/api/v1/provider/", HTTP_HOST=alfa.host)
    assert response.status_code == 403
    assert response.json()["code"] == "provider_suspended"


def test_reactivated_provider_is_served_again(client, alfa, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        set_provider_status(alfa.provider, ProviderStatus.SUSPENDED)
    assert client.get("/", HTTP_HOST=alfa.host).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        set_provider_status(alfa.provider, ProviderStatus.ACTIVE)
    assert client.get("/", HTTP_HOST=alfa.host).status_code == 200


def test_provider_api_answers_on_its_own_host(client, alfa):
    response = client.get("/api/v1/provider/", HTTP_HOST=alfa.host)
    assert response.json() == {"name": "Vårdcentralen Alfa", "subdomain": "alfa"}


def test_session_cookie_is_host_only(client, alfa, probes):
    response = client.get("/probe/session/?set=x", HTTP_HOST=alfa.host)
    cookie = response.cookies["sessionid"]
    assert cookie["domain"] == ""
    assert cookie["httponly"]


def test_session_made_on_provider_a_is_not_accepted_on_provider_b(client, alfa, beta, probes):
    client.get("/probe/session/?set=from-alfa", HTTP_HOST=alfa.host)
    assert client.get("/probe/session/", HTTP_HOST=alfa.host).json()["marker"] == "from-alfa"
    # The browser would not even send the cookie; even if it did, B does not know the session.
    assert client.get("/probe/session/", HTTP_HOST=beta.host).json()["marker"] is None


def test_cache_keys_are_separated_per_provider(alfa, beta):
    key = f"probe-{uuid.uuid4().hex}"
    with schema_context(alfa.provider.schema_name):
        cache.set(key, "alfa", 30)
    with schema_context(beta.provider.schema_name):
        assert cache.get(key) is None
        cache.set(key, "beta", 30)
    with schema_context(alfa.provider.schema_name):
        assert cache.get(key) == "alfa"
    keys = {k.decode() for k in get_redis().keys(f"*{key}*")}
    assert any(alfa.provider.schema_name in k for k in keys)
    assert any(beta.provider.schema_name in k for k in keys)


def test_uploaded_files_are_stored_per_provider(alfa, beta, media_root):
    with schema_context(alfa.provider.schema_name):
        name = default_storage.save("photos/p.txt", ContentFile(b"alfa"))
        assert default_storage.path(name).startswith(str(media_root / alfa.provider.schema_name))
    with schema_context(beta.provider.schema_name):
        assert not default_storage.exists(name)
    assert (media_root / alfa.provider.schema_name / name).read_bytes() == b"alfa"


def test_security_headers_on_every_page(client, alfa):
    response = client.get("/", HTTP_HOST=alfa.host)
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    policy = response["Permissions-Policy"]
    assert "camera=(self)" in policy
    assert "microphone=(self)" in policy
    assert response["X-Content-Type-Options"] == "nosniff"


def test_hsts_is_sent_over_https_in_production(client, alfa):
    response = client.get("/", HTTP_HOST=alfa.host, secure=True)
    assert "max-age=31536000" in response["Strict-Transport-Security"]


def test_connection_returns_to_public_schema_for_unknown_host(client, alfa):
    client.get("/", HTTP_HOST=alfa.host)
    client.get("/", HTTP_HOST="okand.localhost")
    assert connection.schema_name == "public"


@pytest.mark.parametrize(
    ("language", "title"),
    [("", "Ett oväntat fel inträffade."), ("en", "Something unexpected went wrong.")],
)
def test_an_unexpected_error_is_explained_in_the_visitors_language(alfa, probes, language, title):
    client = Client(raise_request_exception=False)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/probe/error/", HTTP_HOST=alfa.host)
    assert response.status_code == 500
    page = response.content.decode()
    assert f"<h1>{title}</h1>" in page and "444 34 34" in page
    assert f'lang="{language or "sv"}"' in page
    api = client.get("/probe/error/", HTTP_HOST=alfa.host, HTTP_ACCEPT="application/json")
    assert api.json() == {"detail": title, "code": "error"}
