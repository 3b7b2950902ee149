"""The day and week views' layout (bookings.schedule): Swedish dates, weeks from Monday, rows in
Swedish time on the days of 23 and 25 hours, overlapping visits side by side, and the empty
half hours that start an invite."""

import datetime

import pytest
import time_machine
from django.utils import translation

from careplatform.timeutil import SUMMER_TIME, WINTER_TIME, local_datetime
from tenant_apps.bookings import schedule, selectors, services
from tenant_apps.profiles.models import VisitType
from tests.bookings.helpers import patient_spec
from tests.clients import logged_in

# 2026: summer time ends on 25 October (02:00–02:59 twice); 2027: it begins on 28 March
# (02:00–02:59 never).
AUTUMN = datetime.date(2026, 10, 25)
SPRING = datetime.date(2027, 3, 28)
BEFORE = "2026-10-01 12:00 +0200"


def at(day: datetime.date, hhmm: str, fold: int | None = None) -> datetime.datetime:
    hour, minute = map(int, hhmm.split(":"))
    return local_datetime(day, datetime.time(hour, minute), fold=fold)


def book(cast, n: int, starts_at: datetime.datetime, **kwargs):
    values = {
        "actor": cast.clinician,
        "clinician": cast.clinician,
        "visit_type": cast.one_to_one,  # 30 minutes
        "provider": cast.provider,
        "patients": [patient_spec(n)],
        "starts_at": starts_at,
    }
    return services.invite(**(values | kwargs))


def grid_of(user, kind: str, day: datetime.date, **kwargs) -> schedule.Grid:
    shown = schedule.period(kind, day)
    whose = kwargs.pop("whose", user)
    bookings = selectors.calendar_bookings(user, whose, shown.start, shown.end)
    viewer = schedule.Viewer(user, local_datetime(day, datetime.time(0, 0)), day)
    return schedule.build(viewer, shown, bookings, whose=whose, **kwargs)


def rows(items) -> int:
    return sum(item.span for item in items)


def placed(column: schedule.Column) -> dict[str, int]:
    """Each visit's times -> the row it begins on, counted from the top of the column."""
    found, row = {}, 0
    for item in column.items:
        if item.kind == "visit":
            found[item.visit.times] = row
        row += item.span
    return found


def test_swedish_short_days_and_weeks_from_monday():
    assert schedule.short_day(datetime.date(2026, 11, 30)) == "mån 30 nov."
    assert schedule.short_day(datetime.date(2027, 5, 1)) == "lör 1 maj"
    sunday = schedule.period(schedule.WEEK, datetime.date(2026, 12, 6))
    assert sunday.days[0] == datetime.date(2026, 11, 30) and len(sunday.days) == 7
    assert sunday.title == "Vecka 49, 30 nov.–6 dec. 2026"
    assert schedule.period(schedule.WEEK, datetime.date(2026, 12, 9)).title == (
        "Vecka 50, 7–13 dec. 2026"
    )
    assert (sunday.previous, sunday.next) == (
        datetime.date(2026, 11, 23),
        datetime.date(2026, 12, 7),
    )
    assert schedule.period(schedule.DAY, datetime.date(2026, 11, 30)).title == (
        "måndag 30 november 2026"
    )
    with translation.override("en"):
        assert schedule.short_day(datetime.date(2026, 11, 30)) == "Mon 30 Nov"


def test_days_have_23_24_and_25_hours():
    assert len(schedule.day_rows(SPRING)) == 23 * 12
    assert len(schedule.day_rows(SPRING + datetime.timedelta(days=1))) == 24 * 12
    assert len(schedule.day_rows(AUTUMN)) == 25 * 12
    assert schedule.period(schedule.DAY, AUTUMN).end - schedule.period(
        schedule.DAY, AUTUMN
    ).start == datetime.timedelta(hours=25)


@time_machine.travel(BEFORE, tick=False)
def test_the_night_clocks_go_back_shows_both_0230s_an_hour_apart(ready):
    book(ready, 1, at(AUTUMN, "02:30", SUMMER_TIME))
    book(ready, 2, at(AUTUMN, "02:30", WINTER_TIME))
    grid = grid_of(ready.clinician, schedule.DAY, AUTUMN)
    column = grid.columns[0]
    assert column.note == "25 timmar: klockan ställs tillbaka en timme"
    marks = [mark.label for mark in grid.axis]
    assert marks[:5] == ["02:00 sommartid", "02:00 vintertid", "03:00", "04:00", "05:00"]
    starts = placed(column)
    summer = starts["02:30 sommartid–02:00 vintertid"]
    winter = starts["02:30 vintertid–03:00"]
    assert winter - summer == 12  # one hour of 5-minute rows
    assert rows(column.items) == rows(column.slots) == rows(grid.axis) == 17 * 12  # 02:00 to 18:00


@time_machine.travel(BEFORE, tick=False)
def test_a_week_with_the_25_hour_day_marks_the_repeated_hour_missing_on_the_other_days(ready):
    book(ready, 1, at(AUTUMN, "02:00", WINTER_TIME))
    grid = grid_of(ready.clinician, schedule.WEEK, AUTUMN)
    monday, sunday = grid.columns[0], grid.columns[6]
    assert [c.note for c in grid.columns[:6]] == [""] * 6 and sunday.note
    # Every column as long as the axis: the rows line up across the week.
    assert (
        {rows(c.items) for c in grid.columns}
        == {rows(c.slots) for c in grid.columns}
        == {rows(grid.axis)}
    )
    assert [item.kind for item in monday.slots if item.kind == "missing"] == ["missing"]
    assert not any(item.kind == "missing" for item in sunday.slots)
    assert grid.axis[0].label == "02:00 vintertid"
    assert placed(sunday) == {"02:00 vintertid–02:30 vintertid": 0}


