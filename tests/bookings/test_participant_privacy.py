"""A patient of a group visit never sees another patient's name, mobile or personnummer: not
on the booking page, Mina besök, the .ics file or in an SMS; the clinician and admins see
everyone. (The API is tested in tests/api, the room in tests/video.)"""

import pytest

from tenant_apps.bookings import services
from tenant_apps.notifications.models import SmsMessage
from tests.bookings.helpers import group_specs, in_days, leaked
from tests.clients import logged_in


@pytest.fixture
def group_visit(ready):
    """Klara's group visit with three patients, who have consented."""
    booking = services.invite(
        actor=ready.clinician,
        clinician=ready.clinician,
        visit_type=ready.group,
        provider=ready.provider,
        patients=group_specs(3),
        starts_at=in_days(2),
    )
    ready.booking = booking
    ready.patients = [p.user for p in booking.participants.select_related("user").order_by("id")]
    return ready


def others(cast, patient) -> list:
    return [p for p in cast.patients if p != patient]


def test_patient_sees_no_other_patient_on_the_booking_page(group_visit):
    for patient in group_visit.patients:
        page = logged_in(patient, group_visit).get(f"/bokningar/{group_visit.booking.pk}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert patient.full_name in html
        assert leaked(html, *others(group_visit, patient)) == []
        assert "och 2 deltagare till" in html


def test_clinician_and_admin_see_every_patient_on_the_booking_page(group_visit):
    for staff in (group_visit.clinician, group_visit.admin):
        html = logged_in(staff, group_visit).get(f"/bokningar/{group_visit.booking.pk}/")
        html = html.content.decode()
        for patient in group_visit.patients:
            assert patient.full_name in html, staff
        assert "deltagare till" not in html


def test_confirming_shows_no_other_patient(group_visit):
    first, second, _third = group_visit.patients
    client = logged_in(first, group_visit)
    response = client.post(f"/bokningar/{group_visit.booking.pk}/bekrafta/", follow=True)
    assert response.status_code == 200 and "Tack! Besöket är bekräftat." in response.text
    assert leaked(response.text, second, _third) == []


def test_mina_besok_shows_no_other_patient(group_visit):
    for patient in group_visit.patients:
        page = logged_in(patient, group_visit).get("/mina-besok/")
        assert page.status_code == 200 and "Gruppsamtal" in page.text
        assert leaked(page.text, *others(group_visit, patient)) == []


def test_calendar_file_and_feed_name_no_patient(group_visit):
    pk = group_visit.booking.pk
    for patient in group_visit.patients:
        ics = logged_in(patient, group_visit).get(f"/bokningar/{pk}/kalender.ics")
        assert ics.status_code == 200 and b"BEGIN:VEVENT" in ics.content
        assert leaked(ics.content.decode(), *others(group_visit, patient)) == []
    clinician = logged_in(group_visit.clinician, group_visit)
    ics = clinician.get(f"/bokningar/{pk}/kalender.ics").content.decode()
    assert leaked(ics, *group_visit.patients) == []
    page = clinician.post("/kalenderflode/", {"action": "on"})
    feed_url = page.context["new_url"]
    feed = clinician.get(feed_url[feed_url.index("/kalender/") :]).content.decode()
    assert "BEGIN:VEVENT" in feed and leaked(feed, *group_visit.patients) == []


def test_sms_to_each_patient_names_no_other_patient(group_visit):
    assert services.dispatch_events() == 1
    sent = list(SmsMessage.objects.select_related("recipient"))
    assert sorted(m.recipient_id for m in sent) == sorted(p.pk for p in group_visit.patients)
    for message in sent:
        assert leaked(message.text, *others(group_visit, message.recipient)) == []
