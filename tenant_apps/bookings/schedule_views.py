"""Bokningar as a day and a week view (bookings.schedule lays them out). Calendar files are
calendar_views.py."""

import datetime
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from careplatform import clock
from careplatform.access import role_required
from tenant_apps.accounts.access import staff_members
from tenant_apps.accounts.http import AuthenticatedRequest
from tenant_apps.accounts.models import User
from tenant_apps.bookings import schedule, selectors
from tenant_apps.bookings.access import calendar_owner, sees_every_calendar
from tenant_apps.bookings.forms import ScheduleForm
from tenant_apps.bookings.models import Booking

EVERYONE = "alla"  # ?clinician=alla: every clinician side by side (admins)


@role_required("admin", "clinician")
@require_GET
def day(request: AuthenticatedRequest) -> HttpResponse:
    return _view(request, schedule.DAY)


@role_required("admin", "clinician")
@require_GET
def week(request: AuthenticatedRequest) -> HttpResponse:
    return _view(request, schedule.WEEK)


def _whose(user: User, chosen: str) -> User | None:
    """The `clinician` parameter: someone's calendar (bookings.access.calendar_owner), or None
    for everyone's (admins). Without one: the user's own, an admin who is no clinician
    everyone's."""
    if not chosen:
        chosen = EVERYONE if user.is_admin and not user.is_clinician else str(user.pk)
    if chosen == EVERYONE and sees_every_calendar(user):
        return None
    if not chosen.isdigit() or len(chosen) > 18:
        raise Http404("Ingen sådan kalender")
    return calendar_owner(user, int(chosen))


def _view(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    user = request.user
    whose = _whose(user, request.GET.get("clinician", ""))
    today = clock.today_local()
    data = request.GET.copy()
    if not data.get("datum"):
        data["datum"] = today.isoformat()
    form = ScheduleForm(data, label_suffix="")
    chosen = form.cleaned_data if form.is_valid() else {}
    shown = schedule.period(kind, chosen.get("datum") or today)
    search = chosen.get("q", "")
    bookings = selectors.calendar_bookings(user, whose, shown.start, shown.end, search)
    clinicians = _clinicians(bookings) if sees_every_calendar(user) else []
    side_by_side = whose is None and kind == schedule.DAY
    grid = schedule.build(
        schedule.Viewer(user, clock.now(), today),
        shown,
        bookings,
        clinicians=clinicians if side_by_side else None,
        whose=whose,
    )
    keep = {"clinician": request.GET.get("clinician", ""), "q": search}
    context = {
        "form": form,
        "grid": grid,
        "kind": kind,
        "whose": whose,
        "everyone": EVERYONE,
        "choices": _choices(user, clinicians, whose),
        "search": search,
        "side_by_side": side_by_side,
        "links": _links(kind, shown, today, keep),
        "list_url": reverse("bookings") + "?" + urlencode({"q": search}) if search else "",
    }
    status = 400 if form.errors else 200
    return render(request, "bookings/schedule.html", context, status=status)


def _clinicians(bookings: list[Booking]) -> list[User]:
    """Whom an admin can choose, and the columns side by side: the active clinicians, and
    anyone else who has a visit shown."""
    active = list(staff_members().filter(is_clinician=True, is_active=True))
    known = {person.pk for person in active}
    others = {b.clinician.pk: b.clinician for b in bookings if b.clinician.pk not in known}
    return active + sorted(others.values(), key=lambda person: (person.last_name, person.pk))


def _choices(user: User, clinicians: list[User], whose: User | None) -> list[User]:
    """Whom the admin's clinician choice lists: the clinicians, and whoever is shown."""
    if not sees_every_calendar(user):
        return []
    return clinicians + [whose] if whose and whose not in clinicians else clinicians


def _url(name: str, **params: object) -> str:
    query = urlencode({key: value for key, value in params.items() if value})
    return reverse(name) + ("?" + query if query else "")


def _links(
    kind: str, shown: schedule.Period, today: datetime.date, keep: dict[str, str]
) -> dict[str, str]:
    """Previous, next, today, and the other views, keeping whose calendar and the search."""
    name = "bookings-day" if kind == schedule.DAY else "bookings-week"
    return {
        "previous": _url(name, datum=shown.previous.isoformat(), **keep),
        "unsearched": _url(name, datum=shown.first.isoformat(), clinician=keep["clinician"]),
        "next": _url(name, datum=shown.next.isoformat(), **keep),
        "today": _url(name, **keep),
        "day": _url("bookings-day", datum=_day_of(shown, today).isoformat(), **keep),
        "week": _url("bookings-week", datum=shown.first.isoformat(), **keep),
    }


def _day_of(shown: schedule.Period, today: datetime.date) -> datetime.date:
    """The day the day view opens on from a week: today if it is in the week, else Monday."""
    return today if today in shown else shown.first
