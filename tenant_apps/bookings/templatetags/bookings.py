from django import template

from tenant_apps.accounts.models import User
from tenant_apps.bookings.access import shown_participants
from tenant_apps.bookings.models import Booking, BookingStatus, Participant
from tenant_apps.bookings.services import effective_status

register = template.Library()


@register.filter(name="effective_status")
def effective_status_filter(booking: Booking) -> str:
    return effective_status(booking)


@register.filter
def effective_status_label(booking: Booking) -> str:
    return str(BookingStatus(effective_status(booking)).label)


@register.filter
def participants_shown_to(booking: Booking, user: User) -> list[Participant]:
    """The row's participants as `user` may see them (bookings.access; prefetched)."""
    return shown_participants(user, booking, booking.participants.all())
