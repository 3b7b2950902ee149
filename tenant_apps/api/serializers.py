"""Serializers for people, Min profil and visit types. They parse and present; every rule (unique
personnummer, roles, the last admin, durations, group sizes) is the services'."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from careplatform.validators import normalize_mobile, normalize_personnummer
from tenant_apps.accounts.models import Language, User
from tenant_apps.api.fields import Boolean, Email, Integer, Text
from tenant_apps.profiles.models import (
    MAX_DURATION,
    MAX_GROUP_PATIENTS,
    MIN_DURATION,
    VisitKind,
    VisitType,
)

PERSON_FIELDS = ("first_name", "last_name", "mobile", "email", "language")


def _normalized(normalize: Callable[[str], str], value: str) -> str:
    try:
        return normalize(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None


class PersonnummerField(Text):
    """Accepts 10 or 12 digits with or without separator; stored and shown as 12 digits. The
    check digit and the date are checked beyond the pattern."""

    pattern = r"^(\d{6}|\d{8})[-+]?\d{4}$"

    def to_internal_value(self, data: Any) -> str:
        return _normalized(normalize_personnummer, super().to_internal_value(data))


class MobileField(Text):
    """Swedish numbers may be written as 070-123 45 67; stored and shown as E.164. Whether the
    number exists and is a mobile number is checked beyond the pattern."""

    pattern = r"^\+?[0-9][0-9 ()-]{5,19}$"

    def to_internal_value(self, data: Any) -> str:
        return _normalized(normalize_mobile, super().to_internal_value(data))


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    personnummer = serializers.CharField(read_only=True)
    first_name = Text(max_length=100)
    last_name = Text(max_length=100)
    mobile = MobileField(max_length=20)
    email = Email(required=False)
    language = serializers.ChoiceField(choices=Language.choices, default=Language.SWEDISH)
    is_active = serializers.BooleanField(read_only=True)

    def person_fields(self) -> dict[str, str]:
        """The validated fields the services take (a PATCH gives only those sent)."""
        return {k: v for k, v in self.validated_data.items() if k in PERSON_FIELDS}


class StaffMemberSerializer(PersonSerializer):
    """A clinician or admin. The personnummer is their BankID identity and stays."""

    is_admin = Boolean(default=False)
    is_clinician = Boolean(default=False)


class NewStaffMemberSerializer(StaffMemberSerializer):
    personnummer = PersonnummerField(max_length=13)


class PatientSerializer(PersonSerializer):
    personnummer = PersonnummerField(max_length=13)


class ColleagueSerializer(serializers.Serializer):
    """What staff may see of each other: enough to invite a colleague for a test visit."""

    id = serializers.IntegerField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    is_admin = serializers.BooleanField(read_only=True)
    is_clinician = serializers.BooleanField(read_only=True)


class MeSerializer(serializers.ModelSerializer):
    email = Email(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "personnummer",
            "first_name",
            "last_name",
            "mobile",
            "email",
            "language",
            "is_admin",
            "is_clinician",
            "is_patient",
        ]
        read_only_fields = fields


class ProfileSerializer(serializers.Serializer):
    """Min profil → Konsultation (manual 2.1)."""

    title = Text(max_length=100, allow_blank=True, help_text="Professional title (yrkestitel)")
    description = Text(max_length=2000, allow_blank=True, default="")
    booking_enabled = serializers.BooleanField(read_only=True)


class BookingFunctionSerializer(serializers.Serializer):
    """Aktivera bokningsfunktion (manual 2.4) and what still stands in the way."""

    active = serializers.BooleanField(read_only=True)
    blockers = serializers.ListField(child=serializers.CharField(), read_only=True)


class VisitTypeSerializer(serializers.Serializer):
    """Bokningsbart besök (manual 2.3)."""

    id = serializers.IntegerField(read_only=True)
    clinician = serializers.IntegerField(source="clinician_id", read_only=True)
    title = Text(max_length=100)
    duration_minutes = Integer(
        min_value=MIN_DURATION, max_value=MAX_DURATION, help_text="Minutes, 5–240"
    )
    kind = serializers.ChoiceField(choices=VisitKind.choices)
    max_patients = Integer(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_GROUP_PATIENTS,
        help_text="Group visit (video_group): 2–3; a 1-1 video visit: always 1 (what is sent "
        "is ignored)",
    )
    is_active = serializers.BooleanField(read_only=True)

    def visit_type_fields(self, current: VisitType | None = None) -> dict:
        """All four fields the services take; a PATCH keeps what it does not send."""
        names = ("title", "duration_minutes", "kind", "max_patients")
        fields = {name: getattr(current, name) for name in names} if current else {}
        fields.update(self.validated_data)
        return fields


class VisitTypeFilterSerializer(serializers.Serializer):
    """Query parameters of the visit-type list."""

    clinician = serializers.IntegerField(
        required=False, help_text="Only this clinician's visit types"
    )
