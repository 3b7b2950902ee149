"""Reading bookings: every list the pages, the API, calendar files and the video prompts show
comes from here, so two interfaces cannot list different bookings for the same question.

Whose bookings a list holds is bookings.access: admins every booking of their provider; a
clinician the bookings they are the clinician of and the colleague test visits they are
invited to; a patient the visits they are invited to.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _

from careplatform import clock
from careplatform.timeutil import local_day_range
from tenant_apps.accounts.models import User
from tenant_apps.accounts.search import search_users
from tenant_apps.bookings.access import own_bookings, visible_bookings
from tenant_apps.bookings.models import (
    HOLDS_TIME,
    Booking,
    BookingStatus,
    Participant,
    ParticipantRole,
)
from tenant_apps.bookings.services import can_decline, effective_status

UPCOMING_LIMIT = 100
SEARCH_MAX_LENGTH = 100  # characters of a patient search


@dataclass(frozen=True)
class BookingFilters:
    """The booking list's filters, as the page's form and the API's query parameters give
    them: the effective status, local days (Europe/Stockholm, both inclusive), a patient's name
    or personnummer and, for admins, one clinician."""

    status: str | None = None
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None
    clinician_id: int | None = None
    search: str = ""


def check_day_order(first_day: datetime.date | None, last_day: datetime.date | None) -> None:
    """The list's last day may not come before its first (the page and the API say so)."""
    if first_day and last_day and last_day < first_day:
        raise ValidationError(_("Slutdatum kan inte vara före startdatum."), code="day_order")


ROW_RELATIONS = ("clinician__profile", "visit_type", "participants__user")


def rows(bookings: QuerySet[Booking], *also: str | Prefetch) -> QuerySet[Booking]:
    """Everything a booking row shows (clinician and yrkestitel, visit type, participants) and
    the lookups in `also` (the API adds SMS statuses), in a constant number of queries.
    Prefetched rather than joined: PostgreSQL then sorts and pages the bookings alone, not a
    join of all of them (10,000 bookings: 2 ms instead of 11 ms)."""
    return bookings.prefetch_related(*ROW_RELATIONS, *also)


def with_row(booking: Booking, *also: str | Prefetch) -> Booking:
    """One booking (from an access helper) with what `rows` loads."""
    prefetch_related_objects([booking], *ROW_RELATIONS, *also)
    return booking


def with_patient(bookings: QuerySet[Booking], text: str) -> QuerySet[Booking]:
    """Narrow `bookings` to those with an invited patient whose name or personnummer matches
    `text` (accounts.search). Only the bookings' own patients are searched: `bookings` is
    already what the caller may see, so a clinician finds their own patients, an admin the
    provider's."""
    if not text.strip():
        return bookings
    found = search_users(User.objects.filter(is_patient=True), text, contact_details=False)
    invited = Participant.objects.filter(role=ParticipantRole.PATIENT, user__in=found)
    return bookings.filter(pk__in=invited.values("booking_id"))


def with_effective_status(
    bookings: QuerySet[Booking], status: str, now: datetime.datetime | None = None
) -> QuerySet[Booking]:
    """Narrow `bookings` to those whose effective_status is `status`, in SQL (list filters)."""
    now = now or clock.now()
    overdue = Q(status=BookingStatus.UNCONFIRMED, starts_at__lte=now)
    if status == BookingStatus.EXPIRED:
        return bookings.filter(overdue | Q(status=BookingStatus.EXPIRED))
    if status == BookingStatus.UNCONFIRMED:
        return bookings.filter(status=status, starts_at__gt=now)
    return bookings.filter(status=status)


