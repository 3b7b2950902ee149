"""Bookings (manual 3, 7.4, 8): invite, Boka nu, confirm, reschedule, cancel, and a patient's
"Jag kan inte komma".

Every change is one transaction that also writes its outbox event; workers get the events after
commit. No double booking: PostgreSQL's exclusion constraint refuses overlapping time for a
clinician, so two concurrent invites cannot both win.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from careplatform import clock
from careplatform.timeutil import format_local
from careplatform.validators import format_personnummer, normalize_mobile, normalize_personnummer
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import may_edit_patients, update_patient
from tenant_apps.administration.services import PATIENT_CHANGED_BY_INVITE
from tenant_apps.audit.services import record_access
from tenant_apps.bookings import events
from tenant_apps.bookings.access import may_manage
from tenant_apps.bookings.models import (
    HOLDS_TIME,
    REFERENCE_UNIQUE,
    Booking,
    BookingEvent,
    BookingStatus,
    EventKind,
    Participant,
    ParticipantRole,
)
from tenant_apps.bookings.references import new_reference
from tenant_apps.profiles.models import VisitType
from tenant_apps.profiles.services import invite_blockers
from tenants.models import CareProvider
from tenants.tasks import enqueue_for_provider

MESSAGE_MAX_LENGTH = 500
# Draws of a visit reference before giving up: with 729 million references, even a provider
# with a million bookings meets a taken one once in 729 draws.
REFERENCE_DRAWS = 5
NOTE_MAX_LENGTH = 500
BOOKING_HORIZON_YEARS = 2
OVERLAP_MESSAGE = _("Tiden krockar med en annan bokning för vårdpersonalen.")


@dataclass(frozen=True)
class PatientSpec:
    personnummer: str
    first_name: str
    last_name: str
    mobile: str


def effective_status(booking: Booking, now: datetime.datetime | None = None) -> str:
    """An unconfirmed booking whose start has passed is expired, stored or not."""
    now = now or clock.now()
    if booking.status == BookingStatus.UNCONFIRMED and booking.starts_at <= now:
        return BookingStatus.EXPIRED
    return booking.status


def can_be_held(booking: Booking, now: datetime.datetime | None = None) -> bool:
    """The one answer to "can this booking be held now?": pages, API and video ask it.
    Only a confirmed booking can (Boka nu is confirmed at once); the room window comes on top."""
    return effective_status(booking, now) == BookingStatus.CONFIRMED


def decline_refusal(
    booking: Booking, participant: Participant | None, now: datetime.datetime | None = None
) -> str | None:
    """Why this participant cannot say "Jag kan inte komma" (now), or None: only a patient
    still coming to a booking that holds its time and has not started can."""
    now = now or clock.now()
    if participant is None:
        return _("Du är inte inbjuden till den här bokningen.")
    if participant.declined_at is not None:
        return _("Du har redan meddelat att du inte kan komma på det här besöket.")
    if participant.role != ParticipantRole.PATIENT:
        return _("Ett testbesök avbokas av den som bjöd in till det.")
    refusal = change_refusal(booking, now)
    if refusal is not None:
        return refusal
    if booking.starts_at <= now:
        return _("Besöket har redan börjat. Kontakta vårdgivaren om du inte kan vara med.")
    return None


def can_decline(
    booking: Booking, participant: Participant | None, now: datetime.datetime | None = None
) -> bool:
    """Whether the pages offer "Jag kan inte komma" to this participant."""
    return decline_refusal(booking, participant, now) is None


def _record(booking: Booking, kind: EventKind, actor: User | None, note: str = "") -> None:
    BookingEvent.objects.create(
        booking=booking,
        kind=kind,
        booking_version=booking.version,
        actor=actor,
        note=note,
        created_at=clock.now(),
    )
    enqueue_for_provider(dispatch_events)


def _check_note(note: str, field: str) -> str:
    """A reason or note kept in the booking's history (never in an SMS)."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({field: _("Högst %(max)d tecken, tack.") % {"max": NOTE_MAX_LENGTH}})
    return note


