"""Local (Europe/Stockholm) wall-clock times to UTC, DST-correct."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
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
