"""Notiser (the bell in the header): a clinician is told when a patient confirms, cannot come
or waits in the room; each notice is its recipient's alone (404 to anyone else), and opening it
marks it read."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext_lazy
from django_tenants.utils import schema_context

from tenant_apps.accounts.services import current_consent_version, give_consent
from tenant_apps.bookings import services as bookings
from tenant_apps.inbox import kinds
from tenant_apps.inbox.models import Notice
from tenant_apps.inbox.services import notify
from tenant_apps.video import services as video
from tests.bookings.helpers import colleague_test_visit, group_specs, in_days, invite, patient_spec
from tests.clients import logged_in
from tests.notifications.helpers import dispatch


def notices(user) -> list[tuple[str, str, str]]:
    return [
        (n.kind, n.actor.first_name if n.actor else "", n.note)
        for n in Notice.objects.filter(recipient=user).order_by("id")
    ]


def patient_of(booking):
    return booking.participants.select_related("user").order_by("id").first().user


def test_a_patient_who_cannot_come_is_told_to_the_clinician_with_the_note(ready):
    booking = invite(ready)
    bookings.decline(booking, patient_of(booking), "Jag är sjuk")
    assert notices(ready.clinician) == []  # told when the event is dispatched
    dispatch()
    assert notices(ready.clinician) == [("declined", "Patient1", "Jag är sjuk")]
    notice = Notice.objects.get()
    assert notice.text.startswith("Patient1 Testsson kan inte komma på besöket ")
    dispatch()
    assert len(notices(ready.clinician)) == 1  # handled once


def test_each_patient_who_confirms_is_told(ready):
    booking = invite(ready, visit_type=ready.group, patients=group_specs(2))
    first, second = [p.user for p in booking.participants.order_by("id")]
    bookings.confirm(booking, first)
    bookings.confirm(booking, second)
    dispatch()
    assert notices(ready.clinician) == [
        ("confirmed", "Ingrid", ""),
        ("confirmed", "Torbjörn", ""),
    ]
    assert "Ingrid Blomqvist har bekräftat besöket" in Notice.objects.order_by("id")[0].text


def test_nobody_is_told_what_they_did_themselves_or_what_staff_did(ready):
    booking = invite(ready)
    bookings.reschedule(
        booking, actor=ready.clinician, provider=ready.provider, starts_at=in_days(3)
    )
    bookings.cancel(booking, actor=ready.admin, reason="Semester")
    colleague_test_visit(ready)
    dispatch()
    assert not Notice.objects.exists()


def room_ready(booking):
    """Everyone in the booking has consented, and the booking is confirmed."""
    for participant in booking.participants.select_related("user"):
        give_consent(participant.user, current_consent_version(), "127.0.0.1")
        booking = bookings.confirm(booking, participant.user)
    return booking


def test_a_patient_waiting_in_the_room_without_the_clinician_is_told_once_while_unread(ready):
    booking = room_ready(invite(ready))
    patient = patient_of(booking)
    with time_machine.travel(booking.starts_at - datetime.timedelta(minutes=5), tick=False):
        video.join(booking.pk, patient, "peer-p", "chan.p")
        video.join(booking.pk, patient, "peer-p2", "chan.p2")  # a second page: no news
    assert [k for k, _who, _note in notices(ready.clinician)] == ["waiting"]
    assert "Patient1 Testsson väntar i besöksrummet" in Notice.objects.get(kind="waiting").text
    Notice.objects.update(read_at=booking.starts_at)
    with time_machine.travel(booking.starts_at, tick=False):
        video.leave("chan.p2", "left")
        video.join(booking.pk, patient, "peer-p3", "chan.p3")  # back later: told again
    assert [k for k, _who, _note in notices(ready.clinician)] == ["waiting", "waiting"]


def test_a_patient_joining_the_clinician_in_the_room_is_no_news(ready):
    booking = room_ready(invite(ready))
    with time_machine.travel(booking.starts_at, tick=False):
        video.join(booking.pk, ready.clinician, "peer-c", "chan.c")
        video.join(booking.pk, patient_of(booking), "peer-p", "chan.p")
    assert not Notice.objects.filter(kind="waiting").exists()


def test_another_app_can_add_a_kind_of_notice():
    chat = kinds.register(
        kinds.NoticeKind("chat", gettext_lazy("%(name)s skrev i chatten (besöket %(when)s)."))
    )
    assert chat == "chat" and kinds.is_known("chat")


def test_an_unknown_kind_is_refused(ready):
    with pytest.raises(ValueError):
        notify(ready.clinician, "no-such-kind")


# -- the pages ---------------------------------------------------------------------------------


def declined(cast, n=1, note="Jag är sjuk"):
    booking = invite(cast, patients=[patient_spec(n)], starts_at=in_days(2 + n))
    bookings.decline(booking, patient_of(booking), note)
    dispatch()
    return booking, Notice.objects.filter(booking=booking).get()


def test_the_bell_shows_the_unread_count_on_every_staff_page(ready):
    declined(ready, 1)
    declined(ready, 2)
    page = logged_in(ready.clinician, ready).get("/oversikt/").content.decode()
    assert 'class="notice-bell" href="/notiser/"' in page
    assert 'class="notice-count">2<span class="visually-hidden"> olästa</span>' in page
    admin_page = logged_in(ready.admin, ready).get("/oversikt/").content.decode()
    assert "notice-bell" in admin_page and "notice-count" not in admin_page  # none of hers
    patient = ready.patient
    assert "notice-bell" not in logged_in(patient, ready).get("/mina-besok/").content.decode()


def test_the_list_shows_the_notice_and_opening_it_marks_it_read_and_shows_the_visit(ready):
    booking, notice = declined(ready)
    client = logged_in(ready.clinician, ready)
    page = client.get("/notiser/").content.decode()
    assert "Patient1 Testsson kan inte komma på besöket" in page and "Jag är sjuk" in page
    assert 'class="badge">Ny<' in page
    response = client.post(f"/notiser/{notice.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/bokningar/{booking.pk}/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    page = client.get("/notiser/").content.decode()
    assert 'class="badge">Ny<' not in page and "notice-count" not in page


def test_mark_all_as_read_marks_only_ones_own(ready):
    declined(ready, 1)
    others = notify(ready.colleague, kinds.DECLINED, actor=ready.patient)
    client = logged_in(ready.clinician, ready)
    response = client.post("/notiser/markera-lasta/", follow=True)
    assert "Alla notiser är markerade som lästa." in response.content.decode()
    assert not Notice.objects.filter(recipient=ready.clinician, read_at__isnull=True).exists()
    others.refresh_from_db()
    assert others.read_at is None


@pytest.mark.parametrize("who", ["colleague", "admin"])
def test_nobody_else_at_the_provider_sees_or_opens_a_notice(ready, who):
    _booking, notice = declined(ready)
    client = logged_in(getattr(ready, who), ready)
    assert "Jag är sjuk" not in client.get("/notiser/").content.decode()
    assert client.post(f"/notiser/{notice.pk}/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_another_providers_staff_get_404(beta, ready):
    _booking, notice = declined(ready)
    response = logged_in(beta.admin, beta).post(f"/notiser/{notice.pk}/")
    assert response.status_code == 404
    with schema_context(ready.schema_name):  # the request left beta's schema set
        notice.refresh_from_db()
    assert notice.read_at is None


def test_the_pages_refuse_patients_nobody_and_wrong_methods(ready):
    _booking, notice = declined(ready)
    patient = logged_in(ready.patient, ready)
    assert patient.get("/notiser/").status_code == 403
    assert patient.post(f"/notiser/{notice.pk}/").status_code == 403
    nobody = logged_in(None, ready)
    assert nobody.get("/notiser/").status_code == 302
    assert nobody.post(f"/notiser/{notice.pk}/").status_code == 302
    clinician = logged_in(ready.clinician, ready)
    assert clinician.get(f"/notiser/{notice.pk}/").status_code == 405
    assert clinician.get("/notiser/markera-lasta/").status_code == 405
    assert clinician.post("/notiser/").status_code == 405
    assert clinician.post("/notiser/999999/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def _count(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_list_uses_a_constant_number_of_queries(ready):
    client = logged_in(ready.clinician, ready)
    for n in range(1, 3):
        declined(ready, n)
    _count(client, "/notiser/")  # warm: session and user
    few = _count(client, "/notiser/")
    for n in range(3, 20):
        declined(ready, n)
    assert _count(client, "/notiser/") == few
