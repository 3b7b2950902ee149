"""The SMS texts, Swedish and English (manual 4, 7.1).

An SMS carries no health information: no visit type, no clinician, no message from the
clinician, no reason for a cancellation. It names the provider and the time and links to the
visit on the provider's host (https://ertnamn.careplatform.se/b/K7F2Q9), where the details are
behind the BankID login. The texts live here, in both languages side by side, because their
length is a cost and a contract with patients.

Every message is one GSM-7 segment (160 septets, paid once) with a provider name of 40
characters, a visit link on an https host of 40 characters and the longest date of the year
(tests/notifications/test_texts.py tries them all). That is why the wording is terse and the
date short ("torsdag 30/12 kl. 14.30", "Wednesday 30 Sep at 14:30"). A longer name is shortened
to what still fits, and characters outside the GSM alphabet (typographic quotes, dashes), which
would make the whole message UCS-2 (70 characters a segment), are replaced.
"""

import datetime

from careplatform.sms.segments import GSM7_SINGLE, septets, to_gsm7
from careplatform.timeutil import format_local

TEXTS = {
    "sv": {
        "invited": "{provider}: videobesök {when}. Logga in med BankID: {link}",
        "invited_confirm": "{provider}: videobesök {when}. Bekräfta med BankID: {link}",
        "instant": "{provider}: ditt videobesök börjar nu. Logga in med BankID: {link}",
        "rescheduled": "{provider}: ny tid för videobesök {when}. Logga in: {link}",
        "rescheduled_confirm": "{provider}: ny tid för videobesök {when}. Bekräfta: {link}",
        "cancelled": "{provider}: videobesöket {when} är avbokat. Logga in: {link}",
        "reminder": "Påminnelse: ditt videobesök hos {provider} börjar {time}. Logga in: {link}",
        "waiting": "{provider}: patienten till besöket {time} väntar i rummet. {link}",
    },
    "en": {
        "invited": "{provider}: video visit {when}. Log in with BankID: {link}",
        "invited_confirm": "{provider}: video visit {when}. Confirm with BankID: {link}",
        "instant": "{provider}: your video visit starts now. Log in with BankID: {link}",
        "rescheduled": "{provider}: new time for video visit {when}. Log in: {link}",
        "rescheduled_confirm": "{provider}: new time for video visit {when}. Confirm: {link}",
        "cancelled": "{provider}: video visit {when} is cancelled. Log in: {link}",
        "reminder": "Reminder: your video visit with {provider} starts at {time}. Log in: {link}",
        "waiting": "{provider}: your {time} patient is waiting in the video room. Log in: {link}",
    },
}
# "waiting" goes to the clinician (a patient has waited in the room): it names no patient.
KINDS = ("invited", "rescheduled", "cancelled", "reminder", "waiting")

# To a new provider's first admin, about no visit: the provider's login page. The same budget:
# one segment with a name of 40 characters and a host of 40.
FIRST_ADMIN = {
    "sv": "{provider}: du är administratör på CarePlatform. Logga in: {link}",
    "en": "{provider}: you are an administrator on CarePlatform. Log in: {link}",
}


def language_of(code: str) -> str:
    return code if code in TEXTS else "sv"


def clock_time(moment: datetime.datetime, language: str) -> str:
    """Swedish time as "kl. 14.30" or "14:30"."""
    return format_local(moment, "sms_time", language)


def date_and_time(moment: datetime.datetime, language: str) -> str:
    """Swedish time as "tisdag 3/3 kl. 14.30" or "Tuesday 3 Mar at 14:30"."""
    return format_local(moment, "sms", language)


def template_for(kind: str, language: str, *, instant: bool, needs_confirmation: bool) -> str:
    texts = TEXTS[language]
    if kind == "invited" and instant:
        return texts["instant"]
    if kind in ("invited", "rescheduled") and needs_confirmation:
        return texts[f"{kind}_confirm"]
    return texts[kind]


def fit_name(name: str, room: int) -> str:
    """The provider's name in GSM-7, cut (at a word if it can) to at most `room` septets."""
    name = " ".join(to_gsm7(name).split())
    if septets(name) <= room:
        return name
    cut = ""
    for char in name:
        if septets(cut + char) > room:
            break
        cut += char
    word_end = cut.rfind(" ")
    if word_end >= room // 2:
        cut = cut[:word_end]
    return cut.rstrip(" ,.-:;&")


def compose(
    kind: str,
    *,
    language: str,
    provider_name: str,
    link: str,
    starts_at: datetime.datetime,
    instant: bool = False,
    needs_confirmation: bool = False,
) -> str:
    """The text of one message. `kind` is one of KINDS."""
    language = language_of(language)
    template = template_for(kind, language, instant=instant, needs_confirmation=needs_confirmation)
    values = {
        "when": date_and_time(starts_at, language),
        "time": clock_time(starts_at, language),
        "link": link,
    }
    room = GSM7_SINGLE - septets(template.format(provider="", **values))
    return template.format(provider=fit_name(provider_name, max(room, 0)), **values)


def compose_first_admin(*, language: str, provider_name: str, link: str) -> str:
    """The first admin's SMS: the provider's name and its login link."""
    template = FIRST_ADMIN[language_of(language)]
    room = GSM7_SINGLE - septets(template.format(provider="", link=link))
    return template.format(provider=fit_name(provider_name, max(room, 0)), link=link)
