"""Rooms with committed data for the live server: a provider of its own, its clinician (the
provisioned admin), invited patients who have consented, an uninvited patient; sessions made
in the provider's schema; WebSocket clients for /ws/visits/<booking>/."""

import contextlib
import datetime
import json
import secrets
import socket
import time
from dataclasses import dataclass, field

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_tenants.utils import schema_context
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from careplatform import clock
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import current_consent_version, give_consent
from tenant_apps.bookings import services as bookings
from tenant_apps.profiles import services as profiles
from tenants.models import CareProvider
from tests.support import personnummer


@dataclass
class Room:
    provider: CareProvider
    clinician: User
    booking_id: int
    patients: list[User] = field(default_factory=list)
    outsider: User | None = None

    @property
    def subdomain(self) -> str:
        return self.provider.subdomain

    @property
    def schema(self):
        return schema_context(self.provider.schema_name)


def half_an_hour_ahead() -> datetime.datetime:
    """A visit's start, about 30 minutes from now on a whole minute."""
    return clock.now().replace(second=0, microsecond=0) + datetime.timedelta(minutes=31)


def entered_at(room: Room, user: User) -> str:
    """When `user`'s page entered the room, in Swedish time ("10:01")."""
    from careplatform.timeutil import local
    from tenant_apps.video.models import RoomConnection

    with room.schema:
        joined = RoomConnection.objects.get(booking_id=room.booking_id, user=user).joined_at
    return f"{local(joined):%H:%M}"


def patient_personnummer(n: int) -> str:
    return personnummer("19880808", f"{200 + n:03d}")


def make_room(
    committed,
    subdomain: str,
    *,
    patients: int = 1,
    starts_at: datetime.datetime | None = None,
    first_names: list[str] | None = None,
) -> Room:
    """A provider whose clinician has booked `patients` patients (called `first_names`, else
    Patient1 …): Boka nu, or at `starts_at`."""
    provider = committed.provider(subdomain, name=f"Videokliniken {subdomain}")
    names = first_names or [f"Patient{n}" for n in range(1, patients + 1)]
    with schema_context(provider.schema_name):
        clinician = User.objects.get()
        booking = book_video(
            provider,
            clinician,
            [
                bookings.PatientSpec(patient_personnummer(n), name, "Testsson", "0701234500")
                for n, name in enumerate(names, start=1)
            ],
            starts_at=starts_at,
        )
        invited = [p.user for p in booking.participants.select_related("user").order_by("id")]
        outsider = User.objects.create_user(
            patient_personnummer(9), "Utan", "Inbjudan", mobile="0701234599", is_patient=True
        )
        for user in [*invited, outsider]:
            give_consent(user, current_consent_version(), "127.0.0.1")
        if starts_at is not None:
            for user in invited:
                bookings.confirm(booking, user)
    return Room(provider, clinician, booking.pk, invited, outsider)


def book_video(
    provider: CareProvider,
    clinician: User,
    patients: list[bookings.PatientSpec],
    *,
    starts_at: datetime.datetime | None = None,
):
    """The clinician ready to be booked (title, a video visit type for this many patients) and
    the booking with these patients: Boka nu, or at `starts_at`. In the provider's schema."""
    profiles.update_consultation(clinician, title="Läkare", description="")
    visit = profiles.create_visit_type(
        clinician,
        title="Videobesök",
        duration_minutes=30,
        kind="video_group" if len(patients) > 1 else "video",
        max_patients=len(patients) if len(patients) > 1 else None,
    )
    profiles.activate_booking(clinician)
    return bookings.invite(
        actor=clinician,
        clinician=clinician,
        visit_type=visit,
        provider=provider,
        patients=patients,
        starts_at=starts_at,
        instant=starts_at is None,
    )


def wait_until_rooms_empty(providers, timeout: float = 5) -> None:
    from tenant_apps.video.models import RoomConnection

    deadline = time.monotonic() + timeout
    for provider in providers:
        with schema_context(provider.schema_name):
            while RoomConnection.objects.exists() and time.monotonic() < deadline:
                time.sleep(0.1)


def session_for(provider: CareProvider, user: User, hours: float = 1) -> str:
    """A logged-in session on the provider's host (as BankID login leaves it)."""
    with schema_context(provider.schema_name):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.set_expiry(clock.now() + datetime.timedelta(hours=hours))
        store.create()
        return store.session_key


def new_peer_id() -> str:
    return secrets.token_urlsafe(12)


