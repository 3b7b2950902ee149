"""The simulator's orders, kept in Redis so every server process sees the same ones.

An order moves through the hintCodes BankID reports: outstandingTransaction until the app opens
it, started, userSign once the user has approved (reported once), then complete on the next
collect, after which the order is gone. It fails with userCancel (app), cancelled (a newer order
for the same person) or expiredTransaction (BANKID_ORDER_TTL seconds after it started). Each
change holds the order's lock, so concurrent requests cannot interleave.
"""

import base64
import hashlib
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from careplatform import clock
from careplatform.bankid.qr import parse_qr, verify_qr
from careplatform.redis import get_redis, platform_key
from careplatform.validators import normalize_personnummer

QR_MAX_AGE = 30  # seconds: an older code is refused, like the real app does
QR_CLOCK_SLACK = 5  # seconds a code may be ahead of our clock
KEEP_AFTER_END = 600  # seconds an order stays collectable (failed) after it could expire
RECENT_PEOPLE = 10

# Phases of a pending order, as the app moves it on.
OUTSTANDING, STARTED, APPROVED = "outstandingTransaction", "started", "userSign"


class SimulatorError(Exception):
    """A refusal in BankID's own terms: an errorCode, details and an HTTP status."""

    def __init__(self, error_code: str, details: str, status: int = 400):
        self.error_code, self.details, self.status = error_code, details, status
        super().__init__(f"{error_code}: {details}")


class AppRefused(Exception):
    """The simulated app refuses (bad personnummer, forged QR code, …); message in Swedish."""

    def __init__(self, message: str, code: str):
        self.message, self.code = message, code
        super().__init__(message)


@dataclass
class Order:
    order_ref: str
    kind: str  # auth or sign
    auto_start_token: str
    qr_start_token: str
    qr_start_secret: str
    end_user_ip: str
    started_at: float
    requirement: dict[str, Any] = field(default_factory=dict)
    return_risk: bool = False
    user_visible_data: str | None = None  # decoded text, shown on the phone
    status: str = "pending"  # pending, failed, complete
    hint_code: str = OUTSTANDING  # the phase while pending, the reason when failed
    sign_reported: bool = False
    user: dict[str, str] | None = None
    device_ip: str | None = None

    @property
    def required_personal_number(self) -> str | None:
        return self.requirement.get("personalNumber")

    @property
    def expires_at(self) -> float:
        return self.started_at + settings.BANKID_ORDER_TTL

    @property
    def waiting_for_user(self) -> bool:
        return self.status == "pending" and self.hint_code != APPROVED


# -- Redis ------------------------------------------------------------------------------------
def _key(*parts: str) -> str:
    return platform_key(":".join(("bankid-sim", *parts)))


def _now() -> float:
    return clock.now().timestamp()


def _keep_seconds() -> int:
    return int(settings.BANKID_ORDER_TTL) + KEEP_AFTER_END


@contextmanager
def _locked(name: str) -> Iterator[None]:
    with get_redis().lock(_key("lock", name), timeout=10, blocking_timeout=10):
        yield


def _load(order_ref: str) -> Order | None:
    raw = get_redis().get(_key("order", order_ref))
    if raw is None:
        return None
    order = Order(**json.loads(raw))
    if order.waiting_for_user and _now() >= order.expires_at:
        order.status, order.hint_code = "failed", "expiredTransaction"
    return order


def _save(order: Order) -> None:
    get_redis().set(_key("order", order.order_ref), json.dumps(asdict(order)), ex=_keep_seconds())


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _find(index: str, token: str) -> Order | None:
    order_ref = get_redis().get(_key(index, token))
    return _load(_text(order_ref)) if order_ref else None


