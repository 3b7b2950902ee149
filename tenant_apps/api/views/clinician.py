"""The caller (me), Min profil and the booking function (manual 2.1, 2.4), and bookable visits
(manual 2.3): a clinician's own; admins may read every clinician's."""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.accounts.models import User
from tenant_apps.api.permissions import ConsentGiven, IsClinician, StaffReadsClinicianWrites
from tenant_apps.api.serializers import (
    BookingFunctionSerializer,
    MeSerializer,
    ProfileSerializer,
    VisitTypeFilterSerializer,
    VisitTypeSerializer,
)
from tenant_apps.api.views.base import IdLookup, Pages
from tenant_apps.profiles.access import own_visit_type, visible_visit_types, visit_type_for
from tenant_apps.profiles.services import (
    activate_booking,
    booking_blockers,
    create_visit_type,
    deactivate_booking,
    get_profile,
    set_visit_type_active,
    update_consultation,
    update_visit_type,
)


class MeView(APIView):
    """Who the caller is: name, contact details and roles."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class ProfileView(GenericAPIView):
    """Min profil → Konsultation: yrkestitel and description."""

    permission_classes = [ConsentGiven, IsClinician]
    serializer_class = ProfileSerializer

    def get(self, request: Request) -> Response:
        """The caller's yrkestitel and description."""
        return Response(ProfileSerializer(get_profile(request.user)).data)

    def patch(self, request: Request) -> Response:
        """Change yrkestitel and/or description; the title stays while booking is on."""
        profile = get_profile(request.user)
        form = ProfileSerializer(profile, data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        values = {"title": profile.title, "description": profile.description}
        values.update(form.validated_data)
        profile = update_consultation(request.user, **values)
        return Response(ProfileSerializer(profile).data)


def _booking_function(user: User) -> dict:
    return {"active": get_profile(user).booking_enabled, "blockers": booking_blockers(user)}


class BookingFunctionView(viewsets.ViewSet):
    """Aktivera bokningsfunktion: on only with a yrkestitel and an active visit type; until
    then `blockers` says what is missing, in the manual's words."""

    permission_classes = [ConsentGiven, IsClinician]

    @extend_schema(responses=BookingFunctionSerializer)
    def retrieve(self, request: Request) -> Response:
        """Whether the booking function is on, and what is missing to turn it on."""
        return Response(BookingFunctionSerializer(_booking_function(request.user)).data)

    @extend_schema(request=None, responses=BookingFunctionSerializer)
    def activate(self, request: Request) -> Response:
        """Aktivera bokningsfunktion: refused (400) while something is missing."""
        activate_booking(request.user)
        return Response(BookingFunctionSerializer(_booking_function(request.user)).data)

    @extend_schema(request=None, responses=BookingFunctionSerializer)
    def deactivate(self, request: Request) -> Response:
        """Turn the booking function off: no new invitations until it is on again."""
        deactivate_booking(request.user)
        return Response(BookingFunctionSerializer(_booking_function(request.user)).data)


class VisitTypeViewSet(IdLookup, viewsets.GenericViewSet):
    """Bokningsbara besök."""

    # Reading: clinicians their own, admins anyone's. Writing: clinicians, their own.
    permission_classes = [ConsentGiven, StaffReadsClinicianWrites]
    serializer_class = VisitTypeSerializer
    filter_serializer = VisitTypeFilterSerializer
    pagination_class = Pages

    @extend_schema(parameters=[VisitTypeFilterSerializer])
    def list(self, request: Request) -> Response:
        """Clinicians: their own visit types. Admins: every clinician's."""
        visit_types = visible_visit_types(request.user)
        filters = VisitTypeFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        if "clinician" in filters.validated_data:
            visit_types = visit_types.filter(clinician_id=filters.validated_data["clinician"])
        page = self.paginate_queryset(visit_types)
        return self.get_paginated_response(VisitTypeSerializer(page, many=True).data)

    @extend_schema(responses={201: VisitTypeSerializer})
    def create(self, request: Request) -> Response:
        """A new bookable visit of the caller's (clinicians)."""
        form = VisitTypeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        visit_type = create_visit_type(request.user, **form.visit_type_fields())
        return Response(VisitTypeSerializer(visit_type).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: int) -> Response:
        """One visit type: the caller's own, or any clinician's for admins."""
        return Response(VisitTypeSerializer(visit_type_for(request.user, pk)).data)

    def partial_update(self, request: Request, pk: int) -> Response:
        """Change one of the caller's own visit types."""
        visit_type = own_visit_type(request.user, pk)
        form = VisitTypeSerializer(visit_type, data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        visit_type = update_visit_type(visit_type, **form.visit_type_fields(visit_type))
        return Response(VisitTypeSerializer(visit_type).data)

    @extend_schema(request=None, responses=VisitTypeSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: int) -> Response:
        """Make one of the caller's visit types bookable again."""
        visit_type = set_visit_type_active(own_visit_type(request.user, pk), True)
        return Response(VisitTypeSerializer(visit_type).data)

    @extend_schema(request=None, responses=VisitTypeSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: int) -> Response:
        """Deactivating the last active visit type turns the booking function off too."""
        visit_type = set_visit_type_active(own_visit_type(request.user, pk), False)
        return Response(VisitTypeSerializer(visit_type).data)
