"""A fake 46elks for tests and the benchmark: a real HTTP server on 127.0.0.1 that speaks the
parts of the 46elks API we use, records what it received, and answers as it is told.

    with FakeElks46() as elks:            # serves http://127.0.0.1:<port>/a1
        elks.script("500", "429:2", "timeout")   # how to answer the next POSTs; then "ok"
        elks.default = "junk"                    # ... or, after the script, always this
        ...
        elks.accepted      # messages it took, oldest first
        elks.posts         # every POST /a1/sms, when it came, and the answer it got

Answers: ok (accept, 200 JSON), 500 / 503 (not accepted), 429 or 429:<seconds> (not accepted,
with Retry-After), 400 (refused), garbage (accepted, answer is not JSON), junk (not accepted,
answer 200 but not JSON, as from a broken proxy in between), garbage500 (not accepted, HTML
error page), timeout (accepted, answer comes too late), lost (not accepted, no answer in time),
drop (accepted, connection closed without an answer).
"""

import base64
import contextlib
import datetime
import itertools
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
SENDER = re.compile(r"^(?:[A-Za-z][A-Za-z0-9]{0,10}|\+[1-9]\d{6,14})$")
PAGE = 100


def elks_now() -> str:
    return (
        datetime.datetime.now(datetime.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    )


@dataclass
class FakeElks46:
    username: str = "elkuser"
    password: str = "elkpass"
    hang_seconds: float = 3.0  # how long "timeout" and "lost" keep the client waiting
    delay: float = 0.0  # added to every accepted request (a slow gateway)
    default: str = "ok"  # the answer once the script is used up
    accepted: list[dict] = field(default_factory=list)
    posts: list[dict] = field(default_factory=list)
    reports: list[dict] = field(default_factory=list)  # delivery reports sent by deliver()
    lists: list[dict] = field(default_factory=list)  # every GET /a1/sms and the answer it got

    def __post_init__(self) -> None:
        self.in_flight = 0  # POST /a1/sms requests being answered right now
        self._lock = threading.Lock()
        self._script: list[str] = []
        self._list_script: list[str] = []
        self._ids = itertools.count(1)
        fake = self

        class Handler(_Handler):
            gateway = fake

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # -- control -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/a1"

    def start(self) -> "FakeElks46":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "FakeElks46":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def script(self, *answers: str) -> None:
        """Answer the next POSTs like this, in order; after them, "ok"."""
        with self._lock:
            self._script.extend(answers)

    def script_lists(self, *answers: str) -> None:
        """Answer the next reads of the message list like this ("500", "429", "429:<s>"), in
        order; after them, the list."""
        with self._lock:
            self._list_script.extend(answers)

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self.accepted.clear()
            self.posts.clear()
            self.reports.clear()
            self.lists.clear()
            self._list_script.clear()

    def _next_answer(self) -> str:
        with self._lock:
            return self._script.pop(0) if self._script else self.default

    def accepted_count(self, to: str, text: str | None = None) -> int:
        with self._lock:
            return sum(
                1 for m in self.accepted if m["to"] == to and (text is None or m["message"] == text)
            )

    def deliver(self, gateway_id: str, status: str = "delivered") -> httpx.Response:
        """Post a delivery report for an accepted message to its whendelivered URL."""
        with self._lock:
            message = next(m for m in self.accepted if m["id"] == gateway_id)
        form = {"id": gateway_id, "status": status}
        if status == "delivered":
            form["delivered"] = elks_now()
        response = httpx.post(message["whendelivered"], data=form, timeout=10)
        self.reports.append({**form, "answer": response.status_code})
        return response

    # -- the API -------------------------------------------------------------------------
    def _accept(self, form: dict[str, str]) -> dict:
        message = {
            "id": f"s{uuid.uuid4().hex}",
            "direction": "outgoing",
            "from": form["from"],
            "to": form["to"],
            "message": form["message"],
            "whendelivered": form.get("whendelivered", ""),
            "created": elks_now(),
            "status": "created",
            "parts": 1,
            "cost": 3500,
            "seq": next(self._ids),
        }
        with self._lock:
            self.accepted.append(message)
        return message

    def _listing(self, query: dict[str, str]) -> dict:
        with self._lock:
            rows = sorted(self.accepted, key=lambda m: (m["created"], m["seq"]), reverse=True)
        if "to" in query:
            rows = [m for m in rows if m["to"] == query["to"]]
        if "end" in query:  # created after
            rows = [m for m in rows if m["created"] >= query["end"]]
        if "start" in query:  # created before
            rows = [m for m in rows if m["created"] < query["start"]]
        limit = min(int(query.get("limit", PAGE)), PAGE)
        page = rows[:limit]
        public = [{k: v for k, v in m.items() if k not in ("seq", "whendelivered")} for m in page]
        body: dict = {"data": public}
        if len(rows) > limit:
            body["next"] = page[-1]["created"]
        return body


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class _Handler(BaseHTTPRequestHandler):
    gateway: FakeElks46
    protocol_version = "HTTP/1.1"
    # Buffered: headers and body leave in one segment (unbuffered writes meet Nagle's algorithm
    # and delayed ACKs, 40 ms a request).
    wbufsize = -1

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(
        self,
        status: int,
        body: str,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(data)

    def _authorized(self) -> bool:
        expected = f"{self.gateway.username}:{self.gateway.password}".encode()
        header = self.headers.get("Authorization", "")
        return header == "Basic " + base64.b64encode(expected).decode()

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if not self._authorized():
            return self._send(401, "Unauthorized", "text/plain")
        if parts.path.rstrip("/") != "/a1/sms":
            return self._send(404, "Not found", "text/plain")
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with self.gateway._lock:
            answer = self.gateway._list_script.pop(0) if self.gateway._list_script else "ok"
            self.gateway.lists.append({"query": query, "answer": answer, "received": _now()})
        if answer != "ok":
            return self._answer(answer, {})
        self._send(200, json.dumps(self.gateway._listing(query)))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length).decode()
        form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        record = {
            "form": form,
            "authorized": self._authorized(),
            "path": self.path,
            "received": _now(),
        }
        self.gateway.posts.append(record)
        if urlsplit(self.path).path.rstrip("/") != "/a1/sms":
            return self._send(404, "Not found", "text/plain")
        if not record["authorized"]:
            record["answer"] = 401
            return self._send(401, "Unauthorized", "text/plain")
        answer = self.gateway._next_answer()
        record["answer"] = answer
        with self.gateway._lock:
            self.gateway.in_flight += 1
        try:
            self._answer(answer, form)
        finally:
            with self.gateway._lock:
                self.gateway.in_flight -= 1

    def _invalid(self, form: dict[str, str]) -> str | None:
        if not E164.match(form.get("to", "")):
            return "Invalid to"
        if not SENDER.match(form.get("from", "")):
            return "Invalid from"
        if not form.get("message"):
            return "Missing message"
        return None

    def _answer(self, answer: str, form: dict[str, str]) -> None:
        gateway = self.gateway
        if answer in ("500", "503"):
            return self._send(int(answer), "Internal Server Error", "text/plain")
        if answer.startswith("429"):
            _, _, seconds = answer.partition(":")
            headers = {"Retry-After": seconds} if seconds else {}
            return self._send(429, "Too Many Requests", "text/plain", headers)
        if answer == "400":
            return self._send(400, "Invalid to", "text/plain")
        if answer == "garbage500":
            return self._send(500, "<html><body>Bad Gateway</body></html>", "text/html")
        if answer == "junk":
            return self._send(200, "<html><body>OK</body></html>", "text/html")
        if answer == "lost":
            time.sleep(gateway.hang_seconds)
            return self._send(503, "Service Unavailable", "text/plain")
        invalid = self._invalid(form)
        if invalid:
            return self._send(400, invalid, "text/plain")
        if gateway.delay:
            time.sleep(gateway.delay)
        message = gateway._accept(form)
        if answer == "timeout":
            time.sleep(gateway.hang_seconds)
        if answer == "drop":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(2)
            return None
        if answer == "garbage":
            return self._send(200, "<html>OK</html>", "text/html")
        body = {k: v for k, v in message.items() if k not in ("seq", "whendelivered")}
        self._send(200, json.dumps(body))