# -- the RP API -------------------------------------------------------------------------------
def start_order(kind: str, fields: dict[str, Any]) -> Order:
    """Create an order from validated request fields (see views.parse_order)."""
    requirement = fields.get("requirement") or {}
    order = Order(
        order_ref=str(uuid.uuid4()),
        kind=kind,
        auto_start_token=str(uuid.uuid4()),
        qr_start_token=str(uuid.uuid4()),
        qr_start_secret=str(uuid.uuid4()),
        end_user_ip=fields["endUserIp"],
        started_at=_now(),
        requirement=requirement,
        return_risk=bool(fields.get("returnRisk")),
        user_visible_data=fields.get("userVisibleDataText"),
    )
    person = requirement.get("personalNumber")
    if person:
        with _locked(f"person:{person}"):
            _refuse_if_in_progress(person)
            _register(order)
            get_redis().set(_key("person", person), order.order_ref, ex=_keep_seconds())
    else:
        _register(order)
    return order


def _refuse_if_in_progress(person: str) -> None:
    """A newer order for someone with a pending order is refused, and the pending one fails."""
    raw_ref = get_redis().get(_key("person", person))
    if not raw_ref:
        return
    order_ref = _text(raw_ref)
    with _locked(order_ref):
        pending = _load(order_ref)
        if pending is None or not pending.waiting_for_user:
            return
        pending.status, pending.hint_code = "failed", "cancelled"
        _save(pending)
    raise SimulatorError("alreadyInProgress", "Order already in progress for pno")


def _register(order: Order) -> None:
    redis = get_redis()
    _save(order)
    redis.set(_key("qr", order.qr_start_token), order.order_ref, ex=_keep_seconds())
    redis.set(_key("autostart", order.auto_start_token), order.order_ref, ex=_keep_seconds())
    redis.zadd(_key("orders"), {order.order_ref: order.started_at})


def collect(order_ref: str) -> dict[str, Any]:
    with _locked(order_ref):
        order = _load(order_ref)
        if order is None:
            raise SimulatorError("invalidParameters", "No such order")
        if order.hint_code == APPROVED and order.sign_reported:
            # Complete is reported once; the order is gone afterwards.
            _forget(order)
            return {
                "orderRef": order_ref,
                "status": "complete",
                "completionData": completion_data(order),
            }
        if order.hint_code == APPROVED:
            order.sign_reported = True
            _save(order)
        return {"orderRef": order_ref, "status": order.status, "hintCode": order.hint_code}


def cancel(order_ref: str) -> None:
    with _locked(order_ref):
        order = _load(order_ref)
        if order is None:
            raise SimulatorError("invalidParameters", "No such order")
        _forget(order)


def _forget(order: Order) -> None:
    redis = get_redis()
    redis.delete(_key("order", order.order_ref))
    redis.zrem(_key("orders"), order.order_ref)


def completion_data(order: Order) -> dict[str, Any]:
    assert order.user is not None
    personnummer = order.user["personalNumber"]
    signed = (
        f"<bankIdSignedData kind='{order.kind}' orderRef='{order.order_ref}' pnr='{personnummer}'>"
    )
    data: dict[str, Any] = {
        "user": order.user,
        "device": {
            "ipAddress": order.device_ip or order.end_user_ip,
            "uhi": base64.urlsafe_b64encode(
                hashlib.sha256(personnummer.encode()).digest()[:18]
            ).decode(),
        },
        "bankIdIssueDate": (clock.today_local() - timedelta(days=400)).isoformat(),
        "stepUp": {"mrtd": False},
        "signature": base64.b64encode(f"{signed}(simulated)".encode()).decode(),
        "ocspResponse": base64.b64encode(f"simulated-ocsp:{order.order_ref}".encode()).decode(),
    }
    if order.return_risk:
        data["risk"] = "low"
    return data


# -- the simulated app ------------------------------------------------------------------------
@dataclass(frozen=True)
class Person:
    personal_number: str
    given_name: str
    surname: str


def person(personal_number: str, given_name: str = "", surname: str = "") -> Person:
    try:
        personnummer = normalize_personnummer(personal_number)
    except ValidationError as exc:
        raise AppRefused(exc.messages[0], "personnummer_invalid") from None
    return Person(personnummer, given_name.strip() or "Test", surname.strip() or "Testsson")


def _waiting(order: Order | None) -> Order:
    if order is None:
        raise AppRefused(_("Ordern finns inte (avbruten eller redan slutförd)."), "no_order")
    if order.status == "failed" and order.hint_code == "expiredTransaction":
        raise AppRefused(_("Ordern har gått ut."), "expired")
    if not order.waiting_for_user:
        raise AppRefused(_("Ordern väntar inte längre på dig."), "not_pending")
    return order