def booking_list(user: User, filters: BookingFilters | None = None) -> QuerySet[Booking]:
    """The booking list of the Bokningar page and of the API, by start time: the bookings the
    user may see (bookings.access.visible_bookings), narrowed by `filters`. The clinician
    filter is for admins; anyone else sees only their own bookings anyway."""
    bookings = visible_bookings(user)
    filters = filters or BookingFilters()
    if filters.status:
        bookings = with_effective_status(bookings, filters.status)
    start, end = local_day_range(filters.first_day, filters.last_day)
    if start is not None:
        bookings = bookings.filter(starts_at__gte=start)
    if end is not None:
        bookings = bookings.filter(starts_at__lt=end)
    if filters.clinician_id is not None and user.is_admin:
        bookings = bookings.filter(clinician_id=filters.clinician_id)
    return with_patient(bookings, filters.search).order_by("starts_at", "id")


def _upcoming(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    return bookings.filter(ends_at__gte=clock.now()).order_by("starts_at", "id")


def upcoming_unconfirmed(user: User, limit: int = UPCOMING_LIMIT) -> list[Booking]:
    """Bokningar, Obekräftade: the list's bookings still waiting for a patient's confirmation."""
    upcoming = with_effective_status(_upcoming(visible_bookings(user)), BookingStatus.UNCONFIRMED)
    return list(rows(upcoming)[:limit])


def upcoming_confirmed(user: User, limit: int = UPCOMING_LIMIT) -> list[Booking]:
    """Bokningar, Bekräftade: the list's confirmed bookings that have not ended."""
    upcoming = _upcoming(visible_bookings(user)).filter(status=BookingStatus.CONFIRMED)
    return list(rows(upcoming)[:limit])


def own_upcoming_confirmed(user: User, limit: int = 10) -> list[Booking]:
    """Översikt: the confirmed visits the user takes part in (as their clinician or invited as a
    colleague) that have not ended; for an admin too only their own, not the provider's."""
    upcoming = _upcoming(own_bookings(user)).filter(status=BookingStatus.CONFIRMED)
    return list(rows(upcoming)[:limit])


@dataclass(frozen=True)
class PatientVisit:
    booking: Booking
    status: str  # effective_status
    mine: Participant  # the patient's own participation
    can_decline: bool  # "Jag kan inte komma" is offered


def patient_visits(user: User, limit: int = 50) -> list[PatientVisit]:
    """Mina besök (manual 7.4): the patient's visits that have not ended, each with its
    effective status, the patient's own participation (confirmed, or cannot come) and whether
    they can still say they cannot come."""
    upcoming = _upcoming(Booking.objects.filter(participants__user=user))
    now = clock.now()
    visits = []
    for booking in rows(upcoming)[:limit]:
        mine = next(p for p in booking.participants.all() if p.user_id == user.pk)
        visits.append(
            PatientVisit(
                booking, effective_status(booking, now), mine, can_decline(booking, mine, now)
            )
        )
    return visits


def calendar_feed_bookings(user: User, since: datetime.datetime) -> QuerySet[Booking]:
    """A calendar feed: the user's own bookings (bookings.access.own_bookings) from `since`
    that hold their time or were held."""
    return (
        own_bookings(user)
        .filter(starts_at__gte=since, status__in=[*HOLDS_TIME, BookingStatus.COMPLETED])
        .order_by("starts_at", "id")
    )


def calendar_bookings(
    user: User,
    whose: User | None,
    start: datetime.datetime,
    end: datetime.datetime,
    search: str = "",
) -> list[Booking]:
    """The day and week views (bookings.schedule): the visits of `whose` (those they take part
    in, bookings.access.own_bookings) or, `whose` None, every visit `user` may see (admins: the
    provider's), that overlap [start, end) and hold or held their time (unconfirmed ones not yet
    begun, confirmed, completed), narrowed by a patient search as the list is (with_patient).
    Whose calendar `user` may see is bookings.access.calendar_owner."""
    bookings = visible_bookings(user) if whose is None else own_bookings(whose)
    now = clock.now()
    held = Q(status__in=[BookingStatus.CONFIRMED, BookingStatus.COMPLETED]) | Q(
        status=BookingStatus.UNCONFIRMED, starts_at__gt=now
    )
    bookings = bookings.filter(held, starts_at__lt=end, ends_at__gt=start)
    return list(rows(with_patient(bookings, search).order_by("starts_at", "id")))
