"""Personal API keys: the command, the page, and what a key may and may not do."""

import hashlib
import io
import re

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_tenants.utils import schema_context

from careplatform import clock
from tenant_apps.accounts.models import User
from tenant_apps.api.models import ApiToken
from tenant_apps.api.services import issue_token, revoke_token
from tests.api.helpers import consent
from tests.clients import logged_in
from tests.support import personnummer

ME = "/api/v1/me/"
KEY_SHAPE = re.compile(r"^[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$")


def issue(*args: str, **options) -> str:
    out = io.StringIO()
    call_command("issue_api_token", *args, stdout=out, **options)
    return out.getvalue()


# -- the command ---------------------------------------------------------------------------------


def test_command_prints_the_key_alone_and_it_works(in_alfa, api):
    personnummer = in_alfa.clinician.personnummer
    output = issue("alfa", f"{personnummer[2:8]}-{personnummer[8:]}", name="Journalkoppling")
    key = output.removesuffix("\n")
    assert output == key + "\n" and KEY_SHAPE.match(key)
    with schema_context(in_alfa.provider.schema_name):
        token = ApiToken.objects.get(user=in_alfa.clinician)
    assert (
        token.name == "Journalkoppling"
        and token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    )
    response = api(token=key).get(ME)
    assert response.status_code == 200 and response.json()["first_name"] == "Klara"


def test_the_key_is_not_stored_in_clear(in_alfa):
    token, key = issue_token(in_alfa.clinician, "Skript")
    secret = key.split(".", 1)[1]
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(secret in str(value) for value in row.values())
    assert key.startswith(row["prefix"] + ".")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["gamma", personnummer("19850505", "005")], "ingen vårdgivare"),
        (["tenant_template", personnummer("19850505", "005")], "ingen vårdgivare"),
        (["alfa", personnummer("19451212", "045")], "ingen aktiv användare"),
        (["alfa", "19850505-0000"], "kontrollsiffra"),
        (["beta", personnummer("19850505", "005")], "ingen aktiv användare"),
    ],
)
def test_command_fails_clearly(in_alfa, args, message):
    with pytest.raises(CommandError, match=message):
        issue(*args)
    assert not ApiToken.objects.exists()


def test_command_refuses_a_deactivated_user(in_alfa):
    User.objects.filter(pk=in_alfa.colleague.pk).update(is_active=False)
    with pytest.raises(CommandError, match="ingen aktiv användare"):
        issue("alfa", in_alfa.colleague.personnummer)


# -- what a key may do ---------------------------------------------------------------------------


def test_a_key_works_without_csrf_and_notes_its_last_use(in_alfa, api):
    token, key = issue_token(in_alfa.clinician, "Skript")
    client = api(token=key)
    with time_machine.travel(clock.now(), tick=False):
        response = client.patch("/api/v1/me/profile/", {"title": "Barnmorska"})
        assert response.status_code == 200
        token.refresh_from_db()
        assert token.last_used_at == clock.now()


def test_session_calls_need_the_csrf_token(in_alfa):
    client = logged_in(in_alfa.clinician, in_alfa, csrf=True)
    response = client.patch(
        "/api/v1/me/profile/", '{"title": "X"}', content_type="application/json"
    )
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_revoked_key_is_refused(in_alfa, api):
    token, key = issue_token(in_alfa.clinician, "Skript")
    revoke_token(in_alfa.clinician, token.pk)
    response = api(token=key).get(ME)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"


def test_key_of_a_deactivated_user_is_refused(in_alfa, api):
    _token, key = issue_token(in_alfa.colleague, "Skript")
    User.objects.filter(pk=in_alfa.colleague.pk).update(is_active=False)
    assert api(token=key).get(ME).status_code == 401


def test_key_works_only_on_its_own_providers_host(in_alfa, api, beta):
    with schema_context(in_alfa.provider.schema_name):
        _token, key = issue_token(in_alfa.clinician, "Skript")
    assert api(token=key, cast=beta).get(ME).status_code == 401
    assert api(token=key).get(ME).status_code == 200


@pytest.mark.parametrize("tamper", ["secret", "prefix", "shape"])
def test_wrong_or_malformed_keys_are_refused(in_alfa, api, tamper):
    _token, key = issue_token(in_alfa.clinician, "Skript")
    prefix, secret = key.split(".")
    bad = {
        "secret": f"{prefix}.{secret[::-1]}",
        "prefix": f"000000000000.{secret}",
        "shape": prefix,
    }[tamper]
    assert api(token=bad).get(ME).status_code == 401
    client = api()
    response = client.get(ME, HTTP_AUTHORIZATION=f"Token {key} extra")
    assert response.status_code == 401


def test_patient_key_needs_consent(in_alfa, api):
    _token, key = issue_token(in_alfa.patient, "Min app")
    response = api(token=key).get(ME)
    assert (response.status_code, response.json()["code"]) == (403, "consent_required")
    consent(in_alfa, in_alfa.patient)
    assert api(token=key).get(ME).status_code == 200


# -- the page ------------------------------------------------------------------------------------


def page(client, path="/api-nycklar/", data=None):
    response = client.post(path, data) if data is not None else client.get(path)
    return response, response.content.decode()


@pytest.fixture
def browser(in_alfa):
    return logged_in(in_alfa.clinician, in_alfa)


def test_page_creates_a_key_and_shows_it_once(in_alfa, browser, api):
    response, html = page(browser, data={"name": "Journalkoppling"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = re.search(r"<code>([0-9a-f]{12}\.[^<]+)</code>", html).group(1)
    assert "visas bara den här gången" in html
    assert api(token=key).get(ME).status_code == 200
    _response, again = page(browser)
    assert key not in again and "Journalkoppling" in again and key[:12] in again


def test_page_refuses_a_key_without_a_name(in_alfa, browser):
    response, html = page(browser, data={"name": "  "})
    assert response.status_code == 400 and "Ge nyckeln ett namn" in html
    assert not ApiToken.objects.exists()


def test_page_revokes_a_key(in_alfa, browser, api):
    token, key = issue_token(in_alfa.clinician, "Skript")
    response = browser.post(f"/api-nycklar/{token.pk}/aterkalla/")
    assert response.status_code == 302
    _response, html = page(browser)
    assert "är återkallad" in html and "Återkallad" in html
    assert api(token=key).get(ME).status_code == 401


def test_page_cannot_revoke_someone_elses_key(in_alfa, browser, api):
    token, key = issue_token(in_alfa.colleague, "Kalles")
    response = browser.post(f"/api-nycklar/{token.pk}/aterkalla/")
    assert response.status_code == 400
    assert api(token=key).get(ME).status_code == 200
    assert "Kalles" not in page(browser)[1]


def test_page_needs_login_and_refuses_get_on_revoke(in_alfa, browser):
    anonymous = Client(HTTP_HOST=in_alfa.host)
    assert anonymous.get("/api-nycklar/")["Location"].startswith("/login/")
    assert browser.get("/api-nycklar/1/aterkalla/").status_code == 405


def test_page_has_no_inline_script_or_style_and_fits_a_phone(in_alfa, browser):
    _token, _key = issue_token(in_alfa.clinician, "Skript")
    _response, html = page(browser)
    assert '<meta name="viewport" content="width=device-width' in html
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)", html)  # files of our own are fine
    assert inline_scripts == [] and "<style" not in html and "style=" not in html
    assert "/static/api/tokens.css" in html
