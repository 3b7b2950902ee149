"""BankID test helpers: the simulator's paths, test personnummer, the simulated phone driven
over its JSON API, and the simulator called in-process."""

import json

import httpx
from django.test import Client

from tests.support import personnummer

SIM = "/bankid-simulator"
RP = f"{SIM}/rp/v6.0"
IP = "192.0.2.10"
PERSONNUMMER = personnummer("19900101", "123")
OTHER_PERSONNUMMER = personnummer("19850505", "456")
BAD_PERSONNUMMER = PERSONNUMMER[:-1] + str((int(PERSONNUMMER[-1]) + 1) % 10)  # wrong check digit


class Phone:
    """The simulated BankID app, driven over its JSON API."""

    def __init__(self, base_url: str):
        self.base_url = base_url

    def post(self, action: str, **body) -> httpx.Response:
        return httpx.post(f"{self.base_url}{SIM}/app/{action}", json=body, timeout=10)

    def approve(self, order_ref: str, personnummer: str = PERSONNUMMER, **names) -> httpx.Response:
        return self.post("approve", orderRef=order_ref, personalNumber=personnummer, **names)

    def fault(self, error_code: str, count: int = 1, **extra) -> None:
        response = self.post("fault", errorCode=error_code, count=count, **extra)
        assert response.status_code == 200, response.text


class InProcess:
    """The simulator called through Django's test client, for tests that move the clock."""

    def __init__(self, client: Client):
        self.client = client

    def post(self, path: str, body: dict | str) -> tuple[int, dict]:
        data = body if isinstance(body, str) else json.dumps(body)
        response = self.client.post(
            f"{SIM}/{path}", data=data, content_type="application/json", HTTP_HOST="localhost"
        )
        return response.status_code, response.json()

    def auth(self, **body) -> dict:
        status, reply = self.post("rp/v6.0/auth", {"endUserIp": IP, **body})
        assert status == 200, reply
        return reply

    def collect(self, order_ref: str) -> tuple[int, dict]:
        return self.post("rp/v6.0/collect", {"orderRef": order_ref})
