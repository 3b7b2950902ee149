"""Min profil (manual section 2): yrkestitel, profile photo, bookable visits and the booking
function. A clinician can invite only once the booking function is active."""

import mimetypes
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tenants.utils import schema_context

from tenant_apps.accounts.models import User
from tenant_apps.profiles import photos
from tenant_apps.profiles.access import bookable_visit_types
from tenant_apps.profiles.models import (
    MAX_DURATION,
    MAX_GROUP_PATIENTS,
    MIN_DURATION,
    MIN_GROUP_PATIENTS,
    ClinicianProfile,
    VisitKind,
    VisitType,
)
from tenants.db import connection

MAX_DESCRIPTION = 2000
# The Min profil steps (manual 2.1–2.4) a missing piece points to.
CONSULTATION, PHOTO, VISIT_TYPES, BOOKING = "consultation", "photo", "visit_types", "booking"


@dataclass(frozen=True)
class Blocker:
    """Something missing before a clinician can publish or invite, and the Min profil step that
    fixes it ("" when no step does)."""

    step: str
    message: str

    def __str__(self) -> str:
        return self.message


def get_profile(user: User) -> ClinicianProfile:
    profile, _created = ClinicianProfile.objects.get_or_create(user=user)
    return profile


def _locked_profile(user_id: int) -> ClinicianProfile:
    """The profile row, locked until the transaction ends: publishing and the changes that
    decide whether a clinician may publish take turns instead of racing."""
    ClinicianProfile.objects.get_or_create(user_id=user_id)
    return ClinicianProfile.objects.select_for_update().get(user_id=user_id)


def update_consultation(user: User, *, title: str, description: str) -> ClinicianProfile:
    with transaction.atomic():
        profile = _locked_profile(user.pk)
        title, description = title.strip(), description.strip()
        if profile.booking_enabled and not title:
            raise ValidationError(
                {"title": _("Yrkestiteln behövs så länge bokningsfunktionen är aktiv.")}
            )
        if len(description) > MAX_DESCRIPTION:  # full_clean does not check a TextField's length
            raise ValidationError(
                {
                    "description": ngettext(
                        "Beskrivningen får vara högst %(max)d tecken.",
                        "Beskrivningen får vara högst %(max)d tecken.",
                        MAX_DESCRIPTION,
                    )
                    % {"max": MAX_DESCRIPTION}
                }
            )
        profile.title, profile.description = title, description
        profile.full_clean()
        profile.save()
    return profile


# -- profile photo (manual 2.2) ----------------------------------------------------------------


def _delete_after_commit(storage: Storage, name: str) -> None:
    """Remove a replaced file once the new one is committed; storage paths carry the schema."""
    schema = connection.schema_name

    def delete() -> None:
        with schema_context(schema):
            storage.delete(name)

    transaction.on_commit(delete)


def set_photo(user: User, upload: UploadedFile) -> ClinicianProfile:
    """Store a fresh JPEG made from the upload (photos.clean_jpeg); anything else is refused."""
    data = photos.photo_jpeg(upload)
    with transaction.atomic():
        profile = _locked_profile(user.pk)
        old = profile.photo.name
        profile.photo.save(f"{uuid.uuid4().hex}.jpg", ContentFile(data), save=True)
        if old:
            _delete_after_commit(profile.photo.storage, old)
    return profile


def remove_photo(user: User) -> ClinicianProfile:
    with transaction.atomic():
        profile = _locked_profile(user.pk)
        old = profile.photo.name
        if old:
            profile.photo = ""
            profile.save(update_fields=["photo", "updated_at"])
            _delete_after_commit(profile.photo.storage, old)
    return profile


# -- bookable visits (manual 2.3) --------------------------------------------------------------


def _checked_visit_type(visit_type: VisitType) -> VisitType:
    errors: dict[str, str] = {}
    if not visit_type.title.strip():
        errors["title"] = _("Ange en titel.")
    duration = visit_type.duration_minutes
    if duration is None or not MIN_DURATION <= duration <= MAX_DURATION:
        # A range of two or more: the plural, whatever the numbers.
        errors["duration_minutes"] = _("Längden måste vara mellan %(min)d och %(max)d minuter.") % {
            "min": MIN_DURATION,
            "max": MAX_DURATION,
        }
    if visit_type.kind not in VisitKind.values:
        errors["kind"] = _("Välj typ av besök.")
    elif visit_type.kind == VisitKind.VIDEO:
        visit_type.max_patients = 1
    elif not (MIN_GROUP_PATIENTS <= (visit_type.max_patients or 0) <= MAX_GROUP_PATIENTS):
        errors["max_patients"] = _(
            "Ett Videogruppbesök tar %(min)d–%(max)d patienter (vårdpersonalen är den fjärde)."
        ) % {"min": MIN_GROUP_PATIENTS, "max": MAX_GROUP_PATIENTS}
    if errors:
        raise ValidationError(errors)
    visit_type.title = visit_type.title.strip()
    return visit_type


def create_visit_type(
    user: User, *, title: str, duration_minutes: int, kind: str, max_patients: int | None = None
) -> VisitType:
    visit_type = VisitType(
        clinician=user,
        title=title,
        duration_minutes=duration_minutes,
        kind=kind,
        max_patients=max_patients or 1,
    )
    _checked_visit_type(visit_type).save()
    return visit_type