def dispatch_events() -> int:
    """Runs in a worker, in the provider's schema: pending events go to every registered
    handler (events.py) in the same transaction that marks them dispatched (an event is handled
    once, or not at all); what the handlers leave for after the commit runs then."""
    with transaction.atomic():
        pending = list(
            BookingEvent.objects.select_for_update(skip_locked=True)
            .filter(dispatched_at__isnull=True)
            .order_by("id")[:500]
        )
        after_commit = events.handle(pending)
        for event in pending:
            event.dispatched_at = clock.now()
        BookingEvent.objects.bulk_update(pending, ["dispatched_at"])
    for work in after_commit:
        work()
    return len(pending)


def expire_overdue(now: datetime.datetime | None = None) -> int:
    """Store "expired" for unconfirmed bookings whose start has passed (frees their slots)."""
    now = now or clock.now()
    return Booking.objects.filter(status=BookingStatus.UNCONFIRMED, starts_at__lte=now).update(
        status=BookingStatus.EXPIRED, version=F("version") + 1
    )


def _entered_details(spec: PatientSpec, index: int) -> tuple[str, dict[str, str]]:
    """The personnummer and the details typed for patient `index` (0-based), normalized; an
    error names that patient's field ("patients.1.mobile")."""
    field = f"patients.{index}."
    try:
        personnummer = normalize_personnummer(spec.personnummer)
    except ValidationError as exc:
        raise ValidationError({field + "personnummer": exc.messages}) from None
    try:
        mobile = normalize_mobile(spec.mobile)
    except ValidationError as exc:
        raise ValidationError({field + "mobile": exc.messages}) from None
    details = {
        "first_name": spec.first_name.strip(),
        "last_name": spec.last_name.strip(),
        "mobile": mobile,
    }
    for name in ("first_name", "last_name"):
        if not details[name]:
            raise ValidationError({field + name: _("Ange patientens för- och efternamn.")})
    return personnummer, details


def _differing(user: User, details: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in details.items() if getattr(user, name) != value}


def _match_patient(
    spec: PatientSpec, index: int, *, actor: User, clinician: User, ip_address: str | None
) -> User:
    """The one place where an invite (page or API) meets the provider's users by personnummer.

    An invite creates a new patient or attaches an existing patient to the booking. It never
    changes a staff user: an admin's or clinician's personnummer is refused. An existing
    patient's name and mobile change only when the inviter may edit patients (admins), and the
    change is written to the audit log; anyone else's invite uses the stored details as they
    are (kept_details tells the inviter)."""
    personnummer, details = _entered_details(spec, index)
    field = f"patients.{index}.personnummer"
    if personnummer in (clinician.personnummer, actor.personnummer):
        raise ValidationError({field: _("Du kan inte bjuda in dig själv till videobesök.")})
    user = User.objects.select_for_update().filter(personnummer=personnummer).first()
    if user is None:
        return User.objects.create_user(personnummer, is_patient=True, **details)
    if user.is_admin or user.is_clinician:
        message = _(
            "Personnumret tillhör någon i vårdgivarens personal och kan inte bjudas in som "
            "patient. För ett testbesök med en kollega: använd Bjud in intern vårdpersonal."
        )
        raise ValidationError({field: message})
    if not user.is_active:
        raise ValidationError({field: _("Patienten är inaktiverad hos vårdgivaren.")})
    changes = _differing(user, details)
    if changes and may_edit_patients(actor):
        update_patient(user, **changes)
        record_access(actor, user, PATIENT_CHANGED_BY_INVITE, ip_address)
    if not user.is_patient:
        user.is_patient = True
        user.save(update_fields=["is_patient"])
    return user


def kept_details(booking: Booking, patients: Sequence[PatientSpec]) -> list[str]:
    """After an invite, what the inviter should know: for each existing patient whose stored
    name or mobile differ from what was entered, that the stored details were used."""
    stored = {p.user.personnummer: p.user for p in booking.participants.select_related("user")}
    notices = []
    for index, spec in enumerate(patients):
        personnummer, details = _entered_details(spec, index)
        user = stored.get(personnummer)
        if user is not None and _differing(user, details):
            notices.append(
                _(
                    "%(personnummer)s finns redan som patient hos vårdgivaren. Bokningen "
                    "använder de sparade uppgifterna (namn och mobilnummer); bara en "
                    "administratör kan ändra dem."
                )
                % {"personnummer": format_personnummer(personnummer)}
            )
    return notices


