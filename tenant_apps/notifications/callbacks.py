"""Delivery-report callback URLs. Each provider's URL carries its schema and a token derived
from SMS_WEBHOOK_SECRET and that schema: without the secret no token can be made, and provider
A's token does not open provider B's URL."""

import hashlib
import hmac

from django.conf import settings
from django.urls import reverse


def webhook_token(schema_name: str) -> str:
    digest = hmac.new(
        settings.SMS_WEBHOOK_SECRET.encode(), f"sms-delivery:{schema_name}".encode(), hashlib.sha256
    )
    return digest.hexdigest()[:40]


def valid_token(schema_name: str, token: str) -> bool:
    return hmac.compare_digest(webhook_token(schema_name), token)


def callback_url(schema_name: str) -> str:
    path = reverse(
        "sms-delivery-report",
        kwargs={"schema_name": schema_name, "token": webhook_token(schema_name)},
        urlconf=settings.PUBLIC_SCHEMA_URLCONF,
    )
    return settings.SMS_CALLBACK_URL.rstrip("/") + path
