"""Bokningar's day and week views as pages: whose visits, told apart, today marked, previous
and next, the patient search, and every refusal (another clinician's calendar, another
provider's id, a patient, nobody, a wrong method, a date that does not read)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from careplatform import clock
from tenant_apps.accounts.models import User
from tenant_apps.bookings import services
from tests.administration.test_query_counts import is_routing
from tests.bookings.helpers import colleague_test_visit, in_days, patient_spec
from tests.clients import logged_in
from tests.support import personnummer

WEEK, DAY = "/bokningar/vecka/", "/bokningar/dag/"


def book(cast, n: int, days: int = 1, hour: int = 10, **kwargs):
    values = {
        "actor": cast.clinician,
        "clinician": cast.clinician,
        "visit_type": cast.one_to_one,
        "provider": cast.provider,
        "patients": [patient_spec(n)],
        "starts_at": in_days(days, hour),
    }
    return services.invite(**(values | kwargs))


def day_of(days: int) -> str:
    return in_days(days).date().isoformat()


def visits(response) -> list[str]:
    """The shown visits' people, column by column."""
    return [visit.people for column in response.context["grid"].columns for visit in column.visits]


def test_clinician_sees_own_week_with_unconfirmed_and_confirmed_told_apart(ready):
    waiting = book(ready, 1, hour=10)
    confirmed = book(ready, 2, hour=13)
    services.confirm(confirmed, confirmed.participants.get().user)
    page = logged_in(ready.clinician, ready).get(WEEK, {"datum": day_of(1)})
    assert page.status_code == 200
    text = page.content.decode()
    assert visits(page) == ["Patient1 Testsson", "Patient2 Testsson"]
    # Not by colour alone: each says what it is, and has its own icon and border class.
    for booking, status, word in (
        (waiting, "unconfirmed", "Obekräftad"),
        (confirmed, "confirmed", "Bekräftad"),
    ):
        href = text.index(f'href="/bokningar/{booking.pk}/"')
        link = text[text.rindex("<a ", 0, href) : text.index("</a>", href)]
        assert f"visit status-{status}" in link and f'<span class="visit-status">{word}' in link


def test_a_clinician_sees_no_one_elses_visits_but_the_test_visits_they_are_invited_to(
    ready, kalles_patient
):
    book(ready, 1, days=4, hour=8)
    colleague_test_visit(ready, days=4)  # Klara's at 10:00, with Kalle invited
    kalle = logged_in(ready.colleague, ready).get(WEEK, {"datum": day_of(4)})
    # His own visit with Per (10:00–10:20) and the test visit, where he sees only himself.
    assert visits(kalle) == ["Per Patient", "Kalle Kollega"]
    assert "Patient1" not in kalle.content.decode()
    klara = logged_in(ready.clinician, ready).get(WEEK, {"datum": day_of(4)})
    assert "Per Patient" not in klara.content.decode()


def test_today_is_marked_and_previous_and_next_keep_the_choices(ready):
    today = clock.today_local()
    monday = today - datetime.timedelta(days=today.weekday())
    page = logged_in(ready.admin, ready).get(WEEK, {"clinician": ready.clinician.pk, "q": "Test"})
    text = page.content.decode()
    (marked,) = [c for c in page.context["grid"].columns if c.is_today]
    assert marked.day == today and text.count('aria-current="date"') == 1
    assert '<span class="today-badge">Idag</span>' in text
    previous = (monday - datetime.timedelta(days=7)).isoformat()
    following = (monday + datetime.timedelta(days=7)).isoformat()
    who = f"clinician={ready.clinician.pk}&amp;q=Test"
    assert f'rel="prev" href="/bokningar/vecka/?datum={previous}&amp;{who}"' in text
    assert f'rel="next" href="/bokningar/vecka/?datum={following}&amp;{who}"' in text
    day = logged_in(ready.clinician, ready).get(DAY, {"datum": today.isoformat()})
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert f'rel="next" href="/bokningar/dag/?datum={tomorrow}"' in day.content.decode()


def test_admin_chooses_a_clinician_or_everyone_side_by_side(ready, kalles_patient):
    book(ready, 1, days=4, hour=8)
    admin = logged_in(ready.admin, ready)
    klaras = admin.get(WEEK, {"datum": day_of(4), "clinician": ready.clinician.pk})
    assert visits(klaras) == ["Patient1 Testsson"]
    everyone = admin.get(DAY, {"datum": day_of(4), "clinician": "alla"})
    columns = {c.heading: [v.people for v in c.visits] for c in everyone.context["grid"].columns}
    assert columns["Klara Kliniker"] == ["Patient1 Testsson"]
    assert columns["Kalle Kollega"] == ["Per Patient"]
    week = admin.get(WEEK, {"datum": day_of(4), "clinician": "alla"})
    assert visits(week) == ["Patient1 Testsson", "Per Patient"]
    assert "Kalles besök · Kalle Kollega" in week.content.decode()  # whose, in a week of all


def test_an_admin_who_is_no_clinician_opens_on_everyone(ready):
    book(ready, 1)
    User.objects.filter(pk=ready.admin.pk).update(is_clinician=False)
    page = logged_in(ready.admin, ready).get(WEEK, {"datum": day_of(1)})
    assert page.context["whose"] is None and visits(page) == ["Patient1 Testsson"]