def _check_inviter(actor: User, clinician: User) -> None:
    if actor.pk != clinician.pk and not actor.is_admin:
        raise ValidationError(_("Bara administratörer kan boka åt andra."))
    blockers = invite_blockers(clinician)
    if blockers:
        raise ValidationError({"clinician": blockers})


def _check_visit_type(visit_type: VisitType, clinician: User) -> None:
    if visit_type.clinician_id != clinician.pk or not visit_type.is_active:
        raise ValidationError({"visit_type": _("Välj ett av vårdpersonalens aktiva besök.")})


def booking_horizon(now: datetime.datetime | None = None) -> datetime.datetime:
    """The latest start a booking may have: two years from now (29 February → 28 February)."""
    now = now or clock.now()
    try:
        return now.replace(year=now.year + BOOKING_HORIZON_YEARS)
    except ValueError:
        return now.replace(year=now.year + BOOKING_HORIZON_YEARS, day=28)


def _start_time(starts_at: datetime.datetime | None, instant: bool) -> datetime.datetime:
    """Checked before anything is computed from the start (its end, texts, reminders)."""
    now = clock.now()
    if instant:
        return now
    if starts_at is None:
        raise ValidationError({"starts_at": _("Ange datum och tid, eller välj Boka nu.")})
    if starts_at <= now:
        raise ValidationError({"starts_at": _("Tiden har redan passerat. Välj en tid framåt.")})
    latest = booking_horizon(now)
    if starts_at > latest:
        raise ValidationError(
            {
                "starts_at": _("Besök kan bokas högst två år framåt, senast %(date)s.")
                % {"date": format_local(latest, "date")}
            }
        )
    # In UTC from here on: adding the duration to a Swedish wall-clock time would make a
    # visit across the autumn night an hour longer (02:30 + 30 min is 03:00 an hour later).
    return starts_at.astimezone(datetime.UTC)


def _check_message(message: str) -> str:
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                "message": ngettext(
                    "Meddelandet får vara högst %(max)d tecken.",
                    "Meddelandet får vara högst %(max)d tecken.",
                    MESSAGE_MAX_LENGTH,
                )
                % {"max": MESSAGE_MAX_LENGTH}
            }
        )
    return message


def _violated_constraint(exc: IntegrityError) -> str:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) or ""


def _save_holding_time(booking: Booking) -> None:
    """Save; the exclusion constraint refuses overlapping time for the clinician. A new
    booking whose visit reference is taken at the provider (the unique constraint says so, also
    between concurrent invites) draws another one."""
    for _draw in range(REFERENCE_DRAWS):
        try:
            with transaction.atomic():
                booking.save()
            return
        except IntegrityError as exc:
            violated = _violated_constraint(exc)
            if violated == "booking_no_overlap":
                raise ValidationError({"starts_at": OVERLAP_MESSAGE}) from None
            if violated != REFERENCE_UNIQUE or booking.pk is not None:
                raise
            booking.reference = new_reference()
    raise RuntimeError("No free visit reference found.")


@transaction.atomic
def invite(
    *,
    actor: User,
    clinician: User,
    visit_type: VisitType,
    provider: CareProvider,
    patients: Sequence[PatientSpec] = (),
    colleague: User | None = None,
    starts_at: datetime.datetime | None = None,
    instant: bool = False,
    message: str = "",
    ip_address: str | None = None,
) -> Booking:
    """ "Bjud in till besök" (patients) or "Bjud in intern vårdpersonal" (a colleague).
    `ip_address` is the inviter's, for the audit log (see _match_patient)."""
    _check_inviter(actor, clinician)
    _check_visit_type(visit_type, clinician)
    start = _start_time(starts_at, instant)
    message = _check_message(message)
    people = _participants(actor, clinician, visit_type, list(patients), colleague, ip_address)
    confirmed = instant or colleague is not None or not provider.patient_confirmation_required
    now = clock.now()
    expire_overdue(now)
    booking = Booking(
        reference=new_reference(),
        clinician=clinician,
        visit_type=visit_type,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=visit_type.duration_minutes),
        status=BookingStatus.CONFIRMED if confirmed else BookingStatus.UNCONFIRMED,
        instant=instant,
        message=message,
        created_by=actor,
        created_at=now,
        confirmed_at=now if confirmed else None,
    )
    _save_holding_time(booking)
    Participant.objects.bulk_create(
        Participant(booking=booking, user=user, role=role, confirmed_at=now if confirmed else None)
        for user, role in people
    )
    _record(booking, EventKind.INVITED, actor)
    return booking


