"""Which people a user may look up: staff (clinicians and admins), colleagues and patients. One
place for the administration tool, the booking forms and the API.

Every lookup runs in the request's provider schema, so another provider's people do not exist
here. "Not yours" is 404 everywhere (a patient who is not the clinician's, an id that is not a
staff member): the id is never confirmed. 403 is for the wrong role for the whole page or action
(a patient or a clinician in the administration tool), decided before anyone is looked up
(careplatform.access).
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from tenant_apps.accounts.models import User


def _found(users: QuerySet[User], pk: int) -> User:
    user = users.filter(pk=pk).first()
    if user is None:
        raise Http404("Ingen sådan person")
    return user


def staff_members() -> QuerySet[User]:
    """The provider's clinicians and admins, active or not."""
    return User.objects.filter(Q(is_admin=True) | Q(is_clinician=True))


def staff_member(pk: int) -> User:
    """A clinician or admin of this provider, or 404 (the administration tool is for admins)."""
    return _found(staff_members(), pk)


def colleagues(user: User) -> QuerySet[User]:
    """Whom "Bjud in intern vårdpersonal" can invite: the provider's active clinicians and
    admins, but not the user (nobody invites themselves, manual 3)."""
    return staff_members().filter(is_active=True).exclude(pk=user.pk)


def patients() -> QuerySet[User]:
    """Every patient of the provider."""
    return User.objects.filter(is_patient=True)


def visible_patients(user: User) -> QuerySet[User]:
    """Admins: every patient of the provider. Clinicians: the patients invited to their
    bookings. Anyone else: nobody."""
    if user.is_admin:
        return patients()
    if user.is_clinician:
        invited = User.objects.filter(participations__booking__clinician=user).values("pk")
        return patients().filter(pk__in=invited)
    return patients().none()


def patient_for(user: User, pk: int) -> User:
    """One patient the user may see, or 404."""
    return _found(visible_patients(user), pk)
