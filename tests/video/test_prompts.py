"""The prompts' WebSocket (/ws/prompts/) against the real ASGI server, its clock set by the test:
"Starta videomöte" and "Börja videobesöket" arrive at T−15 and go after end+5 without the page
asking, the clinician hears who waits in the room, bookings that change move the prompts, and
nobody hears of anyone else's visits."""

import datetime

import pytest
from websockets.exceptions import InvalidStatus

from careplatform.timeutil import local
from tenant_apps.accounts.models import User
from tenant_apps.bookings import services as bookings
from tenant_apps.bookings.models import Booking
from tenants.provisioning import delete_provider
from tests.support import personnummer
from tests.video.helpers import MINUTE
from tests.video.live import (
    Client,
    PromptSocket,
    entered_at,
    half_an_hour_ahead,
    make_room,
    session_for,
)

pytestmark = pytest.mark.server

SECOND = datetime.timedelta(seconds=1)
STARTA = "Starta videomöte"
BORJA = "Börja videobesöket"


def prompts_of(server, room, user) -> PromptSocket:
    """A page of `user`'s with its prompts' socket; its first prompts read."""
    socket = PromptSocket(server, room.subdomain, session_for(room.provider, user, hours=3))
    socket.prompts()
    return socket


def enter(server, room, user) -> Client:
    """`user`'s room page enters the visit's room."""
    page = Client(server, room.subdomain, room.booking_id, session_for(room.provider, user))
    assert page.first["type"] == "welcome", page.first
    return page


def dispatch(room) -> None:
    """What a worker does with the provider's booking events after each change."""
    with room.schema:
        bookings.dispatch_events()


def test_prompts_come_at_t_minus_15_and_go_after_end_plus_5(clocked_server, committed):
    server = clocked_server
    start = half_an_hour_ahead()
    room = make_room(committed, "promptfonster", starts_at=start, first_names=["Pelle"])
    server.clock.move_to(start - 16 * MINUTE)
    clinician = prompts_of(server, room, room.clinician)
    patient = prompts_of(server, room, room.patients[0])
    assert STARTA not in clinician.html and patient.html.strip() == ""

    server.clock.move_to(start - 15 * MINUTE)
    html = clinician.prompts()
    assert STARTA in html and f'href="/besok/{room.booking_id}/"' in html
    local_start = local(start)
    assert f"{local_start:%H:%M}–{local_start + 30 * MINUTE:%H:%M}" in html
    html = patient.prompts()
    assert BORJA in html and f'href="/besok/{room.booking_id}/"' in html
    assert STARTA not in html and "Tove Testadmin" in html

    end = start + 30 * MINUTE
    server.clock.move_to(end + 5 * MINUTE - 10 * SECOND)
    assert clinician.quiet() == [] and patient.quiet() == []  # still open (3 s later)
    server.clock.move_to(end + 5 * MINUTE + SECOND)
    assert STARTA not in clinician.prompts()
    assert patient.prompts().strip() == ""


def test_the_clinician_sees_who_waits_until_they_come_in(clocked_server, committed):
    server = clocked_server
    start = half_an_hour_ahead()
    room = make_room(committed, "promptvantar", starts_at=start, first_names=["Pelle"])
    pelle = room.patients[0]
    server.clock.move_to(start - 10 * MINUTE)
    clinician = prompts_of(server, room, room.clinician)
    patient = prompts_of(server, room, pelle)
    assert STARTA in clinician.html and "väntar sedan" not in clinician.html
    assert 'id="waiting-sound"' in clinician.html  # the sound can be switched on

    pelles_page = enter(server, room, pelle)
    html = clinician.until(lambda h: "väntar sedan" in h)
    assert f"Pelle väntar sedan {entered_at(room, pelle)}" in html and STARTA in html
    assert patient.quiet() == []  # the patient's page hears nothing of it

    enter(server, room, room.clinician)
    clinician.until(lambda h: "väntar sedan" not in h and STARTA in h)
    assert "Tove Testadmin" in pelles_page.recv_type("peer-joined")["peer"]["name"]


def test_a_patient_hears_nothing_of_the_other_patients_of_a_group_visit(clocked_server, committed):
    server = clocked_server
    start = half_an_hour_ahead()
    room = make_room(
        committed, "promptgrupp", patients=2, starts_at=start, first_names=["Pelle", "Stina"]
    )
    pelle, stina = room.patients
    server.clock.move_to(start - 10 * MINUTE)
    clinician = prompts_of(server, room, room.clinician)
    pelles = prompts_of(server, room, pelle)
    assert BORJA in pelles.html and "Stina" not in pelles.html

    enter(server, room, stina)
    assert f"Stina väntar sedan {entered_at(room, stina)}" in clinician.until(
        lambda h: "Stina" in h
    )
    assert pelles.quiet() == []
    enter(server, room, pelle)
    html = clinician.until(lambda h: "Pelle väntar" in h)
    assert "Stina väntar" in html
    assert pelles.quiet() == [] and "Stina" not in (pelles.html or "")


