"""Who may call what. Every lookup runs in the request's provider schema, so another provider's
objects simply do not exist here (404)."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from careplatform.access import has_role
from tenant_apps.accounts.services import needs_consent

if TYPE_CHECKING:
    # rest_framework.views reads the settings, which name these permission classes.
    from rest_framework.views import APIView


class ConsentGiven(BasePermission):
    """Logged in (session or token) and, for a patient, consent given (manual 7.3). The consent
    middleware only sees session users; token users are checked here."""

    message = _("Ge ditt samtycke först.")
    code = "consent_required"

    def has_permission(self, request: Request, view: "APIView") -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return not (user.is_patient and needs_consent(user))


class _Role(BasePermission):
    roles: tuple[str, ...] = ()
    message = _("Din roll får inte göra detta.")

    def has_permission(self, request: Request, view: "APIView") -> bool:
        return has_role(request.user, *self.roles)


class IsAdmin(_Role):
    roles = ("admin",)


class IsClinician(_Role):
    roles = ("clinician",)


class IsStaff(_Role):
    roles = ("admin", "clinician")


class IsPatient(_Role):
    roles = ("patient",)


class _StaffReads(BasePermission):
    """Reading: admins and clinicians (the view narrows what each sees). Writing: `writers`."""

    writers: tuple[str, ...] = ()

    def has_permission(self, request: Request, view: "APIView") -> bool:
        roles = IsStaff.roles if request.method in SAFE_METHODS else self.writers
        return has_role(request.user, *roles)


class StaffReadsClinicianWrites(_StaffReads):
    writers = ("clinician",)


class StaffReadsAdminWrites(_StaffReads):
    writers = ("admin",)
