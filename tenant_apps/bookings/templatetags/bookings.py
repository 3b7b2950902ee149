from django import template

from tenant_apps.bookings.models import Booking, BookingStatus
from tenant_apps.bookings.services import effective_status

register = template.Library()


@register.filter(name="effective_status")
def effective_status_filter(booking: Booking) -> str:
    return effective_status(booking)


@register.filter
def effective_status_label(booking: Booking) -> str:
    return str(BookingStatus(effective_status(booking)).label)
