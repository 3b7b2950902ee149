"""Operator actions that need a fresh BankID signature (suspend, terminate, remove a domain).

The page that takes the action's input (a reason, a domain) checks it and calls
`start_signed_action`: the action — its kind, provider, parameters and the text the operator
will sign — is stored in the operator's session under a random token, and the browser goes to
the signing page (`/konsol/signera/<token>/`). There the operator starts a BankID sign order
(RP v6 `/sign`, the text as userVisibleData, the action as userNonVisibleData) with the same QR
and autostart steps as the login page, the page polls, and on completion:

- the signer must be the logged-in operator (same personnummer), else nothing happens;
- the action is done by the performer registered for its kind, with exactly the stored
  parameters (the browser sends none after the start), and the signature's completion data,
  which the performer stores in the operator log;
- the pending action is gone: it is done once. A cancelled or failed order leaves it pending,
  so the operator may try again while it lasts (PENDING_SECONDS).

A kind is registered once, in an AppConfig.ready(): `register("suspend", perform)`, where
`perform(request, provider, params, signature)` does the change (raising ActionRefused with a
message when it may not) and returns the URL to go to afterwards.
"""

import contextlib
import json
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from careplatform import clock
from careplatform.bankid.client import CollectStatus, CompletionData, get_client
from careplatform.bankid.errors import BankIDError
from careplatform.bankid.messages import hint_message
from careplatform.bankid.qr import qr_image
from careplatform.netutils import client_ip
from careplatform.redis import get_redis, platform_key
from tenant_apps.accounts.login.services import language
from tenants.db import connection
from tenants.models import CareProvider

SESSION_KEY = "signed_action"
PENDING_SECONDS = 10 * 60
MODES = ("qr", "same_device")

Performer = Callable[[HttpRequest, CareProvider, dict[str, Any], dict[str, Any]], str]
_performers: dict[str, Performer] = {}