def test_moved_boka_nu_and_cancelled_visits_move_the_prompts(clocked_server, committed):
    server = clocked_server
    start = half_an_hour_ahead()
    room = make_room(committed, "promptandrad", starts_at=start, first_names=["Pelle"])
    pelle = room.patients[0]
    server.clock.move_to(start - 10 * MINUTE)
    clinician = prompts_of(server, room, room.clinician)
    patient = prompts_of(server, room, pelle)
    assert STARTA in clinician.html and BORJA in patient.html

    with room.schema:
        booking = Booking.objects.get(pk=room.booking_id)
        bookings.reschedule(
            booking, actor=room.clinician, provider=room.provider, starts_at=start + 3 * 60 * MINUTE
        )
    dispatch(room)
    assert STARTA not in clinician.prompts() and patient.prompts().strip() == ""

    with room.schema:
        visit_type = booking.visit_type
        spec = bookings.PatientSpec(pelle.personnummer, "Pelle", "Testsson", "0701234500")
        now = bookings.invite(
            actor=room.clinician,
            clinician=room.clinician,
            visit_type=visit_type,
            provider=room.provider,
            patients=[spec],
            instant=True,
        )
    dispatch(room)
    assert f'href="/besok/{now.pk}/"' in clinician.prompts()
    assert f'href="/besok/{now.pk}/"' in patient.prompts()

    with room.schema:
        bookings.cancel(now, actor=room.clinician)
    dispatch(room)
    assert STARTA not in clinician.prompts() and patient.prompts().strip() == ""


def test_an_invited_colleague_gets_the_prompt_of_the_test_visit(clocked_server, committed):
    server = clocked_server
    start = half_an_hour_ahead()
    room = make_room(committed, "promptkollega", starts_at=start)
    with room.schema:
        colleague = User.objects.create_user(
            personnummer("19820202", "222"), "Kalle", "Kollega", mobile="0701234511",
            is_clinician=True,
        )  # fmt: skip
        visit = bookings.invite(
            actor=room.clinician,
            clinician=room.clinician,
            visit_type=Booking.objects.get(pk=room.booking_id).visit_type,
            provider=room.provider,
            colleague=colleague,
            starts_at=start + 60 * MINUTE,
        )
    server.clock.move_to(visit.starts_at - 16 * MINUTE)
    kalle = prompts_of(server, room, colleague)
    assert STARTA not in kalle.html
    server.clock.move_to(visit.starts_at - 15 * MINUTE)
    html = kalle.prompts()
    assert STARTA in html and f'href="/besok/{visit.pk}/"' in html
    assert f'href="/besok/{room.booking_id}/"' not in html  # not the colleague's own visit
    assert 'id="waiting-sound"' not in html  # who waits is for the visit's clinician


def test_strangers_are_refused_and_hear_nothing(clocked_server, committed):
    server = clocked_server
    start = half_an_hour_ahead()
    a = make_room(committed, "promptisoa", starts_at=start, first_names=["Pelle"])
    b = make_room(committed, "promptisob", starts_at=start, first_names=["Bror"])
    server.clock.move_to(start - 10 * MINUTE)
    refused = [
        PromptSocket(server, a.subdomain, None),  # anonymous
        PromptSocket(server, a.subdomain, session_for(b.provider, b.clinician)),  # b's cookie
    ]
    for socket in refused:
        assert socket.recv() == {"type": "refused", "reason": "not_logged_in"}
        assert socket.closed_with() == 4401
    on_public_host = PromptSocket(server, None, session_for(a.provider, a.clinician))
    assert on_public_host.recv() == {"type": "refused", "reason": "not_here"}
    assert on_public_host.closed_with() == 4403
    with pytest.raises(InvalidStatus) as foreign:  # a's cookie from a page on b's host
        PromptSocket(
            server,
            a.subdomain,
            session_for(a.provider, a.clinician),
            origin=f"http://{server.host(b.subdomain)}",
        )
    assert foreign.value.response.status_code == 403

    # The same user id in both providers' schemas: only a's clinician hears of a's room.
    assert a.clinician.pk == b.clinician.pk
    a_clinician = prompts_of(server, a, a.clinician)
    b_clinician = prompts_of(server, b, b.clinician)
    outsider = prompts_of(server, a, a.outsider)  # a patient of a's, not in the visit
    assert BORJA not in outsider.html and "Pelle" not in outsider.html
    enter(server, a, a.patients[0])
    assert "Pelle väntar" in a_clinician.until(lambda h: "väntar sedan" in h)
    assert b_clinician.quiet() == [] and outsider.quiet() == []
    assert "Pelle" not in b_clinician.html and "Bror" not in a_clinician.html


def test_the_pages_of_a_removed_provider_are_closed_and_the_others_go_on(clocked_server, committed):
    server = clocked_server
    start = half_an_hour_ahead()
    gone = make_room(committed, "promptborta", starts_at=start)
    stays = make_room(committed, "promptkvar", starts_at=start)
    server.clock.move_to(start - 20 * MINUTE)
    gone_page = prompts_of(server, gone, gone.clinician)
    staying_page = prompts_of(server, stays, stays.clinician)
    delete_provider(gone.provider)
    committed.created.remove(gone.provider)

    server.clock.move_to(start - 15 * MINUTE)  # both pages are read again
    assert gone_page.closed_with() == 4401
    assert STARTA in staying_page.until(lambda h: STARTA in h)
