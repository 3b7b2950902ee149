"""Serializers for bookings: what a booking looks like to its viewer, and the parsing of invite,
reschedule, cancel, decline and the list filters. The rules are in tenant_apps.bookings.services."""

import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from careplatform.timeutil import local_datetime
from tenant_apps.accounts.models import User
from tenant_apps.api.fields import Boolean, IsoDate, LocalTime, ObjectId, Text
from tenant_apps.api.serializers import MobileField, PersonnummerField
from tenant_apps.bookings.access import shown_cancel_reason, shown_participants
from tenant_apps.bookings.models import Booking, BookingStatus, ParticipantRole
from tenant_apps.bookings.references import DISPLAY_PATTERN
from tenant_apps.bookings.selectors import SEARCH_MAX_LENGTH, BookingFilters, check_day_order
from tenant_apps.bookings.services import (
    MESSAGE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    can_be_held,
    effective_status,
)
from tenant_apps.notifications.models import SmsKind, SmsMessage, SmsStatus
from tenant_apps.notifications.services import visible_sms
from tenant_apps.profiles.models import VisitKind, VisitType

# -- what a booking looks like ----------------------------------------------------------------

# What BookingSerializer reads of a booking's SMS, loaded with its rows (bookings.selectors.rows).
SMS_STATUSES = Prefetch(
    "sms_messages",
    queryset=SmsMessage.objects.only(
        "booking_id", "recipient_id", "kind", "to", "status", "created_at", "updated_at"
    ),
)


class ClinicianSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.CharField(help_text="Professional title (yrkestitel)")


class VisitTypeSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    duration_minutes = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=VisitKind.choices)


class ParticipantSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=ParticipantRole.choices)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    declined_at = serializers.DateTimeField(
        allow_null=True, help_text="When the patient said they cannot come"
    )


class SmsStatusSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SmsKind.choices)
    recipient = serializers.CharField(
        allow_null=True,
        help_text="The number it goes to (E.164); null when the recipient has no usable number",
    )
    status = serializers.ChoiceField(
        choices=SmsStatus.choices,
        help_text="failed is final (an admin can send it again); queued, sending and unknown "
        "are still being worked on",
    )
    updated_at = serializers.DateTimeField(help_text="When the status last changed")


def _time(value: datetime.datetime | None) -> str | None:
    """As DRF's DateTimeField writes it: ISO 8601 in Swedish time, with its offset."""
    return timezone.localtime(value).isoformat() if value is not None else None


def _title(user: User) -> str:
    try:
        return user.profile.title
    except ObjectDoesNotExist:
        return ""


class BookingSerializer(serializers.Serializer):
    """A booking as its viewer may see it. `status` is the effective status: an unconfirmed
    booking whose start has passed is expired. A patient sees no other patients.

    The fields declare the schema; to_representation writes them by hand, because DRF's nested
    serializers cost more than the database on a list page (see tests.bench.booking_api).
    test_booking_json_has_exactly_the_declared_fields keeps the two in step."""

    id = serializers.IntegerField()
    reference = serializers.RegexField(
        DISPLAY_PATTERN,
        help_text="The visit reference (besöksnummer), e.g. K7F-2Q9: what a patient reads to "
        "support. /b/K7F2Q9 on the provider's host (the link in every SMS) opens the visit "
        "for its participants after BankID login",
    )
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    can_be_held = serializers.BooleanField()
    clinician = ClinicianSummarySerializer()
    visit_type = VisitTypeSummarySerializer()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    instant = serializers.BooleanField(help_text="Booked with Boka nu (started at once)")
    message = serializers.CharField()
    version = serializers.IntegerField()
    participants = ParticipantSerializer(many=True)
    created_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    cancelled_by = serializers.IntegerField(allow_null=True)
    cancel_reason = serializers.CharField(
        help_text="For the booking's clinician and admins, and for the patient whose own note "
        "it is; empty for anyone else"
    )
    sms = SmsStatusSerializer(
        many=True,
        help_text="The booking's SMS, oldest first: all of them for its clinician and admins, "
        "only those sent to the caller for anyone else",
    )

    def to_representation(self, booking: Booking) -> dict:
        now: datetime.datetime = self.context["now"]
        clinician, visit_type = booking.clinician, booking.visit_type
        return {
            "id": booking.pk,
            "reference": booking.visit_reference,
            "status": effective_status(booking, now),
            "can_be_held": can_be_held(booking, now),
            "clinician": {
                "id": clinician.pk,
                "name": clinician.full_name,
                "title": _title(clinician),
            },
            "visit_type": {
                "id": visit_type.pk,
                "title": visit_type.title,
                "duration_minutes": visit_type.duration_minutes,
                "kind": visit_type.kind,
            },
            "starts_at": _time(booking.starts_at),
            "ends_at": _time(booking.ends_at),
            "instant": booking.instant,
            "message": booking.message,
            "version": booking.version,
            "participants": self._participants(booking),
            "created_at": _time(booking.created_at),
            "confirmed_at": _time(booking.confirmed_at),
            "cancelled_at": _time(booking.cancelled_at),
            "cancelled_by": booking.cancelled_by_id,
            "cancel_reason": shown_cancel_reason(self.context["request"].user, booking),
            "sms": [
                {
                    "kind": m.kind,
                    "recipient": m.to or None,
                    "status": m.status,
                    "updated_at": _time(m.updated_at),
                }
                for m in visible_sms(booking, self.context["request"].user)
            ],
        }

    def _participants(self, booking: Booking) -> list[dict]:
        viewer = self.context["request"].user
        people = shown_participants(viewer, booking, booking.participants.all())  # prefetched
        return [
            {
                "user": p.user_id,
                "name": p.user.full_name,
                "role": p.role,
                "confirmed_at": _time(p.confirmed_at),
                "declined_at": _time(p.declined_at),
            }
            for p in people
        ]


