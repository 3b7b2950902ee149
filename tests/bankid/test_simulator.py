"""The BankID simulator: BankID's request fields, error bodies and statuses, the hintCode
sequence, expiry, and the simulated phone (its JSON API and its page)."""

import base64
import datetime
import os
import re
import subprocess
import sys
import uuid

import httpx
import pytest
import time_machine

from careplatform import clock
from careplatform.bankid.qr import qr_content
from tests.bankid.helpers import BAD_PERSONNUMMER, IP, OTHER_PERSONNUMMER, PERSONNUMMER, RP, SIM
from tests.support import ROOT


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def assert_bankid_error(response: httpx.Response, status: int, error_code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"errorCode", "details"}
    assert body["errorCode"] == error_code and body["details"]
    return body


# -- RP API over HTTP ---------------------------------------------------------------------------
@pytest.fixture
def rp(base_url):
    def post(endpoint: str, body=None, **kwargs) -> httpx.Response:
        if body is not None:
            kwargs["json"] = body
        return httpx.post(f"{base_url}{RP}/{endpoint}", timeout=10, **kwargs)

    return post


@pytest.mark.parametrize("endpoint", ["auth", "sign"])
def test_order_start_returns_bankids_four_fields_as_uuids(rp, endpoint):
    body = {"endUserIp": IP, "userVisibleData": b64("Skriv under")}
    response = rp(endpoint, body)
    assert response.status_code == 200, response.text
    reply = response.json()
    assert set(reply) == {"orderRef", "autoStartToken", "qrStartToken", "qrStartSecret"}
    assert all(uuid.UUID(value) for value in reply.values())
    assert len(set(reply.values())) == 4


@pytest.mark.parametrize("ip", ["192.0.2.1", "2001:db8::1", "::1"])
def test_auth_accepts_ipv4_and_ipv6_end_user_ip(rp, ip):
    assert rp("auth", {"endUserIp": ip}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [{}, {"endUserIp": ""}, {"endUserIp": "999.1.1.1"}, {"endUserIp": "localhost"},
     {"endUserIp": 192}, {"endUserIp": "192.0.2.1/24"}],
    ids=["missing", "empty", "out-of-range", "hostname", "number", "network"],
)  # fmt: skip
def test_missing_or_malformed_end_user_ip_is_invalid_parameters(rp, body):
    reply = assert_bankid_error(rp("auth", body), 400, "invalidParameters")
    assert "endUserIp" in reply["details"]


def test_sign_without_user_visible_data_is_invalid_parameters(rp):
    assert_bankid_error(rp("sign", {"endUserIp": IP}), 400, "invalidParameters")


@pytest.mark.parametrize(
    "value",
    ["inte base64!", "", base64.b64encode(b"\xff\xfe").decode(), "A" * 40_004, 42],
    ids=["not-base64", "empty", "not-utf8", "too-long", "number"],
)
def test_bad_user_visible_data_is_invalid_parameters(rp, value):
    reply = rp("sign", {"endUserIp": IP, "userVisibleData": value})
    assert assert_bankid_error(reply, 400, "invalidParameters")["details"] == (
        "Invalid userVisibleData"
    )


def test_user_visible_data_up_to_40000_characters_is_accepted(rp):
    assert rp("sign", {"endUserIp": IP, "userVisibleData": "QUJD" * 10_000}).status_code == 200


@pytest.mark.parametrize(
    "requirement",
    [{"personalNumber": BAD_PERSONNUMMER},
     {"personalNumber": "9001011238"}, {"personalNumber": "19900101-1238"},
     {"pinCode": "yes"}, {"cardReader": "class3"}, {"certificatePolicies": "1.2.3"},
     {"favouriteColour": "blue"}, "personalNumber"],
    ids=["check-digit", "ten-digits", "separator", "pin-code", "card-reader", "policies",
         "unknown-key", "not-an-object"],
)  # fmt: skip
def test_bad_requirement_is_invalid_parameters(rp, requirement):
    reply = rp("auth", {"endUserIp": IP, "requirement": requirement})
    assert_bankid_error(reply, 400, "invalidParameters")


