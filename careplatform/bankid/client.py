"""A small client for BankID's RP API v6.0 (auth, sign, collect, cancel) on httpx.

The same code talks to BankID's test service, production, or our simulator: only the base URL
(and, for BankID itself, the mutual-TLS certificate, key and CA) differs.
"""

import base64
import ssl
import time
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

import httpx
from django.conf import settings

from careplatform.bankid.errors import (
    BankIDError,
    BankIDUnavailable,
    InvalidResponse,
    Maintenance,
    error_for,
)


@dataclass(frozen=True)
class OrderStarted:
    order_ref: str
    auto_start_token: str
    qr_start_token: str
    qr_start_secret: str


@dataclass(frozen=True)
class User:
    personal_number: str
    name: str
    given_name: str
    surname: str


@dataclass(frozen=True)
class Device:
    ip_address: str
    uhi: str | None = None


@dataclass(frozen=True)
class CompletionData:
    user: User
    device: Device
    bank_id_issue_date: str
    signature: str
    ocsp_response: str
    step_up: dict | None = None
    risk: str | None = None


class CollectStatus(StrEnum):
    PENDING = "pending"
    FAILED = "failed"
    COMPLETE = "complete"


@dataclass(frozen=True)
class CollectResult:
    order_ref: str
    status: CollectStatus
    hint_code: str | None  # any string: BankID adds new hint codes over time
    completion_data: CompletionData | None


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode("ascii")


def _order_body(end_user_ip: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"endUserIp": end_user_ip}
    names = {
        "requirement": "requirement",
        "return_url": "returnUrl",
        "return_risk": "returnRisk",
        "user_visible_data_format": "userVisibleDataFormat",
    }
    for name, key in names.items():
        if fields.get(name) is not None:
            body[key] = fields[name]
    # BankID wants both data fields base64-encoded; callers pass plain text.
    if fields.get("user_visible_data") is not None:
        body["userVisibleData"] = _b64(fields["user_visible_data"])
    if fields.get("user_non_visible_data") is not None:
        body["userNonVisibleData"] = _b64(fields["user_non_visible_data"])
    return body


def _completion(data: dict[str, Any]) -> CompletionData:
    user, device = data["user"], data["device"]
    return CompletionData(
        user=User(
            personal_number=user["personalNumber"],
            name=user["name"],
            given_name=user["givenName"],
            surname=user["surname"],
        ),
        device=Device(ip_address=device["ipAddress"], uhi=device.get("uhi")),
        bank_id_issue_date=data["bankIdIssueDate"],
        signature=data["signature"],
        ocsp_response=data["ocspResponse"],
        step_up=data.get("stepUp"),
        risk=data.get("risk"),
    )


