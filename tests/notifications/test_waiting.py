"""An SMS to the clinician's own mobile when a patient has waited in the room for more than two
minutes without them: the clinician's choice on Min profil (off by default), sent once per
visit through the SMS queue; tested with the controlled clock, nothing waits."""

import datetime

from careplatform.sms.models import DueKind, OutboxMessage, SmsDue
from tenant_apps.notifications.models import SmsKind
from tenant_apps.profiles import services as profiles
from tenant_apps.video import services as video
from tests.notifications.helpers import messages, sweep
from tests.video.helpers import book, patients_of, still_here

SECOND = datetime.timedelta(seconds=1)
MINUTE = datetime.timedelta(minutes=1)


def waiting_sms():
    return messages(kind=SmsKind.WAITING)


def look(booking):
    return SmsDue.objects.filter(kind=DueKind.WAITING, object_id=booking.pk).first()


def wants_sms(cast):
    profiles.set_waiting_sms(cast.clinician, True)


def test_a_clinician_who_asked_gets_one_sms_after_two_minutes_of_waiting(ready, frozen):
    wants_sms(ready)
    booking = book(ready)
    patient = patients_of(booking)[0]
    arrival = booking.starts_at - 3 * MINUTE
    frozen.move_to(arrival)
    video.join(booking.pk, patient, "peer-p", "chan.p")
    assert look(booking).due_at == arrival + 2 * MINUTE

    frozen.move_to(arrival + 2 * MINUTE - SECOND)
    still_here(booking, "chan.p")
    sweep()
    assert waiting_sms() == []  # not due yet

    frozen.move_to(arrival + 2 * MINUTE + SECOND)
    still_here(booking, "chan.p")
    sweep()
    [sms] = waiting_sms()
    assert (sms.recipient, sms.to, sms.status) == (ready.clinician, "+46702223344", "sent")
    expected = "Vårdcentralen Alfa: patienten till besöket kl. 10.00 väntar i rummet."
    assert sms.text.startswith(expected)
    assert patient.first_name not in sms.text and patient.last_name not in sms.text
    assert OutboxMessage.objects.filter(to=sms.to, text=sms.text).count() == 1
    assert look(booking) is None

    # Back again after leaving: still the one SMS for this visit.
    video.leave("chan.p", "left")
    frozen.move_to(arrival + 5 * MINUTE)
    video.join(booking.pk, patient, "peer-p2", "chan.p2")
    frozen.move_to(arrival + 8 * MINUTE)
    still_here(booking, "chan.p2")
    sweep()
    assert len(waiting_sms()) == 1 and look(booking) is None


def test_no_sms_unless_the_clinician_turned_it_on(ready, frozen):
    booking = book(ready)
    frozen.move_to(booking.starts_at)
    video.join(booking.pk, patients_of(booking)[0], "peer-p", "chan.p")
    assert look(booking) is None
    frozen.move_to(booking.starts_at + 5 * MINUTE)
    still_here(booking, "chan.p")
    sweep()
    assert waiting_sms() == []


def test_no_sms_when_the_clinician_comes_within_two_minutes(ready, frozen):
    wants_sms(ready)
    booking = book(ready)
    frozen.move_to(booking.starts_at)
    video.join(booking.pk, patients_of(booking)[0], "peer-p", "chan.p")
    frozen.move_to(booking.starts_at + MINUTE)
    still_here(booking, "chan.p")
    video.join(booking.pk, ready.clinician, "peer-c", "chan.c")
    frozen.move_to(booking.starts_at + 3 * MINUTE)
    still_here(booking, "chan.p", "chan.c")
    sweep()
    assert waiting_sms() == [] and look(booking) is None


def test_no_sms_when_the_patient_left_before_two_minutes(ready, frozen):
    wants_sms(ready)
    booking = book(ready)
    frozen.move_to(booking.starts_at)
    video.join(booking.pk, patients_of(booking)[0], "peer-p", "chan.p")
    frozen.move_to(booking.starts_at + MINUTE)
    video.leave("chan.p", "left")
    frozen.move_to(booking.starts_at + 3 * MINUTE)
    sweep()
    assert waiting_sms() == [] and look(booking) is None


def test_the_wait_counts_from_when_the_clinician_last_left(ready, frozen):
    wants_sms(ready)
    booking = book(ready)
    start = booking.starts_at
    frozen.move_to(start)
    video.join(booking.pk, patients_of(booking)[0], "peer-p", "chan.p")
    frozen.move_to(start + MINUTE)
    still_here(booking, "chan.p")
    video.join(booking.pk, ready.clinician, "peer-c", "chan.c")
    frozen.move_to(start + 90 * SECOND)
    still_here(booking, "chan.p", "chan.c")
    video.leave("chan.c", "left")

    frozen.move_to(start + 2 * MINUTE + SECOND)
    still_here(booking, "chan.p")
    sweep()
    assert waiting_sms() == []
    assert look(booking).due_at == start + 90 * SECOND + 2 * MINUTE  # looked at again then

    frozen.move_to(start + 4 * MINUTE)
    still_here(booking, "chan.p")
    sweep()
    assert len(waiting_sms()) == 1


def test_turning_it_off_before_the_look_sends_nothing(ready, frozen):
    wants_sms(ready)
    booking = book(ready)
    frozen.move_to(booking.starts_at)
    video.join(booking.pk, patients_of(booking)[0], "peer-p", "chan.p")
    profiles.set_waiting_sms(ready.clinician, False)
    frozen.move_to(booking.starts_at + 3 * MINUTE)
    still_here(booking, "chan.p")
    sweep()
    assert waiting_sms() == [] and look(booking) is None
