"""The service desk's contact details and hours (manual 9, issue 15 item 5): operators set them in
the console; every provider page links to them and the login pages show them, with "Öppet nu" /
"Stängt – öppnar …" from the hours and Swedish holidays, on a controlled clock."""

import datetime

import pytest
import time_machine

from careplatform.redis import get_redis
from careplatform.timeutil import LOCAL
from tenants import support_contact
from tenants.models import OperatorAction, SupportContact
from tenants.support_contact import MANUAL, Contact, is_holiday, opening_status
from tests.clients import PUBLIC, logged_in

URL = "/konsol/support-kontakt/"
T = datetime.time


@pytest.fixture(autouse=True)
def _no_cached_contact():
    """Tests roll back what they save; the platform-wide cached copy must go with it."""
    support_contact.forget_cached()
    yield
    support_contact.forget_cached()


def status_at(year, month, day, hour, minute=0, contact=MANUAL) -> str:
    moment = datetime.datetime(year, month, day, hour, minute, tzinfo=LOCAL)
    with time_machine.travel(moment, tick=False):
        return opening_status(contact).text


# -- opening hours, Swedish working days (manual 9: "helgfria vardagar 07:00–17:00") ----------


def test_open_from_seven_oclock_sharp_on_a_weekday():
    # Tuesday 16 June 2026.
    assert status_at(2026, 6, 16, 6, 59) == "Stängt – öppnar 07:00"
    assert status_at(2026, 6, 16, 7, 0) == "Öppet nu – stänger 17:00"
    assert status_at(2026, 6, 16, 16, 59) == "Öppet nu – stänger 17:00"


def test_closed_from_five_oclock_until_the_next_morning():
    assert status_at(2026, 6, 16, 17, 0) == "Stängt – öppnar i morgon 07:00"


def test_a_weekend_opens_on_monday():
    assert status_at(2026, 6, 12, 17, 0) == "Stängt – öppnar måndag 07:00"  # Friday evening
    assert status_at(2026, 6, 13, 10, 0) == "Stängt – öppnar måndag 07:00"  # Saturday
    assert status_at(2026, 6, 14, 23, 59) == "Stängt – öppnar i morgon 07:00"  # Sunday night


def test_midsommarafton_is_closed_though_no_public_holiday_in_law():
    midsommarafton = datetime.date(2026, 6, 19)  # a Friday
    assert is_holiday(midsommarafton)
    assert status_at(2026, 6, 19, 10, 0) == "Stängt – öppnar måndag 07:00"
    # The Thursday before: the eve and the weekend after it, then Monday.
    assert status_at(2026, 6, 18, 17, 0) == "Stängt – öppnar måndag 07:00"


def test_christmas_closes_from_julafton_to_the_monday_after():
    assert status_at(2026, 12, 23, 17, 0) == "Stängt – öppnar måndag 07:00"  # Wednesday
    assert status_at(2026, 12, 25, 10, 0) == "Stängt – öppnar måndag 07:00"  # Juldagen, Friday
    assert status_at(2026, 12, 28, 7, 0) == "Öppet nu – stänger 17:00"


def test_easter_a_holiday_before_and_after_a_weekend_opens_on_tuesday():
    # Långfredagen 3 April 2026, then Saturday, Easter Sunday and Annandag påsk.
    assert status_at(2026, 4, 2, 17, 0) == "Stängt – öppnar tisdag 07:00"


def test_an_opening_a_week_or_more_away_names_the_date():
    mondays_only = Contact(MANUAL.phone, MANUAL.email, ((T(7), T(12)),) + (None,) * 6)
    assert status_at(2026, 6, 15, 12, 0, contact=mondays_only) == (
        "Stängt – öppnar måndag 22 juni 07:00"
    )
    never = Contact(MANUAL.phone, MANUAL.email, (None,) * 7)
    assert status_at(2026, 6, 15, 12, 0, contact=never) == "Stängt"


# -- the console page ------------------------------------------------------------------------


def form_data(**overrides) -> dict:
    data = {"phone": "010-123 45 67", "email": "Hjalp@Example.se"}
    for weekday in range(5):
        data.update({f"open_{weekday}": "on", f"opens_{weekday}": "08:00"})
        data[f"closes_{weekday}"] = "16:30"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_an_operator_sees_the_manuals_values_until_changed(operator):
    page = logged_in(operator, PUBLIC).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "08-444 34 34" in html and "support@tti.se" in html
    assert 'name="opens_0" value="07:00"' in html
    assert 'name="open_5"' in html and 'name="open_5" id="id_open_5" checked' not in html