def _participants(
    actor: User,
    clinician: User,
    visit_type: VisitType,
    patients: list[PatientSpec],
    colleague: User | None,
    ip_address: str | None,
) -> list[tuple[User, str]]:
    if colleague is not None:
        if patients:
            raise ValidationError(_("Bjud in antingen patienter eller en kollega."))
        if colleague.pk == clinician.pk:
            raise ValidationError({"colleague": _("Du kan inte bjuda in dig själv.")})
        if not (colleague.is_active and (colleague.is_clinician or colleague.is_admin)):
            raise ValidationError({"colleague": _("Välj en aktiv kollega hos vårdgivaren.")})
        return [(colleague, ParticipantRole.COLLEAGUE)]
    if not patients:
        raise ValidationError({"patients": _("Ange minst en patient.")})
    if len(patients) > visit_type.max_patients:
        raise ValidationError(
            {
                "patients": ngettext(
                    "Besöket tar högst %(max)d patient.",
                    "Besöket tar högst %(max)d patienter.",
                    visit_type.max_patients,
                )
                % {"max": visit_type.max_patients}
            }
        )
    users = [
        _match_patient(spec, index, actor=actor, clinician=clinician, ip_address=ip_address)
        for index, spec in enumerate(patients)
    ]
    if len({u.pk for u in users}) != len(users):
        raise ValidationError({"patients": _("Samma patient är angiven två gånger.")})
    return [(user, ParticipantRole.PATIENT) for user in users]