class BankIDClient:
    def __init__(
        self,
        base_url: str,
        *,
        cert: str | None = None,
        key: str | None = None,
        ca: str | None = None,
        timeout: float = 10.0,
        maintenance_retries: int = 3,
        retry_delay: float = 1.0,
    ):
        self.base_url = base_url.rstrip("/")
        self.maintenance_retries = maintenance_retries
        self.retry_delay = retry_delay
        verify: ssl.SSLContext | bool = True
        if self.base_url.startswith("https:"):
            # Mutual TLS: our client certificate, and BankID's own CA for the server.
            verify = ssl.create_default_context(cafile=ca)
            if cert:
                verify.load_cert_chain(cert, key)
        self._http = httpx.Client(timeout=timeout, verify=verify)

    # -- the four calls ------------------------------------------------------------------
    def auth(
        self,
        end_user_ip: str,
        *,
        requirement: dict | None = None,
        return_url: str | None = None,
        return_risk: bool | None = None,
        user_visible_data: str | None = None,
        user_non_visible_data: str | None = None,
        user_visible_data_format: str | None = None,
    ) -> OrderStarted:
        body = _order_body(
            end_user_ip,
            requirement=requirement,
            return_url=return_url,
            return_risk=return_risk,
            user_visible_data=user_visible_data,
            user_non_visible_data=user_non_visible_data,
            user_visible_data_format=user_visible_data_format,
        )
        return self._order("auth", body)

    def sign(
        self,
        end_user_ip: str,
        user_visible_data: str,
        *,
        requirement: dict | None = None,
        return_url: str | None = None,
        return_risk: bool | None = None,
        user_non_visible_data: str | None = None,
        user_visible_data_format: str | None = None,
    ) -> OrderStarted:
        body = _order_body(
            end_user_ip,
            requirement=requirement,
            return_url=return_url,
            return_risk=return_risk,
            user_visible_data=user_visible_data,
            user_non_visible_data=user_non_visible_data,
            user_visible_data_format=user_visible_data_format,
        )
        return self._order("sign", body)

    def collect(self, order_ref: str) -> CollectResult:
        data = self._post("collect", {"orderRef": order_ref})
        try:
            completion = data.get("completionData")
            return CollectResult(
                order_ref=data["orderRef"],
                status=CollectStatus(data["status"]),
                hint_code=data.get("hintCode"),
                completion_data=_completion(completion) if completion else None,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidResponse(details=f"unexpected collect reply: {exc!r}") from None

    def cancel(self, order_ref: str) -> None:
        self._post("cancel", {"orderRef": order_ref})

    def close(self) -> None:
        self._http.close()

    # -- HTTP ------------------------------------------------------------------------------
    def _order(self, endpoint: str, body: dict[str, Any]) -> OrderStarted:
        data = self._post(endpoint, body)
        try:
            return OrderStarted(
                order_ref=data["orderRef"],
                auto_start_token=data["autoStartToken"],
                qr_start_token=data["qrStartToken"],
                qr_start_secret=data["qrStartSecret"],
            )
        except (KeyError, TypeError) as exc:
            raise InvalidResponse(details=f"unexpected {endpoint} reply: {exc!r}") from None

    def _post(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        # Only maintenance is retried: BankID asks for it, and nothing else is safe to repeat.
        for attempt in range(self.maintenance_retries + 1):
            try:
                return self._post_once(endpoint, body)
            except Maintenance:
                if attempt == self.maintenance_retries:
                    raise
                time.sleep(self.retry_delay)
        raise AssertionError("unreachable")

    def _post_once(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._http.post(f"{self.base_url}/{endpoint}", json=body)
        except httpx.HTTPError as exc:
            raise BankIDUnavailable(details=f"{type(exc).__name__}: {exc}") from exc
        try:
            data = response.json()
        except ValueError:  # not JSON, or not even text
            data = None
        if response.is_success and isinstance(data, dict):
            return data
        if not response.is_success and isinstance(data, dict) and "errorCode" in data:
            details = data.get("details")
            raise error_for(str(data["errorCode"]), str(details or ""), response.status_code)
        snippet = response.text[:200].strip()
        raise InvalidResponse(
            details=f"reply that is not BankID's from /{endpoint}: {snippet!r}",
            http_status=response.status_code,
        )


@lru_cache(maxsize=4)
def _client_for(url: str, cert: str | None, key: str | None, ca: str | None) -> BankIDClient:
    return BankIDClient(url, cert=cert, key=key, ca=ca)


def get_client() -> BankIDClient:
    """The client configured by BANKID_URL, BANKID_CERT, BANKID_KEY and BANKID_CA (one per
    configuration, so tests may override the settings)."""
    return _client_for(
        settings.BANKID_URL,
        settings.BANKID_CERT or None,
        settings.BANKID_KEY or None,
        settings.BANKID_CA or None,
    )


__all__ = [
    "BankIDClient",
    "BankIDError",
    "CollectResult",
    "CollectStatus",
    "CompletionData",
    "Device",
    "OrderStarted",
    "User",
    "get_client",
]
