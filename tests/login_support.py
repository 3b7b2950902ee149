"""Logging in through the BankID simulator, as a browser would: in-process (Django test client,
controlled clock) or over real HTTP against the live ASGI server."""

import itertools
import random
import time

import httpx

_ips = itertools.count(1)


def unique_ip() -> str:
    """Each test browser gets its own client IP, so rate limits never mix between tests."""
    n = next(_ips)
    return f"10.{random.randint(0, 255)}.{n // 250}.{n % 250 + 1}"


class Simulator:
    """The simulated phone: what a person does in the BankID app."""

    def __init__(self, port: int):
        self.base = f"http://localhost:{port}/bankid-simulator/app"

    def _post(self, action: str, **payload) -> httpx.Response:
        return httpx.post(f"{self.base}/{action}", json=payload, timeout=10)

    def open(self, auto_start_token: str, personnummer: str | None = None) -> httpx.Response:
        """Open the app with the autostart token (BankID on this device) and, given a personal
        number, approve the order as that person."""
        opened = self._post("open", autoStartToken=auto_start_token)
        if opened.status_code != 200 or not personnummer:
            return opened
        return self._post(
            "approve", orderRef=opened.json()["orderRef"], personalNumber=personnummer
        )

    def scan(self, qr: str, personnummer: str) -> httpx.Response:
        return self._post("scan", qr=qr, personalNumber=personnummer)

    def cancel_by_token(self, auto_start_token: str) -> httpx.Response:
        opened = self._post("open", autoStartToken=auto_start_token)
        return self._post("cancel", orderRef=opened.json()["orderRef"])


class InProcessBrowser:
    """Django's test client on one host, with its own IP."""

    def __init__(self, client, host: str, simulator: Simulator):
        self.client = client
        self.host = host
        self.simulator = simulator
        self.ip = unique_ip()

    def get(self, path: str, **extra):
        return self.client.get(path, HTTP_HOST=self.host, REMOTE_ADDR=self.ip, **extra)

    def post(self, path: str, data=None, **extra):
        return self.client.post(path, data or {}, HTTP_HOST=self.host, REMOTE_ADDR=self.ip, **extra)

    def start(self, mode: str = "same_device"):
        self.get("/login/")
        return self.post("/login/start/", {"mode": mode})

    def poll(self) -> dict:
        return self.post("/login/status/").json()

    def poll_until_done(self, limit: int = 20) -> dict:
        for _ in range(limit):
            state = self.poll()
            if state["state"] != "pending":
                return state
        raise AssertionError(f"login still pending: {state}")

    def login(self, personnummer: str) -> dict:
        started = self.start()
        assert started.status_code == 200, started.content
        opened = self.simulator.open(started.json()["autoStartToken"], personnummer)
        assert opened.status_code == 200, opened.text
        return self.poll_until_done()


class HttpBrowser:
    """A real HTTP client against the live ASGI server, on one host."""

    def __init__(self, server, subdomain: str | None):
        self.server = server
        self.ip = unique_ip()
        self.http = httpx.Client(
            base_url=f"http://127.0.0.1:{server.port}",
            headers={"Host": server.host(subdomain), "X-Forwarded-For": self.ip},
            timeout=15,
        )

    def csrf(self) -> dict:
        return {"X-CSRFToken": self.http.cookies.get("csrftoken", "")}

    def login(self, personnummer: str, simulator: Simulator) -> dict:
        page = self.http.get("/login/")
        assert page.status_code == 200
        started = self.http.post("/login/start/", data={"mode": "qr"}, headers=self.csrf())
        assert started.status_code == 200, started.text
        first = self.http.post("/login/status/", headers=self.csrf()).json()
        assert first["state"] == "pending" and first["qr"].startswith("data:image/svg+xml")
        opened = simulator.open(started.json()["autoStartToken"], personnummer)
        assert opened.status_code == 200, opened.text
        for _ in range(50):
            state = self.http.post("/login/status/", headers=self.csrf()).json()
            if state["state"] != "pending":
                return state
            time.sleep(0.2)
        raise AssertionError("login did not finish")


PHONE = (375, 667)
DESKTOP = (1280, 900)


def phone_page(browser, server, subdomain: str, personnummer: str, *, size=PHONE):
    """A phone-sized (375×667, or `size`) Playwright page logged in through the simulator, its
    base URL and the list that collects Content Security Policy refusals."""
    http = HttpBrowser(server, subdomain)
    assert http.login(personnummer, Simulator(server.port))["state"] == "complete"
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    url = f"http://{subdomain}.localhost:{server.port}"
    context.add_cookies(
        [{"name": "sessionid", "value": http.http.cookies["sessionid"], "url": url}]
    )
    page = context.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    return page, url, refused