def update_visit_type(
    visit_type: VisitType, *, title: str, duration_minutes: int, kind: str, max_patients: int | None
) -> VisitType:
    visit_type.title, visit_type.duration_minutes = title, duration_minutes
    visit_type.kind, visit_type.max_patients = kind, max_patients or 1
    _checked_visit_type(visit_type).save()
    return visit_type


def set_visit_type_active(visit_type: VisitType, active: bool) -> VisitType:
    with transaction.atomic():
        profile = _locked_profile(visit_type.clinician_id)
        visit_type.is_active = active
        visit_type.save(update_fields=["is_active"])
        if not active and profile.booking_enabled and not _has_active_visit_type(profile.user_id):
            # Without a bookable visit nobody can be invited: the function goes off too.
            profile.booking_enabled = False
            profile.save(update_fields=["booking_enabled", "updated_at"])
    return visit_type


def _has_active_visit_type(user_id: int) -> bool:
    return VisitType.objects.filter(clinician_id=user_id, is_active=True).exists()


# -- the booking function (manual 2.4) and inviting (manual 3) ---------------------------------


def profile_steps(user: User) -> dict[str, bool]:
    """Which of the four steps of manual section 2 are done (the photo is optional)."""
    profile = get_profile(user)
    return {
        CONSULTATION: bool(profile.title.strip()),
        PHOTO: bool(profile.photo),
        VISIT_TYPES: _has_active_visit_type(user.pk),
        BOOKING: profile.booking_enabled,
    }


def _missing_for_publishing(profile: ClinicianProfile) -> list[Blocker]:
    missing = []
    if not profile.title.strip():
        missing.append(Blocker(CONSULTATION, _("Fyll i Yrkestitel under Konsultation.")))
    if not _has_active_visit_type(profile.user_id):
        missing.append(Blocker(VISIT_TYPES, _("Skapa minst ett bokningsbart besök.")))
    return missing


def missing_for_publishing(user: User) -> list[Blocker]:
    return _missing_for_publishing(get_profile(user))


def booking_blockers(user: User) -> list[str]:
    """Why this clinician cannot publish yet, in the manual's words."""
    return [blocker.message for blocker in missing_for_publishing(user)]


def activate_booking(user: User) -> ClinicianProfile:
    with transaction.atomic():
        profile = _locked_profile(user.pk)
        missing = _missing_for_publishing(profile)
        if missing:
            raise ValidationError([blocker.message for blocker in missing])
        profile.booking_enabled = True
        profile.save(update_fields=["booking_enabled", "updated_at"])
    return profile


def deactivate_booking(user: User) -> ClinicianProfile:
    with transaction.atomic():
        profile = _locked_profile(user.pk)
        profile.booking_enabled = False
        profile.save(update_fields=["booking_enabled", "updated_at"])
    return profile


def set_waiting_sms(user: User, on: bool) -> ClinicianProfile:
    """Sms när en patient väntar (Min profil): an SMS to the clinician's own mobile when a
    patient has waited in the room without them. Turning it on needs a mobile number."""
    if on and not user.mobile:
        raise ValidationError(
            _("Du har inget mobilnummer. Be en administratör att lägga till det först.")
        )
    with transaction.atomic():
        profile = _locked_profile(user.pk)
        profile.sms_when_patient_waits = on
        profile.save(update_fields=["sms_when_patient_waits", "updated_at"])
    return profile


def missing_for_inviting(user: User) -> list[Blocker]:
    """Empty when the user may invite patients; otherwise what is missing, with its step."""
    if not (user.is_active and user.is_clinician):
        return [Blocker("", _("Bara vårdpersonal kan bjuda in till besök."))]
    profile = get_profile(user)
    if profile.booking_enabled:
        return []
    return _missing_for_publishing(profile) + [
        Blocker(BOOKING, _("Aktivera bokningsfunktionen under Min profil."))
    ]


def missing_for_invite_page(user: User) -> list[Blocker]:
    """What keeps `user` from "Bjud in till besök", the same on Översikt and Bokningar. An admin
    invites on behalf of any clinician whose booking function is on (manual 8: an admin "kan se
    och lägga till Vårdpersonal, Patienter och bokningar"), so only a provider where nobody can
    be booked holds them back; a clinician needs their own steps (manual 2)."""
    if user.is_active and user.is_admin:
        if bookable_visit_types(user).exists():
            return []
        if not user.is_clinician:
            return [Blocker("", _("Ingen vårdpersonal har aktiverat bokningsfunktionen ännu."))]
    return missing_for_inviting(user)


def invite_blockers(user: User) -> list[str]:
    """Empty when the user may invite patients; otherwise what is missing (shown in the UI)."""
    return [blocker.message for blocker in missing_for_inviting(user)]


# -- what patients see (manual 2: the clinician listing) ---------------------------------------


def published_clinicians() -> QuerySet[User]:
    """Active clinicians whose booking function is on, each with its profile (one query)."""
    return (
        User.objects.filter(is_active=True, is_clinician=True, profile__booking_enabled=True)
        .select_related("profile")
        .order_by("last_name", "first_name", "pk")
    )


def is_published(profile: ClinicianProfile) -> bool:
    user = profile.user
    return profile.booking_enabled and user.is_active and user.is_clinician


def photo_content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
