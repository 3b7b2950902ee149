"""Testa video, the room page, "Avsluta besöket", and the prompts on the pages (manual 5, 6,
7.6), on a controlled clock: T−16 no, T−14 yes, end+4 yes, end+6 no."""

import pytest
import time_machine

from tenant_apps.accounts.models import User
from tenant_apps.bookings import services as bookings
from tenant_apps.bookings.models import BookingStatus
from tenant_apps.video import services
from tenant_apps.video.models import CallEvent, CallEventKind
from tests.bookings.helpers import group_specs, leaked
from tests.clients import logged_in
from tests.support import personnummer
from tests.video.helpers import MINUTE, book, patients_of


def at(moment):
    return time_machine.travel(moment, tick=False)


def test_testa_video_is_in_everyones_menu_and_works(ready, booking):
    for user in (ready.clinician, ready.admin, patients_of(booking)[0]):
        page = logged_in(user, ready).get("/testa-video/")
        assert page.status_code == 200, user
        html = page.content.decode()
        assert '<a href="/testa-video/" aria-current="page">Testa video</a>' in html
        assert 'id="mic-level"' in html and 'id="camera-select"' in html
        assert 'id="play-sound"' in html and 'id="browser-check"' in html
        assert "video/test_video.js" in html and "<script>" not in html


def test_testa_video_needs_login_and_get(ready, client):
    assert client.get("/testa-video/", HTTP_HOST=ready.host).status_code == 302
    assert logged_in(ready.clinician, ready).post("/testa-video/").status_code == 405


def test_participants_get_the_room_inside_the_window(ready, booking):
    patient = patients_of(booking)[0]
    with at(booking.starts_at - 14 * MINUTE):
        for user in (ready.clinician, patient):
            page = logged_in(user, ready).get(f"/besok/{booking.pk}/")
            assert page.status_code == 200
            html = page.content.decode()
            assert f'data-socket="/ws/visits/{booking.pk}/"' in html
            assert "Lämna videobesök" in html and 'id="visit-tools"' in html
    with at(booking.starts_at):
        clinician_page = logged_in(ready.clinician, ready).get(f"/besok/{booking.pk}/")
        patient_page = logged_in(patient, ready).get(f"/besok/{booking.pk}/")
    assert 'id="end-form"' in clinician_page.content.decode()
    assert 'id="end-form"' not in patient_page.content.decode()


def test_room_page_says_why_it_is_closed(ready, booking):
    cases = [
        (booking.starts_at - 16 * MINUTE, "too_early", "Besöksrummet öppnar"),
        (booking.ends_at + 6 * MINUTE, "closed", "Besökstiden är slut"),
    ]
    for moment, reason, message in cases:
        with at(moment):
            page = logged_in(ready.clinician, ready).get(f"/besok/{booking.pk}/")
        html = page.content.decode()
        assert page.status_code == 200 and f'data-reason="{reason}"' in html and message in html
        assert "data-socket" not in html and 'href="/testa-video/"' in html


def test_admin_who_is_not_in_the_visit_is_refused(ready, booking):
    with at(booking.starts_at):
        page = logged_in(ready.admin, ready).get(f"/besok/{booking.pk}/")
    assert page.status_code == 403 and "Du är inte med i det här besöket." in page.content.decode()


def test_room_of_someone_elses_booking_is_404(ready, booking):
    with at(booking.starts_at):
        assert logged_in(ready.colleague, ready).get(f"/besok/{booking.pk}/").status_code == 404
        assert logged_in(ready.clinician, ready).get("/besok/999999/").status_code == 404


def test_room_of_another_provider_is_404(beta, ready, booking):
    with at(booking.starts_at):
        assert logged_in(beta.admin, beta).get(f"/besok/{booking.pk}/").status_code == 404


