"""The one source of "now". Tests move it with time-machine; nothing calls datetime.now()."""

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    return timezone.now()


def today_local() -> datetime.date:
    return timezone.localdate(now())