class InvitedBookingSerializer(BookingSerializer):
    """The booking an invite made, and what the inviter should know about it."""

    notices = serializers.ListField(
        child=serializers.CharField(),
        help_text="E.g. that an existing patient's stored name and mobile were used, not the "
        "ones sent (only admins change a patient's details)",
    )

    def to_representation(self, booking: Booking) -> dict:
        return {**super().to_representation(booking), "notices": self.context["notices"]}


# -- parsing -----------------------------------------------------------------------------------


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time with its UTC offset; a local wall-clock time goes in date + time."""

    def enforce_timezone(self, value: datetime.datetime) -> datetime.datetime:
        if timezone.is_naive(value):
            raise serializers.ValidationError(
                _(
                    "Ange tiden med UTC-förskjutning, t.ex. 2026-05-04T10:00:00+02:00, "
                    "eller som date och time (svensk tid)."
                )
            )
        return super().enforce_timezone(value)


class StartTimeSerializer(serializers.Serializer):
    """A start time as `starts_at` (with offset) or as `date` + `time` in Swedish local time,
    where a time that does not exist on a DST day is refused."""

    starts_at = AwareDateTimeField(required=False, allow_null=True)
    date = IsoDate(required=False, help_text="Local date (Europe/Stockholm)")
    time = LocalTime(required=False, help_text="Local time, HH:MM (Europe/Stockholm)")

    def validate(self, attrs: dict) -> dict:
        day, time = attrs.pop("date", None), attrs.pop("time", None)
        if day is None and time is None:
            return attrs
        if day is None or time is None:
            missing = "date" if day is None else "time"
            raise serializers.ValidationError({missing: _("Ange både datum och tid.")})
        if attrs.get("starts_at") is not None:
            raise serializers.ValidationError(
                {"starts_at": _("Ange antingen starts_at eller date och time.")}
            )
        try:
            attrs["starts_at"] = local_datetime(day, time)
        except DjangoValidationError as error:
            messages = error.messages
            if error.code == "ambiguous_time":
                messages = [_ambiguous(day, time)]
            raise serializers.ValidationError({"time": messages}) from None
        return attrs


def _ambiguous(day: datetime.date, time: datetime.time) -> str:
    """Which one? Through the API the answer is the offset."""
    at = datetime.datetime.combine(day, time.replace(tzinfo=None)).isoformat()
    return _(
        "Tiden %(time)s finns två gånger den natten (klockan ställs tillbaka till vintertid). "
        "Ange vilken du menar som starts_at med förskjutning: %(at)s+02:00 (sommartid) eller "
        "%(at)s+01:00 (vintertid)."
    ) % {"time": time.strftime("%H:%M"), "at": at}


class PatientSpecSerializer(serializers.Serializer):
    personnummer = PersonnummerField(max_length=13)
    first_name = Text(max_length=100)
    last_name = Text(max_length=100)
    mobile = MobileField(max_length=20)


class InviteSerializer(StartTimeSerializer):
    """Bjud in till besök (patients) or Bjud in intern vårdpersonal (a colleague)."""

    clinician = ObjectId(
        queryset=User.objects.all(),
        required=False,
        help_text="Admins: the clinician the booking is for (default: the visit type's)",
    )
    visit_type = ObjectId(queryset=VisitType.objects.all())
    patients = PatientSpecSerializer(many=True, required=False, default=list)
    colleague = ObjectId(queryset=User.objects.all(), required=False, allow_null=True)
    instant = Boolean(default=False, help_text="Boka nu: the visit starts now, no confirmation")
    message = Text(
        required=False,
        allow_blank=True,
        default="",
        max_length=MESSAGE_MAX_LENGTH,
        help_text="Shown to the patient after login",
    )

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        if attrs["instant"] and attrs.get("starts_at") is not None:
            raise serializers.ValidationError({"instant": _("Välj antingen en tid eller Boka nu.")})
        return attrs


class RescheduleSerializer(StartTimeSerializer):
    reason = Text(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the time changes: kept in the booking's history for staff, never in an SMS",
    )


class CancelSerializer(serializers.Serializer):
    reason = Text(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the booking is cancelled: kept in the booking's history for staff, never "
        "in an SMS",
    )


class DeclineSerializer(serializers.Serializer):
    note = Text(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="A note to the clinic (Jag kan inte komma), never in an SMS",
    )


class BookingFilterSerializer(serializers.Serializer):
    """Query parameters of the booking list; `from`/`to` are local dates (Europe/Stockholm),
    both inclusive."""

    status = serializers.ChoiceField(choices=BookingStatus.choices, required=False)
    to = IsoDate(required=False, help_text="Not before `from`")
    clinician = serializers.IntegerField(
        required=False, help_text="Admins: only this clinician's bookings"
    )
    search = Text(
        required=False,
        allow_blank=True,
        max_length=SEARCH_MAX_LENGTH,
        help_text="Only bookings with an invited patient of this name or personnummer (every "
        "word must match); clinicians search their own patients, admins the provider's",
    )

    def get_fields(self) -> dict:
        fields = super().get_fields()
        fields["from"] = IsoDate(required=False)  # a keyword in Python
        return fields

    def validate(self, attrs: dict) -> dict:
        try:
            check_day_order(attrs.get("from"), attrs.get("to"))
        except DjangoValidationError as error:
            raise serializers.ValidationError({"to": error.messages}) from None
        return attrs

    def filters(self) -> BookingFilters:
        values = self.validated_data
        return BookingFilters(
            status=values.get("status"),
            first_day=values.get("from"),
            last_day=values.get("to"),
            clinician_id=values.get("clinician"),
            search=values.get("search", ""),
        )
