"""Personnummer, mobile-number and organisationsnummer validation, used by every form, API and
command.

Both normalise: a personnummer is stored as 12 digits (YYYYMMDDNNNC), a mobile number as E.164,
an organisationsnummer as NNNNNN-NNNN.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from personnummer import personnummer
from stdnum import exceptions as stdnum_errors
from stdnum.se import orgnr

from careplatform import clock

_PERSONNUMMER_SHAPE = re.compile(r"^(\d{6}|\d{8})[-+]?\d{4}$")


def normalize_personnummer(value: str) -> str:
    """Return the personnummer (or samordningsnummer) as 12 digits, or raise ValidationError.

    Accepts 10 or 12 digits with or without separator; `+` marks someone 100 years or older.
    """
    text = (value or "").strip().replace(" ", "")
    if not _PERSONNUMMER_SHAPE.match(text):
        raise ValidationError(
            _("Ange personnumret med 10 eller 12 siffror, t.ex. ÅÅÅÅMMDD-NNNN."),
            code="personnummer_format",
        )
    try:
        parsed = personnummer.parse(text)
    except personnummer.PersonnummerException:
        raise ValidationError(
            _("Personnumret är inte giltigt (fel datum eller kontrollsiffra)."),
            code="personnummer_invalid",
        ) from None
    if len(text) == 13 and "+" in text and parsed.get_age() < 100:
        # A 12-digit number carries its century; "+" must agree with it.
        raise ValidationError(
            _("Plustecken används bara för personer som fyllt 100 år."),
            code="personnummer_invalid",
        )
    if parsed.get_date() > clock.today_local():
        raise ValidationError(
            _("Personnumret har ett födelsedatum i framtiden."), code="personnummer_future"
        )
    return parsed.format(long_format=True)


def validate_personnummer(value: str) -> None:
    normalize_personnummer(value)


def format_personnummer(value: str) -> str:
    """12 stored digits shown as YYYYMMDD-NNNN."""
    return f"{value[:8]}-{value[8:]}" if len(value) == 12 else value


def normalize_mobile(value: str) -> str:
    """Return a mobile number as E.164 (+46701234567), or raise ValidationError.

    Numbers without a country code are Swedish.
    """
    text = (value or "").strip()
    try:
        number = phonenumbers.parse(text, "SE")
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("Ange ett mobilnummer, t.ex. 070-123 45 67."), code="mobile_format"
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Mobilnumret är inte ett giltigt nummer."), code="mobile_invalid")
    kind = phonenumbers.number_type(number)
    if kind not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationError(
            _("Numret är inte ett mobilnummer; sms kan bara skickas till mobilnummer."),
            code="mobile_not_mobile",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_mobile(value: str) -> None:
    normalize_mobile(value)


def normalize_org_number(value: str) -> str:
    """Return an organisationsnummer as NNNNNN-NNNN, or raise ValidationError. Its last digit
    is a Luhn check digit (python-stdnum checks it); the century prefix 16 may be written."""
    text = orgnr.compact(value or "")
    if len(text) == 12 and text.startswith("16"):
        text = text[2:]
    try:
        return orgnr.format(orgnr.validate(text))
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            _("Organisationsnumret är inte giltigt (fel kontrollsiffra)."),
            code="org_number_invalid",
        ) from None
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _("Ange organisationsnumret med 10 siffror, t.ex. 556677-8899."),
            code="org_number_format",
        ) from None