def test_full_requirement_is_accepted(rp):
    requirement = {
        "personalNumber": PERSONNUMMER,
        "pinCode": True,
        "mrtd": False,
        "cardReader": "class1",
        "certificatePolicies": ["1.2.752.78.1.5"],
    }
    body = {"endUserIp": IP, "requirement": requirement, "returnRisk": True}
    assert rp("auth", {**body, "returnUrl": "https://localhost/tillbaka"}).status_code == 200


@pytest.mark.parametrize("content", ['{"endUserIp": ', "[1, 2]", "null"])
def test_body_that_is_not_a_json_object_is_invalid_parameters(rp, content):
    reply = rp("auth", content=content, headers={"Content-Type": "application/json"})
    assert_bankid_error(reply, 400, "invalidParameters")


def test_body_that_is_not_json_is_unsupported_media_type(rp):
    reply = rp("auth", data={"endUserIp": IP})
    assert_bankid_error(reply, 415, "unsupportedMediaType")


def test_wrong_method_is_405(base_url):
    response = httpx.get(f"{base_url}{RP}/auth")
    assert_bankid_error(response, 405, "methodNotAllowed")
    assert response.headers["Allow"] == "POST"


@pytest.mark.parametrize("path", [f"{RP}/verify", f"{RP}/", f"{SIM}/rp/v5.1/auth"])
def test_any_other_path_under_the_api_is_not_found(base_url, path):
    assert_bankid_error(httpx.post(f"{base_url}{path}", json={}), 404, "notFound")


@pytest.mark.parametrize("body", [{}, {"orderRef": 7}, {"orderRef": "x" * 65}])
def test_collect_without_a_proper_order_ref_is_invalid_parameters(rp, body):
    assert_bankid_error(rp("collect", body), 400, "invalidParameters")


def test_unknown_and_cancelled_order_refs_are_invalid_parameters(rp):
    reply = assert_bankid_error(
        rp("collect", {"orderRef": str(uuid.uuid4())}), 400, "invalidParameters"
    )
    assert reply["details"] == "No such order"
    order_ref = rp("auth", {"endUserIp": IP}).json()["orderRef"]
    cancel = rp("cancel", {"orderRef": order_ref})
    assert (cancel.status_code, cancel.json()) == (200, {})
    assert_bankid_error(rp("collect", {"orderRef": order_ref}), 400, "invalidParameters")


def test_already_in_progress_refuses_the_new_order_and_cancels_the_pending_one(rp, phone):
    body = {"endUserIp": IP, "requirement": {"personalNumber": PERSONNUMMER}}
    first = rp("auth", body).json()["orderRef"]
    assert_bankid_error(rp("sign", {**body, "userVisibleData": b64("x")}), 400, "alreadyInProgress")
    reply = rp("collect", {"orderRef": first}).json()
    assert reply == {"orderRef": first, "status": "failed", "hintCode": "cancelled"}
    assert phone.approve(first).json()["code"] == "not_pending"


def test_orders_without_a_personnummer_or_for_others_do_not_conflict(rp):
    assert rp("auth", {"endUserIp": IP}).status_code == 200
    assert rp("auth", {"endUserIp": IP}).status_code == 200
    assert (
        rp("auth", {"endUserIp": IP, "requirement": {"personalNumber": PERSONNUMMER}}).status_code
        == 200
    )
    other = {"endUserIp": IP, "requirement": {"personalNumber": OTHER_PERSONNUMMER}}
    assert rp("auth", other).status_code == 200


def test_a_person_can_start_again_once_the_order_is_complete(rp, phone):
    body = {"endUserIp": IP, "requirement": {"personalNumber": PERSONNUMMER}}
    order_ref = rp("auth", body).json()["orderRef"]
    phone.approve(order_ref)
    assert rp("auth", body).status_code == 200


