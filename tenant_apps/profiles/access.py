"""Which bookable visits (visit types) a user may read, change and book: one place for the
pages, the API and the booking forms.

"Not yours" is 404 everywhere, so a visit type's id is never confirmed to someone it does not
belong to: another clinician's visit type is 404 to a clinician, and 404 to an admin who tries
to change it (admins read every clinician's visit types, only their owner changes them). 403 is
for the wrong role for the whole page or action (a patient, or an admin without the clinician
role on Min profil), decided before any visit type is looked up (careplatform.access).
"""

from django.db.models import QuerySet
from django.http import Http404

from tenant_apps.accounts.models import User
from tenant_apps.profiles.models import VisitType


def _found(visit_types: QuerySet[VisitType], pk: int) -> VisitType:
    visit_type = visit_types.filter(pk=pk).first()
    if visit_type is None:
        raise Http404("Inget sådant bokningsbart besök")
    return visit_type


def own_visit_types(user: User) -> QuerySet[VisitType]:
    """The clinician's own visit types."""
    return VisitType.objects.filter(clinician=user)


def own_visit_type(user: User, pk: int) -> VisitType:
    """One of the user's own visit types (theirs to change), or 404."""
    return _found(own_visit_types(user), pk)


def visible_visit_types(user: User) -> QuerySet[VisitType]:
    """Admins read every clinician's visit types; clinicians their own."""
    if user.is_admin:
        return VisitType.objects.all()
    return own_visit_types(user)


def visit_type_for(user: User, pk: int) -> VisitType:
    """One visit type the user may read, or 404."""
    return _found(visible_visit_types(user), pk)


def bookable_visit_types(user: User) -> QuerySet[VisitType]:
    """What the invite form offers: the clinician's own active visit types; admins book for any
    active clinician whose booking function is on."""
    types = VisitType.objects.filter(is_active=True).select_related("clinician")
    if user.is_admin:
        return types.filter(clinician__is_active=True, clinician__profile__booking_enabled=True)
    return types.filter(clinician=user)
