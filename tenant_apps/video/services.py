"""Video rooms' state changes (manual 6): joining and leaving a room, call events, ending the
visit and completing the booking. Each is one transaction; the room rule is rooms.admission.

Every call event of a page carries that page's browser and operating system (from its
User-Agent, kept on its connection); what the page reports about its camera, microphone and ICE
candidates is stored as call events too (record_media_problem, record_call_state), for support.

The WebSocket consumer calls these inside the provider's schema; notifications to pages in the
room, and to the pages that show the participants' prompts (prompts.py), go over the channel
layer after commit.
"""

import datetime
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from careplatform import clock
from careplatform.useragent import Client, describe
from tenant_apps.accounts.models import User
from tenant_apps.bookings.access import may_manage
from tenant_apps.bookings.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    Participant,
    ParticipantRole,
)
from tenant_apps.video import events, prompts, rooms
from tenant_apps.video.models import MEDIA_PROBLEMS, CallEvent, CallEventKind, RoomConnection
from tenants.db import connection

log = logging.getLogger(__name__)

CLINICIAN = "clinician"
PATIENT = ParticipantRole.PATIENT.value
VIDEO_LAYER = "video"  # settings.CHANNEL_LAYERS: Redis pub/sub for signaling
ENDED_BY_CLINICIAN = "ended"


def room_group(schema_name: str, booking_id: int) -> str:
    """The channel-layer group of one room; the schema keeps providers apart."""
    return f"video.{schema_name}.{booking_id}"


def provider_group(schema_name: str) -> str:
    """The channel-layer group of every room page and prompt page of one provider."""
    return f"video-provider.{schema_name}"


def close_provider_pages(schema_name: str) -> None:
    """Registered with tenants.lifecycle (apps.py): the provider was suspended, so its open
    rooms end and its prompt pages close at once, in every server process. (New connections
    are refused by tenants.channels; the prompt watch also drops suspended providers' pages.)"""
    try:
        async_to_sync(get_channel_layer(VIDEO_LAYER).group_send)(
            provider_group(schema_name), {"type": "provider.suspended"}
        )
    except Exception:
        log.exception("Could not close the pages of suspended provider %s", schema_name)


@dataclass(frozen=True)
class Peer:
    peer_id: str
    seq: int
    user_id: int
    name: str
    role: str
    channel_name: str = ""
    number: int = 0  # a patient's place among the booking's patients (1, 2, 3)


@dataclass(frozen=True)
class Replaced:
    """A connection that a join took over: the same page reconnecting (`resumed`), or the
    same person in a new page (the old page is told and its peer leaves)."""

    peer_id: str
    channel_name: str
    resumed: bool


@dataclass
class JoinResult:
    admission: rooms.Admission
    booking: Booking | None = None
    me: Peer | None = None
    peers: list[Peer] = field(default_factory=list)
    replaced: list[Replaced] = field(default_factory=list)
    # Whether this page may see the other participants' names (bookings.access).
    sees_all: bool = False


def display_name(user: User, role: str) -> str:
    """Staff by full name; patients by first name and initial (as their clinician sees them)."""
    if role == "patient":
        return f"{user.first_name} {user.last_name[:1]}.".strip()
    return user.full_name


def name_shown(peer: Peer, *, to: Peer, sees_all: bool) -> str:
    """What the page of `to` calls `peer`: another patient of a group visit is "Patient 2" to a
    patient (bookings.access.may_manage); staff are named to everyone."""
    if peer.role != PATIENT or sees_all or peer.user_id == to.user_id:
        return peer.name
    return _("Patient %(number)d") % {"number": peer.number}


def room_roles(booking: Booking) -> dict[int, tuple[str, int]]:
    """user id -> (role in the room, place among the patients or 0)."""
    roles: dict[int, tuple[str, int]] = {}
    patients = 0
    for user_id, role in booking.participants.order_by("id").values_list("user_id", "role"):
        patients += role == PATIENT
        roles[user_id] = (role, patients if role == PATIENT else 0)
    roles[booking.clinician_id] = (CLINICIAN, 0)
    return roles