def test_collect_reports_each_step_then_complete_once(rp, phone):
    order_ref = rp("auth", {"endUserIp": IP}).json()["orderRef"]

    def collect() -> dict:
        response = rp("collect", {"orderRef": order_ref})
        assert response.status_code == 200, response.text
        return response.json()

    pending = {"orderRef": order_ref, "status": "pending"}
    assert collect() == {**pending, "hintCode": "outstandingTransaction"}
    assert collect() == {**pending, "hintCode": "outstandingTransaction"}
    phone.post("open", orderRef=order_ref)
    assert collect() == {**pending, "hintCode": "started"}
    phone.approve(order_ref, PERSONNUMMER)
    assert collect() == {**pending, "hintCode": "userSign"}

    complete = collect()
    assert set(complete) == {"orderRef", "status", "completionData"}
    assert complete["status"] == "complete"
    data = complete["completionData"]
    assert set(data) == {"user", "device", "bankIdIssueDate", "stepUp", "signature", "ocspResponse"}
    assert data["user"] == {
        "personalNumber": PERSONNUMMER,
        "name": "Test Testsson",
        "givenName": "Test",
        "surname": "Testsson",
    }
    assert set(data["device"]) == {"ipAddress", "uhi"}
    assert data["stepUp"] == {"mrtd": False}
    assert_bankid_error(rp("collect", {"orderRef": order_ref}), 400, "invalidParameters")


def test_the_app_opens_an_order_by_its_autostart_token(rp, phone):
    order = rp("auth", {"endUserIp": IP}).json()
    opened = phone.post("open", autoStartToken=order["autoStartToken"])
    assert opened.json() == {
        "orderRef": order["orderRef"],
        "status": "pending",
        "hintCode": "started",
    }
    assert phone.post("open", autoStartToken=str(uuid.uuid4())).status_code == 400


# -- expiry and QR age: in-process, with the clock moved -----------------------------------------
def started_at(sim, **body) -> tuple[datetime.datetime, dict]:
    """Start an order with the clock stopped, so ages below are exact."""
    start = clock.now()
    with time_machine.travel(start, tick=False):
        return start, sim.auth(**body)


def test_order_expires_after_the_order_ttl(sim, settings):
    start, order = started_at(sim)
    order_ref = order["orderRef"]
    ttl = datetime.timedelta(seconds=settings.BANKID_ORDER_TTL)
    with time_machine.travel(start + ttl - datetime.timedelta(seconds=1), tick=False):
        assert sim.collect(order_ref)[1]["hintCode"] == "outstandingTransaction"
    with time_machine.travel(start + ttl, tick=False):
        expired = {"orderRef": order_ref, "status": "failed", "hintCode": "expiredTransaction"}
        assert sim.collect(order_ref) == (200, expired)
        assert sim.collect(order_ref) == (200, expired)
        status, reply = sim.post(
            "app/approve", {"orderRef": order_ref, "personalNumber": PERSONNUMMER}
        )
        assert (status, reply["code"]) == (400, "expired")


def test_an_expired_order_does_not_block_a_new_one_for_the_person(sim, settings):
    start, _ = started_at(sim, requirement={"personalNumber": PERSONNUMMER})
    with time_machine.travel(start + datetime.timedelta(seconds=settings.BANKID_ORDER_TTL + 5)):
        assert sim.auth(requirement={"personalNumber": PERSONNUMMER})["orderRef"]


def test_started_orders_expire_too(sim, settings):
    start, order = started_at(sim)
    order_ref = order["orderRef"]
    sim.post("app/open", {"orderRef": order_ref})
    with time_machine.travel(start + datetime.timedelta(seconds=settings.BANKID_ORDER_TTL + 1)):
        assert sim.collect(order_ref)[1]["hintCode"] == "expiredTransaction"


def test_scanning_a_fresh_qr_code_approves_the_order(sim):
    order = sim.auth()
    qr = qr_content(order["qrStartToken"], order["qrStartSecret"], 0)
    status, reply = sim.post(
        "app/scan", {"qr": qr, "personalNumber": PERSONNUMMER, "givenName": "Qvist"}
    )
    assert (status, reply["hintCode"]) == (200, "userSign")
    assert sim.collect(order["orderRef"])[1]["hintCode"] == "userSign"
    user = sim.collect(order["orderRef"])[1]["completionData"]["user"]
    assert (user["personalNumber"], user["givenName"]) == (PERSONNUMMER, "Qvist")


