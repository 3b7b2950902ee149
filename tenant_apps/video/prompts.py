"""The prompts that take people into their visit (manual 6, 7.6): "Starta videomöte" on staff
pages and "Börja videobesöket" on the patient's start page while the room is open (rooms.is_open:
from 15 minutes before the start until 5 minutes after the planned end), and, for the visit's
clinician, who is waiting in the room ("Pelle väntar sedan 10:01").

Read in one statement for any number of users of any number of providers: a page asks for its
user when it is rendered, and each server process's prompt watch (prompt_watch.py) for all its
pages that are due. Each state says when it next changes by the clock, so the watch knows when
to read it again. A patient's state holds only their own visits; who is waiting is read only for
the visit's clinician, so no patient learns of another.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import ProgrammingError
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import translation

from careplatform import clock
from tenant_apps.accounts.models import User
from tenant_apps.bookings.models import Booking, BookingStatus, Participant
from tenant_apps.profiles.models import MAX_DURATION, VisitType
from tenant_apps.video import rooms
from tenant_apps.video.models import RoomConnection
from tenants.db import connection
from tenants.models import CareProvider, ProviderStatus

# A state is read again at the latest this much later; visits starting after that are not read.
LOOKAHEAD = datetime.timedelta(hours=1)
# A visit lasts at most MAX_DURATION minutes (profiles): this only narrows the index range read.
LONGEST_VISIT = datetime.timedelta(minutes=MAX_DURATION)
# The first moment after a room's last open moment (times are kept to the microsecond).
TICK = datetime.timedelta(microseconds=1)

STAFF_TEMPLATE = "video/_staff_prompts.html"
PATIENT_TEMPLATE = "video/_patient_start.html"


@dataclass(frozen=True)
class Waiting:
    """Someone in the room before the clinician: their first name and since when."""

    user_id: int
    first_name: str
    since: datetime.datetime


@dataclass(frozen=True)
class Prompt:
    booking: Booking  # pk, clinician_id, status, starts_at and ends_at
    title: str
    clinician_name: str
    hosting: bool  # the user is the visit's clinician
    waiting: tuple[Waiting, ...] = ()


@dataclass(frozen=True)
class PromptState:
    active: bool
    session_generation: int
    prompts: tuple[Prompt, ...]
    next_change: datetime.datetime

    @property
    def hosting(self) -> bool:
        return any(prompt.hosting for prompt in self.prompts)


# No user, no prompts.
NOTHING = PromptState(False, 0, (), datetime.datetime.max.replace(tzinfo=datetime.UTC))


def user_group(schema_name: str, user_id: int) -> str:
    """The channel-layer group of one user's pages; the schema keeps providers apart."""
    return f"prompts.{schema_name}.{user_id}"


def _part(schema_name: str, user_ids: Iterable[int], now: datetime.datetime) -> tuple[str, list]:
    quote = connection.ops.quote_name

    def table(model: type[Model]) -> str:
        return f"{quote(schema_name)}.{quote(model._meta.db_table)}"

    users = sorted(set(user_ids))
    providers = f"public.{quote(CareProvider._meta.db_table)}"
    sql = f"""(
        WITH win AS (
            SELECT id, clinician_id, visit_type_id, starts_at, ends_at FROM {table(Booking)}
            WHERE status = %s AND starts_at >= %s AND starts_at <= %s AND ends_at >= %s
        ), mine AS (
            SELECT id AS booking_id, clinician_id AS user_id FROM win
            WHERE clinician_id = ANY(%s::bigint[])
            UNION
            SELECT p.booking_id, p.user_id FROM {table(Participant)} p
            JOIN win ON win.id = p.booking_id
            WHERE p.user_id = ANY(%s::bigint[]) AND p.declined_at IS NULL
        )
        SELECT %s::text, u.id, u.is_active, u.session_generation,
            b.id, b.clinician_id, b.starts_at, b.ends_at, vt.title, c.first_name, c.last_name,
            rc.user_id, pu.first_name, rc.joined_at, rc.seen_at
        FROM {table(User)} u
        LEFT JOIN mine ON mine.user_id = u.id
        LEFT JOIN win b ON b.id = mine.booking_id
        LEFT JOIN {table(VisitType)} vt ON vt.id = b.visit_type_id
        LEFT JOIN {table(User)} c ON c.id = b.clinician_id
        LEFT JOIN {table(RoomConnection)} rc
            ON rc.booking_id = b.id AND b.clinician_id = u.id AND rc.seen_at >= %s
        LEFT JOIN {table(User)} pu ON pu.id = rc.user_id
        WHERE u.id = ANY(%s::bigint[])
            -- A suspended provider's pages see nothing (their users count as logged out).
            AND EXISTS (SELECT 1 FROM {providers} WHERE schema_name = %s AND status = %s)
    )"""
    since = now - rooms.CLOSES_AFTER  # the planned end of a room still open
    params = [
        BookingStatus.CONFIRMED.value,
        since - LONGEST_VISIT,
        now + rooms.OPENS_BEFORE + LOOKAHEAD,
        since,
        users,
        users,
        schema_name,
        now - rooms.FRESH_FOR,
        users,
        schema_name,
        ProviderStatus.ACTIVE.value,
    ]
    return sql, params


