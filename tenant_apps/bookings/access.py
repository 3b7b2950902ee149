"""Who may see and who may change which booking: the one place for these rules, asked by the
pages, the API, calendar files, the video room and the booking services alike.

Answers, the same on every interface:
- 404 "not yours": a booking outside the caller's scope (another clinician's, a visit the patient
  is not invited to, another provider's: its schema does not hold it), or one the caller may see
  but not change. The id is never confirmed to someone it does not belong to.
- 403 "wrong role": the caller's role may not use the page or action at all, whatever the
  object (a patient rescheduling, a clinician confirming for the patient, a patient in the
  administration tool); decided by careplatform.access.role_required and the API's permission
  classes before any object is looked up. An admin sees every booking, so the room of a visit
  they take no part in answers 403 with the reason (video.rooms.admission): nothing is revealed.
"""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from tenant_apps.accounts.models import User
from tenant_apps.bookings import references
from tenant_apps.bookings.models import Booking, Participant


def own_bookings(user: User) -> QuerySet[Booking]:
    """The bookings the user takes part in: a clinician's own (they are its clinician) and
    those they are invited to (a patient's visits, a colleague's test visit)."""
    mine = Q(participants__user=user)
    if user.is_clinician:
        mine |= Q(clinician=user)
    return Booking.objects.filter(mine).distinct()


def visible_bookings(user: User) -> QuerySet[Booking]:
    """Admins see all of their provider's bookings; everyone else their own_bookings."""
    if user.is_admin:
        return Booking.objects.all()
    return own_bookings(user)


def booking_for(user: User, pk: int) -> Booking:
    """One booking the user may see, or 404."""
    booking = visible_bookings(user).select_related("clinician", "visit_type").filter(pk=pk).first()
    if booking is None:
        raise Http404("Ingen sådan bokning")
    return booking


def booking_by_reference(user: User, text: str) -> Booking | None:
    """The booking with this visit reference (typed in any case, with or without the dash)
    if the user may see it, else None: the same for a reference of someone else's booking as for
    one that does not exist, so that trying references reveals nothing."""
    reference = references.normalize(text)
    if reference is None:
        return None
    return visible_bookings(user).filter(reference=reference).first()


def may_manage(user: User, booking: Booking) -> bool:
    """The booking's clinician and the provider's admins manage a booking: they change its time,
    cancel it, and see every participant and every SMS. Anyone else invited (each patient of a
    group visit, a colleague) sees only themselves: a patient never learns another patient's
    name, mobile or personnummer."""
    return user.is_admin or booking.clinician_id == user.pk


def managed_booking(user: User, pk: int) -> Booking:
    """One booking the user may manage, or 404 (also when they may only see it)."""
    booking = booking_for(user, pk)
    if not may_manage(user, booking):
        raise Http404("Ingen sådan bokning")
    return booking


def shown_participants(
    user: User, booking: Booking, participants: Iterable[Participant]
) -> list[Participant]:
    """The booking's participants as `user` may see them (`participants` may be prefetched)."""
    if may_manage(user, booking):
        return list(participants)
    return [p for p in participants if p.user_id == user.pk]


def shown_cancel_reason(user: User, booking: Booking) -> str:
    """A cancellation's reason is for the booking's clinician and admins. A patient sees it
    only when it is their own note ("Jag kan inte komma"): another patient's note may say why
    they cannot come, and staff write theirs for staff."""
    if may_manage(user, booking) or booking.cancelled_by_id == user.pk:
        return booking.cancel_reason
    return ""


def calendar_owner(user: User, pk: int) -> User:
    """Whose day and week view `user` may see: their own, and an admin any clinician's or
    admin's of the provider; anyone else's (another clinician's, an id of another provider) is
    404."""
    if pk == user.pk and (user.is_clinician or user.is_admin):
        return user
    staff = User.objects.filter(Q(is_clinician=True) | Q(is_admin=True))
    found = staff.filter(pk=pk).first() if user.is_admin else None
    if found is None:
        raise Http404("Ingen sådan kalender")
    return found


def sees_every_calendar(user: User) -> bool:
    """Admins see every clinician's visits, side by side; a clinician only their own."""
    return user.is_admin
