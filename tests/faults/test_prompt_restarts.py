"""The video prompts through a PostgreSQL or Redis restart under the running server: the prompt
watch keeps going and shows the room opening once the database answers again, a page keeps its
socket while Redis is away, a new page is sent away to try again, and notices reach the pages
again after Redis is back."""

import pytest
from django.db import connections
from django_tenants.utils import schema_context
from websockets.exceptions import InvalidStatus

from tenant_apps.accounts.services import current_consent_version, give_consent
from tests.faults.helpers import SUBDOMAIN, Platform
from tests.support import wait_for
from tests.video.helpers import MINUTE
from tests.video.live import Client, PromptSocket, session_for

pytestmark = [pytest.mark.server, pytest.mark.faults]

STARTA = "Starta videomöte"


@pytest.fixture(autouse=True)
def _close_pages(platform):
    yield
    Client.close_all()
    platform.server.clock.reset()


def prompts_of(platform: Platform, user) -> PromptSocket:
    socket = PromptSocket(platform.server, SUBDOMAIN, session_for(platform.provider, user, hours=3))
    socket.prompts()
    return socket


def test_the_room_opening_is_shown_after_a_postgresql_restart(platform):
    booking = platform.book().booking
    page = prompts_of(platform, booking.clinician)
    assert STARTA not in page.html

    platform.postgres.stop()
    try:
        platform.server.clock.move_to(booking.starts_at - 15 * MINUTE)
        # The watch cannot read (longer than a request waits for a connection, 5 s): the page
        # keeps what it shows and its socket.
        assert page.quiet(seconds=8) == []
    finally:
        platform.postgres.start()
        connections.close_all()  # the test process's own connection was cut too
    html = page.until(lambda h: STARTA in h, timeout=45)
    assert f'href="/besok/{booking.pk}/"' in html
    assert "The prompt watch could not read" in platform.server.log()


def test_prompts_and_their_notices_go_on_through_a_redis_restart(platform):
    booking = platform.book().booking
    with schema_context(platform.provider.schema_name):
        patient = booking.participants.get().user
        give_consent(patient, current_consent_version(), "127.0.0.1")
    page = prompts_of(platform, booking.clinician)

    platform.redis.stop()
    try:
        # The clock rule needs no Redis: the open page gets the room opening.
        platform.server.clock.move_to(booking.starts_at - 15 * MINUTE)
        assert STARTA in page.until(lambda h: STARTA in h)
        # A page opened meanwhile gets no socket (the channel layer is Redis): it tries again
        # later (prompts.js, with a growing pause).
        with pytest.raises(InvalidStatus):
            PromptSocket(
                platform.server, SUBDOMAIN, session_for(platform.provider, booking.clinician)
            )
    finally:
        platform.redis.start()

    # The patient enters the room as soon as Redis answers; the notice reaches the open page
    # (well before its own refresh would).
    def entered() -> Client | None:
        try:
            room = Client(
                platform.server, SUBDOMAIN, booking.pk, session_for(platform.provider, patient)
            )
        except Exception:
            return None
        return room if room.first["type"] == "welcome" else None

    wait_for(entered, timeout=30, interval=0.5)
    html = page.until(lambda h: "väntar sedan" in h, timeout=2)
    assert "Patient väntar sedan" in html
    again = prompts_of(platform, booking.clinician)
    assert "Patient väntar sedan" in again.html
