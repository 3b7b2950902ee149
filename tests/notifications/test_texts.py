"""SMS texts: Swedish and English, Swedish time, no health information, one GSM-7 segment."""

import datetime

import pytest
from django.test import override_settings

from careplatform.sms.segments import count_segments, is_gsm7
from careplatform.timeutil import local_datetime
from tenant_apps.bookings.models import Booking
from tenant_apps.notifications.first_admin import login_link
from tenant_apps.notifications.services import sms_link
from tenant_apps.notifications.texts import TEXTS, compose, compose_first_admin, template_for
from tenants.models import CareProvider

SUMMER = datetime.datetime(2026, 6, 2, 12, 30, tzinfo=datetime.UTC)  # 14.30 in Stockholm
WINTER = datetime.datetime(2026, 12, 1, 13, 30, tzinfo=datetime.UTC)  # 14.30 in Stockholm
LINK = "https://alfa.careplatform.se/b/K7F2Q9"

# (kind, instant, needs_confirmation): every way a message is composed.
VARIANTS = [
    ("invited", False, False),
    ("invited", False, True),
    ("invited", True, False),  # Boka nu
    ("rescheduled", False, False),
    ("rescheduled", False, True),
    ("cancelled", False, False),
    ("reminder", False, False),
    ("waiting", False, False),  # to the clinician
]
NAME_40 = "Vårdcentralen Östra Järfälla Läkarhus AB"
SUBDOMAIN_24 = "vardcentralen-ostra-jarf"  # + ".careplatform.se" = a host of 40 characters


def text(kind, language="sv", starts_at=SUMMER, **kwargs):
    return compose(
        kind,
        language=language,
        provider_name="Vårdcentralen Alfa",
        link=LINK,
        starts_at=starts_at,
        **kwargs,
    )


def test_swedish_invitation_names_provider_time_and_link():
    assert text("invited") == (
        "Vårdcentralen Alfa: videobesök tisdag 2/6 kl. 14.30. "
        "Logga in med BankID: https://alfa.careplatform.se/b/K7F2Q9"
    )


def test_english_invitation_asking_for_confirmation():
    assert text("invited", "en", needs_confirmation=True) == (
        "Vårdcentralen Alfa: video visit Tuesday 2 Jun at 14:30. "
        "Confirm with BankID: https://alfa.careplatform.se/b/K7F2Q9"
    )


def test_time_is_swedish_local_time_in_winter_too():
    assert "tisdag 1/12 kl. 14.30" in text("invited", starts_at=WINTER)


def test_boka_nu_says_the_visit_starts_now():
    assert text("invited", instant=True) == (
        "Vårdcentralen Alfa: ditt videobesök börjar nu. Logga in med BankID: " + LINK
    )
    assert "starts now" in text("invited", "en", instant=True)


@pytest.mark.parametrize(
    ("kind", "language", "words"),
    [
        ("rescheduled", "sv", "Vårdcentralen Alfa: ny tid för videobesök tisdag 2/6 kl. 14.30"),
        (
            "rescheduled",
            "en",
            "Vårdcentralen Alfa: new time for video visit Tuesday 2 Jun at 14:30",
        ),
        ("cancelled", "sv", "Vårdcentralen Alfa: videobesöket tisdag 2/6 kl. 14.30 är avbokat"),
        ("cancelled", "en", "Vårdcentralen Alfa: video visit Tuesday 2 Jun at 14:30 is cancelled"),
        ("reminder", "sv", "Påminnelse: ditt videobesök hos Vårdcentralen Alfa börjar kl. 14.30"),
        ("reminder", "en", "Reminder: your video visit with Vårdcentralen Alfa starts at 14:30"),
        (
            "waiting",
            "sv",
            "Vårdcentralen Alfa: patienten till besöket kl. 14.30 väntar i rummet.",
        ),
        ("waiting", "en", "Vårdcentralen Alfa: your 14:30 patient is waiting in the video room"),
    ],
)
def test_each_kind_in_both_languages(kind, language, words):
    message = text(kind, language)
    assert message.startswith(words)
    assert message.endswith(LINK)


def test_a_changed_time_asks_for_confirmation_when_it_is_needed():
    assert text("rescheduled", needs_confirmation=True).endswith(". Bekräfta: " + LINK)
    assert text("rescheduled", "en", needs_confirmation=True).endswith(". Confirm: " + LINK)


