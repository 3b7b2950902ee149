"""A suspension against the real ASGI server (another process): its pages show the suspended
page at once, open room and prompt WebSockets close at once with a reason, new ones are
refused; after reactivation the same sessions, bookings and rooms work again."""

import pytest
from django.db import connection
from websockets.exceptions import InvalidStatus

from tenant_apps.accounts.models import User
from tenant_apps.bookings.models import Booking
from tenants import lifecycle
from tests.console.lifecycle_helpers import signature_of
from tests.video.live import Client, PromptSocket, make_room, session_for

pytestmark = pytest.mark.server

CLOSE_ROOM_CLOSED, CLOSE_NOT_HERE = 4410, 4403


@pytest.fixture(autouse=True)
def _close_sockets():
    yield
    Client.close_all()


@pytest.fixture
def room(committed):
    yield make_room(committed, "avstangning")
    from tests.video.live import wait_until_rooms_empty

    Client.close_all()
    wait_until_rooms_empty(committed.created)


def operator() -> User:
    connection.set_schema_to_public()
    return User.objects.get(is_operator=True)


def test_a_suspension_closes_rooms_and_prompts_at_once_and_reactivation_restores(
    live_server_process, room
):
    server = live_server_process
    clinician_session = session_for(room.provider, room.clinician)
    clinician = Client(server, room.subdomain, room.booking_id, clinician_session)
    patient = Client(
        server, room.subdomain, room.booking_id, session_for(room.provider, room.patients[0])
    )
    assert clinician.first["type"] == patient.first["type"] == "welcome"
    prompt = PromptSocket(server, room.subdomain, session_for(room.provider, room.patients[0]))
    assert "Börja videobesöket" in prompt.prompts()
    cookie = {"Cookie": f"sessionid={clinician_session}"}
    assert server.get(room.subdomain, "/oversikt/", headers=cookie).status_code == 200

    who = operator()
    lifecycle.suspend(
        room.provider, reason="Obetald faktura", actor=who, ip_address=None,
        signature=signature_of(who),
    )  # fmt: skip

    for page in (clinician, patient):
        closed = page.recv_type("room-closed", timeout=5)
        assert closed["reason"] == "suspended" and "avstängd" in closed["message"]
        assert page.wait_closed(timeout=5) == CLOSE_ROOM_CLOSED
    assert prompt.closed_with(timeout=5) == CLOSE_NOT_HERE
    page = server.get(room.subdomain, "/oversikt/", headers=cookie)
    assert page.status_code == 403 and "tillfälligt avstängd" in page.text
    with pytest.raises(InvalidStatus) as refused:
        Client(server, room.subdomain, room.booking_id, clinician_session)
    assert refused.value.response.status_code == 403

    lifecycle.reactivate(room.provider, reason="Betald", actor=who, ip_address=None)
    assert server.get(room.subdomain, "/oversikt/", headers=cookie).status_code == 200
    with room.schema:
        assert Booking.objects.filter(pk=room.booking_id).exists()
    again = Client(server, room.subdomain, room.booking_id, clinician_session)
    assert again.first["type"] == "welcome"
