"""Which bookings a user may see: one helper, used by every page and download. And who of a
booking's participants they may see: one rule for the booking page, the API and the room."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from tenant_apps.accounts.models import User
from tenant_apps.bookings.models import Booking, Participant


def visible_bookings(user: User) -> QuerySet[Booking]:
    """Admins see all of their provider's bookings; clinicians their own and those they are
    invited to; patients the ones they are invited to."""
    bookings = Booking.objects.all()
    if user.is_admin:
        return bookings
    mine = Q(participants__user=user)
    if user.is_clinician:
        mine |= Q(clinician=user)
    return bookings.filter(mine).distinct()


def get_booking_for_user(user: User, pk: int) -> Booking:
    booking = visible_bookings(user).select_related("clinician", "visit_type").filter(pk=pk).first()
    if booking is None:
        raise Http404("Ingen sådan bokning")
    return booking


def sees_all_participants(user: User, booking: Booking) -> bool:
    """The booking's clinician and the provider's admins see who takes part. Anyone else
    invited (each patient of a group visit, a colleague) sees only themselves: a patient never
    learns another patient's name, mobile or personnummer."""
    return user.is_admin or booking.clinician_id == user.pk


def shown_participants(
    user: User, booking: Booking, participants: Iterable[Participant]
) -> list[Participant]:
    """The booking's participants as `user` may see them (`participants` may be prefetched)."""
    if sees_all_participants(user, booking):
        return list(participants)
    return [p for p in participants if p.user_id == user.pk]