@pytest.mark.parametrize(
    ("seconds", "elapsed", "accepted"),
    [(0, 29, True), (0, 30, False), (5, 34, True), (5, 35, False)],
)
def test_a_qr_code_30_seconds_old_or_more_is_refused(sim, seconds, elapsed, accepted):
    start, order = started_at(sim)
    qr = qr_content(order["qrStartToken"], order["qrStartSecret"], seconds)
    with time_machine.travel(start + datetime.timedelta(seconds=elapsed), tick=False):
        status, reply = sim.post("app/scan", {"qr": qr, "personalNumber": PERSONNUMMER})
    if accepted:
        assert status == 200, reply
    else:
        assert (status, reply["code"]) == (400, "qr_too_old")
        assert "för gammal" in reply["detail"]


def test_a_forged_qr_code_is_refused(sim):
    order = sim.auth()
    forged = qr_content(order["qrStartToken"], "a guessed secret", 0)
    status, reply = sim.post("app/scan", {"qr": forged, "personalNumber": PERSONNUMMER})
    assert (status, reply["code"]) == (400, "qr_forged")
    assert sim.collect(order["orderRef"])[1]["hintCode"] == "outstandingTransaction"


@pytest.mark.parametrize(
    "qr", ["", "https://example.com", "bankid.abc.0.xyz", f"bankid.{uuid.uuid4()}.0.{'0' * 64}"]
)
def test_something_else_than_an_orders_qr_code_is_refused(sim, qr):
    status, reply = sim.post("app/scan", {"qr": qr, "personalNumber": PERSONNUMMER})
    assert status == 400 and reply["code"] in ("qr_invalid", "no_order")


# -- the phone's JSON API -----------------------------------------------------------------------
def test_a_personnummer_with_a_bad_check_digit_is_refused(rp, phone):
    order_ref = rp("auth", {"endUserIp": IP}).json()["orderRef"]
    response = phone.approve(order_ref, BAD_PERSONNUMMER)
    assert response.status_code == 400
    assert response.json()["code"] == "personnummer_invalid"
    assert "kontrollsiffra" in response.json()["detail"]
    assert phone.approve(order_ref, PERSONNUMMER).status_code == 200


def test_approving_as_someone_else_than_the_required_person_is_refused(rp, phone):
    body = {"endUserIp": IP, "requirement": {"personalNumber": PERSONNUMMER}}
    order_ref = rp("auth", body).json()["orderRef"]
    response = phone.approve(order_ref, OTHER_PERSONNUMMER)
    assert (response.status_code, response.json()["code"]) == (400, "wrong_person")
    assert rp("collect", {"orderRef": order_ref}).json()["hintCode"] == "outstandingTransaction"
    assert (
        phone.approve(order_ref, PERSONNUMMER[:8] + "-" + PERSONNUMMER[8:]).status_code == 200
    )  # any format


def test_an_order_is_approved_only_once(rp, phone):
    order_ref = rp("auth", {"endUserIp": IP}).json()["orderRef"]
    assert phone.approve(order_ref).status_code == 200
    assert phone.approve(order_ref, OTHER_PERSONNUMMER).json()["code"] == "not_pending"
    assert phone.post("cancel", orderRef=order_ref).json()["code"] == "not_pending"


def test_approving_or_cancelling_an_unknown_order_is_refused(phone):
    assert phone.approve(str(uuid.uuid4())).json()["code"] == "no_order"
    assert phone.post("cancel", orderRef=str(uuid.uuid4())).json()["code"] == "no_order"
    assert phone.post("approve", personalNumber=PERSONNUMMER).status_code == 400


def test_a_cancelled_order_cannot_be_approved(rp, phone):
    order_ref = rp("auth", {"endUserIp": IP}).json()["orderRef"]
    phone.post("cancel", orderRef=order_ref)
    assert phone.approve(order_ref).json()["code"] == "not_pending"


def test_phone_api_wants_post_and_json(base_url, phone):
    response = httpx.get(f"{base_url}{SIM}/app/approve")
    assert (response.status_code, response.headers["Allow"]) == (405, "POST")
    response = httpx.post(f"{base_url}{SIM}/app/approve", content="{nope")
    assert response.status_code == 400


