"""The day and week views of Bokningar: which days and columns a view has, and where each visit
and each free half hour sits on a column, in Swedish time. (Calendar files are calendar.py.)

A column is a grid of 5-minute rows. A row is a Swedish wall-clock time and, on the night the
clocks go back, which of its two occurrences (fold). Every column of a view has the rows of the
view's longest day: a week with the 25-hour day shows its repeated hour on every day (marked on
the others as not there), and on the 23-hour day the hour that is skipped is marked. Items
follow each other down a column, each spanning a number of rows, so the page needs neither
script nor inline styles (the CSP allows none): calendar.css has a class per span.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from careplatform.timeutil import local, local_datetime
from tenant_apps.accounts.models import User
from tenant_apps.bookings.access import shown_participants
from tenant_apps.bookings.models import Booking, BookingStatus
from tenant_apps.bookings.services import effective_status

DAY, WEEK = "day", "week"
UNIT = datetime.timedelta(minutes=5)  # one row
SLOT_UNITS = 6  # an empty half hour: one click starts an invite there
HOUR_UNITS = 12
SHOWN_HOURS = (7, 18)  # the rows shown unless a visit lies outside them
MAX_SPAN = 25 * HOUR_UNITS  # calendar.css has .span-1 to .span-300
MAX_ORDER = 20  # and .order-1 to .order-20 (overlapping visits listed in time order)

MONTHS = [
    pgettext_lazy("kort månad", "jan."),
    pgettext_lazy("kort månad", "feb."),
    pgettext_lazy("kort månad", "mars"),
    pgettext_lazy("kort månad", "apr."),
    pgettext_lazy("kort månad", "maj"),
    pgettext_lazy("kort månad", "juni"),
    pgettext_lazy("kort månad", "juli"),
    pgettext_lazy("kort månad", "aug."),
    pgettext_lazy("kort månad", "sep."),
    pgettext_lazy("kort månad", "okt."),
    pgettext_lazy("kort månad", "nov."),
    pgettext_lazy("kort månad", "dec."),
]

# A row: minutes after midnight on the wall clock, and 1 for the second 02:00–02:59.
Row = tuple[int, int]


def short_day(day: datetime.date) -> str:
    """ "mån 30 nov." (Swedish) or "Mon 30 Nov." (English)."""
    return f"{dateformat.format(day, 'D')} {day.day} {MONTHS[day.month - 1]}"


def long_day(day: datetime.date) -> str:
    """ "måndag 30 november 2026"."""
    return dateformat.format(day, "l j F Y")


def clock_time(moment: datetime.datetime) -> str:
    """ "14:30" in Swedish time; on the night the clocks go back, which of the two 02:30s."""
    shown = local(moment)
    text = shown.strftime("%H:%M")
    other = shown.replace(fold=1 - shown.fold)
    if other.utcoffset() != shown.utcoffset():
        text += " " + (_("vintertid") if shown.fold else _("sommartid"))
    return text


# -- periods -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The days a view shows: one, or Monday to Sunday."""

    kind: str
    days: tuple[datetime.date, ...]

    @property
    def first(self) -> datetime.date:
        return self.days[0]

    @property
    def start(self) -> datetime.datetime:
        return day_start(self.days[0])

    @property
    def end(self) -> datetime.datetime:
        return day_start(self.days[-1] + datetime.timedelta(days=1))

    @property
    def previous(self) -> datetime.date:
        return self.first - datetime.timedelta(days=len(self.days))

    @property
    def next(self) -> datetime.date:
        return self.first + datetime.timedelta(days=len(self.days))

    @property
    def title(self) -> str:
        if self.kind == DAY:
            return long_day(self.first)
        first, last = self.first, self.days[-1]
        # "30 nov.–6 dec. 2026", and within one month "7–13 dec. 2026"
        starts = str(first.day)
        if first.month != last.month:
            starts += f" {MONTHS[first.month - 1]}"
        return _("Vecka %(week)s, %(first)s–%(last)s %(year)s") % {
            "week": first.isocalendar().week,
            "first": starts,
            "last": f"{last.day} {MONTHS[last.month - 1]}",
            "year": last.year,
        }

    def __contains__(self, day: datetime.date) -> bool:
        return day in self.days