class ActionRefused(Exception):
    """The action may not be done (now); `message` says why."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def register(kind: str, perform: Performer) -> None:
    """`perform(request, provider, params, signature) -> url` does actions of this kind."""
    _performers[kind] = perform


@dataclass
class Order:
    order_ref: str
    qr_start_token: str
    qr_start_secret: str
    auto_start_token: str
    mode: str
    started_at: float
    last_collect: float = 0.0
    hint_code: str | None = None


@dataclass
class PendingAction:
    token: str
    kind: str
    provider_id: int
    params: dict[str, Any]
    text: str  # what the operator signs, shown on the page and in the BankID app
    operator_id: int
    created_at: float
    order: Order | None = None
    provider_name: str = field(default="")

    def signed_data(self) -> str:
        """userNonVisibleData: the action itself, so the signature covers exactly it."""
        return json.dumps(
            {
                "action": self.kind,
                "providerId": self.provider_id,
                "params": self.params,
                "token": self.token,
            },
            sort_keys=True,
            ensure_ascii=False,
        )


@dataclass
class SignState:
    state: str  # pending, failed, complete
    message: str = ""
    rfa: str = ""
    qr: str | None = None
    redirect: str | None = None


# -- the pending action in the session ---------------------------------------------------------


def _load(request: HttpRequest) -> PendingAction | None:
    data = request.session.get(SESSION_KEY)
    if not data:
        return None
    data = dict(data)  # the session's own dict stays as it is
    order = data.pop("order", None)
    return PendingAction(**data, order=Order(**order) if order else None)


def _save(request: HttpRequest, pending: PendingAction | None) -> None:
    if pending is None:
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = asdict(pending)


def start_signed_action(
    request: HttpRequest,
    kind: str,
    provider: CareProvider,
    params: dict[str, Any],
    text: str,
) -> HttpResponseRedirect:
    """Keep the action for this operator's session and send the browser to sign it. A pending
    action from before (another tab) is replaced, and its BankID order cancelled."""
    if kind not in _performers:
        raise ValueError(f"no performer registered for signed action {kind!r}")
    _cancel_order(_load(request))
    pending = PendingAction(
        token=secrets.token_urlsafe(16),
        kind=kind,
        provider_id=provider.pk,
        params=params,
        text=text,
        operator_id=int(request.user.pk or 0),
        created_at=clock.now().timestamp(),
        provider_name=str(provider),
    )
    _save(request, pending)
    return redirect("console-sign", token=pending.token)


def pending_action(request: HttpRequest, token: str) -> PendingAction | None:
    """The session's pending action with this token, for this operator, while it lasts; None
    otherwise. (The session itself is the public host's: its cookie is host-only.)"""
    pending = _load(request)
    if pending is None or not secrets.compare_digest(pending.token.encode(), token.encode()):
        return None
    if pending.operator_id != request.user.pk:
        return None
    if clock.now().timestamp() - pending.created_at > PENDING_SECONDS:
        _cancel_order(pending)
        _save(request, None)
        return None
    return pending


def _gone() -> SignState:
    return SignState(
        "failed",
        _(
            "Åtgärden finns inte längre: den är redan utförd, ersatt av en annan eller har "
            "gått ut. Börja om från vårdgivarens sida."
        ),
    )


# -- the BankID order --------------------------------------------------------------------------


def start_order(request: HttpRequest, token: str, mode: str) -> Order:
    """A BankID sign order for the pending action (replacing one already started); raises
    ActionRefused with a message for the page."""
    pending = pending_action(request, token)
    if pending is None:
        raise ActionRefused(_gone().message)
    if mode not in MODES:
        raise ActionRefused(_("Okänt sätt att starta BankID."))
    _cancel_order(pending)
    try:
        started = get_client().sign(
            client_ip(request), pending.text, user_non_visible_data=pending.signed_data()
        )
    except BankIDError as exc:
        raise ActionRefused(exc.user_message(language())) from None
    pending.order = Order(
        order_ref=started.order_ref,
        qr_start_token=started.qr_start_token,
        qr_start_secret=started.qr_start_secret,
        auto_start_token=started.auto_start_token,
        mode=mode,
        started_at=clock.now().timestamp(),
    )
    _save(request, pending)
    return pending.order


def cancel_order(request: HttpRequest, token: str) -> None:
    pending = pending_action(request, token)
    if pending is not None:
        _cancel_order(pending)
        pending.order = None
        _save(request, pending)


def _cancel_order(pending: PendingAction | None) -> None:
    if pending is not None and pending.order is not None:
        with contextlib.suppress(BankIDError):  # finished or expired at BankID: nothing to do
            get_client().cancel(pending.order.order_ref)


def _qr(order: Order) -> str | None:
    if order.mode != "qr":
        return None
    return qr_image(order.qr_start_token, order.qr_start_secret, order.started_at)


def _pending_state(order: Order) -> SignState:
    rfa, message = hint_message(
        "pending", order.hint_code, qr=order.mode == "qr", language=language()
    )
    return SignState("pending", message, rfa, _qr(order))


def poll(request: HttpRequest, token: str) -> SignState:
    """How the signature is going; on completion the action is done (or refused)."""
    pending = pending_action(request, token)
    if pending is None:
        return _gone()
    order = pending.order
    if order is None:
        return SignState("failed", _("Ingen underskrift pågår. Börja om."))
    now = clock.now().timestamp()
    if now - order.last_collect < settings.BANKID_COLLECT_INTERVAL:
        return _pending_state(order)
    try:
        result = get_client().collect(order.order_ref)
    except BankIDError as exc:
        pending.order = None
        _save(request, pending)
        return SignState("failed", exc.user_message(language()))
    if result.status == CollectStatus.PENDING:
        order.last_collect, order.hint_code = now, result.hint_code
        _save(request, pending)
        return _pending_state(order)
    pending.order = None
    _save(request, pending)
    if result.status == CollectStatus.FAILED:
        rfa, message = hint_message(
            "failed", result.hint_code, qr=order.mode == "qr", language=language()
        )
        return SignState("failed", _("%(message)s Inget har ändrats.") % {"message": message}, rfa)
    assert result.completion_data is not None
    return _complete(request, pending, order, result.completion_data)


def signature_record(order_ref: str, text: str, data: CompletionData) -> dict[str, Any]:
    """The completion data as BankID names it, for the operator log."""
    return {
        "orderRef": order_ref,
        "userVisibleData": text,
        "user": {
            "personalNumber": data.user.personal_number,
            "name": data.user.name,
            "givenName": data.user.given_name,
            "surname": data.user.surname,
        },
        "device": {"ipAddress": data.device.ip_address, "uhi": data.device.uhi},
        "bankIdIssueDate": data.bank_id_issue_date,
        "stepUp": data.step_up,
        "risk": data.risk,
        "signature": data.signature,
        "ocspResponse": data.ocsp_response,
    }


def _complete(
    request: HttpRequest, pending: PendingAction, order: Order, data: CompletionData
) -> SignState:
    # A signature counts once, whatever session or tab presents it again.
    used = platform_key(f"bankid-used:{order.order_ref}")
    if not get_redis().set(used, "1", nx=True, ex=86400):
        return SignState("failed", _("Underskriften har redan använts. Inget har ändrats."))
    if data.user.personal_number != getattr(request.user, "personnummer", None):
        return SignState(
            "failed",
            _(
                "Underskriften gjordes av någon annan än du som är inloggad. Inget har "
                "ändrats. Skriv under med ditt eget BankID."
            ),
            "wrong_person",
        )
    _save(request, None)  # done once, whatever the outcome
    connection.set_schema_to_public()
    provider = CareProvider.objects.filter(pk=pending.provider_id, is_template=False).first()
    if provider is None:
        return SignState("failed", _("Vårdgivaren finns inte längre. Inget har ändrats."))
    signature = signature_record(order.order_ref, pending.text, data)
    try:
        url = _performers[pending.kind](request, provider, pending.params, signature)
    except ActionRefused as exc:
        return SignState("failed", _("%(message)s Inget har ändrats.") % {"message": exc.message})
    return SignState("complete", _("Underskriften är klar."), redirect=url)
