"""BankID login: start an order bound to this browser session, poll it (animated QR, collect
about every 2 s, BankID's recommended messages), and log the matching account in.

The browser never sees the order reference, the QR secret or a personal number; it only asks
"how is my login going?" and gets a message, a fresh QR image and, at the end, where to go.
"""

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib.auth import login, logout
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from careplatform import clock
from careplatform.access import home_url
from careplatform.bankid.client import CollectStatus, get_client
from careplatform.bankid.errors import BankIDError
from careplatform.bankid.messages import hint_message
from careplatform.bankid.qr import qr_image
from careplatform.netutils import client_ip, rate_limit_key
from careplatform.redis import get_redis, platform_key
from tenant_apps.accounts import staff_sessions
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import find_login_account
from tenants.db import connection
from tenants.models import CareProvider, ProviderStatus

log = logging.getLogger(__name__)

SESSION_KEY = "bankid_login"
MODES = ("qr", "same_device")


class LoginRefused(Exception):
    def __init__(self, message: str, status: int = 400):
        self.message = message
        self.status = status
        super().__init__(message)


@contextlib.contextmanager
def _redis_available() -> Iterator[None]:
    """Rate limits and single use of orders live in Redis: without it no login can start or
    finish safely, and the browser is asked to come back (503) instead of getting an error."""
    try:
        yield
    except RedisError:
        log.warning("Login refused: Redis unavailable", exc_info=True)
        raise LoginRefused(
            _("Inloggningen fungerar inte just nu. Försök igen om en stund."), status=503
        ) from None


@dataclass
class PendingLogin:
    order_ref: str
    qr_start_token: str
    qr_start_secret: str
    auto_start_token: str
    mode: str
    host: str
    started_at: float
    last_collect: float = 0.0
    hint_code: str | None = None


@dataclass
class LoginState:
    state: str  # none, pending, failed, complete
    message: str = ""
    rfa: str = ""
    qr: str | None = None
    redirect: str | None = None


def language() -> str:
    return "en" if (translation.get_language() or "sv").startswith("en") else "sv"


def _pending(request: HttpRequest) -> PendingLogin | None:
    data = request.session.get(SESSION_KEY)
    return PendingLogin(**data) if data else None


def _save(request: HttpRequest, pending: PendingLogin | None) -> None:
    if pending is None:
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = asdict(pending)


def _allow_start(ip: str) -> bool:
    """At most a few (5) order starts per client IP (IPv6: per /64) per minute, across all
    hosts."""
    key = platform_key(f"bankid-starts:{rate_limit_key(ip)}")
    redis = get_redis()
    count = redis.incr(key)
    if count == 1:
        redis.expire(key, 60)
    return int(count) <= settings.BANKID_STARTS_PER_IP_PER_MINUTE


def start_login(request: HttpRequest, mode: str) -> PendingLogin:
    if mode not in MODES:
        raise LoginRefused(_("Okänt sätt att starta BankID."))
    if _pending(request) is not None:
        raise LoginRefused(
            _("En inloggning pågår redan i den här webbläsaren. Avbryt den eller slutför den."),
            status=429,
        )
    ip = client_ip(request)
    with _redis_available():
        allowed = _allow_start(ip)
    if not allowed:
        raise LoginRefused(
            _("För många inloggningsförsök. Vänta en minut och försök sedan igen."), status=429
        )
    try:
        order = get_client().auth(ip)
    except BankIDError as exc:
        raise LoginRefused(exc.user_message(language()), status=503) from None
    pending = PendingLogin(
        order_ref=order.order_ref,
        qr_start_token=order.qr_start_token,
        qr_start_secret=order.qr_start_secret,
        auto_start_token=order.auto_start_token,
        mode=mode,
        host=request.get_host(),
        started_at=clock.now().timestamp(),
    )
    _save(request, pending)
    return pending


def cancel_login(request: HttpRequest) -> None:
    pending = _pending(request)
    _save(request, None)
    if pending is not None:
        # Already finished or expired at BankID: nothing left to cancel.
        with contextlib.suppress(BankIDError):
            get_client().cancel(pending.order_ref)


