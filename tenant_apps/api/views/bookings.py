"""Bookings (manual 3, 7.4, 8): list with filters, invite (Bjud in till besök, Boka nu, Bjud in
intern vårdpersonal), confirm, decline (Jag kan inte komma), reschedule, cancel. Every rule is
tenant_apps.bookings.services'."""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from careplatform import clock
from careplatform.netutils import client_ip
from tenant_apps.accounts.models import User
from tenant_apps.api.booking_serializers import (
    SMS_STATUSES,
    BookingFilterSerializer,
    BookingSerializer,
    CancelSerializer,
    DeclineSerializer,
    InvitedBookingSerializer,
    InviteSerializer,
    RescheduleSerializer,
)
from tenant_apps.api.permissions import ConsentGiven, IsPatient, IsStaff
from tenant_apps.api.views.base import IdLookup, Pages
from tenant_apps.bookings import selectors, services
from tenant_apps.bookings.access import booking_for, managed_booking
from tenant_apps.bookings.models import Booking
from tenant_apps.bookings.services import PatientSpec


class _BookingPermission(BasePermission):
    """Reading: anyone with bookings. Confirming and declining: patients. Everything else:
    staff."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        needed = IsPatient if view.action in ("confirm", "decline") else IsStaff
        return needed().has_permission(request, view)


def _presented(user: User, pk: int) -> Booking:
    """One booking the caller may see (bookings.access), with everything the serializer reads."""
    return selectors.with_row(booking_for(user, pk), SMS_STATUSES)


class BookingViewSet(IdLookup, viewsets.GenericViewSet):
    """Clinicians see their own bookings and the colleague test visits they are invited to,
    admins all of their provider's, patients those they are invited to (bookings.access); the
    list is the Bokningar page's (bookings.selectors.booking_list)."""

    permission_classes = [ConsentGiven, _BookingPermission]
    serializer_class = BookingSerializer
    filter_serializer = BookingFilterSerializer
    pagination_class = Pages

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "now": clock.now()}

    def _present(self, booking: Booking, code: int = status.HTTP_200_OK) -> Response:
        booking = _presented(self.request.user, booking.pk)  # fresh, with relations
        return Response(self.get_serializer(booking).data, status=code)

    @extend_schema(parameters=[BookingFilterSerializer])
    def list(self, request: Request) -> Response:
        """The bookings the caller may see, by start time; `status` is the effective status
        (an unconfirmed booking whose start has passed is expired)."""
        # A plain dict: an empty `to=` is refused, not taken as absent.
        filters = self.filter_serializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        bookings = selectors.booking_list(request.user, filters.filters())
        page = self.paginate_queryset(selectors.rows(bookings, SMS_STATUSES))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=InviteSerializer, responses={201: InvitedBookingSerializer})
    def create(self, request: Request) -> Response:
        """Bjud in till besök: patients (matched by personnummer, else created) or one
        colleague; a time as `starts_at` or `date` + `time`, or `instant` (Boka nu). Admins may
        book for any clinician. A staff member's personnummer is refused; an existing patient
        keeps their stored name and mobile unless an admin invites (then changed, and audited)."""
        form = InviteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        patients = [PatientSpec(**patient) for patient in data["patients"]]
        # As on the page: an admin booking a clinician's visit type books for that clinician.
        default = data["visit_type"].clinician if request.user.is_admin else request.user
        booking = services.invite(
            actor=request.user,
            clinician=data.get("clinician") or default,
            visit_type=data["visit_type"],
            provider=request.tenant,
            patients=patients,
            colleague=data.get("colleague"),
            starts_at=data.get("starts_at"),
            instant=data["instant"],
            message=data["message"],
            ip_address=client_ip(request),
        )
        booking = _presented(request.user, booking.pk)
        context = {
            **self.get_serializer_context(),
            "notices": services.kept_details(booking, patients),
        }
        body = InvitedBookingSerializer(booking, context=context).data
        return Response(body, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: int) -> Response:
        """One booking the caller may see."""
        return Response(self.get_serializer(_presented(request.user, pk)).data)

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: int) -> Response:
        """Bekräfta (manual 7.4): the booking is confirmed once every invited patient has."""
        booking = services.confirm(booking_for(request.user, pk), request.user)
        return self._present(booking)

    @extend_schema(request=DeclineSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: int) -> Response:
        """Jag kan inte komma (a patient, before the visit starts): the clinician is told and
        the booking is cancelled with the note as its reason; in a group visit the patient
        drops out and the visit goes on for the others."""
        booking = booking_for(request.user, pk)
        form = DeclineSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        booking = services.decline(booking, request.user, form.validated_data["note"])
        return self._present(booking)

    @extend_schema(request=RescheduleSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: int) -> Response:
        """New time, same booking; where confirmation is required, patients confirm again."""
        booking = managed_booking(request.user, pk)
        form = RescheduleSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        booking = services.reschedule(
            booking,
            actor=request.user,
            provider=request.tenant,
            starts_at=form.validated_data.get("starts_at"),
            reason=form.validated_data["reason"],
        )
        return self._present(booking)

    @extend_schema(request=CancelSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: int) -> Response:
        """Avboka: the booking's clinician or an admin, with an optional reason (kept for staff,
        never in an SMS)."""
        booking = managed_booking(request.user, pk)
        form = CancelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        booking = services.cancel(booking, actor=request.user, reason=form.validated_data["reason"])
        return self._present(booking)