def open_order(order_ref: str) -> Order:
    """The app has opened the order (autostart or QR): collect reports started."""
    with _locked(order_ref):
        order = _waiting(_load(order_ref))
        order.hint_code = STARTED
        _save(order)
        return order


def approve(order_ref: str, who: Person, device_ip: str) -> Order:
    with _locked(order_ref):
        order = _waiting(_load(order_ref))
        required = order.required_personal_number
        if required and required != who.personal_number:
            raise AppRefused(_("Ordern gäller ett annat personnummer."), "wrong_person")
        order.hint_code = APPROVED
        order.device_ip = device_ip
        order.user = {
            "personalNumber": who.personal_number,
            "name": f"{who.given_name} {who.surname}",
            "givenName": who.given_name,
            "surname": who.surname,
        }
        _save(order)
    _remember(who)
    return order


def user_cancel(order_ref: str) -> Order:
    with _locked(order_ref):
        order = _waiting(_load(order_ref))
        order.status, order.hint_code = "failed", "userCancel"
        _save(order)
        return order


def scan(qr: str, who: Person, device_ip: str) -> Order:
    """Like the real app: the code must carry the order's HMAC and be less than 30 s old."""
    content = parse_qr(qr)
    if content is None:
        raise AppRefused(_("Det här är ingen BankID-QR-kod."), "qr_invalid")
    order = _find("qr", content.qr_start_token)
    if order is None:
        raise AppRefused(_("QR-koden hör inte till någon order."), "no_order")
    if not verify_qr(content, order.qr_start_secret):
        raise AppRefused(_("QR-koden är förfalskad."), "qr_forged")
    age = _now() - (order.started_at + content.seconds)
    if age >= QR_MAX_AGE:
        raise AppRefused(_("QR-koden är för gammal. Läs av den nya koden."), "qr_too_old")
    if age < -QR_CLOCK_SLACK:
        raise AppRefused(_("QR-koden är inte giltig än."), "qr_invalid")
    open_order(order.order_ref)
    return approve(order.order_ref, who, device_ip)


def order_by_autostart(token: str) -> Order | None:
    return _find("autostart", token)


def waiting_orders() -> list[Order]:
    """Orders the phone can act on, newest first; ended ones are dropped from the list."""
    redis = get_redis()
    orders = []
    for raw_ref in redis.zrevrange(_key("orders"), 0, 49):
        order_ref = _text(raw_ref)
        order = _load(order_ref)
        if order is not None and order.waiting_for_user:
            orders.append(order)
        elif order is None or _now() >= order.expires_at + KEEP_AFTER_END:
            redis.zrem(_key("orders"), order_ref)
    return orders


def _remember(who: Person) -> None:
    redis = get_redis()
    entry = json.dumps(asdict(who))
    redis.lrem(_key("people"), 0, entry)
    redis.lpush(_key("people"), entry)
    redis.ltrim(_key("people"), 0, RECENT_PEOPLE - 1)


def recent_people() -> list[Person]:
    return [Person(**json.loads(raw)) for raw in get_redis().lrange(_key("people"), 0, -1)]


def reset() -> None:
    """Forget every order, person and fault (tests start from a clean simulator)."""
    redis = get_redis()
    keys = list(redis.scan_iter(match=_key("*"), count=500))
    if keys:
        redis.delete(*keys)


# -- faults for tests -------------------------------------------------------------------------
def add_fault(endpoint: str, fault: dict[str, Any], count: int) -> None:
    """The next `count` calls to `endpoint` (or to any, "*") get this error instead."""
    redis = get_redis()
    key = _key("faults", endpoint)
    redis.delete(key)
    if count > 0:
        redis.rpush(key, *[json.dumps(fault)] * count)
        redis.expire(key, 300)


def take_fault(endpoint: str) -> dict[str, Any] | None:
    redis = get_redis()
    for name in (endpoint, "*"):
        raw = redis.lpop(_key("faults", name))
        if raw:
            return json.loads(_text(raw))
    return None