@pytest.mark.parametrize("who", ["clinician", "admin"])
def test_search_by_name_or_personnummer_narrows_the_visits(ready, kalles_patient, who):
    book(ready, 1, days=4, hour=8)
    book(ready, 2, days=4, hour=12, patients=[patient_spec(2, first_name="Siv", last_name="Ek")])
    client = logged_in(getattr(ready, who), ready)
    params = {"datum": day_of(4), "clinician": "alla" if who == "admin" else ""}
    for search, expected in [
        ("siv", ["Siv Ek"]),
        ("Siv Ek", ["Siv Ek"]),
        (
            patient_spec(1).personnummer[2:8] + "-" + patient_spec(1).personnummer[8:],
            ["Patient1 Testsson"],
        ),
        ("Per", ["Per Patient"] if who == "admin" else []),  # Kalle's patient: not Klara's
        ("Siv Patient", []),
    ]:
        page = client.get(WEEK, params | {"q": search})
        assert page.status_code == 200 and visits(page) == expected, search
    text = client.get(WEEK, params | {"q": "siv"}).content.decode()
    assert "Visar bara besök med en patient som matchar ”siv”." in text
    assert 'href="/bokningar/?q=siv"' in text


def test_another_clinicians_calendar_is_404_for_a_clinician(ready):
    klara = logged_in(ready.clinician, ready)
    assert klara.get(WEEK, {"clinician": ready.colleague.pk}).status_code == 404
    assert klara.get(DAY, {"clinician": ready.admin.pk}).status_code == 404
    assert klara.get(WEEK, {"clinician": "alla"}).status_code == 404
    assert klara.get(WEEK, {"clinician": ready.clinician.pk}).status_code == 200


@pytest.mark.parametrize("path", [WEEK, DAY])
def test_another_providers_clinician_and_unknown_ids_are_404(ready, beta, path):
    highest = User.objects.order_by("-pk").first().pk  # alfa's
    with schema_context(beta.provider.schema_name):
        bertil = User.objects.create_user(
            personnummer("19820303", "033"), "Bertil", "Betaklinik", is_clinician=True,
            pk=highest + 1000,
        )  # fmt: skip
    for who in (ready.admin, ready.clinician):
        client = logged_in(who, ready)
        for chosen in (bertil.pk, "x", "-1", "9" * 40, ready.patient.pk):
            assert client.get(path, {"clinician": chosen}).status_code == 404, (who, chosen)
    # On beta's own host, alfa's clinician is nobody there.
    bert = logged_in(beta.admin, beta)
    assert bert.get(path, {"clinician": ready.clinician.pk}).status_code == 404
    assert bert.get(path, {"clinician": bertil.pk}).status_code == 200


def test_a_patient_is_refused_and_nobody_is_sent_to_log_in(ready, client):
    book(ready, 1)
    patient = logged_in(ready.patient, ready)
    assert patient.get(WEEK).status_code == 403
    assert patient.get(DAY, {"clinician": ready.clinician.pk}).status_code == 403
    nobody = client.get(WEEK, HTTP_HOST=ready.host)
    assert nobody.status_code == 302 and nobody["Location"].startswith("/login/")


def test_only_get_is_answered(ready):
    client = logged_in(ready.clinician, ready)
    assert client.post(WEEK).status_code == 405
    assert client.put(DAY).status_code == 405


def test_a_date_that_does_not_read_is_told_and_today_shown(ready):
    page = logged_in(ready.clinician, ready).get(WEEK, {"datum": "2026-02-30"})
    assert page.status_code == 400
    assert page.context["form"].errors["datum"]
    assert clock.today_local() in page.context["grid"].period


def test_an_empty_slot_fills_in_the_invite_form(ready):
    day = in_days(3).date()
    page = logged_in(ready.clinician, ready).get(
        "/bokningar/ny/", {"date": day.isoformat(), "time": "14:30"}
    )
    text = page.content.decode()
    assert f'name="date" value="{day.isoformat()}"' in text
    assert 'name="time" value="14:30"' in text
    assert 'name="fold"' not in text  # asked only on the night the clocks go back


def test_a_slot_on_the_night_the_clocks_go_back_says_which_0230(ready):
    page = logged_in(ready.clinician, ready).get(
        "/bokningar/ny/", {"date": "2026-10-25", "time": "02:30", "fold": "1"}
    )
    assert '<option value="1" selected>Vintertid' in page.content.decode()


def test_a_prefill_that_does_not_read_is_left_out(ready):
    page = logged_in(ready.clinician, ready).get(
        "/bokningar/ny/", {"date": "igår", "time": "25:99", "fold": "7"}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert 'name="date" id="id_date"' in text and 'name="time" id="id_time"' in text


def _queries(client, path: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params).status_code == 200
    return len([q for q in captured.captured_queries if not is_routing(q["sql"])])


@pytest.mark.parametrize(
    ("who", "path", "whose"),
    [("clinician", WEEK, ""), ("admin", WEEK, "alla"), ("admin", DAY, "alla")],
)
def test_the_views_cost_the_same_queries_however_many_visits(ready, who, path, whose):
    client = logged_in(getattr(ready, who), ready)
    params = {"datum": day_of(2), "clinician": whose}
    _queries(client, path, params)  # warm: session, user
    book(ready, 1, days=2, hour=8)
    few = _queries(client, path, params)
    for n in range(2, 14):
        booking = book(
            ready, n, days=2, hour=8, starts_at=in_days(2, 8) + n * datetime.timedelta(minutes=30)
        )
        if n % 2:
            services.confirm(booking, booking.participants.get().user)
    many = _queries(client, path, params)
    assert len(visits(client.get(path, params))) == 13
    assert few == many
    # session, user, the visits and what they show (clinician, yrkestitel, visit type,
    # participants, their names), the "Starta videomöte" prompt, the unread count of Notiser;
    # admins: the clinicians too
    assert many <= (11 if who == "admin" else 10)
