"""How stored identifiers are shown: 12 digits as YYYYMMDD-NNNN, E.164 as 070-123 45 67."""

import phonenumbers
from django import template

from careplatform.validators import format_personnummer

register = template.Library()


@register.filter
def personnummer(value: str) -> str:
    return format_personnummer(value or "")


@register.filter
def mobile(value: str) -> str:
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "SE")
    except phonenumbers.NumberParseException:
        return value
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 46
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)
