"""What the prompts show and when they next change (video.prompts), and what the prompt watch
sends each page (video.prompt_watch.views), on a controlled clock: one statement for every user
of every provider, who waits only for the visit's clinician, logged-out pages closed."""

import datetime
from dataclasses import dataclass

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tenant_apps.accounts.models import User
from tenant_apps.bookings import services as bookings
from tenant_apps.video import prompt_watch, prompts, rooms, services
from tests.bookings.helpers import group_specs
from tests.support import personnummer
from tests.video.helpers import MINUTE, book, patients_of

MICROSECOND = datetime.timedelta(microseconds=1)


def at(moment):
    return time_machine.travel(moment, tick=False)


@dataclass(frozen=True, eq=False)
class Page:
    """A page as the prompt watch holds it (prompt_consumer.PromptConsumer)."""

    schema_name: str
    user_id: int
    session_generation: int = 0
    patient: bool = False
    language: str = "sv"

    async def show(self, html: str) -> None: ...

    async def logged_out(self) -> None: ...


def statements(captured: CaptureQueriesContext) -> list[str]:
    """The statements sent, without savepoints and the schema switches of django-tenants."""
    skip = ("SAVEPOINT", "RELEASE SAVEPOINT", "SET search_path")
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(skip)]


def page_of(user: User, **kwargs) -> Page:
    return Page(connection.schema_name, user.pk, user.session_generation, user.is_patient, **kwargs)


def test_a_state_changes_next_when_the_room_opens_then_when_it_closes(ready, booking):
    with at(booking.starts_at - 20 * MINUTE):
        state = prompts.for_user(ready.clinician)
        assert state.prompts == () and state.next_change == rooms.opens_at(booking)
    with at(booking.starts_at - 15 * MINUTE):
        state = prompts.for_user(ready.clinician)
        assert [p.booking for p in state.prompts] == [booking]
        assert state.next_change == rooms.closes_at(booking) + MICROSECOND
    with at(rooms.closes_at(booking) + MICROSECOND):
        assert prompts.for_user(ready.clinician).prompts == ()


def test_far_visits_are_read_again_within_the_lookahead(ready, booking):
    moment = booking.starts_at - 3 * 60 * MINUTE
    with at(moment):
        assert prompts.for_user(ready.clinician).next_change == moment + prompts.LOOKAHEAD


def test_who_waits_is_told_to_the_clinician_only_and_only_while_they_are_away(ready):
    booking = book(ready, group=True, patients=group_specs(2))
    first, second = patients_of(booking)
    with at(booking.starts_at - 5 * MINUTE):
        services.join(booking.pk, first, "peer-first-0001", "chan.first")
        (prompt,) = prompts.for_user(ready.clinician).prompts
        assert [(w.first_name, w.since) for w in prompt.waiting] == [
            ("Ingrid", booking.starts_at - 5 * MINUTE)
        ]
        for patient in (first, second):
            (own,) = prompts.for_user(patient).prompts
            assert own.waiting == () and not own.hosting
        # The waiting patient's page may go stale: the state is read again by then.
        state = prompts.for_user(ready.clinician)
        assert state.next_change == booking.starts_at - 5 * MINUTE + rooms.FRESH_FOR + MICROSECOND
        services.join(booking.pk, ready.clinician, "peer-clinician-01", "chan.clinician")
        (prompt,) = prompts.for_user(ready.clinician).prompts
        assert prompt.waiting == ()


def test_one_statement_for_every_user_of_every_provider(beta, ready, booking):
    patient = patients_of(booking)[0]
    users = {
        ready.schema_name: [ready.clinician.pk, ready.colleague.pk, ready.admin.pk, patient.pk],
        beta.schema_name: [beta.admin.pk, beta.patient.pk],
    }
    with at(booking.starts_at), CaptureQueriesContext(connection) as captured:
        states = prompts.look(users)
    assert len(statements(captured)) == 1
    assert len(states) == 6
    assert [p.booking for p in states[ready.schema_name, patient.pk].prompts] == [booking]
    assert states[beta.schema_name, beta.admin.pk].prompts == ()


def test_the_watch_reads_any_number_of_pages_in_one_statement(beta, ready, booking):
    others = [
        User.objects.create_user(
            personnummer("19700303", f"{300 + n:03d}"), "Extra", f"Nr{n}", is_clinician=True
        )
        for n in range(20)
    ]
    pages = [page_of(user) for user in [ready.clinician, *others] for _tab in range(3)]
    with schema_context(beta.schema_name):
        pages += [page_of(beta.admin), page_of(beta.patient)]
    with at(booking.starts_at), CaptureQueriesContext(connection) as captured:
        shown = prompt_watch.views(pages, booking.starts_at)
    assert len(statements(captured)) == 1
    assert "Starta videomöte" in shown[pages[0]].html
    assert all("Starta videomöte" not in shown[page].html for page in pages[3:])


def test_pages_of_a_logged_out_or_deactivated_user_are_closed(ready, booking):
    patient = patients_of(booking)[0]
    pages = [page_of(ready.clinician), page_of(patient), page_of(ready.colleague)]
    User.objects.filter(pk=ready.clinician.pk).update(session_generation=1)  # logged out
    User.objects.filter(pk=patient.pk).update(is_active=False)
    shown = prompt_watch.views(pages, booking.starts_at)
    assert shown[pages[0]] is None and shown[pages[1]] is None
    assert shown[pages[2]] is not None


def test_each_page_is_told_in_its_users_language(ready, booking):
    patient = patients_of(booking)[0]
    pages = [page_of(ready.clinician, language="en"), page_of(patient, language="en")]
    with at(booking.starts_at):
        shown = prompt_watch.views(pages, booking.starts_at)
    assert "Start video visit" in shown[pages[0]].html
    assert "Start the video visit" in shown[pages[1]].html


def test_a_bookings_change_is_told_to_its_clinician_and_everyone_invited(ready):
    group = book(ready, group=True, patients=group_specs(2))
    test_visit = bookings.invite(
        actor=ready.clinician,
        clinician=ready.clinician,
        visit_type=ready.one_to_one,
        provider=ready.provider,
        colleague=ready.colleague,
        instant=True,
    )
    invited = {p.pk for p in patients_of(group)}
    assert services.people([group.pk]) == {ready.clinician.pk, *invited}
    assert services.people([group.pk, test_visit.pk]) == {
        ready.clinician.pk,
        ready.colleague.pk,
        *invited,
    }
