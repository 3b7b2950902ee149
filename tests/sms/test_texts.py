"""SMS texts: Swedish and English, Swedish time, no health information."""

import datetime

import pytest

from careplatform.sms.segments import count_segments
from tenant_apps.notifications.texts import compose

SUMMER = datetime.datetime(2026, 6, 2, 12, 30, tzinfo=datetime.UTC)  # 14.30 in Stockholm
WINTER = datetime.datetime(2026, 12, 1, 13, 30, tzinfo=datetime.UTC)  # 14.30 in Stockholm
LINK = "https://alfa.careplatform.se/"


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
        "Vårdcentralen Alfa har bokat ett videobesök med dig tisdag 2 juni kl. 14.30. "
        "Logga in med BankID för mer information: https://alfa.careplatform.se/"
    )


def test_english_invitation():
    assert text("invited", "en", needs_confirmation=True) == (
        "Vårdcentralen Alfa has booked a video visit with you on Tuesday 2 June at 14:30. "
        "Log in with BankID to see and confirm the time: https://alfa.careplatform.se/"
    )


def test_time_is_swedish_local_time_in_winter_too():
    assert "tisdag 1 december kl. 14.30" in text("invited", starts_at=WINTER)


def test_boka_nu_says_the_visit_starts_now():
    assert text("invited", instant=True) == (
        "Vårdcentralen Alfa: ditt videobesök börjar nu. Logga in med BankID: " + LINK
    )
    assert "starts now" in text("invited", "en", instant=True)


@pytest.mark.parametrize(
    ("kind", "language", "words"),
    [
        ("rescheduled", "sv", "har ändrat tiden för ditt videobesök till tisdag 2 juni kl. 14.30"),
        ("rescheduled", "en", "changed the time of your video visit to Tuesday 2 June at 14:30"),
        ("cancelled", "sv", "har avbokat ditt videobesök tisdag 2 juni kl. 14.30"),
        ("cancelled", "en", "has cancelled your video visit on Tuesday 2 June at 14:30"),
        ("reminder", "sv", "Påminnelse: ditt videobesök hos Vårdcentralen Alfa börjar kl. 14.30"),
        ("reminder", "en", "Reminder: your video visit with Vårdcentralen Alfa starts at 14:30"),
    ],
)
def test_each_kind_in_both_languages(kind, language, words):
    message = text(kind, language)
    assert words in message
    assert message.endswith(LINK)


def test_unknown_language_falls_back_to_swedish():
    assert text("invited", "de") == text("invited", "sv")


@pytest.mark.parametrize("kind", ["invited", "rescheduled", "cancelled", "reminder"])
@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_text_fits_gsm7_in_two_segments(kind, language):
    counted = count_segments(text(kind, language, needs_confirmation=True))
    assert counted.encoding == "GSM-7" and counted.segments <= 2