def _rows(user_ids: Mapping[str, Iterable[int]], now: datetime.datetime) -> list[tuple]:
    parts = [_part(schema, ids, now) for schema, ids in sorted(user_ids.items()) if ids]
    if not parts:
        return []
    statement = " UNION ALL ".join(sql for sql, _params in parts)
    params = [param for _sql, part_params in parts for param in part_params]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def _fetch(user_ids: Mapping[str, Iterable[int]], now: datetime.datetime) -> list[tuple]:
    try:
        return _rows(user_ids, now)
    except ProgrammingError:
        # A provider removed while its pages are still open (the prompt watch, in autocommit):
        # each provider on its own, and those that are gone have no users. A database that
        # does not answer raises on.
        rows = []
        for schema_name, ids in user_ids.items():
            try:
                rows += _rows({schema_name: ids}, now)
            except ProgrammingError:
                continue
        return rows


def _state(rows: list[tuple], now: datetime.datetime) -> PromptState:
    _schema, user_id, active, generation = rows[0][:4]
    bookings: dict[int, tuple] = {}
    present: dict[int, dict[int, tuple[str, datetime.datetime, datetime.datetime]]] = {}
    for row in rows:
        booking_id = row[4]
        if booking_id is None:
            continue
        bookings[booking_id] = row[5:11]
        if row[11] is not None:
            present.setdefault(booking_id, {})[row[11]] = (row[12], row[13], row[14])
    changes = [now + LOOKAHEAD]
    prompts = []
    for booking_id, (clinician_id, starts_at, ends_at, title, first, last) in bookings.items():
        booking = Booking(
            pk=booking_id,
            clinician_id=clinician_id,
            status=BookingStatus.CONFIRMED,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        if now < rooms.opens_at(booking):
            changes.append(rooms.opens_at(booking))
        if not rooms.is_open(booking, now):
            continue
        changes.append(rooms.closes_at(booking) + TICK)
        here = present.get(booking_id, {})
        changes += [seen + rooms.FRESH_FOR + TICK for _name, _since, seen in here.values()]
        hosting = clinician_id == user_id
        waiting: tuple[Waiting, ...] = ()
        if hosting and user_id not in here:
            waiting = tuple(
                sorted(
                    (Waiting(pk, name, since) for pk, (name, since, _seen) in here.items()),
                    key=lambda w: (w.since, w.user_id),
                )
            )
        clinician_name = f"{first} {last}".strip()
        prompts.append(Prompt(booking, title, clinician_name, hosting, waiting))
    # Back-to-back visits: the nearest start first (the coming one).
    prompts.sort(key=lambda p: (abs(p.booking.starts_at - now), p.booking.pk))
    return PromptState(active, generation, tuple(prompts), min(changes))


def look(
    user_ids: Mapping[str, Iterable[int]], now: datetime.datetime | None = None
) -> dict[tuple[str, int], PromptState]:
    """The prompt states of these users (ids by provider schema), in one statement. A user who
    is not there (or whose provider is gone) has none."""
    now = now or clock.now()
    by_user: dict[tuple[str, int], list[tuple]] = defaultdict(list)
    for row in _fetch(user_ids, now):
        by_user[row[0], row[1]].append(row)
    return {key: _state(rows, now) for key, rows in by_user.items()}


def for_user(user: User, now: datetime.datetime | None = None) -> PromptState | None:
    """One user's prompts in the current provider (a page being rendered)."""
    schema_name = connection.schema_name
    return look({schema_name: [user.pk]}, now).get((schema_name, user.pk))


def open_rooms(user: User, now: datetime.datetime | None = None) -> list[Booking]:
    """The user's open rooms, nearest start first (what the prompts show)."""
    if not user.is_authenticated:
        return []
    state = for_user(user, now)
    return [prompt.booking for prompt in state.prompts] if state else []


def render(state: PromptState, *, patient: bool, language: str) -> str:
    """The prompts as the page shows them, in its user's language: "Börja videobesöket" cards
    on a patient's start page, the "Starta videomöte" bar on staff pages."""
    template = PATIENT_TEMPLATE if patient else STAFF_TEMPLATE
    with translation.override(language):
        return render_to_string(template, {"prompts": state.prompts, "hosting": state.hosting})