def _locked(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().get(pk=booking.pk)


def change_refusal(booking: Booking, now: datetime.datetime | None = None) -> str | None:
    """Why the booking can no longer be changed (cancelled, completed, expired), or None."""
    status = effective_status(booking, now)
    if status in HOLDS_TIME:
        return None
    labels = dict(BookingStatus.choices)
    return _("Bokningen är %(status)s och kan inte ändras.") % {
        "status": str(labels[status]).lower()
    }


def _check_changeable(booking: Booking) -> None:
    refusal = change_refusal(booking)
    if refusal is not None:
        raise ValidationError(refusal)


def _check_manager(booking: Booking, actor: User) -> None:
    """Views reach here through access.managed_booking (404); callers of the service alone are
    refused too."""
    if not may_manage(actor, booking):
        raise ValidationError(
            _("Bara bokningens vårdpersonal eller en administratör kan ändra den.")
        )


def _invited(booking: Booking, user: User) -> Participant:
    participant = booking.participants.filter(user=user).first()
    if participant is None:
        raise ValidationError(_("Du är inte inbjuden till den här bokningen."))
    if participant.declined_at is not None:
        raise ValidationError(_("Du har redan meddelat att du inte kan komma på det här besöket."))
    return participant


def _confirm_when_everyone_has(
    booking: Booking, actor: User | None, now: datetime.datetime
) -> bool:
    """An unconfirmed booking becomes confirmed once every participant still coming has
    confirmed (a patient who cannot come is not waited for)."""
    waiting = booking.participants.filter(confirmed_at__isnull=True, declined_at__isnull=True)
    if booking.status != BookingStatus.UNCONFIRMED or waiting.exists():
        return False
    booking.status = BookingStatus.CONFIRMED
    booking.confirmed_at = now
    booking.version += 1
    booking.save(update_fields=["status", "confirmed_at", "version"])
    _record(booking, EventKind.CONFIRMED, actor)
    return True


@transaction.atomic
def confirm(booking: Booking, patient: User) -> Booking:
    """Bekräfta (manual 7.4): the booking is confirmed once every invited patient has. Each
    patient's confirmation is an event (the clinician is told)."""
    booking = _locked(booking)
    participant = _invited(booking, patient)
    _check_changeable(booking)
    now = clock.now()
    newly = participant.confirmed_at is None
    if newly:
        participant.confirmed_at = now
        participant.save(update_fields=["confirmed_at"])
    if not _confirm_when_everyone_has(booking, patient, now) and newly:
        _record(booking, EventKind.ACCEPTED, patient)
    return booking


def check_new_time(booking: Booking, starts_at: datetime.datetime) -> None:
    """What reschedule() would refuse about a new time, asked before the change is confirmed;
    at the change itself the exclusion constraint decides again."""
    start = _start_time(starts_at, instant=False)
    end = start + (booking.ends_at - booking.starts_at)
    overlapping = Booking.objects.filter(
        clinician_id=booking.clinician_id,
        status__in=HOLDS_TIME,
        starts_at__lt=end,
        ends_at__gt=start,
    ).exclude(pk=booking.pk)
    if overlapping.exists():
        raise ValidationError({"starts_at": OVERLAP_MESSAGE})


@transaction.atomic
def reschedule(
    booking: Booking,
    *,
    actor: User,
    provider: CareProvider,
    starts_at: datetime.datetime,
    reason: str = "",
) -> Booking:
    """The booking keeps its identity; where confirmation is required, patients confirm again.
    `reason` is kept in the booking's history for staff; the SMS never carries it."""
    booking = _locked(booking)
    _check_manager(booking, actor)
    _check_changeable(booking)
    reason = _check_note(reason, "reason")
    start = _start_time(starts_at, instant=False)
    if start == booking.starts_at:
        return booking
    duration = booking.ends_at - booking.starts_at
    booking.starts_at, booking.ends_at = start, start + duration
    booking.instant = False
    needs_confirmation = (
        provider.patient_confirmation_required
        and booking.participants.filter(role=ParticipantRole.PATIENT).exists()
    )
    if needs_confirmation:
        booking.status, booking.confirmed_at = BookingStatus.UNCONFIRMED, None
        booking.participants.update(confirmed_at=None)
    booking.version += 1
    _save_holding_time(booking)
    _record(booking, EventKind.RESCHEDULED, actor, reason)
    return booking


def _cancel(booking: Booking, actor: User, reason: str) -> Booking:
    """Cancelled frees the clinician's time: the exclusion constraint holds only bookings in
    HOLDS_TIME."""
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at, booking.cancelled_by = clock.now(), actor
    booking.cancel_reason = reason
    booking.version += 1
    booking.save()
    _record(booking, EventKind.CANCELLED, actor, reason)
    return booking


@transaction.atomic
def cancel(booking: Booking, *, actor: User, reason: str = "") -> Booking:
    """Avboka besöket (the booking's clinician or an admin). `reason` is kept in the booking's
    history for staff; the participants' SMS never carries it."""
    booking = _locked(booking)
    _check_manager(booking, actor)
    _check_changeable(booking)
    return _cancel(booking, actor, _check_note(reason, "reason"))


@transaction.atomic
def decline(booking: Booking, patient: User, note: str = "") -> Booking:
    """ "Jag kan inte komma" (a patient, with an optional note to the clinic): the booking is
    cancelled with the note as its reason and its time is free again. In a group visit the
    patient drops out and the visit goes on for the others (it is cancelled when the last
    patient drops out). The clinician is told through the event. Refused once the visit has
    started or is no longer held."""
    booking = _locked(booking)
    participant = booking.participants.filter(user=patient).first()
    now = clock.now()
    refusal = decline_refusal(booking, participant, now)
    if refusal is not None:
        raise ValidationError(refusal)
    assert participant is not None
    note = _check_note(note, "note")
    participant.declined_at = now
    participant.save(update_fields=["declined_at"])
    _record(booking, EventKind.DECLINED, patient, note)
    still_coming = booking.participants.filter(
        role=ParticipantRole.PATIENT, declined_at__isnull=True
    )
    if not still_coming.exists():
        return _cancel(booking, patient, note)
    _confirm_when_everyone_has(booking, None, now)
    return booking