def test_room_needs_login(ready, booking, client):
    response = client.get(f"/besok/{booking.pk}/", HTTP_HOST=ready.host)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_patient_must_consent_before_the_room(ready, booking):
    patient = patients_of(booking)[0]
    patient.consents.all().delete()
    with at(booking.starts_at):
        response = logged_in(patient, ready, consented=False).get(f"/besok/{booking.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/samtycke/?next=%2Fbesok%2F{booking.pk}%2F"


def test_clinician_ends_the_visit(ready, booking):
    patient = patients_of(booking)[0]
    with at(booking.starts_at + 5 * MINUTE):
        services.join(booking.pk, ready.clinician, "peer-clinician", "chan.c")
        services.join(booking.pk, patient, "peer-patient", "chan.p")
        services.record_call_state("chan.c", "connected", "peer-patient")
        client = logged_in(ready.clinician, ready)
        assert client.get(f"/besok/{booking.pk}/avsluta/").status_code == 405
        response = client.post(f"/besok/{booking.pk}/avsluta/")
        assert response.status_code == 302
        assert response["Location"] == f"/bokningar/{booking.pk}/"
        detail = client.get(response["Location"]).content.decode()
    assert "Besöket är avslutat." in detail
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    assert CallEvent.objects.filter(kind=CallEventKind.ENDED).count() == 1


def test_only_the_clinician_of_the_booking_ends_it(ready, booking):
    patient = patients_of(booking)[0]
    with at(booking.starts_at):
        assert logged_in(patient, ready).post(f"/besok/{booking.pk}/avsluta/").status_code == 403
        response = logged_in(ready.admin, ready).post(f"/besok/{booking.pk}/avsluta/", follow=True)
    assert "Bara besökets vårdpersonal kan avsluta besöket." in response.content.decode()
    assert not CallEvent.objects.exists()


PROMPT = "Starta videomöte"

# The window's edges: 16 and 14 minutes before the start, 4 and 6 minutes after the end.
WINDOW_EDGES = pytest.mark.parametrize(
    ("edge", "minutes", "shown"),
    [("start", -16, False), ("start", -14, True), ("end", 4, True), ("end", 6, False)],
)


def near(booking, edge: str, minutes: int):
    return (booking.starts_at if edge == "start" else booking.ends_at) + minutes * MINUTE


@WINDOW_EDGES
def test_starta_videomote_on_every_clinician_page_in_the_window(
    ready, booking, edge, minutes, shown
):
    with at(near(booking, edge, minutes)):
        client = logged_in(ready.clinician, ready)
        for path in ("/oversikt/", "/bokningar/", "/testa-video/", f"/bokningar/{booking.pk}/"):
            html = client.get(path).content.decode()
            assert (PROMPT in html) is shown, path
            assert (f'href="/besok/{booking.pk}/"' in html) is shown, path


@WINDOW_EDGES
def test_borja_videobesoket_on_the_patients_start_page(ready, booking, edge, minutes, shown):
    with at(near(booking, edge, minutes)):
        html = logged_in(patients_of(booking)[0], ready).get("/mina-besok/").content.decode()
    assert ("Börja videobesöket" in html) is shown
    assert (f'href="/besok/{booking.pk}/"' in html) is shown
    assert PROMPT not in html


def test_room_page_does_not_prompt_for_itself(ready, booking):
    with at(booking.starts_at):
        html = logged_in(ready.clinician, ready).get(f"/besok/{booking.pk}/").content.decode()
    assert PROMPT not in html


def test_admin_sees_no_prompt_for_others_visits(ready, booking):
    with at(booking.starts_at):
        html = logged_in(ready.admin, ready).get("/oversikt/").content.decode()
    assert PROMPT not in html


def test_room_page_shows_a_patient_no_other_patient(ready):
    booking = book(ready, group=True, patients=group_specs(3))
    patients = patients_of(booking)
    with at(booking.starts_at - 5 * MINUTE):
        for patient in patients:
            page = logged_in(patient, ready).get(f"/besok/{booking.pk}/")
            assert page.status_code == 200 and 'id="room"' in page.text
            assert leaked(page.text, *[p for p in patients if p != patient]) == []


def test_an_admin_invited_to_a_test_visit_gets_its_prompt(ready):
    """A colleague may be an admin who is not a clinician: the test visit's prompt is theirs
    too, on every staff page (manual 3, "Bjud in intern vårdpersonal")."""
    admin = User.objects.create_user(
        personnummer("19750505", "055"), "Ada", "Administratör", is_admin=True
    )
    visit = bookings.invite(
        actor=ready.clinician,
        clinician=ready.clinician,
        visit_type=ready.one_to_one,
        provider=ready.provider,
        colleague=admin,
        instant=True,
    )
    client = logged_in(admin, ready)
    for path in ("/oversikt/", "/bokningar/", "/administration/"):
        html = client.get(path).content.decode()
        assert PROMPT in html and f'href="/besok/{visit.pk}/"' in html, path
