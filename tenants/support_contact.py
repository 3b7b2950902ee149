"""The service desk's contact details and opening hours (manual 9), and whether it is open now.

Manual 9: "Vår Servicedesk är bemannad under kontorstid svenska helgfria vardagar mellan kl.
07:00 och 17:00: 08-444 34 34. Support@tti.se." Those are the values until an operator saves
others in the console. "Helgfria vardagar" are the weekdays that are no holiday: the public
holidays of the `holidays` library (PUBLIC) and the eves that Swedish law treats like them
(DE_FACTO: Midsommarafton, Julafton, Nyårsafton; Semesterlagen 1977:480, 7 §). Such a day is
closed whatever its weekday's hours say.

Every provider page links to the contact, so it is read on many requests: one platform-wide
Redis key (not a provider's: the data is the platform's), dropped after every change commits
and expiring on its own as a backstop. Without Redis it is read from the database.
"""

import contextlib
import datetime
import functools
import json
import logging
from dataclasses import dataclass

import holidays
import phonenumbers
import redis
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from careplatform import clock
from careplatform.redis import get_redis, platform_key
from careplatform.timeutil import LOCAL, format_local
from tenants import operator_log
from tenants.db import connection
from tenants.models import OperatorActionKind, SupportContact

log = logging.getLogger(__name__)

CACHE_NAME = "support-contact"
CACHE_SECONDS = 600
# How far ahead the next opening is looked for: past Christmas and New Year's holidays.
LOOK_AHEAD_DAYS = 21

Hours = tuple[datetime.time, datetime.time] | None  # opens, closes; None: closed


