"""HTTP side of the simulator: BankID's RP API (rp/v6.0/…) with its real fields, errors and
statuses, and the simulated phone (a page, and a JSON API for tests).

Everything here is a JSON endpoint without CSRF, as BankID's API is, except the phone page, which
is an ordinary form.
"""

import base64
import binascii
import ipaddress
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from careplatform import jsonbounds
from careplatform.bankid.simulator import store
from careplatform.bankid.simulator.store import AppRefused, SimulatorError
from careplatform.validators import format_personnummer, normalize_personnummer

VISIBLE_DATA_MAX = 40_000  # characters after base64 encoding
NON_VISIBLE_DATA_MAX = 200_000
ERROR_STATUS = {
    "alreadyInProgress": 400,
    "invalidParameters": 400,
    "unauthorized": 401,
    "notFound": 404,
    "methodNotAllowed": 405,
    "requestTimeout": 408,
    "unsupportedMediaType": 415,
    "tooManyRequests": 429,
    "internalError": 500,
    "maintenance": 503,
}
REQUIREMENT_CHECKS: dict[str, Callable[[Any], bool]] = {
    "pinCode": lambda v: isinstance(v, bool),
    "mrtd": lambda v: isinstance(v, bool),
    "cardReader": lambda v: v in ("class1", "class2"),
    "certificatePolicies": lambda v: isinstance(v, list) and all(isinstance(p, str) for p in v),
    "personalNumber": lambda v: isinstance(v, str) and _is_personal_number(v),
}


def bankid_error(error_code: str, details: str, status: int | None = None) -> JsonResponse:
    body = {"errorCode": error_code, "details": details}
    return JsonResponse(body, status=status or ERROR_STATUS.get(error_code, 400))


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = jsonbounds.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise SimulatorError("invalidParameters", "Invalid JSON in request body") from None
    if not isinstance(body, dict):
        raise SimulatorError("invalidParameters", "Request body must be a JSON object")
    return body


def rp_endpoint(name: str) -> Callable[[Callable[[dict[str, Any]], dict]], Callable]:
    """An RP API endpoint: POST with a JSON object, BankID's error bodies, test faults."""

    def decorate(handler: Callable[[dict[str, Any]], dict]) -> Callable:
        @csrf_exempt
        def view(request: HttpRequest) -> HttpResponse:
            if request.method != "POST":
                response = bankid_error("methodNotAllowed", "Only POST is allowed")
                response["Allow"] = "POST"
                return response
            if request.content_type != "application/json":
                return bankid_error("unsupportedMediaType", "Content-Type must be JSON")
            fault = store.take_fault(name)
            if fault is not None:
                return _fault_response(fault)
            try:
                return JsonResponse(handler(_json_body(request)))
            except SimulatorError as exc:
                return bankid_error(exc.error_code, exc.details, exc.status)

        return view

    return decorate


def _fault_response(fault: dict[str, Any]) -> HttpResponse:
    status = fault.get("httpStatus") or ERROR_STATUS.get(fault["errorCode"], 400)
    body = fault.get("body")
    if body is not None:  # a raw reply: a proxy's error page, or JSON BankID might send one day
        kind = "application/json" if body.lstrip().startswith("{") else "text/html"
        return HttpResponse(body, status=status, content_type=kind)
    return bankid_error(fault["errorCode"], fault.get("details") or "Simulated fault", status)


# -- RP API -----------------------------------------------------------------------------------
def _is_personal_number(value: str) -> bool:
    if len(value) != 12 or not value.isdigit():
        return False
    try:
        return normalize_personnummer(value) == value
    except ValidationError:
        return False


def _base64_text(body: dict[str, Any], key: str, limit: int) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= limit:
        raise SimulatorError("invalidParameters", f"Invalid {key}")
    try:
        return base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise SimulatorError("invalidParameters", f"Invalid {key}") from None


