from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

MIN_DURATION = 5
MAX_DURATION = 240
MIN_GROUP_PATIENTS = 2
# The clinician makes the fourth in a full-mesh video call.
MAX_GROUP_PATIENTS = 3


class ClinicianProfile(models.Model):
    """Min profil (manual section 2): what patients see of a clinician."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    title = models.CharField(_("yrkestitel"), max_length=100, blank=True)
    description = models.TextField(_("beskrivning"), max_length=2000, blank=True)
    photo = models.ImageField(_("profilbild"), upload_to="profile-photos/", blank=True)
    booking_enabled = models.BooleanField(_("bokningsfunktion aktiv"), default=False)
    # An SMS to the clinician's own mobile when a patient has waited in the room (off unless
    # the clinician turns it on, on Min profil).
    sms_when_patient_waits = models.BooleanField(
        _("sms när en patient väntar"), default=False, db_default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.title})" if self.title else str(self.user)

    @property
    def photo_url(self) -> str:
        """Where pages show the photo (served per provider); each new photo has a new URL, so
        browsers may cache it."""
        if not self.photo.name:
            return ""
        version = PurePosixPath(self.photo.name).stem
        return f"{reverse('profile-photo-file', args=[self.user_id])}?v={version}"


class VisitKind(models.TextChoices):
    """Typ av besök, in the manual's words (2.3)."""

    VIDEO = "video", _("Videobesök (1-1 möte)")
    VIDEO_GROUP = "video_group", _("Videogruppbesök (flerpartssamtal)")


class VisitType(models.Model):
    """Bokningsbart besök: what a clinician can invite patients to (manual 2.3)."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="visit_types"
    )
    title = models.CharField(_("titel"), max_length=100)
    duration_minutes = models.PositiveSmallIntegerField(_("längd (minuter)"))
    kind = models.CharField(_("typ av besök"), max_length=20, choices=VisitKind.choices)
    max_patients = models.PositiveSmallIntegerField(_("max antal patienter"), default=1)
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=MIN_DURATION)
                & models.Q(duration_minutes__lte=MAX_DURATION),
                name="visit_type_duration_range",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="video", max_patients=1)
                    | models.Q(
                        kind="video_group",
                        max_patients__gte=MIN_GROUP_PATIENTS,
                        max_patients__lte=MAX_GROUP_PATIENTS,
                    )
                ),
                name="visit_type_patient_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.duration_minutes} min)"

    @property
    def is_group(self) -> bool:
        return self.kind == VisitKind.VIDEO_GROUP