def test_an_operator_changes_phone_e_mail_and_hours_and_the_log_says_so(
    operator, alfa, django_capture_on_commit_callbacks
):
    support_contact.current()  # cached as the manual says
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(operator, PUBLIC, ip="203.0.113.7").post(URL, form_data())
    assert response.status_code == 302 and response["Location"] == URL
    row = SupportContact.objects.get()
    assert (row.phone, row.email, row.updated_by) == ("+46101234567", "Hjalp@Example.se", operator)
    assert row.hours == [["08:00", "16:30"]] * 5 + [None, None]
    action = OperatorAction.objects.get(action="support_contact")
    assert (action.actor, action.provider, action.ip_address) == (operator, None, "203.0.113.7")
    assert action.before["phone"] == "+4684443434"
    assert action.after == {
        "phone": "+46101234567",
        "email": "Hjalp@Example.se",
        "hours": [["08:00", "16:30"]] * 5 + [None, None],
    }
    # The cached copy went with the change: the provider's pages show the new contact at once.
    html = logged_in(None, alfa).get("/support/").content.decode()
    assert "010-123 45 67" in html and "Hjalp@Example.se" in html
    assert "08-444 34 34" not in html
    assert "Fredag</th><td>08:00–16:30" in html and "Lördag</th><td>Stängt" in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phone": "123"}, "Ange ett giltigt telefonnummer, t.ex. 08-444 34 34."),
        ({"phone": ""}, "Ange supportens telefonnummer."),
        ({"email": ""}, "Ange supportens e-postadress."),
        ({"email": "inte-en-adress"}, "Ange en giltig e-postadress."),
        ({"opens_2": "17:00", "closes_2": "08:00"},
         "Stängningstiden måste vara senare än öppningstiden (onsdag)."),
        ({"opens_1": "09:00", "closes_1": "09:00"},
         "Stängningstiden måste vara senare än öppningstiden (tisdag)."),
        ({"closes_4": None}, "Ange när supporten öppnar och stänger på fredag."),
        ({"opens_0": "25:00"}, "Ange en tid, t.ex. 07:00."),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_message_and_nothing_changes(operator, overrides, message):
    response = logged_in(operator, PUBLIC).post(URL, form_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SupportContact.objects.exists()
    assert not OperatorAction.objects.filter(action="support_contact").exists()


def test_every_refusal_is_told_at_once(operator):
    data = form_data(phone="123", email="nej", opens_6="10:00", closes_6="09:00", open_6="on")
    html = logged_in(operator, PUBLIC).post(URL, data).content.decode()
    for message in (
        "Ange ett giltigt telefonnummer, t.ex. 08-444 34 34.",
        "Ange en giltig e-postadress.",
        "Stängningstiden måste vara senare än öppningstiden (söndag).",
    ):
        assert message in html
    assert not SupportContact.objects.exists()


def test_a_closed_day_needs_no_times(operator, django_capture_on_commit_callbacks):
    data = form_data(open_0=None, opens_0="", closes_0="")
    with django_capture_on_commit_callbacks(execute=True):
        assert logged_in(operator, PUBLIC).post(URL, data).status_code == 302
    assert SupportContact.objects.get().hours[0] is None


def test_only_operators_reach_the_page(support_user, alfa):
    assert logged_in(support_user, PUBLIC).get(URL).status_code == 403
    assert logged_in(support_user, PUBLIC).post(URL, form_data()).status_code == 403
    anonymous = logged_in(None, PUBLIC).get(URL)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    # Not on a provider's host at all, not even for its admin.
    assert logged_in(alfa.admin, alfa).get(URL).status_code == 404
    assert not SupportContact.objects.exists()


def test_other_methods_are_refused(operator):
    assert logged_in(operator, PUBLIC).put(URL).status_code == 405


# -- where people see it ---------------------------------------------------------------------


def test_every_provider_page_links_to_support_and_login_shows_the_contact(alfa):
    at_work = datetime.datetime(2026, 6, 16, 10, 0, tzinfo=LOCAL)
    with time_machine.travel(at_work, tick=False):
        login = logged_in(None, alfa).get("/login/").content.decode()
        overview = logged_in(alfa.clinician, alfa).get("/oversikt/").content.decode()
    for html in (login, overview):
        assert '<a href="/support/">Support</a>' in html
    assert "Öppet nu – stänger 17:00" in login
    assert 'href="tel:+4684443434"' in login and "08-444 34 34" in login


def test_the_support_page_is_open_to_anyone_even_before_consent(alfa):
    saturday = datetime.datetime(2026, 6, 13, 10, 0, tzinfo=LOCAL)
    with time_machine.travel(saturday, tick=False):
        for client in (logged_in(None, alfa), logged_in(alfa.patient, alfa, consented=False)):
            page = client.get("/support/")
            assert page.status_code == 200
            assert "Stängt – öppnar måndag 07:00" in page.content.decode()
    assert logged_in(None, alfa).post("/support/").status_code == 405


def test_the_public_login_page_shows_it_too(db):
    html = logged_in(None, PUBLIC).get("/login/").content.decode()
    assert "support@tti.se" in html
    assert '<a href="/support/">Support</a>' not in html  # the public /support/ is the desk's own


def test_the_contact_is_read_once_then_from_the_platform_cache(db, django_assert_num_queries):
    assert support_contact.current() == MANUAL  # from the database
    with django_assert_num_queries(0):
        assert support_contact.current() == MANUAL
    assert get_redis().get(support_contact._cache_key())
