"""Local (Europe/Stockholm) wall-clock times to UTC, DST-correct, and the one way a date or
time is written for people (`format_local`: pages, SMS, messages)."""

import datetime
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

LOCAL = ZoneInfo(settings.TIME_ZONE)
# Which of the two occurrences of a time on the night clocks go back: the first is still summer
# time (fold 0), the second winter time (fold 1).
SUMMER_TIME, WINTER_TIME = 0, 1


def local_datetime(
    day: datetime.date, time: datetime.time, *, fold: int | None = None
) -> datetime.datetime:
    """An aware datetime for a Swedish wall-clock time. A time that does not exist (the hour
    skipped when clocks go forward) is refused; so is an ambiguous one (the hour repeated when
    clocks go back) unless `fold` says which occurrence is meant. A date so far from today that
    it cannot be converted to UTC is refused too."""
    naive = datetime.datetime.combine(day, time.replace(tzinfo=None, fold=0))
    hhmm = time.strftime("%H:%M")
    try:
        first = naive.replace(tzinfo=LOCAL)
        second = naive.replace(tzinfo=LOCAL, fold=1)
        round_trip = first.astimezone(datetime.UTC).astimezone(LOCAL)
        ambiguous = first.utcoffset() != second.utcoffset()
    except OverflowError:
        raise ValidationError(
            _("Datumet %(date)s går inte att använda.") % {"date": day.isoformat()},
            code="out_of_range",
        ) from None
    if round_trip.replace(tzinfo=None) != naive:
        raise ValidationError(
            _("Tiden %(time)s finns inte den dagen (klockan ställs om till sommartid).")
            % {"time": hhmm},
            code="nonexistent_time",
        )
    if ambiguous and fold is None:
        raise ValidationError(
            _(
                "Tiden %(time)s finns två gånger den natten (klockan ställs tillbaka till "
                "vintertid). Ange vilken du menar: %(time)s sommartid (UTC+2) eller %(time)s "
                "vintertid (UTC+1)."
            )
            % {"time": hhmm},
            code="ambiguous_time",
        )
    return second if ambiguous and fold == WINTER_TIME else first


def local_day_range(
    first: datetime.date | None, last: datetime.date | None
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """[start of `first`, start of the day after `last`) in local time, for list filters. A
    bound at the edge of the calendar (year 1, year 9999) is no bound at all."""
    midnight = datetime.time(0, 0)

    def start_of(day: datetime.date | None, days_after: int) -> datetime.datetime | None:
        if day is None:
            return None
        try:
            return local_datetime(day + datetime.timedelta(days=days_after), midnight)
        except OverflowError:  # the day after 9999-12-31
            return None
        except ValidationError as error:
            if error.code != "out_of_range":
                raise
            return None

    return start_of(first, 0), start_of(last, 1)


def local(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(LOCAL)


# How dates and times are written, by style: CLDR patterns (Babel), so that month and weekday
# names come from the language's own data ("mån 30 nov. 2026 15:45", "Mon 30 Nov 2026 15:45"),
# never from a hand-kept list. A style with a pattern per language differs in more than names.
STYLES: dict[str, str | dict[str, str]] = {
    "datetime": "EEE d MMM y HH:mm",  # mån 30 nov. 2026 15:45
    "date": "EEE d MMM y",  # mån 30 nov. 2026
    "long_datetime": "EEEE d MMMM y HH:mm",  # måndag 30 november 2026 15:45
    "long_date": "EEEE d MMMM y",  # måndag 30 november 2026
    "month": "LLLL y",  # november 2026 (the console's "this month")
    "day_time": "d MMM HH:mm",  # 30 nov. 15:45 (this year's events: the SMS log)
    "long_day_time": "d MMMM HH:mm",  # 30 november 15:45
    "time": "HH:mm",  # 15:45
    "timestamp": "y-MM-dd HH:mm:ss",  # 2026-11-30 15:45:07 (logs: sortable, exact)
    # SMS (notifications.texts): short enough for one segment with the longest day of the year.
    "sms": {"sv": "EEEE d/M 'kl.' HH.mm", "en": "EEEE d MMM 'at' HH:mm"},
    "sms_time": {"sv": "'kl.' HH.mm", "en": "HH:mm"},
}
LANGUAGES = {code for code, _name in settings.LANGUAGES}


def format_local(
    value: datetime.datetime | datetime.date, style: str = "datetime", language: str = ""
) -> str:
    """`value` written for people in `language` (default: the active one), in Swedish time.
    A date without a time takes the date styles; a naive datetime is refused (times are stored
    aware, in UTC)."""
    language = _language(language or translation.get_language() or settings.LANGUAGE_CODE)
    pattern = STYLES[style]
    if isinstance(pattern, dict):
        pattern = pattern[language]
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ValueError("format_local needs an aware datetime")
        return babel_dates.format_datetime(value, pattern, tzinfo=LOCAL, locale=language)
    return babel_dates.format_date(value, pattern, locale=language)


def _language(code: str) -> str:
    base = code.split("-")[0].lower()
    return base if base in LANGUAGES else settings.LANGUAGE_CODE
