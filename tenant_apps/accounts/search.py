"""Finding people by what someone typed: names, personnummer and phone numbers in the ways
people write them. The administration tool's lists, the API's and the booking search use it;
who may be found at all is the caller's (tenant_apps.accounts.access, bookings.access)."""

import re

from django.db.models import Q, QuerySet

from tenant_apps.accounts.models import User

_LETTERS = re.compile(r"[^\W\d_]")


def _number_matches(digits: str, *, mobile: bool) -> Q:
    # Personnummer are stored as 12 digits, mobiles as +46…: "070-222 33 44" is found by
    # "702223344", "850505" and "19850505-0005" by the personnummer's digits.
    found = Q(personnummer__contains=digits)
    if mobile:
        found |= Q(mobile__contains=digits.lstrip("0") or digits)
    return found


def search_users(
    users: QuerySet[User], text: str, *, contact_details: bool = True
) -> QuerySet[User]:
    """Narrow `users` to those matching every word typed: a word with letters a first or last
    name (or e-mail), one of digits a personnummer (or mobile). Without `contact_details` only
    names and personnummer are searched (the booking search)."""
    text = text.strip()
    if not text:
        return users
    if not _LETTERS.search(text):
        digits = re.sub(r"\D", "", text)
        return users.filter(_number_matches(digits, mobile=contact_details)) if digits else users
    for word in text.split():
        if _LETTERS.search(word):
            named = Q(first_name__icontains=word) | Q(last_name__icontains=word)
            if contact_details:
                named |= Q(email__icontains=word)
            users = users.filter(named)
        elif digits := re.sub(r"\D", "", word):
            users = users.filter(_number_matches(digits, mobile=contact_details))
    return users
