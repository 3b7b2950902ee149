"""`{{ provider|days_until_drop }}`: whole days until a pending termination drops the
provider's data (tenants.lifecycle.days_left), for the console's countdown."""

from django import template

from tenants.lifecycle import days_left
from tenants.models import CareProvider

register = template.Library()


@register.filter
def days_until_drop(provider: CareProvider) -> int | None:
    return days_left(provider)