def _peer(conn: RoomConnection, roles: dict[int, tuple[str, int]]) -> Peer:
    role, number = roles.get(conn.user_id, ("", 0))
    name = display_name(conn.user, role)
    return Peer(conn.peer_id, conn.pk, conn.user_id, name, role, conn.channel_name, number)


def _event(
    booking: Booking,
    kind: str,
    user: User | None,
    peer_id: str = "",
    *,
    client: Client | None = None,
    **detail: Any,
) -> None:
    CallEvent.objects.create(
        booking=booking,
        user=user,
        kind=kind,
        peer_id=peer_id,
        detail=detail,
        browser=client.browser if client else "",
        os=client.os if client else "",
        created_at=clock.now(),
    )


def _client(conn: RoomConnection) -> Client:
    return Client(conn.browser, conn.os)


def _drop_stale(booking: Booking, now: datetime.datetime) -> None:
    """Connections whose server process died without a goodbye."""
    stale = RoomConnection.objects.filter(booking=booking, seen_at__lt=now - rooms.FRESH_FOR)
    for conn in stale.select_related("user"):
        _event(
            booking,
            CallEventKind.LEFT,
            conn.user,
            conn.peer_id,
            client=_client(conn),
            reason="lost",
        )
    stale.delete()


@transaction.atomic
def join(
    booking_id: int, user: User, peer_id: str, channel_name: str, user_agent: str = ""
) -> JoinResult:
    """Admit `user` to the room (rooms.admission) as page `peer_id` on `channel_name`, a page
    of the browser that `user_agent` names."""
    now = clock.now()
    booking = Booking.objects.select_for_update().filter(pk=booking_id).first()
    if booking is None:
        # Said the same way as for a booking one is not part of: existence is not revealed.
        return JoinResult(
            rooms.Admission(rooms.Reason.NOT_PARTICIPANT, _("Du är inte med i det här besöket."))
        )
    decision = rooms.admission(booking, user, now)
    if not decision.allowed:
        return JoinResult(decision, booking)
    _drop_stale(booking, now)
    same_page = RoomConnection.objects.filter(booking=booking, peer_id=peer_id).first()
    if same_page is not None and same_page.user_id != user.pk:
        return JoinResult(
            rooms.Admission(rooms.Reason.NOT_PARTICIPANT, _("Anslutningen kunde inte göras.")),
            booking,
        )
    replaced = []
    for old in RoomConnection.objects.filter(booking=booking, user=user).exclude(peer_id=peer_id):
        replaced.append(Replaced(old.peer_id, old.channel_name, resumed=False))
        _event(
            booking, CallEventKind.LEFT, user, old.peer_id, client=_client(old), reason="replaced"
        )
        old.delete()
    roles = room_roles(booking)
    if same_page is not None:
        replaced.append(Replaced(peer_id, same_page.channel_name, resumed=True))
        same_page.channel_name, same_page.seen_at = channel_name, now
        same_page.save(update_fields=["channel_name", "seen_at"])
        conn = same_page
    else:
        client = describe(user_agent)
        conn = RoomConnection.objects.create(
            booking=booking,
            user=user,
            peer_id=peer_id,
            channel_name=channel_name,
            browser=client.browser,
            os=client.os,
            joined_at=now,
            seen_at=now,
        )
        _event(booking, CallEventKind.JOINED, user, peer_id, client=client)
        if roles.get(user.pk, ("", 0))[0] == PATIENT:
            _patient_arrived(booking, user, now)
    notify_prompts([booking.clinician_id])  # who is waiting
    others = rooms.present(booking, now).exclude(pk=conn.pk).select_related("user")
    conn.user = user
    return JoinResult(
        decision,
        booking,
        _peer(conn, roles),
        [_peer(c, roles) for c in others],
        replaced,
        may_manage(user, booking),
    )


