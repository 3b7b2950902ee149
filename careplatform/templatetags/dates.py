"""`{{ booking.starts_at|when }}`: dates and times on pages, through careplatform.timeutil's
format_local (Swedish time, the page's language). Styles are timeutil.STYLES."""

import datetime

from django import template

from careplatform.timeutil import format_local

register = template.Library()


@register.filter
def when(value: datetime.datetime | datetime.date | None, style: str = "datetime") -> str:
    if value in (None, ""):
        return ""
    return format_local(value, style)
