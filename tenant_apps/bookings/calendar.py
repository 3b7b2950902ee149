"""Calendar files: an .ics per booking, and a clinician's private feed (RFC 5545).

The feed carries no patient names or personnummer: the title is "Videobesök", with the time and
a link to the booking behind the login."""

import datetime
import hashlib
import secrets
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from careplatform import clock
from careplatform.timeutil import LOCAL
from tenant_apps.accounts.models import User
from tenant_apps.bookings.models import Booking, BookingStatus, CalendarFeed
from tenant_apps.bookings.selectors import calendar_feed_bookings

ICS_STATUS = {
    BookingStatus.UNCONFIRMED: "TENTATIVE",
    BookingStatus.CONFIRMED: "CONFIRMED",
    BookingStatus.COMPLETED: "CONFIRMED",
    BookingStatus.CANCELLED: "CANCELLED",
    BookingStatus.EXPIRED: "CANCELLED",
}
FEED_DAYS_BACK = 30


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//CarePlatform//Videobesök//SV")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(LOCAL))
    return calendar


def _event(booking: Booking, host: str, booking_url: str) -> Event:
    event = Event()
    event.add("uid", f"booking-{booking.pk}@{host}")
    event.add("summary", _("Videobesök"))
    event.add("dtstart", booking.starts_at.astimezone(LOCAL))
    event.add("dtend", booking.ends_at.astimezone(LOCAL))
    event.add("dtstamp", clock.now())
    event.add("sequence", booking.version)
    event.add("status", ICS_STATUS[BookingStatus(booking.status)])
    event.add("url", booking_url)
    event.add(
        "description", _("Logga in med BankID för att se besöket: %(url)s") % {"url": booking_url}
    )
    return event


def booking_ics(booking: Booking, host: str, booking_url: str, provider_name: str) -> bytes:
    calendar = _calendar(provider_name)
    calendar.add_component(_event(booking, host, booking_url))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_ics(user: User, host: str, url_for: Callable[[Booking], str], provider_name: str) -> bytes:
    since = clock.now() - datetime.timedelta(days=FEED_DAYS_BACK)
    bookings = calendar_feed_bookings(user, since)
    calendar = _calendar(provider_name)
    for booking in bookings:
        calendar.add_component(_event(booking, host, url_for(booking)))
    calendar.add_missing_timezones()
    return calendar.to_ical()


@transaction.atomic
def new_feed_token(user: User) -> str:
    """A new secret link; the previous one stops working."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_hash": _hash(token), "created_at": clock.now()}
    )
    return token


def revoke_feed(user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()


def feed_owner(token: str) -> User | None:
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=_hash(token)).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user