def _patient_arrived(booking: Booking, patient: User, now: datetime.datetime) -> None:
    """Tell whoever listens (video/events.py) that a patient entered the room."""
    clinician_present = rooms.present(booking, now).filter(user_id=booking.clinician_id).exists()
    events.publish(events.PatientArrived(booking, patient, now, clinician_present))


@dataclass(frozen=True)
class Left:
    peer_id: str
    booking_id: int


@transaction.atomic
def leave(channel_name: str, reason: str, **detail: Any) -> Left | None:
    """The page on `channel_name` left (or vanished). None when it had been taken over."""
    conn = RoomConnection.objects.filter(channel_name=channel_name).first()
    if conn is None:
        return None
    booking = Booking.objects.select_for_update().get(pk=conn.booking_id)
    conn.delete()
    _event(
        booking,
        CallEventKind.LEFT,
        conn.user,
        conn.peer_id,
        client=_client(conn),
        reason=reason,
        **detail,
    )
    notify_prompts([booking.clinician_id])
    now = clock.now()
    if not rooms.present(booking, now).exists():
        _room_emptied(booking, now)
    return Left(conn.peer_id, booking.pk)


def _reporter(channel_name: str) -> RoomConnection | None:
    """The room page on `channel_name`: a page reports only about itself, in its own room."""
    return (
        RoomConnection.objects.select_related("booking", "user")
        .filter(channel_name=channel_name)
        .first()
    )


def record_call_state(
    channel_name: str, kind: str, with_peer: str, ice: dict | None = None
) -> bool:
    """The page reports that its call with `with_peer` connected or failed; with `ice`
    (protocol._ice), which candidate types each side tried and which pair it uses. The call
    went through TURN when either end of that pair is a relay candidate."""
    if kind not in (CallEventKind.CONNECTED, CallEventKind.FAILED):
        return False
    mine = _reporter(channel_name)
    if mine is None:
        return False
    other = RoomConnection.objects.filter(booking=mine.booking_id, peer_id=with_peer).first()
    facts: dict[str, Any] = {}
    if ice is not None:
        selected = ice["selected"]
        turn = None if selected is None else "relay" in (selected["local"], selected["remote"])
        facts = {"ice": ice, "turn": turn}
    _event(
        mine.booking,
        kind,
        mine.user,
        mine.peer_id,
        client=_client(mine),
        with_peer=with_peer,
        with_user=other.user_id if other else None,
        **facts,
    )
    return True


def record_media_problem(channel_name: str, problem: str, error: str) -> bool:
    """The page reports that its camera or microphone could not be used (MEDIA_PROBLEMS), with
    the browser's error name."""
    if problem not in MEDIA_PROBLEMS:
        return False
    mine = _reporter(channel_name)
    if mine is None:
        return False
    _event(mine.booking, problem, mine.user, mine.peer_id, client=_client(mine), error=error)
    return True


def _connected(booking: Booking) -> bool:
    return CallEvent.objects.filter(booking=booking, kind=CallEventKind.CONNECTED).exists()


def complete(booking: Booking) -> Booking:
    """The visit was held: the booking is completed (its last state). Safe to call twice."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status == BookingStatus.CONFIRMED:
            booking.status = BookingStatus.COMPLETED
            booking.version += 1
            booking.save(update_fields=["status", "version"])
            notify_prompts(people([booking.pk]))  # its prompts go
    return booking


@transaction.atomic
def end_visit(booking: Booking, actor: User) -> Booking:
    """ "Avsluta besöket" (the clinician): everyone's call ends; a call that connected makes
    the booking completed."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if not rooms.is_host(booking, actor):
        raise ValidationError(_("Bara besökets vårdpersonal kan avsluta besöket."))
    refusal = rooms.held_refusal(booking, clock.now())
    if refusal is not None:
        raise ValidationError(refusal.message)
    _event(booking, CallEventKind.ENDED, actor, by="clinician")
    if _connected(booking):
        booking = complete(booking)
    notify_room_closed(booking.pk, ENDED_BY_CLINICIAN)
    return booking