@time_machine.travel("2027-03-01 12:00 +0100", tick=False)
def test_the_23_hour_day_has_no_0200_and_a_visit_across_it_lasts_its_real_length(ready):
    book(ready, 1, at(SPRING, "01:30"), visit_type=ready.group)  # 60 minutes: to 03:30
    day = grid_of(ready.clinician, schedule.DAY, SPRING)
    assert [mark.label for mark in day.axis][:3] == ["01:00", "03:00", "04:00"]
    (visit,) = [item for item in day.columns[0].items if item.kind == "visit"]
    assert visit.visit.times == "01:30–03:30" and visit.span == 12
    assert day.columns[0].note == "23 timmar: klockan ställs fram en timme"
    week = grid_of(ready.clinician, schedule.WEEK, SPRING)
    sunday = week.columns[6]
    assert [item.kind for item in sunday.slots].count("missing") == 1
    assert {rows(c.items) for c in week.columns} == {rows(week.axis)}


@time_machine.travel(BEFORE, tick=False)
def test_the_day_view_of_the_25_hour_day_renders_in_the_page(ready):
    book(ready, 1, at(AUTUMN, "02:30", SUMMER_TIME))
    book(ready, 2, at(AUTUMN, "02:30", WINTER_TIME))
    page = logged_in(ready.clinician, ready).get("/bokningar/dag/", {"datum": "2026-10-25"})
    text = page.content.decode()
    assert page.status_code == 200
    assert text.index("02:30 sommartid–02:00 vintertid") < text.index("02:30 vintertid–03:00")
    assert "25 timmar: klockan ställs tillbaka en timme" in text
    # The empty half hours of that night start invites at the time meant, summer or winter.
    assert "time=02%3A00&amp;fold=0" in text and "time=02%3A00&amp;fold=1" in text


@time_machine.travel(BEFORE, tick=False)
def test_empty_half_hours_start_invites_and_the_rest_of_one_after_a_visit(ready):
    day = datetime.date(2026, 10, 14)
    book(ready, 1, at(day, "10:15"), visit_type=ready.group)  # 10:15–11:15
    grid = grid_of(ready.clinician, schedule.DAY, day)
    free = [(item.hint, item.span) for item in grid.columns[0].slots if item.kind == "free"]
    assert ("10:00", 3) in free and ("11:15", 3) in free and ("11:30", 6) in free
    assert not any(hint.startswith("10:30") or hint == "11:00" for hint, _span in free)
    (link,) = [i.href for i in grid.columns[0].slots if i.hint == "11:30"]
    assert link == "/bokningar/ny/?date=2026-10-14&time=11%3A30"


@time_machine.travel("2026-10-14 09:40 +0200", tick=False)
def test_half_hours_that_have_begun_start_no_invite(ready):
    day = datetime.date(2026, 10, 14)
    shown = schedule.period(schedule.DAY, day)
    viewer = schedule.Viewer(ready.clinician, at(day, "09:40"), day)
    column = schedule.build(viewer, shown, [], whose=ready.clinician).columns[0]
    free = [item.hint for item in column.slots if item.kind == "free"]
    assert free[0] == "10:00" and column.slots[0].kind == "past"


@time_machine.travel(BEFORE, tick=False)
def test_overlapping_visits_of_several_clinicians_stand_side_by_side(ready, kalles_patient):
    day = datetime.date(2026, 10, 14)  # a Wednesday
    kalle = ready.colleague
    book(ready, 1, at(day, "10:00"))
    kalles = VisitType.objects.get(clinician=kalle)  # 20 minutes
    book(ready, 2, at(day, "10:15"), actor=kalle, clinician=kalle, visit_type=kalles)
    grid = grid_of(ready.admin, schedule.WEEK, day, whose=None)
    (group,) = [item for item in grid.columns[2].items if item.kind == "group"]
    assert group.span == 7  # 10:00 to 10:35
    assert [[item.kind for item in lane] for lane in group.lanes] == [["visit"], ["gap", "visit"]]
    visits = [item.visit for lane in group.lanes for item in lane if item.kind == "visit"]
    assert [visit.order for visit in visits] == [1, 2]
    # In a week of every clinician, each visit says whose it is.
    assert [visit.what for visit in visits] == [
        "Återbesök · Klara Kliniker",
        "Kalles besök · Kalle Kollega",
    ]


@pytest.mark.parametrize("hours", [(6, 18), (7, 21)])
@time_machine.travel(BEFORE, tick=False)
def test_the_hours_shown_widen_to_every_visit(ready, hours):
    day = datetime.date(2026, 10, 14)
    start = "06:40" if hours[0] == 6 else "20:10"
    book(ready, 1, at(day, start))
    grid = grid_of(ready.clinician, schedule.WEEK, day)
    labels = [mark.label for mark in grid.axis]
    assert (labels[0], labels[-1]) == (f"{hours[0]:02d}:00", f"{hours[1] - 1:02d}:00")
