"""The SMS texts, Swedish and English (manual 4, 7.1).

An SMS carries no health information: no visit type, no clinician, no message from the
clinician, no reason for a cancellation. It names the provider and the time and links to the
provider's host, where the details are behind the BankID login. The texts live here, in both
languages side by side, because their length is a cost (segments) and a contract with patients.
"""

import datetime

from careplatform.timeutil import local

WEEKDAYS = {
    "sv": ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
MONTHS = {
    "sv": [
        "januari", "februari", "mars", "april", "maj", "juni",
        "juli", "augusti", "september", "oktober", "november", "december",
    ],
    "en": [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ],
}  # fmt: skip

TEXTS = {
    "sv": {
        "invited": "{provider} har bokat ett videobesök med dig {when}. {login}: {link}",
        "instant": "{provider}: ditt videobesök börjar nu. Logga in med BankID: {link}",
        "rescheduled": "{provider} har ändrat tiden för ditt videobesök till {when}. "
        "{login}: {link}",
        "cancelled": "{provider} har avbokat ditt videobesök {when}. "
        "Logga in med BankID för mer information: {link}",
        "reminder": "Påminnelse: ditt videobesök hos {provider} börjar {time}. "
        "Logga in med BankID: {link}",
        "login": "Logga in med BankID för mer information",
        "login_confirm": "Logga in med BankID för att se och bekräfta tiden",
    },
    "en": {
        "invited": "{provider} has booked a video visit with you on {when}. {login}: {link}",
        "instant": "{provider}: your video visit starts now. Log in with BankID: {link}",
        "rescheduled": "{provider} has changed the time of your video visit to {when}. "
        "{login}: {link}",
        "cancelled": "{provider} has cancelled your video visit on {when}. "
        "Log in with BankID for details: {link}",
        "reminder": "Reminder: your video visit with {provider} starts at {time}. "
        "Log in with BankID: {link}",
        "login": "Log in with BankID for details",
        "login_confirm": "Log in with BankID to see and confirm the time",
    },
}


def language_of(code: str) -> str:
    return code if code in TEXTS else "sv"


def clock_time(moment: datetime.datetime, language: str) -> str:
    at = local(moment)
    return f"kl. {at:%H.%M}" if language == "sv" else f"{at:%H:%M}"


def date_and_time(moment: datetime.datetime, language: str) -> str:
    """Swedish time as "tisdag 3 mars kl. 14.30" or "Tuesday 3 March at 14:30"."""
    at = local(moment)
    day = f"{WEEKDAYS[language][at.weekday()]} {at.day} {MONTHS[language][at.month - 1]}"
    if language == "sv":
        return f"{day} {clock_time(moment, language)}"
    return f"{day} at {clock_time(moment, language)}"


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
    """The text of one message. `kind` is invited, rescheduled, cancelled or reminder."""
    texts = TEXTS[language_of(language)]
    language = language_of(language)
    template = texts["instant"] if kind == "invited" and instant else texts[kind]
    return template.format(
        provider=provider_name,
        when=date_and_time(starts_at, language),
        time=clock_time(starts_at, language),
        link=link,
        login=texts["login_confirm"] if needs_confirmation else texts["login"],
    )