def _room_emptied(booking: Booking, now: datetime.datetime) -> None:
    """Nobody is left in the room: after the window a connected call is over; before it, look
    again when the window has passed."""
    if now > rooms.closes_at(booking):
        close_room_if_finished(booking.pk)
    elif _connected(booking):
        _schedule_close(booking)


def _schedule_close(booking: Booking) -> None:
    from django_q.models import Schedule
    from django_q.tasks import schedule

    schema_name = connection.schema_name
    when = rooms.closes_at(booking) + datetime.timedelta(seconds=5)
    transaction.on_commit(
        lambda: schedule(
            "tenants.tasks.run_in_provider",
            schema_name,
            "tenant_apps.video.services.close_room_if_finished",
            booking.pk,
            schedule_type=Schedule.ONCE,
            next_run=when,
        )
    )


@transaction.atomic
def close_room_if_finished(booking_id: int) -> bool:
    """A room that closes empty after its window: a call that connected completes the booking.
    Runs after the last page leaves, or in a worker at the window's end; safe to run twice."""
    now = clock.now()
    booking = Booking.objects.select_for_update().filter(pk=booking_id).first()
    if booking is None or rooms.held_refusal(booking, now) is not None:
        return False
    if now <= rooms.closes_at(booking) or rooms.present(booking, now).exists():
        return False
    if not _connected(booking):
        return False
    _event(booking, CallEventKind.ENDED, None, by="window")
    complete(booking)
    return True


def notify_room_closed(booking_id: int, reason: str) -> None:
    """After commit, every page in the room is told that it has ended, and why."""
    group = room_group(connection.schema_name, booking_id)

    def send() -> None:
        try:
            async_to_sync(get_channel_layer(VIDEO_LAYER).group_send)(
                group, {"type": "room.closed", "reason": str(reason)}
            )
        except Exception:  # the pages also notice at their next status check
            log.exception("Could not tell room %s that it closed", group)

    transaction.on_commit(send)


def people(booking_ids: Iterable[int]) -> set[int]:
    """The clinicians and participants of these bookings: whose prompts they are in."""
    ids = set(booking_ids)
    clinicians = Booking.objects.filter(pk__in=ids).values_list("clinician_id", flat=True)
    invited = Participant.objects.filter(booking_id__in=ids).values_list("user_id", flat=True)
    return {*clinicians, *invited}


def _send_prompts_changed(groups: list[str]) -> None:
    async def send_all() -> None:
        layer = get_channel_layer(VIDEO_LAYER)
        for group in groups:
            await layer.group_send(group, {"type": "prompts.changed"})

    try:
        async_to_sync(send_all)()
    except Exception:  # the pages also read their prompts again within a refresh
        log.warning("Could not tell %d prompt groups of a change", len(groups), exc_info=True)


def notify_prompts(user_ids: Iterable[int]) -> None:
    """After commit, the pages of these users (of the current provider) read their prompts
    again: a visit was booked, moved, cancelled or held, or someone entered or left a room."""
    schema_name = connection.schema_name
    groups = sorted(prompts.user_group(schema_name, pk) for pk in set(user_ids))
    if groups:
        transaction.on_commit(lambda: _send_prompts_changed(groups))


def on_booking_events(events: Sequence[BookingEvent]) -> Callable[[], None] | None:
    """Registered with bookings (apps.py): after the events are handed over, the pages of the
    changed bookings' clinicians and participants read their prompts again (a Boka nu visit
    opens at once; a cancelled or moved visit's prompt goes or moves)."""
    if not events:
        return None
    schema_name = connection.schema_name
    groups = sorted(
        prompts.user_group(schema_name, pk) for pk in people(e.booking_id for e in events)
    )
    return lambda: _send_prompts_changed(groups)
