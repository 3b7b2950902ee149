"""One access helper per resource: what the caller may see, scoped to the request's provider
schema (another provider's ids do not exist here), and the object or 404."""

from typing import TypeVar

from django.db.models import Exists, Model, OuterRef, Prefetch, QuerySet
from django.http import Http404

from tenant_apps.accounts.models import User
from tenant_apps.administration import services as admin_tool
from tenant_apps.bookings.access import visible_bookings
from tenant_apps.bookings.models import Booking, Participant
from tenant_apps.notifications.models import SmsMessage
from tenant_apps.profiles.models import VisitType

M = TypeVar("M", bound=Model)


def _get(queryset: QuerySet[M], pk: int) -> M:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def staff_member(pk: int) -> User:
    """A clinician or admin of this provider, as the administration tool lists them."""
    return _get(admin_tool.staff_members(), pk)


def visible_patients(user: User) -> QuerySet[User]:
    """Admins: every patient of the provider. Clinicians: patients invited to their bookings."""
    patients = admin_tool.patients()
    if user.is_admin:
        return patients
    if user.is_clinician:
        invited = Participant.objects.filter(user=OuterRef("pk"), booking__clinician=user)
        return patients.filter(Exists(invited))
    return patients.none()


def patient_for(user: User, pk: int) -> User:
    return _get(visible_patients(user), pk)


def visible_visit_types(user: User) -> QuerySet[VisitType]:
    """Admins read every clinician's visit types; clinicians their own."""
    if user.is_admin:
        return VisitType.objects.all()
    return VisitType.objects.filter(clinician=user)


def visit_type_for(user: User, pk: int) -> VisitType:
    return _get(visible_visit_types(user), pk)


def booking_for(user: User, pk: int) -> Booking:
    """The bookings app's own rule of who sees which booking (tenant_apps.bookings.access)."""
    return _get(presented(visible_bookings(user)), pk)


def presented(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """Everything the booking serializer reads, in a constant number of queries. Prefetched
    rather than joined: PostgreSQL then sorts and pages the bookings alone, not a join of all of
    them (10,000 bookings: 2 ms instead of 11 ms)."""
    sms = SmsMessage.objects.only(
        "booking_id", "recipient_id", "kind", "to", "status", "created_at", "updated_at"
    )
    return bookings.prefetch_related(
        "clinician__profile",
        "visit_type",
        "participants__user",
        Prefetch("sms_messages", queryset=sms),
    )
