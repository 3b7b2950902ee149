"""Local (Europe/Stockholm) wall-clock times to UTC, DST-correct."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LOCAL = ZoneInfo(settings.TIME_ZONE)


def local_datetime(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """An aware datetime for a Swedish wall-clock time. A time that does not exist (the hour
    skipped when clocks go forward) is refused; an ambiguous one (the hour repeated when clocks
    go back) means its first occurrence."""
    naive = datetime.datetime.combine(day, time.replace(tzinfo=None, fold=0))
    aware = naive.replace(tzinfo=LOCAL)
    round_trip = aware.astimezone(datetime.UTC).astimezone(LOCAL)
    if round_trip.replace(tzinfo=None) != naive:
        raise ValidationError(
            _("Tiden %(time)s finns inte den dagen (klockan ställs om till sommartid).")
            % {"time": time.strftime("%H:%M")},
            code="nonexistent_time",
        )
    return aware


def local(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(LOCAL)
