"""The BankID client against the simulator in the live server, over real HTTP."""

import base64
import json

import pytest
from django.test import override_settings

from careplatform.bankid import errors
from careplatform.bankid.client import (
    BankIDClient,
    CollectStatus,
    OrderStarted,
    get_client,
)
from careplatform.bankid.messages import RFA_MESSAGES, hint_message
from careplatform.bankid.qr import parse_qr, qr_content, verify_qr
from careplatform.bankid.simulator import store
from tests.bankid.helpers import IP, OTHER_PERSONNUMMER, PERSONNUMMER, RP
from tests.support import free_port

pytestmark = pytest.mark.server

TOKEN = "67df3917-fa0d-44e5-b327-edcc928297f8"
SECRET = "d28db9a7-4cde-429e-a983-359be676944c"


def test_qr_content_matches_bankids_published_test_vector():
    assert qr_content(TOKEN, SECRET, 0) == (
        f"bankid.{TOKEN}.0.dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8"
    )
    assert qr_content(TOKEN, SECRET, 1) == (
        f"bankid.{TOKEN}.1.949d559bf23403952a94d103e67743126381eda00f0b3cbddbf7c96b1adcbce2"
    )


def test_qr_content_verifies_with_its_secret_only():
    content = parse_qr(qr_content(TOKEN, SECRET, 7))
    assert content is not None and content.seconds == 7
    assert verify_qr(content, SECRET)
    assert not verify_qr(content, "another-secret")
    assert parse_qr("bankid.not-a-code") is None


def test_login_runs_outstanding_started_user_sign_complete(bankid, phone):
    order = bankid.auth(IP)
    assert isinstance(order, OrderStarted)

    first = bankid.collect(order.order_ref)
    assert (first.status, first.hint_code) == (CollectStatus.PENDING, "outstandingTransaction")
    assert first.completion_data is None

    assert phone.post("open", orderRef=order.order_ref).status_code == 200
    assert bankid.collect(order.order_ref).hint_code == "started"

    approved = phone.approve(order.order_ref, PERSONNUMMER, givenName="Astrid", surname="Andersson")
    assert approved.status_code == 200, approved.text
    assert bankid.collect(order.order_ref).hint_code == "userSign"

    done = bankid.collect(order.order_ref)
    assert (done.status, done.hint_code) == (CollectStatus.COMPLETE, None)
    data = done.completion_data
    assert data is not None
    assert (data.user.personal_number, data.user.name) == (PERSONNUMMER, "Astrid Andersson")
    assert (data.user.given_name, data.user.surname) == ("Astrid", "Andersson")
    assert data.device.ip_address == "127.0.0.1"  # the phone's address, as BankID sees it
    assert data.device.uhi
    assert data.step_up == {"mrtd": False}
    assert data.risk is None
    assert order.order_ref in base64.b64decode(data.signature).decode()
    assert base64.b64decode(data.ocsp_response)
    assert len(data.bank_id_issue_date) == 10


def test_completed_order_cannot_be_collected_again(bankid, phone):
    order = bankid.auth(IP)
    phone.approve(order.order_ref)
    bankid.collect(order.order_ref)
    assert bankid.collect(order.order_ref).status == CollectStatus.COMPLETE

    with pytest.raises(errors.InvalidParameters) as excinfo:
        bankid.collect(order.order_ref)
    assert (excinfo.value.http_status, excinfo.value.details) == (400, "No such order")


def test_sign_sends_user_visible_data_base64_encoded(bankid, phone):
    text = "Jag samtycker till behandling av personuppgifter – version 3, åäö."
    order = bankid.sign(IP, text, user_non_visible_data="consent-v3")

    [waiting] = [o for o in store.waiting_orders() if o.order_ref == order.order_ref]
    assert (waiting.kind, waiting.user_visible_data) == ("sign", text)


def test_auth_with_requirement_and_return_risk(bankid, phone):
    order = bankid.auth(
        IP,
        requirement={"personalNumber": PERSONNUMMER, "pinCode": True},
        return_url="https://alfa.careplatform.se/login/",
        return_risk=True,
        user_visible_data="Logga in hos **Alfa**",
        user_visible_data_format="simpleMarkdownV1",
    )
    assert phone.approve(order.order_ref, OTHER_PERSONNUMMER).status_code == 400  # someone else
    phone.approve(order.order_ref, PERSONNUMMER)
    bankid.collect(order.order_ref)
    data = bankid.collect(order.order_ref).completion_data
    assert data is not None and data.risk == "low"
    assert data.user.personal_number == PERSONNUMMER


def test_cancelled_order_is_gone(bankid):
    order = bankid.auth(IP)
    bankid.cancel(order.order_ref)
    with pytest.raises(errors.InvalidParameters):
        bankid.collect(order.order_ref)
    with pytest.raises(errors.InvalidParameters):
        bankid.cancel(order.order_ref)


def test_unknown_order_ref_is_invalid_parameters(bankid):
    with pytest.raises(errors.InvalidParameters) as excinfo:
        bankid.collect("0d7c9d5e-0000-4000-8000-000000000000")
    assert excinfo.value.error_code == "invalidParameters"
    assert excinfo.value.user_message("sv") == RFA_MESSAGES["RFA22"]["sv"]


def test_second_order_for_the_same_person_is_refused_and_cancels_the_first(bankid):
    first = bankid.auth(IP, requirement={"personalNumber": PERSONNUMMER})
    with pytest.raises(errors.AlreadyInProgress) as excinfo:
        bankid.auth(IP, requirement={"personalNumber": PERSONNUMMER})
    assert excinfo.value.http_status == 400
    assert excinfo.value.user_message("sv") == RFA_MESSAGES["RFA4"]["sv"]
    assert excinfo.value.user_message("en") == RFA_MESSAGES["RFA4"]["en"]

    result = bankid.collect(first.order_ref)
    assert (result.status, result.hint_code) == (CollectStatus.FAILED, "cancelled")
    assert hint_message("failed", "cancelled", qr=True, language="sv")[0] == "RFA3"
    # With the pending order gone, the person can start again.
    assert bankid.auth(IP, requirement={"personalNumber": PERSONNUMMER}).order_ref


