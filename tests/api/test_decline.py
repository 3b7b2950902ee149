"""Jag kan inte komma through the API, under the same rule as the page
(tenant_apps.bookings.services.decline): the patient's note is the cancellation's reason, shown
to staff and to that patient only; every refusal changes nothing."""

import datetime

import time_machine

from careplatform import clock
from tenant_apps.bookings import services
from tenant_apps.video import services as video
from tests.api.helpers import consent
from tests.api.test_bookings import BOOKINGS, book, invited_patient, refused, stored
from tests.bookings.helpers import group_specs, in_days


def decline(client, booking, **body):
    return client.post(f"{BOOKINGS}{booking.pk}/decline/", body)


def test_patient_declines_with_a_note_and_the_booking_is_cancelled(ready, api):
    booking = book(ready)
    patient = invited_patient()
    consent(ready, patient)
    response = decline(api(patient), booking, note="Jag är sjuk")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["cancelled_by"], body["cancel_reason"]) == (
        "cancelled",
        patient.pk,
        "Jag är sjuk",
    )
    assert body["participants"][0]["declined_at"] is not None
    staff = api(ready.clinician).get(f"{BOOKINGS}{booking.pk}/").json()
    assert staff["cancel_reason"] == "Jag är sjuk"


def test_in_a_group_visit_one_patients_note_stays_with_staff(ready, api):
    booking = book(ready, patients=group_specs(2), visit_type=ready.group)
    first, second = [p.user for p in booking.participants.order_by("id")]
    consent(ready, first, second)
    assert decline(api(first), booking, note="Opereras").json()["status"] == "unconfirmed"
    last = decline(api(second), booking, note="Bortrest").json()
    assert (last["status"], last["cancel_reason"]) == ("cancelled", "Bortrest")
    # Ingrid sees the cancellation, not Torbjörn's note.
    assert api(first).get(f"{BOOKINGS}{booking.pk}/").json()["cancel_reason"] == ""


def test_refusals_change_nothing(ready, api):
    booking = book(ready, starts_at=clock.now() + datetime.timedelta(hours=1))
    patient = invited_patient()
    other = book(ready, n=2, starts_at=in_days(3))
    cancelled = services.cancel(book(ready, n=3, starts_at=in_days(4)), actor=ready.clinician)
    consent(ready, patient)
    client = api(patient)
    before = stored()
    assert decline(client, other).status_code == 404  # another patient's booking
    assert decline(api(ready.clinician), booking).status_code == 403
    refused(decline(client, booking, note="x" * 501), "note")
    with time_machine.travel(booking.starts_at + datetime.timedelta(minutes=1)):
        assert "utgången" in refused(decline(client, booking))
    assert stored() == before
    cancelled_patient = invited_patient(3)
    consent(ready, cancelled_patient)
    assert "avbokad" in refused(decline(api(cancelled_patient), cancelled))
    assert stored() == before


def test_a_patient_cannot_decline_a_started_or_completed_visit(ready, api):
    booking = book(ready, starts_at=clock.now() + datetime.timedelta(hours=1))
    patient = invited_patient()
    consent(ready, patient)
    services.confirm(booking, patient)
    before = stored()
    with time_machine.travel(booking.starts_at + datetime.timedelta(minutes=1)):
        assert "redan börjat" in refused(decline(api(patient), booking))
    video.complete(booking)
    assert "genomförd" in refused(decline(api(patient), booking))
    assert stored() == before