def parse_order(body: dict[str, Any], *, sign: bool) -> dict[str, Any]:
    """Check an auth or sign request the way BankID does; return the fields to keep."""
    ip = body.get("endUserIp")
    try:
        ipaddress.ip_address(ip if isinstance(ip, str) else "")
    except ValueError:
        raise SimulatorError("invalidParameters", "Invalid endUserIp") from None
    requirement = body.get("requirement", {})
    if not isinstance(requirement, dict) or not all(
        key in REQUIREMENT_CHECKS and REQUIREMENT_CHECKS[key](value)
        for key, value in requirement.items()
    ):
        raise SimulatorError("invalidParameters", "Invalid requirement")
    for key, kind in (("returnUrl", str), ("returnRisk", bool)):
        if key in body and not isinstance(body[key], kind):
            raise SimulatorError("invalidParameters", f"Invalid {key}")
    if body.get("userVisibleDataFormat", "simpleMarkdownV1") != "simpleMarkdownV1":
        raise SimulatorError("invalidParameters", "Invalid userVisibleDataFormat")
    text = _base64_text(body, "userVisibleData", VISIBLE_DATA_MAX)
    _base64_text(body, "userNonVisibleData", NON_VISIBLE_DATA_MAX)
    if sign and text is None:
        raise SimulatorError("invalidParameters", "userVisibleData is required")
    return {**body, "requirement": requirement, "userVisibleDataText": text}


def _started(order: store.Order) -> dict[str, str]:
    return {
        "orderRef": order.order_ref,
        "autoStartToken": order.auto_start_token,
        "qrStartToken": order.qr_start_token,
        "qrStartSecret": order.qr_start_secret,
    }


def _order_ref(body: dict[str, Any]) -> str:
    order_ref = body.get("orderRef")
    if not isinstance(order_ref, str) or not 0 < len(order_ref) <= 64:
        raise SimulatorError("invalidParameters", "Invalid orderRef")
    return order_ref


@rp_endpoint("auth")
def auth(body: dict[str, Any]) -> dict:
    return _started(store.start_order("auth", parse_order(body, sign=False)))


@rp_endpoint("sign")
def sign(body: dict[str, Any]) -> dict:
    return _started(store.start_order("sign", parse_order(body, sign=True)))


@rp_endpoint("collect")
def collect(body: dict[str, Any]) -> dict:
    return store.collect(_order_ref(body))


@rp_endpoint("cancel")
def cancel(body: dict[str, Any]) -> dict:
    store.cancel(_order_ref(body))
    return {}


@csrf_exempt
def rp_not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return bankid_error("notFound", f"No such endpoint: {request.path}")


# -- the simulated app: JSON API for tests ----------------------------------------------------
def app_endpoint(handler: Callable[[HttpRequest, dict[str, Any]], dict]) -> Callable:
    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            response = JsonResponse({"detail": _("Använd POST."), "code": "method"}, status=405)
            response["Allow"] = "POST"
            return response
        try:
            return JsonResponse(handler(request, _json_body(request)))
        except SimulatorError as exc:
            return JsonResponse({"detail": exc.details, "code": exc.error_code}, status=400)
        except AppRefused as exc:
            return JsonResponse({"detail": exc.message, "code": exc.code}, status=400)

    return view


def _string(body: dict[str, Any], key: str) -> str:
    value = body.get(key, "")
    if not isinstance(value, str):
        raise AppRefused(_("Fältet %(key)s ska vara text.") % {"key": key}, "invalid")
    return value


def _person(body: dict[str, Any]) -> store.Person:
    return store.person(
        _string(body, "personalNumber"), _string(body, "givenName"), _string(body, "surname")
    )


def _phone_reply(order: store.Order) -> dict[str, str]:
    return {"orderRef": order.order_ref, "status": order.status, "hintCode": order.hint_code}


def _device_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "127.0.0.1"


