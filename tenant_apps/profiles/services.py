"""Min profil (manual section 2): yrkestitel, profile photo, bookable visits and the booking
function. A clinician can invite only once the booking function is active."""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from tenant_apps.accounts.models import User
from tenant_apps.profiles.models import (
    MAX_DURATION,
    MAX_GROUP_PATIENTS,
    MIN_DURATION,
    MIN_GROUP_PATIENTS,
    ClinicianProfile,
    VisitKind,
    VisitType,
)

MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_SIZE = (512, 512)
# What the browser may claim, and what Pillow must find, for each accepted type.
PHOTO_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def get_profile(user: User) -> ClinicianProfile:
    profile, _created = ClinicianProfile.objects.get_or_create(user=user)
    return profile


def update_consultation(user: User, *, title: str, description: str) -> ClinicianProfile:
    profile = get_profile(user)
    title, description = title.strip(), description.strip()
    if profile.booking_enabled and not title:
        raise ValidationError(
            {"title": _("Yrkestiteln behövs så länge bokningsfunktionen är aktiv.")}
        )
    profile.title, profile.description = title, description
    profile.full_clean()
    profile.save()
    return profile


def _decoded_photo(upload: UploadedFile) -> Image.Image:
    if upload.size is None or upload.size > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": _("Bilden får vara högst 5 MB.")})
    claimed = PHOTO_TYPES.get(upload.content_type or "")
    if claimed is None:
        raise ValidationError({"photo": _("Välj en bild i formatet JPEG, PNG eller WebP.")})
    try:
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError({"photo": _("Filen är ingen bild som går att läsa.")}) from None
    if image.format != claimed:
        raise ValidationError({"photo": _("Filen är inte den bildtyp den utger sig för att vara.")})
    return image


def set_photo(user: User, upload: UploadedFile) -> ClinicianProfile:
    """Decode with Pillow, drop EXIF (after applying its rotation), scale to at most 512×512
    and store a fresh JPEG; anything else is refused."""
    image = _decoded_photo(upload)
    image = ImageOps.exif_transpose(image)
    image.thumbnail(PHOTO_SIZE)
    if image.mode != "RGB":
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88, optimize=True)  # no EXIF written
    profile = get_profile(user)
    old = profile.photo.name if profile.photo else None
    profile.photo.save(f"{uuid.uuid4().hex}.jpg", ContentFile(buffer.getvalue()), save=True)
    if old:
        profile.photo.storage.delete(old)
    return profile


def remove_photo(user: User) -> ClinicianProfile:
    profile = get_profile(user)
    if profile.photo:
        profile.photo.delete(save=True)
    return profile


def _checked_visit_type(visit_type: VisitType) -> VisitType:
    errors: dict[str, str] = {}
    if not visit_type.title.strip():
        errors["title"] = _("Ange en titel.")
    duration = visit_type.duration_minutes
    if duration is None or not MIN_DURATION <= duration <= MAX_DURATION:
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
            "Ett videogruppbesök tar %(min)d–%(max)d patienter (vårdpersonalen är den fjärde)."
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
        visit_type.is_active = active
        visit_type.save(update_fields=["is_active"])
        if not active:
            profile = get_profile(visit_type.clinician)
            if profile.booking_enabled and not _has_active_visit_type(visit_type.clinician):
                # Without a bookable visit nobody can be invited: the function goes off too.
                profile.booking_enabled = False
                profile.save(update_fields=["booking_enabled", "updated_at"])
    return visit_type


def _has_active_visit_type(user: User) -> bool:
    return VisitType.objects.filter(clinician=user, is_active=True).exists()


def booking_blockers(user: User) -> list[str]:
    """Why this clinician cannot publish (or invite) yet, in the manual's words."""
    profile = get_profile(user)
    reasons = []
    if not profile.title.strip():
        reasons.append(_("Fyll i Yrkestitel under Konsultation."))
    if not _has_active_visit_type(user):
        reasons.append(_("Skapa minst ett bokningsbart besök."))
    return reasons


def activate_booking(user: User) -> ClinicianProfile:
    reasons = booking_blockers(user)
    if reasons:
        raise ValidationError(reasons)
    profile = get_profile(user)
    profile.booking_enabled = True
    profile.save(update_fields=["booking_enabled", "updated_at"])
    return profile


def deactivate_booking(user: User) -> ClinicianProfile:
    profile = get_profile(user)
    profile.booking_enabled = False
    profile.save(update_fields=["booking_enabled", "updated_at"])
    return profile


def invite_blockers(user: User) -> list[str]:
    """Empty when the user may invite patients; otherwise what is missing (shown in the UI)."""
    if not (user.is_active and user.is_clinician):
        return [_("Bara vårdpersonal kan bjuda in till besök.")]
    if get_profile(user).booking_enabled:
        return []
    return booking_blockers(user) + [_("Aktivera bokningsfunktionen under Min profil.")]
