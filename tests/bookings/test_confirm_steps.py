"""Nothing irreversible in one click, on the pages: cancelling, rescheduling and "Jag kan inte
komma" change a booking only when the confirming button sends `confirmed`; without it the
answer is a confirmation page (the step without JavaScript). Reasons are for staff: kept in the
booking's history, never in an SMS, never shown to another patient."""

import datetime

import time_machine

from careplatform import clock
from tenant_apps.bookings import services
from tenant_apps.bookings.models import Booking, BookingEvent, BookingStatus
from tests.bookings.helpers import group_specs, in_days, patient_spec
from tests.clients import logged_in
from tests.notifications.helpers import dispatch, messages


def book(cast, n=1, **kwargs) -> Booking:
    values = {
        "actor": cast.clinician,
        "clinician": cast.clinician,
        "visit_type": cast.one_to_one,
        "provider": cast.provider,
        "patients": [patient_spec(n)],
        "starts_at": in_days(2 + n),
    }
    values.update(kwargs)
    return services.invite(**values)


def unchanged(booking) -> tuple:
    booking.refresh_from_db()
    return (booking.status, booking.version, booking.starts_at, BookingEvent.objects.count())


def flash(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# -- staff: Avboka besöket and Ändra tid --------------------------------------------------------


def test_the_booking_page_opens_a_dialog_for_cancel_and_reschedule(ready):
    booking = book(ready)
    page = logged_in(ready.clinician, ready).get(f"/bokningar/{booking.pk}/").content.decode()
    assert page.count("data-confirm-dialog") == 2 and page.count("<dialog") == 2
    assert 'name="confirmed" value="1"' in page and "Ja, avboka besöket" in page
    assert "js/confirm-dialog.js" in page


def test_cancel_without_confirmation_shows_the_confirmation_page_and_changes_nothing(ready):
    booking = book(ready)
    before = unchanged(booking)
    client = logged_in(ready.clinician, ready)
    response = client.post(f"/bokningar/{booking.pk}/avboka/", {"reason": "Semester"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Avboka besöket?" in page and "Ja, avboka besöket" in page
    assert "Semester" in page  # the reason typed so far is kept
    assert unchanged(booking) == before

    response = client.post(
        f"/bokningar/{booking.pk}/avboka/", {"reason": "Semester", "confirmed": "1"}
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.cancel_reason == "Semester"


def test_a_reason_over_500_characters_is_shown_on_the_confirmation_page(ready):
    booking = book(ready)
    before = unchanged(booking)
    response = logged_in(ready.clinician, ready).post(
        f"/bokningar/{booking.pk}/avboka/", {"reason": "x" * 501, "confirmed": "1"}
    )
    assert response.status_code == 400 and response.context["form"].errors["reason"]
    assert unchanged(booking) == before


def test_cancelling_a_cancelled_booking_says_so_and_changes_nothing(ready):
    booking = services.cancel(book(ready), actor=ready.clinician)
    before = unchanged(booking)
    response = logged_in(ready.clinician, ready).post(
        f"/bokningar/{booking.pk}/avboka/", {"confirmed": "1"}, follow=True
    )
    assert "Bokningen är avbokad och kan inte ändras." in flash(response)
    assert unchanged(booking) == before


def test_reschedule_shows_the_new_time_for_confirmation_then_moves_the_booking(ready):
    booking = book(ready)
    before = unchanged(booking)
    client = logged_in(ready.clinician, ready)
    new_time = {"date": in_days(9).date().isoformat(), "time": "14:30"}
    response = client.post(f"/bokningar/{booking.pk}/ny-tid/", new_time)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ändra tiden för besöket?" in page and "14:30" in page
    assert f'value="{new_time["date"]}"' in page  # carried to the confirming form
    assert unchanged(booking) == before

    response = client.post(
        f"/bokningar/{booking.pk}/ny-tid/",
        {**new_time, "reason": "Kliniken stänger", "confirmed": "1"},
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.version == 2
    event = BookingEvent.objects.filter(booking=booking).last()
    assert (event.kind, event.actor, event.note) == (
        "rescheduled",
        ready.clinician,
        "Kliniken stänger",
    )


def test_a_new_time_that_cannot_be_booked_is_refused_before_confirmation(ready):
    booking = book(ready)
    taken = book(ready, n=2)
    before = unchanged(booking)
    client = logged_in(ready.clinician, ready)
    clash = {"date": taken.starts_at.astimezone().date().isoformat(), "time": "10:10"}
    for new_time, words in [
        (clash, "krockar"),
        ({"date": "2020-01-01", "time": "10:00"}, "passerat"),
        ({"date": "", "time": ""}, "Ange nytt datum"),
    ]:
        response = client.post(f"/bokningar/{booking.pk}/ny-tid/", new_time)
        assert response.status_code == 400
        assert words in response.content.decode()
        assert "<h1>Ändra tiden för besöket?</h1>" not in response.content.decode()
    assert unchanged(booking) == before


def test_history_with_reasons_is_for_staff_and_no_patient_sees_another_ones_note(ready):
    booking = book(ready, visit_type=ready.group, patients=group_specs(2))
    ingrid, torbjorn = [p.user for p in booking.participants.order_by("id")]
    services.decline(booking, ingrid, "Min operation flyttades")
    services.decline(booking, torbjorn, "Bortrest")
    staff_page = logged_in(ready.clinician, ready).get(f"/bokningar/{booking.pk}/")
    text = staff_page.content.decode()
    assert "Händelser" in text and "Min operation flyttades" in text and "Bortrest" in text
    ingrids = logged_in(ingrid, ready).get(f"/bokningar/{booking.pk}/").content.decode()
    assert "Händelser" not in ingrids and "Bortrest" not in ingrids
    assert "Min operation flyttades" not in ingrids  # the history is not shown to patients
    torbjorns = logged_in(torbjorn, ready).get(f"/bokningar/{booking.pk}/").content.decode()
    assert "Bortrest" in torbjorns  # their own note, as the cancellation's reason


def test_no_sms_carries_a_reason_or_a_note(ready):
    booking = book(ready, visit_type=ready.group, patients=group_specs(2))
    ingrid, torbjorn = [p.user for p in booking.participants.order_by("id")]
    dispatch()
    services.reschedule(
        booking,
        actor=ready.clinician,
        provider=ready.provider,
        starts_at=in_days(6),
        reason="Läkaren är sjuk",
    )
    dispatch()
    services.decline(booking, ingrid, "Min operation flyttades")
    dispatch()
    services.cancel(booking, actor=ready.clinician, reason="Semester")
    dispatch()
    sent = messages()
    assert [(m.kind, m.recipient.first_name) for m in sent] == [
        ("invited", "Ingrid"),
        ("invited", "Torbjörn"),
        ("rescheduled", "Ingrid"),
        ("rescheduled", "Torbjörn"),
        # Ingrid, who cannot come, hears no more but that the visit is cancelled.
        ("cancelled", "Ingrid"),
        ("cancelled", "Torbjörn"),
    ]
    for text in (m.text for m in sent):
        assert "sjuk" not in text and "operation" not in text and "Semester" not in text


# -- the patient: Jag kan inte komma ------------------------------------------------------------


def test_mina_besok_offers_jag_kan_inte_komma_in_a_dialog(ready):
    booking = book(ready)
    patient = booking.participants.get().user
    page = logged_in(patient, ready).get("/mina-besok/").content.decode()
    assert "Jag kan inte komma" in page and f"/bokningar/{booking.pk}/kan-inte-komma/" in page
    assert "<dialog" in page and "Ja, jag kan inte komma" in page


def test_patient_declines_after_confirming_and_sees_it_on_mina_besok(ready):
    booking = book(ready)
    patient = booking.participants.get().user
    client = logged_in(patient, ready)
    path = f"/bokningar/{booking.pk}/kan-inte-komma/"
    response = client.post(path, {"note": "Jag är sjuk"})
    assert response.status_code == 200 and "Kan du inte komma?" in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.UNCONFIRMED

    response = client.post(path, {"note": "Jag är sjuk", "confirmed": "1"}, follow=True)
    assert response.redirect_chain == [("/mina-besok/", 302)]
    assert "Besöket är avbokat och vårdgivaren har fått veta" in flash(response)
    page = response.content.decode()
    assert "Du har meddelat att du inte kan komma" in page and "Jag kan inte komma<" not in page
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == (BookingStatus.CANCELLED, "Jag är sjuk")


def test_patient_of_another_booking_gets_404_and_nothing_changes(ready):
    booking = book(ready)
    before = unchanged(booking)
    response = logged_in(ready.patient, ready).post(
        f"/bokningar/{booking.pk}/kan-inte-komma/", {"confirmed": "1"}
    )
    assert response.status_code == 404
    assert unchanged(booking) == before


def test_declining_a_cancelled_booking_says_so_and_changes_nothing(ready):
    booking = book(ready)
    patient = booking.participants.get().user
    services.cancel(booking, actor=ready.clinician)
    before = unchanged(booking)
    response = logged_in(patient, ready).post(
        f"/bokningar/{booking.pk}/kan-inte-komma/", {"confirmed": "1"}, follow=True
    )
    assert "Bokningen är avbokad och kan inte ändras." in flash(response)
    assert unchanged(booking) == before


def test_declining_a_completed_booking_says_so_and_changes_nothing(ready):
    from tenant_apps.video import services as video

    booking = book(ready)
    patient = booking.participants.get().user
    services.confirm(booking, patient)
    video.complete(booking)
    before = unchanged(booking)
    response = logged_in(patient, ready).post(
        f"/bokningar/{booking.pk}/kan-inte-komma/", {"confirmed": "1"}, follow=True
    )
    assert "Bokningen är genomförd och kan inte ändras." in flash(response)
    assert unchanged(booking) == before


def test_declining_after_the_visit_started_says_so_and_changes_nothing(ready):
    booking = book(ready, starts_at=clock.now() + datetime.timedelta(hours=1))
    patient = booking.participants.get().user
    services.confirm(booking, patient)
    before = unchanged(booking)
    client = logged_in(patient, ready)
    with time_machine.travel(booking.starts_at + datetime.timedelta(minutes=2), tick=False):
        response = client.post(
            f"/bokningar/{booking.pk}/kan-inte-komma/", {"confirmed": "1"}, follow=True
        )
        assert "Besöket har redan börjat" in flash(response)
        assert "Jag kan inte komma" not in client.get("/mina-besok/").content.decode()
    assert unchanged(booking) == before


def test_staff_cannot_use_jag_kan_inte_komma_and_it_needs_post(ready):
    booking = book(ready)
    path = f"/bokningar/{booking.pk}/kan-inte-komma/"
    assert logged_in(ready.clinician, ready).post(path, {"confirmed": "1"}).status_code == 403
    patient = booking.participants.get().user
    assert logged_in(patient, ready).get(path).status_code == 405
    assert logged_in(None, ready).post(path).status_code == 302  # to the login
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.UNCONFIRMED


def test_another_providers_patient_gets_404(beta, ready):
    booking = book(ready)
    response = logged_in(beta.patient, beta).post(
        f"/bokningar/{booking.pk}/kan-inte-komma/", {"confirmed": "1"}
    )
    assert response.status_code == 404