@app_endpoint
def app_approve(request: HttpRequest, body: dict[str, Any]) -> dict:
    who = _person(body)
    return _phone_reply(store.approve(_order_ref(body), who, _device_ip(request)))


@app_endpoint
def app_cancel(request: HttpRequest, body: dict[str, Any]) -> dict:
    return _phone_reply(store.user_cancel(_order_ref(body)))


@app_endpoint
def app_open(request: HttpRequest, body: dict[str, Any]) -> dict:
    """The app opens an order, by orderRef or by autoStartToken (as a bankid:/// link would)."""
    if "autoStartToken" in body:
        order = store.order_by_autostart(_string(body, "autoStartToken"))
        if order is None:
            raise AppRefused(_("Ordern finns inte (avbruten eller redan slutförd)."), "no_order")
        return _phone_reply(store.open_order(order.order_ref))
    return _phone_reply(store.open_order(_order_ref(body)))


@app_endpoint
def app_scan(request: HttpRequest, body: dict[str, Any]) -> dict:
    who = _person(body)
    return _phone_reply(store.scan(_string(body, "qr"), who, _device_ip(request)))


@app_endpoint
def app_fault(request: HttpRequest, body: dict[str, Any]) -> dict:
    """Tests: the next `count` calls to `endpoint` (auth, sign, collect, cancel; default all)
    answer with this errorCode, or with `body` as it is (and `httpStatus`, default by code)."""
    endpoint = body.get("endpoint", "*")
    count = body.get("count", 1)
    if endpoint not in ("*", "auth", "sign", "collect", "cancel") or not isinstance(count, int):
        raise AppRefused(_("Okänd slutpunkt eller antal."), "invalid")
    fault = {
        "errorCode": _string(body, "errorCode") or "internalError",
        "details": _string(body, "details"),
        "httpStatus": body.get("httpStatus") if isinstance(body.get("httpStatus"), int) else None,
        "body": body.get("body") if isinstance(body.get("body"), str) else None,
    }
    store.add_fault(endpoint, fault, count)
    return {"endpoint": endpoint, "count": count}


# -- the simulated app: a page for people -----------------------------------------------------
PERSON_SESSION_KEY = "bankid_simulator_person"


def phone(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _phone_action(request)
    saved = request.session.get(PERSON_SESSION_KEY, {})
    context = {
        "orders": [_order_view(order) for order in store.waiting_orders()],
        "person": saved,
        "people": store.recent_people(),
        "notice": request.session.pop("bankid_simulator_notice", None),
    }
    return render(request, "bankid_simulator/phone.html", context)


def _phone_action(request: HttpRequest) -> HttpResponse:
    form = {key: request.POST.get(key, "").strip() for key in ("pnr", "given", "surname")}
    request.session[PERSON_SESSION_KEY] = form
    try:
        if request.POST.get("cancel"):
            store.user_cancel(request.POST["cancel"])
            notice = {"ok": True, "text": _("Ordern avbröts.")}
        else:
            order_ref = request.POST.get("approve", "")
            who = store.person(form["pnr"], form["given"], form["surname"])
            store.open_order(order_ref)
            store.approve(order_ref, who, _device_ip(request))
            text = _("Godkänt som %(name)s.") % {"name": f"{who.given_name} {who.surname}"}
            notice = {"ok": True, "text": text}
    except AppRefused as exc:
        notice = {"ok": False, "text": exc.message}
    request.session["bankid_simulator_notice"] = notice
    return redirect("bankid-simulator-phone")


def _order_view(order: store.Order) -> dict[str, Any]:
    required = order.required_personal_number
    return {
        "ref": order.order_ref,
        "kind": _("Underskrift") if order.kind == "sign" else _("Identifiering"),
        "sign": order.kind == "sign",
        "started": order.hint_code == store.STARTED,
        "required": format_personnummer(required) if required else "",
        "required_raw": required or "",
        "text": order.user_visible_data or "",
    }