def test_user_cancelling_in_the_app_fails_the_order(bankid, phone):
    order = bankid.auth(IP)
    assert phone.post("cancel", orderRef=order.order_ref).json()["hintCode"] == "userCancel"
    result = bankid.collect(order.order_ref)
    assert (result.status, result.hint_code) == (CollectStatus.FAILED, "userCancel")


def test_invalid_end_user_ip_is_invalid_parameters(bankid):
    with pytest.raises(errors.InvalidParameters) as excinfo:
        bankid.auth("not-an-ip")
    assert excinfo.value.details == "Invalid endUserIp"


def test_maintenance_is_retried_silently(base_url, phone):
    phone.fault("maintenance", count=2, endpoint="auth")
    client = BankIDClient(f"{base_url}{RP}", maintenance_retries=3, retry_delay=0)
    assert client.auth(IP).order_ref


def test_maintenance_gives_up_after_its_retries(base_url, phone):
    phone.fault("maintenance", count=3, endpoint="collect")
    client = BankIDClient(f"{base_url}{RP}", maintenance_retries=2, retry_delay=0)
    order = client.auth(IP)
    with pytest.raises(errors.Maintenance) as excinfo:
        client.collect(order.order_ref)
    assert excinfo.value.http_status == 503
    assert excinfo.value.user_message("en") == RFA_MESSAGES["RFA5"]["en"]


@pytest.mark.parametrize(
    ("error_code", "exception", "status", "rfa"),
    [
        ("internalError", errors.InternalError, 500, "RFA5"),
        ("requestTimeout", errors.RequestTimeout, 408, "RFA5"),
        ("tooManyRequests", errors.TooManyRequests, 429, "RFA5"),
        ("unauthorized", errors.Unauthorized, 401, "RFA22"),
        ("notFound", errors.NotFound, 404, "RFA22"),
        ("invalidParameters", errors.InvalidParameters, 400, "RFA22"),
        ("alreadyInProgress", errors.AlreadyInProgress, 400, "RFA4"),
        ("somethingBankIDAddsLater", errors.UnknownBankIDError, 400, "RFA22"),
    ],
)
def test_error_codes_raise_at_once_as_their_exception(
    bankid, phone, error_code, exception, status, rfa
):
    phone.fault(error_code, count=1, endpoint="auth", details="simulated")
    with pytest.raises(exception) as excinfo:
        bankid.auth(IP)  # raised although the next call would succeed: no retry
    error = excinfo.value
    assert isinstance(error, errors.BankIDError)
    assert (error.error_code, error.details, error.http_status) == (error_code, "simulated", status)
    assert error.rfa == rfa
    assert error.user_message("sv") == RFA_MESSAGES[rfa]["sv"]
    assert bankid.auth(IP).order_ref


@pytest.mark.parametrize("status", [200, 400, 502])
def test_a_reply_that_is_not_bankids_is_a_clear_error(bankid, phone, status):
    phone.fault("internalError", endpoint="auth", httpStatus=status, body="<h1>Bad gateway</h1>")
    with pytest.raises(errors.InvalidResponse) as excinfo:
        bankid.auth(IP)
    assert excinfo.value.http_status == status
    assert "Bad gateway" in excinfo.value.details
    assert excinfo.value.user_message("sv") == RFA_MESSAGES["RFA5"]["sv"]


def test_json_without_bankids_fields_is_a_clear_error(bankid, phone):
    phone.fault("x", endpoint="collect", httpStatus=200, body='{"status": "pending"}')
    with pytest.raises(errors.InvalidResponse):
        bankid.collect("whatever")


@pytest.mark.parametrize(
    ("status", "rfa"), [("pending", "RFA21"), ("failed", "RFA22")], ids=["pending", "failed"]
)
def test_unknown_hint_codes_pass_through_to_the_messages(bankid, phone, status, rfa):
    reply = {"orderRef": "ref", "status": status, "hintCode": "holdPhoneToFace"}
    phone.fault("x", endpoint="collect", httpStatus=200, body=json.dumps(reply))
    result = bankid.collect("ref")
    assert (result.status, result.hint_code) == (status, "holdPhoneToFace")
    assert hint_message(result.status, result.hint_code, qr=True, language="en") == (
        rfa,
        RFA_MESSAGES[rfa]["en"],
    )


def test_wrong_api_path_is_not_found(base_url):
    client = BankIDClient(f"{base_url}/bankid-simulator/rp/v5.1", retry_delay=0)
    with pytest.raises(errors.NotFound) as excinfo:
        client.auth(IP)
    assert excinfo.value.http_status == 404


def test_no_server_is_bankid_unavailable():
    client = BankIDClient(f"http://127.0.0.1:{free_port()}/rp/v6.0", timeout=2)
    with pytest.raises(errors.BankIDUnavailable) as excinfo:
        client.collect("ref")
    assert excinfo.value.http_status is None
    assert excinfo.value.user_message("sv") == RFA_MESSAGES["RFA5"]["sv"]


def test_get_client_is_built_from_settings():
    url = "https://appapi2.test.bankid.com/rp/v6.0"
    with override_settings(BANKID_URL=url, BANKID_CERT="", BANKID_KEY="", BANKID_CA=""):
        client = get_client()
        assert client.base_url == url
        assert get_client() is client  # cached
    assert get_client() is not client
