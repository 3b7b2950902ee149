"""Personal API keys: issue, revoke, and find the user a presented key belongs to.

A key is `<prefix>.<secret>`. Only the SHA-256 hash of the whole key is stored; the prefix finds
the row and is shown in lists so people can tell their keys apart. The secret has 256 bits, so a
plain hash is enough (no slow password hash needed).
"""

import datetime
import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from careplatform import clock
from tenant_apps.accounts.models import User
from tenant_apps.api.models import ApiToken

NAME_MAX_LENGTH = 100
# Writing "last used" on every request would make every API call a write; once a minute is
# precise enough for people deciding which keys to revoke.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def _checked_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Ge nyckeln ett namn, t.ex. journalkopplingen.")})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            {
                "name": ngettext(
                    "Namnet får vara högst %(max)d tecken.",
                    "Namnet får vara högst %(max)d tecken.",
                    NAME_MAX_LENGTH,
                )
                % {"max": NAME_MAX_LENGTH}
            }
        )
    return name


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new key for `user`; the key itself is returned once and never stored."""
    name = _checked_name(name)
    if not user.is_active:
        raise ValidationError(_("Användaren är inaktiverad."))
    for _attempt in range(3):  # a prefix collision is astronomically rare; retry anyway
        prefix = secrets.token_hex(6)
        key = f"{prefix}.{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user,
                    name=name,
                    prefix=prefix,
                    key_hash=hash_key(key),
                    created_at=clock.now(),
                )
        except IntegrityError:
            continue
        return token, key
    raise RuntimeError("Could not find a free API key prefix")


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of `user`'s own keys; revoking twice keeps the first time."""
    token = tokens_of(user).filter(pk=token_id).first()
    if token is None:
        raise ValidationError(_("Ingen sådan API-nyckel."))
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
    return token


def authenticate_key(key: str) -> ApiToken | None:
    """The live token for `key` in this provider's schema, or None: unknown, wrong secret,
    revoked, or its user deactivated."""
    prefix, dot, _secret = key.partition(".")
    if not dot or not prefix:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, hash_key(key)):
        return None
    if token.revoked_at is not None or not token.user.is_active:
        return None
    _note_use(token)
    return token


def _note_use(token: ApiToken) -> None:
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