def _qr_image(pending: PendingLogin) -> str | None:
    if pending.mode != "qr":
        return None
    return qr_image(pending.qr_start_token, pending.qr_start_secret, pending.started_at)


def _message(status: str, hint_code: str | None, pending: PendingLogin) -> tuple[str, str]:
    return hint_message(status, hint_code, qr=pending.mode == "qr", language=language())


def poll_login(request: HttpRequest) -> LoginState:
    pending = _pending(request)
    if pending is None:
        return LoginState("none")
    if pending.host != request.get_host():
        _save(request, None)
        raise LoginRefused(_("Inloggningen startades på en annan adress."), status=403)
    now = clock.now().timestamp()
    if now - pending.last_collect < settings.BANKID_COLLECT_INTERVAL:
        rfa, message = _message("pending", pending.hint_code, pending)
        return LoginState("pending", message, rfa, _qr_image(pending))
    try:
        result = get_client().collect(pending.order_ref)
    except BankIDError as exc:
        _save(request, None)
        return LoginState("failed", exc.user_message(language()), "")
    if result.status == CollectStatus.PENDING:
        pending.last_collect, pending.hint_code = now, result.hint_code
        _save(request, pending)
        rfa, message = _message("pending", result.hint_code, pending)
        return LoginState("pending", message, rfa, _qr_image(pending))
    _save(request, None)
    if result.status == CollectStatus.FAILED:
        rfa, message = _message("failed", result.hint_code, pending)
        return LoginState("failed", message, rfa)
    assert result.completion_data is not None
    return _complete(request, pending, result.completion_data.user.personal_number)


def _complete(request: HttpRequest, pending: PendingLogin, personnummer: str) -> LoginState:
    # Orders are single-use, whatever host or session presents them again.
    with _redis_available():
        first_use = get_redis().set(
            platform_key(f"bankid-used:{pending.order_ref}"), "1", nx=True, ex=86400
        )
    if not first_use:
        raise LoginRefused(_("Inloggningen har redan använts. Logga in igen."), status=403)
    public_host = getattr(request, "tenant", None) is None
    user = find_login_account(personnummer, public_host=public_host)
    if user is None:
        if public_host:
            message = _("Du har inget konto som operatör eller supportpersonal.")
        else:
            message = _("Du har inget konto hos den här vårdgivaren.")
        return LoginState("failed", message, "no_account")
    provider = getattr(request, "tenant", None)
    with transaction.atomic():
        if provider is not None and not _served_throughout(provider, pending.started_at):
            message = _("Vårdgivarens plattform är avstängd. Du har inte loggats in.")
            return LoginState("failed", message, "provider_suspended")
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # new key
        staff_sessions.start(request)
    return LoginState("complete", _("Du är inloggad."), "", redirect=start_url(request, user))


def _served_throughout(provider: CareProvider, since: float) -> bool:
    """Was the provider active, without a change of status, from `since` until now? Read under
    a shared lock on its row, held until the login commits: a suspension (which locks the row
    for update) either commits before this read, and the login is refused, or waits for the
    login. A login started before a suspension never completes, even after a reactivation."""
    table = connection.ops.quote_name(CareProvider._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT status, status_changed_at FROM public.{table} WHERE id = %s FOR SHARE",
            [provider.pk],
        )
        row = cursor.fetchone()
    if row is None or row[0] != ProviderStatus.ACTIVE:
        return False
    return row[1] is None or row[1].timestamp() <= since


def start_url(request: HttpRequest, user: User) -> str:
    return home_url(user, public_host=getattr(request, "tenant", None) is None)


def log_out_everywhere(request: HttpRequest) -> None:
    """ "Logga ut" ends the user's sessions in every browser on this host, not only this one: a
    new session generation invalidates the hash every other session carries (User)."""
    if request.user.is_authenticated:
        User.objects.filter(pk=request.user.pk).update(
            session_generation=F("session_generation") + 1
        )
    logout(request)