class Client:
    """One room page's WebSocket, as a test drives it. Every client is closed after its test."""

    open_clients: list["Client"] = []

    def __init__(self, server, subdomain: str, booking_id: int, session: str | None, **kw):
        """`kw`: `peer` (the page's id), `user_agent` (its browser's User-Agent header)."""
        self.peer = kw.get("peer") or new_peer_id()
        host = server.host(subdomain)
        headers = {"Origin": f"http://{host}"}
        if session:
            headers["Cookie"] = f"sessionid={session}"
        sock = socket.create_connection(("127.0.0.1", server.port))
        self.ws = connect(
            f"ws://{host}/ws/visits/{booking_id}/?peer={self.peer}",
            sock=sock,
            additional_headers=headers,
            open_timeout=10,
            max_size=None,
            **({"user_agent_header": kw["user_agent"]} if kw.get("user_agent") else {}),
        ).__enter__()
        Client.open_clients.append(self)
        self.first = self.recv()

    def send(self, message) -> None:
        self.ws.send(message if isinstance(message, str | bytes) else json.dumps(message))

    def recv(self, timeout: float = 10) -> dict:
        return json.loads(self.ws.recv(timeout=timeout))

    def recv_type(self, kind: str, timeout: float = 10, ping: bool = False) -> dict:
        """The next message of this type; others on the way are skipped. With `ping`, the page's
        heartbeat keeps going meanwhile."""
        deadline = time.monotonic() + timeout
        last_ping = 0.0
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {kind} within {timeout} s")
            if ping and time.monotonic() - last_ping > 2:
                # A closed socket may still hold the messages that came before the close.
                with contextlib.suppress(ConnectionClosed):
                    self.send({"type": "ping"})
                last_ping = time.monotonic()
            try:
                message = self.recv(timeout=min(left, 1.0) if ping else left)
            except TimeoutError:
                continue
            if message["type"] == kind:
                return message

    def drain(self, quiet: float = 0.5) -> list[dict]:
        messages = []
        while True:
            try:
                messages.append(self.recv(timeout=quiet))
            except TimeoutError:
                return messages

    @property
    def close_code(self) -> int | None:
        return self.ws.close_code

    def wait_closed(self, timeout: float = 10) -> int | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.ws.recv(timeout=0.5)
            except TimeoutError:
                continue
            except Exception:
                return self.ws.close_code
        raise TimeoutError("still open")

    def close(self) -> None:
        self.ws.close()

    @classmethod
    def close_all(cls) -> None:
        while cls.open_clients:
            cls.open_clients.pop().ws.close()


class PromptSocket:
    """One page's prompt WebSocket (/ws/prompts/), as a test drives it; closed after the test
    with the room clients."""

    def __init__(self, server, subdomain: str | None, session: str | None, origin: str = ""):
        host = server.host(subdomain)
        headers = {"Origin": origin or f"http://{host}"}
        if session:
            headers["Cookie"] = f"sessionid={session}"
        sock = socket.create_connection(("127.0.0.1", server.port))
        self.ws = connect(
            f"ws://{host}/ws/prompts/", sock=sock, additional_headers=headers, open_timeout=10
        ).__enter__()
        Client.open_clients.append(self)  # type: ignore[arg-type]
        self.html: str | None = None

    def recv(self, timeout: float = 10) -> dict:
        return json.loads(self.ws.recv(timeout=timeout))

    def prompts(self, timeout: float = 10) -> str:
        """The prompts the server sends next (HTML)."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.recv(timeout=max(0.01, deadline - time.monotonic()))
            if message["type"] == "prompts":
                self.html = message["html"]
                return self.html

    def until(self, predicate, timeout: float = 10) -> str:
        """Prompts as they come, until they satisfy `predicate` (the current ones count)."""
        deadline = time.monotonic() + timeout
        if self.html is not None and predicate(self.html):
            return self.html
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"not within {timeout} s; last prompts: {self.html!r}")
            html = self.prompts(timeout=left)
            if predicate(html):
                return html

    def quiet(self, seconds: float = 1.5) -> list[dict]:
        """Everything sent within `seconds` (nothing, where nothing changed)."""
        messages = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                messages.append(self.recv(timeout=left))
            except TimeoutError:
                break
        return messages

    def closed_with(self, timeout: float = 10) -> int | None:
        """The close code, once the server has closed the socket (messages before it skipped)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.ws.recv(timeout=0.5)
            except TimeoutError:
                continue
            except ConnectionClosed:
                return self.ws.close_code
        raise TimeoutError("still open")
