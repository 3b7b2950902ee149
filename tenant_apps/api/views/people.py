"""Staff (admins add, edit, deactivate clinicians), colleagues, and patients (manual 1 and 8).
The rules are the accounts services'; lists and searches are the administration tool's, and an
admin's view of patients is written to the audit log as on the pages."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from careplatform.netutils import client_ip
from tenant_apps.accounts.access import (
    colleagues,
    patient_for,
    staff_member,
    staff_members,
    visible_patients,
)
from tenant_apps.accounts.models import User
from tenant_apps.accounts.search import search_users
from tenant_apps.accounts.services import (
    RoleFlags,
    add_patient,
    add_staff_member,
    set_user_active,
    update_patient,
    update_staff_member,
)
from tenant_apps.administration import services as admin_tool
from tenant_apps.api.fields import NO_NUL
from tenant_apps.api.permissions import ConsentGiven, IsAdmin, IsStaff, StaffReadsAdminWrites
from tenant_apps.api.serializers import (
    ColleagueSerializer,
    NewStaffMemberSerializer,
    PatientSerializer,
    StaffMemberSerializer,
)
from tenant_apps.api.views.base import IdLookup, Pages
from tenant_apps.audit.services import record_access

SEARCH = OpenApiParameter(
    "search",
    {"type": "string", "pattern": NO_NUL},
    description="Name, personnummer, mobile number or e-mail",
    required=False,
)


def _searched(request: Request, users: QuerySet[User]) -> QuerySet[User]:
    return search_users(users, request.query_params.get("search", ""))


class StaffViewSet(IdLookup, viewsets.GenericViewSet):
    """Vårdpersonal och administratörer (admins only)."""

    permission_classes = [ConsentGiven, IsAdmin]
    serializer_class = StaffMemberSerializer
    pagination_class = Pages

    @extend_schema(parameters=[SEARCH])
    def list(self, request: Request) -> Response:
        """Clinicians and admins of the provider, active or not, by last name."""
        page = self.paginate_queryset(_searched(request, staff_members()))
        return self.get_paginated_response(StaffMemberSerializer(page, many=True).data)

    @extend_schema(request=NewStaffMemberSerializer, responses={201: StaffMemberSerializer})
    def create(self, request: Request) -> Response:
        """Add a clinician and/or admin (at least one role); they log in with BankID."""
        form = NewStaffMemberSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = add_staff_member(
            personnummer=form.validated_data["personnummer"],
            is_admin=form.validated_data["is_admin"],
            is_clinician=form.validated_data["is_clinician"],
            **form.person_fields(),
        )
        return Response(StaffMemberSerializer(user).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: int) -> Response:
        """One clinician or admin."""
        return Response(StaffMemberSerializer(staff_member(pk)).data)

    def partial_update(self, request: Request, pk: int) -> Response:
        """Change contact details and roles (the personnummer stays). The provider keeps at
        least one active admin."""
        member = staff_member(pk)
        form = StaffMemberSerializer(member, data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        roles: RoleFlags = {
            "is_admin": form.validated_data.get("is_admin", member.is_admin),
            "is_clinician": form.validated_data.get("is_clinician", member.is_clinician),
        }
        member = update_staff_member(member, **roles, **form.person_fields())
        return Response(StaffMemberSerializer(member).data)

    @extend_schema(request=None, responses=StaffMemberSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: int) -> Response:
        """Let a deactivated clinician or admin log in again."""
        return Response(StaffMemberSerializer(set_user_active(staff_member(pk), True)).data)

    @extend_schema(request=None, responses=StaffMemberSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: int) -> Response:
        """A deactivated user cannot log in, and their API keys stop working. The provider
        keeps at least one active admin."""
        member = set_user_active(staff_member(pk), False)
        return Response(StaffMemberSerializer(member).data)


class ColleagueViewSet(viewsets.GenericViewSet):
    """Active staff of the provider, for Bjud in intern vårdpersonal."""

    permission_classes = [ConsentGiven, IsStaff]
    serializer_class = ColleagueSerializer
    pagination_class = Pages

    def list(self, request: Request) -> Response:
        """Active clinicians and admins but the caller: whom Bjud in intern vårdpersonal can
        invite."""
        page = self.paginate_queryset(colleagues(request.user))
        return self.get_paginated_response(ColleagueSerializer(page, many=True).data)


class PatientViewSet(IdLookup, viewsets.GenericViewSet):
    """Patienter: admins see and edit all; clinicians read those invited to their bookings."""

    permission_classes = [ConsentGiven, StaffReadsAdminWrites]
    serializer_class = PatientSerializer
    pagination_class = Pages

    def _audit(self, patient: User | None, action_name: str) -> None:
        if self.request.user.is_admin and patient is not None:
            record_access(self.request.user, patient, action_name, client_ip(self.request))

    @extend_schema(parameters=[SEARCH])
    def list(self, request: Request) -> Response:
        """Admins: every patient (written to the audit log). Clinicians: their own patients."""
        query = request.query_params.get("search", "").strip()
        page = self.paginate_queryset(_searched(request, visible_patients(request.user)))
        if request.user.is_admin:
            shown = admin_tool.PATIENT_SEARCH if query else admin_tool.PATIENT_LIST
            admin_tool.record_patients_shown(request.user, page, shown, client_ip(request))
        return self.get_paginated_response(PatientSerializer(page, many=True).data)

    @extend_schema(responses={201: PatientSerializer})
    def create(self, request: Request) -> Response:
        """Add a patient (admins)."""
        form = PatientSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        patient = add_patient(
            personnummer=form.validated_data["personnummer"], **form.person_fields()
        )
        return Response(PatientSerializer(patient).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: int) -> Response:
        """One patient; an admin's look is written to the audit log."""
        patient = patient_for(request.user, pk)
        self._audit(patient, admin_tool.PATIENT_DETAIL)
        return Response(PatientSerializer(patient).data)

    def partial_update(self, request: Request, pk: int) -> Response:
        """Change a patient's details (admins); written to the audit log."""
        patient = patient_for(request.user, pk)
        form = PatientSerializer(patient, data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        fields = form.person_fields()
        if "personnummer" in form.validated_data:
            fields["personnummer"] = form.validated_data["personnummer"]
        patient = update_patient(patient, **fields)
        self._audit(patient, admin_tool.PATIENT_EDIT)
        return Response(PatientSerializer(patient).data)
