"""Which bookings a user may see: one helper, used by every page and download."""

from django.db.models import Q, QuerySet
from django.http import Http404

from tenant_apps.accounts.models import User
from tenant_apps.bookings.models import Booking


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
