"""Suspending, terminating and signing in tests: a signature as BankID completes one, and an
operator's browser on the public host that drives the signing page as its script does."""

import re

from tenant_apps.accounts.models import User
from tenants.models import OperatorAction
from tests.clients import PUBLIC, logged_in
from tests.login_support import Simulator, unique_ip


def signature_of(user: User) -> dict:
    """Completion data of a signature by `user`, shaped as public_site.signing stores it."""
    return {
        "orderRef": "order-1",
        "userVisibleData": "Jag stänger av …",
        "user": {"personalNumber": user.personnummer, "name": user.full_name},
        "signature": "c2lnbmF0dXI=",
        "ocspResponse": "b2NzcA==",
    }


def log_rows(provider=None) -> list[OperatorAction]:
    rows = OperatorAction.objects.all()
    if provider is not None:
        rows = rows.filter(provider_id=provider.pk)
    return list(rows.order_by("id"))


class Operator:
    """An operator's browser on the public host (Django's test client, an IP of its own)."""

    def __init__(self, user: User, simulator: Simulator | None = None):
        self.user = user
        self.ip = unique_ip()
        self.client = logged_in(user, PUBLIC, ip=self.ip)
        self.simulator = simulator

    def get(self, path: str):
        return self.client.get(path)

    def post(self, path: str, data=None):
        return self.client.post(path, data or {})

    def ask(self, action: str, subdomain: str, reason: str):
        """Fill in an action's page (stang-av, avsluta, ...) and send it."""
        return self.post(f"/konsol/vardgivare/{subdomain}/{action}/", {"reason": reason})

    def sign_token(self, response) -> str:
        assert response.status_code == 302, response.content.decode()[:500]
        match = re.fullmatch(r"/konsol/signera/([\w-]+)/", response["Location"])
        assert match, response["Location"]
        return match[1]

    def start(self, token: str, mode: str = "same_device"):
        return self.post(f"/konsol/signera/{token}/start/", {"mode": mode})

    def poll(self, token: str) -> dict:
        return self.post(f"/konsol/signera/{token}/status/").json()

    def poll_until_done(self, token: str, limit: int = 20) -> dict:
        for _ in range(limit):
            state = self.poll(token)
            if state["state"] != "pending":
                return state
        raise AssertionError(f"signature still pending: {state}")

    def sign(self, token: str, personnummer: str | None = None) -> dict:
        """Start the order and approve it in the simulated app as `personnummer` (default:
        the operator), then poll until it is done."""
        started = self.start(token)
        assert started.status_code == 200, started.content
        opened = self.simulator.open(
            started.json()["autoStartToken"], personnummer or self.user.personnummer
        )
        assert opened.status_code == 200, opened.text
        return self.poll_until_done(token)
