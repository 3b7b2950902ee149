"""The animated QR code: `bankid.<qrStartToken>.<seconds>.<HMAC-SHA256(qrStartSecret, seconds)>`.

A new code every second, computed on the server: the secret never reaches the browser.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass

import segno

from careplatform import clock

_QR = re.compile(r"^bankid\.([0-9A-Za-z-]{1,64})\.(\d{1,6})\.([0-9a-f]{64})$")


def qr_auth_code(qr_start_secret: str, seconds: int) -> str:
    digest = hmac.new(qr_start_secret.encode(), str(seconds).encode(), hashlib.sha256)
    return digest.hexdigest()


def qr_content(qr_start_token: str, qr_start_secret: str, seconds: int) -> str:
    """What the QR code shows `seconds` whole seconds after the order started."""
    return f"bankid.{qr_start_token}.{seconds}.{qr_auth_code(qr_start_secret, seconds)}"


def qr_image(qr_start_token: str, qr_start_secret: str, started_at: float) -> str:
    """The code to show now for an order started at `started_at` (a timestamp), as an SVG data
    URI for an <img>: the login page and the operators' signing page poll it every second."""
    seconds = max(0, int(clock.now().timestamp() - started_at))
    content = qr_content(qr_start_token, qr_start_secret, seconds)
    return segno.make(content, error="l").svg_data_uri(scale=6, border=2)


@dataclass(frozen=True)
class QRContent:
    qr_start_token: str
    seconds: int
    auth_code: str


def parse_qr(content: str) -> QRContent | None:
    match = _QR.match(content.strip())
    if match is None:
        return None
    return QRContent(match[1], int(match[2]), match[3])


def verify_qr(content: QRContent, qr_start_secret: str) -> bool:
    """True when the code was made with this secret (compared in constant time)."""
    return hmac.compare_digest(content.auth_code, qr_auth_code(qr_start_secret, content.seconds))