def test_unknown_language_falls_back_to_swedish():
    assert text("invited", "de") == text("invited", "sv")


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_variants_cover_every_text(language):
    used = {
        template_for(kind, language, instant=instant, needs_confirmation=confirm)
        for kind, instant, confirm in VARIANTS
    }
    assert used == set(TEXTS[language].values())
    assert all(is_gsm7(template) for template in used)


def every_day_of(year: int) -> list[datetime.datetime]:
    """14.30 Swedish time on every day of the year: every weekday and
    month name, one- and two-digit days and months, summer and winter time."""
    first = datetime.date(year, 1, 1)
    days = [first + datetime.timedelta(days=n) for n in range(366 if year % 4 == 0 else 365)]
    return [local_datetime(day, datetime.time(14, 30)) for day in days]


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize(("kind", "instant", "confirm"), VARIANTS)
def test_every_message_is_one_gsm7_segment_with_long_name_and_host(
    kind, instant, confirm, language
):
    provider = CareProvider(name=NAME_40, subdomain=SUBDOMAIN_24)
    booking = Booking(reference="WWWWWW")
    with override_settings(BASE_DOMAIN="careplatform.se", SITE_SCHEME="https", SITE_PORT=""):
        link = sms_link(provider, booking)
    assert len(NAME_40) == 40 and link == f"https://{SUBDOMAIN_24}.careplatform.se/b/WWWWWW"
    assert len(link.removeprefix("https://").removesuffix("/b/WWWWWW")) == 40
    longest = max(
        (
            compose(
                kind,
                language=language,
                provider_name=NAME_40,
                link=link,
                starts_at=moment,
                instant=instant,
                needs_confirmation=confirm,
            )
            for moment in every_day_of(2027)
        ),
        key=lambda message: count_segments(message).units,
    )
    counted = count_segments(longest)
    assert (counted.encoding, counted.segments) == ("GSM-7", 1), (counted.units, longest)
    assert NAME_40 in longest and longest.endswith(link)


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize(("kind", "instant", "confirm"), VARIANTS)
def test_a_longer_name_is_shortened_to_fit_one_segment(kind, instant, confirm, language):
    name = "Region Västra Götaland Närhälsan Vårdcentral Södra Ängby och Hässelby Gård"
    link = "https://" + "x" * 50 + ".careplatform.se/b/K7F2Q9"
    message = compose(
        kind,
        language=language,
        provider_name=name,
        link=link,
        starts_at=datetime.datetime(2027, 9, 29, 12, 30, tzinfo=datetime.UTC),  # a Wednesday
        instant=instant,
        needs_confirmation=confirm,
    )
    counted = count_segments(message)
    assert (counted.encoding, counted.segments) == ("GSM-7", 1), message
    assert "Region Västra" in message and name not in message and message.endswith(link)


def test_characters_outside_gsm7_in_the_name_do_not_make_the_message_ucs2():
    message = compose(
        "invited",
        language="sv",
        provider_name="Läkarhuset \u201dNorr\u201d \u2013 Łódź\u2019s\u00a0klinik",
        link=LINK,
        starts_at=SUMMER,
    )
    assert message.startswith('Läkarhuset "Norr" - Lodz\'s klinik: videobesök ')
    assert count_segments(message).encoding == "GSM-7"


def test_the_first_admins_sms_names_the_provider_and_the_login_page():
    link = "https://alfa.careplatform.se/login/"
    assert compose_first_admin(language="sv", provider_name="Vårdcentralen Alfa", link=link) == (
        "Vårdcentralen Alfa: du är administratör på CarePlatform. Logga in: " + link
    )
    assert compose_first_admin(language="en", provider_name="Vårdcentralen Alfa", link=link) == (
        "Vårdcentralen Alfa: you are an administrator on CarePlatform. Log in: " + link
    )


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_first_admins_sms_is_one_gsm7_segment_with_long_name_and_host(language):
    provider = CareProvider(name=NAME_40, subdomain=SUBDOMAIN_24)
    with override_settings(BASE_DOMAIN="careplatform.se", SITE_SCHEME="https", SITE_PORT=""):
        link = login_link(provider)
    assert link == f"https://{SUBDOMAIN_24}.careplatform.se/login/"
    message = compose_first_admin(language=language, provider_name=NAME_40, link=link)
    counted = count_segments(message)
    assert (counted.encoding, counted.segments) == ("GSM-7", 1), message
    assert NAME_40 in message and message.endswith(link)