def test_faults_are_counted_and_scoped_to_an_endpoint(rp, phone):
    phone.fault("internalError", count=2, endpoint="sign")
    assert rp("auth", {"endUserIp": IP}).status_code == 200
    sign = {"endUserIp": IP, "userVisibleData": b64("x")}
    assert_bankid_error(rp("sign", sign), 500, "internalError")
    assert_bankid_error(rp("sign", sign), 500, "internalError")
    assert rp("sign", sign).status_code == 200
    assert phone.post("fault", errorCode="maintenance", endpoint="verify").status_code == 400


# -- the phone page -----------------------------------------------------------------------------
def test_phone_page_lists_waiting_orders_without_inline_script_or_style(sim, client):
    sign = sim.post("rp/v6.0/sign", {"endUserIp": IP, "userVisibleData": b64("Samtycke v2")})[1]
    response = client.get(f"{SIM}/app/", HTTP_HOST="localhost")
    assert response.status_code == 200
    html = response.content.decode()
    assert sign["orderRef"] in html and "Samtycke v2" in html and "Skriv under" in html
    assert 'name="pnr"' in html and "<datalist" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # every script is a file
    assert "<style" not in html and "style=" not in html and "javascript:" not in html


def test_phone_page_approves_and_cancels_with_its_form(sim, client):
    first = sim.auth()["orderRef"]
    second = sim.auth()["orderRef"]
    form = {"pnr": PERSONNUMMER[2:8] + "-" + PERSONNUMMER[8:], "given": "Greta", "surname": "Gran"}
    response = client.post(f"{SIM}/app/", {**form, "approve": first}, HTTP_HOST="localhost")
    assert response.status_code == 302
    client.post(f"{SIM}/app/", {**form, "cancel": second}, HTTP_HOST="localhost")

    assert sim.collect(first)[1]["hintCode"] == "userSign"
    assert sim.collect(first)[1]["completionData"]["user"]["name"] == "Greta Gran"
    assert sim.collect(second)[1]["hintCode"] == "userCancel"
    page = client.get(f"{SIM}/app/", HTTP_HOST="localhost").content.decode()
    assert "Ordern avbröts." in page and first not in page and second not in page
    assert PERSONNUMMER in page and "Greta" in page  # remembered for next time


def test_phone_page_shows_a_refusal(sim, client):
    order_ref = sim.auth()["orderRef"]
    form = {"pnr": BAD_PERSONNUMMER, "approve": order_ref}
    client.post(f"{SIM}/app/", form, HTTP_HOST="localhost")
    page = client.get(f"{SIM}/app/", HTTP_HOST="localhost").content.decode()
    assert "kontrollsiffra" in page and order_ref in page


def test_simulator_is_only_on_the_public_host(sim, client, alfa):
    for path in (f"{SIM}/app/", f"{RP}/auth"):
        assert client.get(path, HTTP_HOST="alfa.localhost").status_code == 404
        assert client.post(path, HTTP_HOST="alfa.localhost").status_code == 404


def test_simulator_is_not_mounted_when_debug_is_off_unless_enabled():
    script = (
        "import django; django.setup(); from django.conf import settings; from django.urls import"
        " resolve, Resolver404, set_urlconf; set_urlconf('careplatform.urls_public')\n"
        "try: resolve('/bankid-simulator/app/'); print('mounted', settings.BANKID_URL)\n"
        "except Resolver404: print('absent', settings.BANKID_URL)"
    )

    def run(**env: str) -> str:
        environ = {k: v for k, v in os.environ.items() if k not in ("BANKID_SIMULATOR", "DEBUG")}
        environ.update(DJANGO_SETTINGS_MODULE="careplatform.settings", SECRET_KEY="x", **env)
        result = subprocess.run(
            [sys.executable, "-c", script], env=environ, cwd=ROOT, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert run(DEBUG="0") == "absent https://appapi2.bankid.com/rp/v6.0"
    assert run(DEBUG="0", BANKID_SIMULATOR="1").startswith("mounted http://localhost")
    assert run(DEBUG="1", SITE_PORT="8000") == (
        "mounted http://localhost:8000/bankid-simulator/rp/v6.0"
    )
    assert run(DEBUG="1", BANKID_SIMULATOR="0").startswith("absent")
