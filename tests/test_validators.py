import pytest
import time_machine
from django.core.exceptions import ValidationError

from careplatform.validators import format_personnummer, normalize_mobile, normalize_personnummer
from tests.support import personnummer


@pytest.mark.parametrize(
    "raw",
    ["198112189876", "19811218-9876", "8112189876", "811218-9876", " 19811218-9876 "],
)
def test_personnummer_accepts_10_or_12_digits_with_or_without_separator(raw):
    assert normalize_personnummer(raw) == "198112189876"


def test_personnummer_plus_means_a_hundred_years_or_older():
    assert normalize_personnummer("121212+1212") == "191212121212"
    assert normalize_personnummer("121212-1212") == "201212121212"
    assert normalize_personnummer("19121212+1212") == "191212121212"


def test_personnummer_plus_refused_for_someone_younger_than_a_hundred():
    with pytest.raises(ValidationError, match="100 år"):
        normalize_personnummer("19811218+9876")


def test_personnummer_with_wrong_check_digit_is_refused():
    with pytest.raises(ValidationError, match="kontrollsiffra"):
        normalize_personnummer("19811218-9875")


@pytest.mark.parametrize("raw", ["19810230-1234", "19811318-1230", "19811200-1234"])
def test_personnummer_with_impossible_date_is_refused(raw):
    date, serial = raw[:8], raw[9:12]
    with pytest.raises(ValidationError):
        normalize_personnummer(personnummer(date, serial))


@pytest.mark.parametrize("raw", ["", "abc", "19811218987", "19811218-98766", "1981-12-18-9876"])
def test_personnummer_with_wrong_shape_is_refused(raw):
    with pytest.raises(ValidationError, match="10 eller 12 siffror"):
        normalize_personnummer(raw)


def test_samordningsnummer_day_plus_60_is_accepted():
    number = personnummer("19810278", "123")  # 18 February 1981 + 60
    assert normalize_personnummer(number) == number
    assert normalize_personnummer(f"{number[2:8]}-{number[8:]}") == number


@time_machine.travel("2026-11-27 12:00 +0100", tick=False)
def test_personnummer_born_in_the_future_is_refused():
    assert normalize_personnummer(personnummer("20261127", "123"))  # born today: fine
    with pytest.raises(ValidationError, match="framtiden"):
        normalize_personnummer(personnummer("20261128", "123"))


def test_personnummer_is_shown_with_a_dash():
    assert format_personnummer("198112189876") == "19811218-9876"


@pytest.mark.parametrize(
    "raw", ["0701234567", "070-123 45 67", "+46701234567", "0046 70 123 45 67", "070 1234567"]
)
def test_swedish_mobile_numbers_are_stored_as_e164(raw):
    assert normalize_mobile(raw) == "+46701234567"


def test_foreign_mobile_number_with_country_code_is_accepted():
    assert normalize_mobile("+47 412 34 567") == "+4741234567"


@pytest.mark.parametrize("raw", ["08-444 34 34", "031-123 45 67"])
def test_landline_numbers_are_refused(raw):
    with pytest.raises(ValidationError, match="inte ett mobilnummer"):
        normalize_mobile(raw)


@pytest.mark.parametrize("raw", ["", "hej", "070", "07012345678901"])
def test_garbage_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        normalize_mobile(raw)