@dataclass(frozen=True)
class Contact:
    phone: str  # E.164, "+4684443434"
    email: str
    hours: tuple[Hours, ...]  # seven weekdays, Monday first

    @property
    def phone_display(self) -> str:
        """As Swedes write it: 08-444 34 34 (a foreign number in international form)."""
        number = phonenumbers.parse(self.phone, "SE")
        style = (
            phonenumbers.PhoneNumberFormat.NATIONAL
            if number.country_code == 46
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        return phonenumbers.format_number(number, style)

    @property
    def phone_uri(self) -> str:
        return f"tel:{self.phone}"

    def to_json(self) -> str:
        hours = _hours_json(self.hours)
        return json.dumps({"phone": self.phone, "email": self.email, "hours": hours})

    @classmethod
    def from_json(cls, text: str | bytes) -> "Contact":
        data = json.loads(text)
        return cls(data["phone"], data["email"], _hours_from_json(data["hours"]))


def _hours_json(hours: tuple[Hours, ...]) -> list[list[str] | None]:
    return [[f"{day[0]:%H:%M}", f"{day[1]:%H:%M}"] if day else None for day in hours]


def _hours_from_json(days: list) -> tuple[Hours, ...]:
    return tuple(
        (datetime.time.fromisoformat(day[0]), datetime.time.fromisoformat(day[1])) if day else None
        for day in days
    )


MANUAL = Contact(
    phone="+4684443434",
    email="support@tti.se",
    hours=((datetime.time(7), datetime.time(17)),) * 5 + (None, None),
)


# -- reading ----------------------------------------------------------------------------------
def _cache_key() -> str:
    return platform_key(CACHE_NAME)


def _contact(row: SupportContact | None) -> Contact:
    if row is None:
        return MANUAL
    return Contact(row.phone, row.email, _hours_from_json(row.hours))


def _from_database() -> Contact:
    return _contact(SupportContact.objects.filter(pk=1).first())


def current() -> Contact:
    """The contact as operators last saved it (or the manual's), from the cache if it can."""
    try:
        cached = get_redis().get(_cache_key())
    except redis.RedisError:
        log.warning("Support contact read from the database: Redis did not answer")
        return _from_database()
    if cached:
        return Contact.from_json(cached)
    contact = _from_database()
    with contextlib.suppress(redis.RedisError):
        get_redis().set(_cache_key(), contact.to_json(), ex=CACHE_SECONDS)
    return contact


def forget_cached() -> None:
    try:
        get_redis().delete(_cache_key())
    except redis.RedisError:  # it expires within CACHE_SECONDS
        log.warning("Could not drop the cached support contact", exc_info=True)


# -- opening hours ----------------------------------------------------------------------------
@functools.lru_cache(maxsize=8)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.Sweden(years=year, categories=(holidays.PUBLIC, holidays.DE_FACTO))


def is_holiday(day: datetime.date) -> bool:
    """A Swedish public holiday or Midsommarafton, Julafton, Nyårsafton."""
    return day in _holidays(day.year)


def hours_on(contact: Contact, day: datetime.date) -> Hours:
    """The desk's hours on a date: its weekday's, or None on a holiday."""
    return None if is_holiday(day) else contact.hours[day.weekday()]


@dataclass(frozen=True)
class OpeningStatus:
    is_open: bool
    text: str  # "Öppet nu – stänger 17:00", "Stängt – öppnar måndag 07:00"
    changes_at: datetime.datetime | None  # when it closes (open) or opens next (closed)


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    # Wall-clock time for the status line; a time skipped by a DST change shows as written.
    return datetime.datetime.combine(day, time, tzinfo=LOCAL)


def _next_opening(contact: Contact, local_now: datetime.datetime) -> datetime.datetime | None:
    today = local_now.date()
    for offset in range(LOOK_AHEAD_DAYS):
        day = today + datetime.timedelta(days=offset)
        hours = hours_on(contact, day)
        if hours is None:
            continue
        opens = _at(day, hours[0])
        if opens > local_now:
            return opens
    return None


def _opens_text(opens: datetime.datetime, local_now: datetime.datetime) -> str:
    days = (opens.date() - local_now.date()).days
    values = {"time": format_local(opens, "time")}
    if days == 0:
        return _("Stängt – öppnar %(time)s") % values
    if days == 1:
        return _("Stängt – öppnar i morgon %(time)s") % values
    style = "weekday" if days < 7 else "weekday_date"  # "måndag", "måndag 4 januari"
    return _("Stängt – öppnar %(day)s %(time)s") % {**values, "day": format_local(opens, style)}


def opening_status(contact: Contact, now: datetime.datetime | None = None) -> OpeningStatus:
    """Open from the opening minute until (not including) the closing minute, on a day that is
    no holiday; otherwise when it opens next."""
    local_now = (now or clock.now()).astimezone(LOCAL)
    hours = hours_on(contact, local_now.date())
    if hours is not None and hours[0] <= local_now.time() < hours[1]:
        closes = _at(local_now.date(), hours[1])
        text = _("Öppet nu – stänger %(time)s") % {"time": format_local(closes, "time")}
        return OpeningStatus(True, text, closes)
    opens = _next_opening(contact, local_now)
    if opens is None:
        return OpeningStatus(False, _("Stängt"), None)
    return OpeningStatus(False, _opens_text(opens, local_now), opens)


def week_lines(contact: Contact) -> list[tuple[str, str]]:
    """(weekday, hours) for the page: ("måndag", "07:00–17:00"), ("lördag", "Stängt")."""
    monday = datetime.date(2024, 1, 1)
    lines = []
    for weekday, hours in enumerate(contact.hours):
        name = format_local(monday + datetime.timedelta(days=weekday), "weekday")
        text = f"{hours[0]:%H:%M}–{hours[1]:%H:%M}" if hours else _("Stängt")
        lines.append((name, text))
    return lines


# -- changing ---------------------------------------------------------------------------------
def normalize_phone(value: str) -> str:
    """E.164, from a number written the Swedish way (08-444 34 34) or with a country code."""
    try:
        number = phonenumbers.parse((value or "").strip(), "SE")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            {"phone": _("Ange ett giltigt telefonnummer, t.ex. 08-444 34 34.")}, code="phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _checked_hours(hours: list[Hours]) -> tuple[Hours, ...]:
    if len(hours) != 7:
        message = _("Ange öppettider för veckans sju dagar.")
        raise ValidationError({NON_FIELD_ERRORS: [message]}, code="hours")
    errors = {}
    for weekday, day in enumerate(hours):
        if day is not None and not day[0] < day[1]:
            name = format_local(datetime.date(2024, 1, 1 + weekday), "weekday")
            errors[f"closes_{weekday}"] = _(
                "Stängningstiden måste vara senare än öppningstiden (%(day)s)."
            ) % {"day": name}
    if errors:
        raise ValidationError(errors, code="hours")
    return tuple(
        (day[0].replace(second=0, microsecond=0), day[1].replace(second=0, microsecond=0))
        if day
        else None
        for day in hours
    )


def _checked(phone: str, email: str, hours: list[Hours]) -> Contact:
    """The contact to save, or every field's refusal at once."""
    errors: dict[str, list[str]] = {}
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Ange en giltig e-postadress.")]
    number, days = "", MANUAL.hours
    try:
        number = normalize_phone(phone)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        days = _checked_hours(hours)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return Contact(number, email, days)


def update_contact(
    *,
    phone: str,
    email: str,
    hours: list[Hours],
    actor: AbstractBaseUser,
    ip_address: str | None = None,
) -> Contact:
    """An operator saves the desk's contact details and hours; written to the operator log in
    the same transaction. Bad input raises ValidationError (by field) and changes nothing."""
    contact = _checked(phone, email, hours)
    connection.set_schema_to_public()
    with transaction.atomic():
        before = _contact(SupportContact.objects.select_for_update().filter(pk=1).first())
        SupportContact.objects.update_or_create(
            pk=1,
            defaults={
                "phone": contact.phone,
                "email": contact.email,
                "hours": _hours_json(contact.hours),
                "updated_at": clock.now(),
                "updated_by_id": actor.pk,
            },
        )
        operator_log.record(
            OperatorActionKind.SUPPORT_CONTACT,
            actor=actor,
            ip_address=ip_address,
            before=json.loads(before.to_json()),
            after=json.loads(contact.to_json()),
        )
        transaction.on_commit(forget_cached)
    return contact


@dataclass(frozen=True)
class Shown:
    """What the support box of a page shows (includes/support_contact.html)."""

    contact: Contact
    status: OpeningStatus
    week: list[tuple[str, str]]


def shown(now: datetime.datetime | None = None) -> Shown:
    contact = current()
    return Shown(contact, opening_status(contact, now), week_lines(contact))
