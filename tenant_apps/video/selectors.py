"""Reading a visit's call events for support (issue 15, item 3): what happened in the room, one
sentence per event, in the reader's language ("Patientens kamera blockerades i Safari 17 på iOS
17.5 kl. 10:02 (NotAllowedError).").

People are named by their part in the visit (the patient, patient 2, the clinician), never by
name: support reveals names only with a reason. Runs in the provider's schema.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from careplatform.timeutil import format_local
from tenant_apps.bookings.models import Booking, ParticipantRole
from tenant_apps.video.models import CallEvent, CallEventKind
from tenant_apps.video.services import CLINICIAN, PATIENT, room_roles

CANDIDATE_TYPES_ORDER = ("host", "srflx", "prflx", "relay")


@dataclass(frozen=True)
class CallTimelineEntry:
    at: datetime.datetime
    kind: str
    sentence: str
    user_id: int | None  # None: the platform itself (a room closed at the end of its window)
    role: str  # "clinician", "patient", "colleague"; "" for the platform or a stranger
    number: int  # a patient's place among a group visit's patients, else 0
    browser: str  # "Safari 17"; "" when unknown
    os: str  # "iOS 17.5"; "" when unknown
    error: str  # a camera or microphone problem's error name ("NotAllowedError")
    candidates_tried: tuple[str, ...]  # ICE candidate types this page gathered
    candidates_received: tuple[str, ...]  # ... and those the other page sent
    selected_pair: tuple[str, str] | None  # (local, remote) type of the pair in use
    turn: bool | None  # the call went through a TURN server; None: not known


@dataclass(frozen=True)
class _Who:
    subject: str  # "Patienten"
    object: str  # "patienten"
    whose: str  # "Patientens"


def _who(role: str, number: int, group: bool) -> _Who:
    if role == CLINICIAN:
        return _Who(_("Vårdpersonalen"), _("vårdpersonalen"), _("Vårdpersonalens"))
    if role == PATIENT and group:
        values = {"number": number}
        return _Who(
            _("Patient %(number)d") % values,
            _("patient %(number)d") % values,
            _("Patient %(number)d:s") % values,
        )
    if role == PATIENT:
        return _Who(_("Patienten"), _("patienten"), _("Patientens"))
    if role == ParticipantRole.COLLEAGUE:
        return _Who(_("Kollegan"), _("kollegan"), _("Kollegans"))
    return _Who(_("En deltagare"), _("en deltagare"), _("En deltagares"))


def _where(event: CallEvent) -> str:
    if event.browser and event.os:
        return _("i %(browser)s på %(os)s") % {"browser": event.browser, "os": event.os}
    if event.browser:
        return _("i %(browser)s") % {"browser": event.browser}
    return _("i en okänd webbläsare")


def _left(reason: str) -> str:
    if reason in ("lost", "gone"):
        return _("%(whose)s anslutning bröts kl. %(time)s.")
    if reason == "replaced":
        return _("%(who)s öppnade besöket i ett annat fönster kl. %(time)s.")
    if reason == "too_many_bad":
        return _(
            "%(whose)s sida kopplades bort efter för många felaktiga meddelanden kl. %(time)s."
        )
    return _("%(who)s lämnade rummet kl. %(time)s.")


def _call(event: CallEvent) -> str:
    ice, turn = event.detail.get("ice"), event.detail.get("turn")
    if event.kind == CallEventKind.FAILED:
        if ice is None:
            return _(
                "%(whose)s samtal med %(other)s kunde inte kopplas upp %(where)s kl. %(time)s."
            )
        return _(
            "%(whose)s samtal med %(other)s kunde inte kopplas upp %(where)s kl. %(time)s "
            "(provade: %(tried)s)."
        )
    if turn is True:
        return _(
            "%(whose)s samtal med %(other)s kopplades upp via TURN-server %(where)s kl. "
            "%(time)s (provade: %(tried)s)."
        )
    if turn is False:
        return _(
            "%(whose)s samtal med %(other)s kopplades upp direkt, utan TURN-server, %(where)s "
            "kl. %(time)s (provade: %(tried)s)."
        )
    return _("%(whose)s samtal med %(other)s kopplades upp %(where)s kl. %(time)s.")


def _template(event: CallEvent) -> str:
    kind = event.kind
    if kind == CallEventKind.JOINED:
        return _("%(who)s gick in i rummet %(where)s kl. %(time)s.")
    if kind == CallEventKind.LEFT:
        return _left(event.detail.get("reason", ""))
    if kind in (CallEventKind.CONNECTED, CallEventKind.FAILED):
        return _call(event)
    if kind == CallEventKind.ENDED:
        if event.user_id is None:
            return _("Besöket avslutades när tiden var slut kl. %(time)s.")
        return _("%(who)s avslutade besöket kl. %(time)s.")
    media: dict[str, str] = {
        CallEventKind.CAMERA_DENIED: _("%(whose)s kamera blockerades %(where)s kl. %(time)s"),
        CallEventKind.MICROPHONE_DENIED: _("%(whose)s mikrofon blockerades %(where)s kl. %(time)s"),
        CallEventKind.NO_CAMERA: _("%(whose)s kamera hittades inte %(where)s kl. %(time)s"),
        CallEventKind.NO_MICROPHONE: _("%(whose)s mikrofon hittades inte %(where)s kl. %(time)s"),
        CallEventKind.MEDIA_ERROR: _(
            "%(whose)s kamera eller mikrofon gick inte att starta %(where)s kl. %(time)s"
        ),
    }
    template = media.get(kind)
    if template is None:  # a kind newer than this list
        return _("%(who)s: %(kind)s kl. %(time)s.")
    return template + " (%(error)s)."


def _types(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(t for t in CANDIDATE_TYPES_ORDER if t in value)


def _entry(event: CallEvent, roles: dict[int, tuple[str, int]], group: bool) -> CallTimelineEntry:
    role, number = roles.get(event.user_id, ("", 0)) if event.user_id else ("", 0)
    who = _who(role, number, group)
    other_role, other_number = roles.get(event.detail.get("with_user") or 0, ("", 0))
    ice = event.detail.get("ice") or {}
    tried = _types(ice.get("local"))
    selected = ice.get("selected")
    values = {
        "who": who.subject,
        "whose": who.whose,
        "other": _who(other_role, other_number, group).object,
        "where": _where(event),
        "time": format_local(event.created_at, "time"),
        "tried": ", ".join(tried) or _("inga kandidater"),
        "error": event.detail.get("error", ""),
        "kind": event.get_kind_display(),
    }
    return CallTimelineEntry(
        at=event.created_at,
        kind=event.kind,
        sentence=_template(event) % values,
        user_id=event.user_id,
        role=role,
        number=number,
        browser=event.browser,
        os=event.os,
        error=values["error"],
        candidates_tried=tried,
        candidates_received=_types(ice.get("remote")),
        selected_pair=(selected["local"], selected["remote"]) if selected else None,
        turn=event.detail.get("turn"),
    )


def call_timeline(booking: Booking) -> list[CallTimelineEntry]:
    """The booking's call events, oldest first, each with its sentence for support."""
    roles = room_roles(booking)
    group = sum(1 for role, _number in roles.values() if role == PATIENT) > 1
    events = CallEvent.objects.filter(booking=booking).order_by("created_at", "id")
    return [_entry(event, roles, group) for event in events]