def period(kind: str, day: datetime.date) -> Period:
    """The day, or the week (Monday first) that holds it."""
    if kind == DAY:
        return Period(DAY, (day,))
    monday = day - datetime.timedelta(days=day.weekday())
    return Period(WEEK, tuple(monday + datetime.timedelta(days=n) for n in range(7)))


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight in Sweden (it exists every day), in UTC: sums and differences of datetimes in
    one time zone are wall-clock ones in Python, and would lose or add the hour of a DST day."""
    return local_datetime(day, datetime.time(0, 0)).astimezone(datetime.UTC)


def day_rows(day: datetime.date) -> list[tuple[Row, datetime.datetime]]:
    """The day's rows with the moment each begins: 276, 288 or 300 of them."""
    start, end = day_start(day), day_start(day + datetime.timedelta(days=1))
    rows = []
    for n in range((end - start) // UNIT):
        moment = start + n * UNIT
        shown = local(moment)
        rows.append(((shown.hour * 60 + shown.minute, shown.fold), moment))
    return rows


# -- what a column holds -----------------------------------------------------------------------


@dataclass
class Visit:
    """A booking as a day or week view shows it."""

    booking: Booking
    day: str  # "mån 30 nov."
    status: str  # effective_status
    status_label: str
    times: str  # "10:00–10:30"
    people: str  # the participants the viewer may see
    what: str  # visit type, and the clinician when it is not the column's own
    label: str  # all of it, for screen readers and the tooltip
    order: int = 0  # its place among overlapping visits, for the day list of small screens


@dataclass
class Item:
    """One thing down a column: a visit, overlapping visits side by side (`lanes`), an empty
    half hour (`href`: the invite link), one that has begun, a stretch of nothing, or one that
    does not exist that day."""

    kind: str  # "visit", "group", "free", "past", "gap", "missing"
    span: int
    visit: Visit | None = None
    lanes: list[list["Item"]] = field(default_factory=list)
    href: str = ""  # an empty half hour: the invite form, its date and time filled in
    label: str = ""  # what the link does, for screen readers
    hint: str = ""  # its time, shown when pointed at


@dataclass
class Column:
    day: datetime.date
    heading: str
    is_today: bool
    note: str  # a day of 23 or 25 hours
    clinician: User | None
    visits: list[Visit]
    items: list[Item]  # the visits and the stretches between them
    slots: list[Item]  # the empty half hours under them

    @property
    def invite_href(self) -> str:
        """An invite on this day (where a small screen lists the visits without the hours)."""
        return f"{reverse('invite')}?{urlencode({'date': self.day.isoformat()})}"


@dataclass
class Mark:
    """An hour on the time axis."""

    label: str
    span: int


@dataclass
class Grid:
    period: Period
    axis: list[Mark]
    columns: list[Column]


# -- building a view ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    user: User
    now: datetime.datetime
    today: datetime.date


def build(
    viewer: Viewer,
    shown: Period,
    bookings: Sequence[Booking],
    *,
    clinicians: Sequence[User] | None = None,
    whose: User | None = None,
) -> Grid:
    """The view of `bookings` (bookings.selectors.calendar_bookings): one column per day of the
    period, or, given `clinicians` (every clinician, side by side), one per clinician of the
    day."""
    side_by_side = clinicians is not None
    specs: list[tuple[datetime.date, User | None]]
    if clinicians is not None:
        specs = [(shown.first, person) for person in clinicians]
    else:
        specs = [(day, whose) for day in shown.days]
    rows_of = {day: day_rows(day) for day in shown.days}
    axis = max(rows_of.values(), key=len)
    index = {row: n for n, (row, _moment) in enumerate(axis)}
    placed = [
        _placed(viewer, rows_of[day], index, bookings, day, person, side_by_side)
        for day, person in specs
    ]
    low, high = _shown_rows(axis, index, placed)
    columns = []
    for (day, person), visits in zip(specs, placed, strict=True):
        moments = {index[row]: moment for row, moment in rows_of[day]}
        columns.append(
            Column(
                day=day,
                heading=person.full_name if side_by_side and person else short_day(day),
                is_today=day == viewer.today,
                note=_day_note(len(rows_of[day]) // HOUR_UNITS),
                clinician=person,
                visits=[visit for _first, _after, visit in visits],
                items=_items(visits, moments, low, high),
                slots=_slots(viewer, visits, moments, low, high),
            )
        )
    return Grid(shown, _axis(axis, low, high), columns)


Placed = list[tuple[int, int, Visit]]  # first row, row after the last, the visit


def _placed(
    viewer: Viewer,
    rows: list[tuple[Row, datetime.datetime]],
    index: dict[Row, int],
    bookings: Iterable[Booking],
    day: datetime.date,
    person: User | None,
    side_by_side: bool,
) -> Placed:
    """The day's visits as rows of the view's axis; side by side, only `person`'s own."""
    start, end = rows[0][1], rows[-1][1] + UNIT
    found = []
    for booking in bookings:
        if booking.starts_at >= end or booking.ends_at <= start:
            continue
        if side_by_side and person is not None and booking.clinician_id != person.pk:
            continue
        first = _row_of(rows, index, max(booking.starts_at, start))
        after = _row_after(rows, index, min(booking.ends_at, end))
        found.append((first, after, _visit(viewer, booking, person)))
    return sorted(found, key=lambda placed: (placed[0], placed[1]))


def _row_of(
    rows: list[tuple[Row, datetime.datetime]], index: dict[Row, int], moment: datetime.datetime
) -> int:
    """The axis row `moment` falls in (rounded down to 5 minutes)."""
    n = int((moment - rows[0][1]) // UNIT)
    return index[rows[n][0]]


def _row_after(
    rows: list[tuple[Row, datetime.datetime]], index: dict[Row, int], moment: datetime.datetime
) -> int:
    """The axis row after the one `moment` ends in (rounded up to 5 minutes)."""
    units = -(-(moment - rows[0][1]) // UNIT)
    return index[rows[units - 1][0]] + 1


def _visit(viewer: Viewer, booking: Booking, person: User | None) -> Visit:
    status = effective_status(booking)
    status_label = str(BookingStatus(status).label)
    times = f"{clock_time(booking.starts_at)}–{clock_time(booking.ends_at)}"
    people = ", ".join(
        p.user.full_name
        for p in shown_participants(viewer.user, booking, booking.participants.all())
    )
    what = booking.visit_type.title
    if person is None or booking.clinician_id != person.pk:
        what += f" · {booking.clinician.full_name}"
    day = short_day(local(booking.starts_at).date())
    label = f"{day} {times}, {people}, {what}, {status_label}"
    return Visit(booking, day, status, status_label, times, people, what, label)


def _shown_rows(axis: list, index: dict[Row, int], placed: list[Placed]) -> tuple[int, int]:
    """From the first hour of the day shown to the last: SHOWN_HOURS, widened to whole hours
    around every visit."""
    low = index[(SHOWN_HOURS[0] * 60, 0)]
    high = index[(SHOWN_HOURS[1] * 60, 0)]
    for visits in placed:
        for first, after, _visit in visits:
            low = min(low, first - first % HOUR_UNITS)
            high = max(high, min(len(axis), -(-after // HOUR_UNITS) * HOUR_UNITS))
    return low, high


def _axis(axis: list[tuple[Row, datetime.datetime]], low: int, high: int) -> list[Mark]:
    rows = {row for row, _moment in axis}
    marks = []
    for n in range(low, high, HOUR_UNITS):
        (minutes, fold), _moment = axis[n]
        label = f"{minutes // 60:02d}:00"
        if (minutes, 1 - fold) in rows:
            label += " " + (_("vintertid") if fold else _("sommartid"))
        marks.append(Mark(label, min(HOUR_UNITS, high - n)))
    return marks


def _day_note(hours: int) -> str:
    if hours == 25:
        return _("25 timmar: klockan ställs tillbaka en timme")
    if hours == 23:
        return _("23 timmar: klockan ställs fram en timme")
    return ""


def _stretch(kind: str, span: int) -> list[Item]:
    return [Item(kind, min(MAX_SPAN, span - done)) for done in range(0, span, MAX_SPAN)]


def _blank(moments: dict[int, datetime.datetime], start: int, end: int) -> list[Item]:
    """Rows with nothing: a gap, and the rows that do not exist that day marked as such."""
    items: list[Item] = []
    n = start
    while n < end:
        missing = n not in moments
        stop = n
        while stop < end and (stop not in moments) == missing:
            stop += 1
        items += _stretch("missing" if missing else "gap", stop - n)
        n = stop
    return items


def _items(
    placed: Placed, moments: dict[int, datetime.datetime], low: int, high: int
) -> list[Item]:
    """The visits down the column, overlapping ones side by side in a group."""
    items: list[Item] = []
    at = low
    for first, after, group in _overlapping(placed):
        items += _blank(moments, at, first)
        if len(group) == 1:
            items.append(Item("visit", after - first, visit=group[0][2]))
        else:
            items.append(Item("group", after - first, lanes=_lanes(group, moments, first)))
        at = after
    return items + _blank(moments, at, high)


def _overlapping(placed: Placed) -> list[tuple[int, int, Placed]]:
    """The visits in runs that overlap one another: (first row, row after, the run)."""
    runs: list[tuple[int, int, Placed]] = []
    for first, after, visit in placed:
        if runs and first < runs[-1][1]:
            run_first, run_after, run = runs[-1]
            runs[-1] = (run_first, max(run_after, after), [*run, (first, after, visit)])
        else:
            runs.append((first, after, [(first, after, visit)]))
    return runs


def _lanes(group: Placed, moments: dict[int, datetime.datetime], start: int) -> list[list[Item]]:
    """Overlapping visits side by side: each in the first lane free at its start."""
    lanes: list[list[Item]] = []
    ends: list[int] = []  # the row after each lane's last visit
    for order, (first, after, visit) in enumerate(group, start=1):
        visit.order = min(order, MAX_ORDER)
        n = next((n for n, end in enumerate(ends) if end <= first), len(lanes))
        if n == len(lanes):
            lanes.append([])
            ends.append(start)
        lanes[n] += [*_blank(moments, ends[n], first), Item("visit", after - first, visit=visit)]
        ends[n] = after
    return lanes


def _slots(
    viewer: Viewer,
    placed: Placed,
    moments: dict[int, datetime.datetime],
    low: int,
    high: int,
) -> list[Item]:
    """The column's empty time in half hours (a half hour cut by a visit gives its rest): a
    link that starts an invite there, unless it has begun."""
    busy = {n for first, after, _visit in placed for n in range(first, after)}
    items: list[Item] = []
    n = low
    while n < high:
        if n in busy or n not in moments:
            stop = n + 1
            while stop < high and (stop in busy or stop not in moments):
                stop += 1
            items += _blank(moments, n, stop)
            n = stop
            continue
        stop = n + 1
        while stop < high and stop % SLOT_UNITS and stop not in busy and stop in moments:
            stop += 1
        starts = moments[n]
        if starts <= viewer.now:
            items.append(Item("past", stop - n))
        else:
            items.append(_free(starts, stop - n))
        n = stop
    return items


def _free(starts: datetime.datetime, span: int) -> Item:
    shown = local(starts)
    ambiguous = shown.replace(fold=1 - shown.fold).utcoffset() != shown.utcoffset()
    label = _("Bjud in till besök %(day)s %(time)s") % {
        "day": short_day(shown.date()),
        "time": clock_time(starts),
    }
    query = {"date": shown.date().isoformat(), "time": shown.strftime("%H:%M")}
    if ambiguous:  # the night the clocks go back: which of the two
        query["fold"] = str(shown.fold)
    href = f"{reverse('invite')}?{urlencode(query)}"
    return Item("free", span, href=href, label=label, hint=clock_time(starts))
