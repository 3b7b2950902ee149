"""ICE servers for the browsers (manual 6): STUN and TURN from settings, with short-lived TURN
credentials per user in coturn's `use-auth-secret` scheme (the TURN REST API): the username is
`<expiry>:<user>`, the password base64(HMAC-SHA1(secret, username))."""

import base64
import datetime
import hashlib
import hmac

from django.conf import settings

from careplatform import clock


def turn_credentials(user_ref: str, now: datetime.datetime | None = None) -> tuple[str, str]:
    expiry = int((now or clock.now()).timestamp()) + settings.TURN_TTL
    username = f"{expiry}:{user_ref}"
    digest = hmac.new(settings.TURN_SECRET.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_config(user_ref: str, now: datetime.datetime | None = None) -> dict:
    """What RTCPeerConnection is given. `user_ref` names the user without personal data."""
    servers: list[dict] = []
    if settings.STUN_URLS:
        servers.append({"urls": list(settings.STUN_URLS)})
    if settings.TURN_URLS and settings.TURN_SECRET:
        username, credential = turn_credentials(user_ref, now)
        servers.append(
            {"urls": list(settings.TURN_URLS), "username": username, "credential": credential}
        )
    return {"iceServers": servers, "iceTransportPolicy": settings.VIDEO_ICE_TRANSPORT_POLICY}
