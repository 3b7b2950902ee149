"""The steps of Min profil (manual 2.1–2.4): the left menu, and links from what is missing to
the step that fixes it."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenant_apps.profiles.services import BOOKING, CONSULTATION, PHOTO, VISIT_TYPES, Blocker

# The left menu of Min profil (manual 2.1–2.4): step, URL name, label, what the step is for.
STEPS = [
    (
        CONSULTATION,
        "profile-consultation",
        _("Konsultation"),
        _("Fyll i Yrkestitel (syns för patienten efter ditt namn, t.ex. under Bokningar)."),
    ),
    (PHOTO, "profile-photo", _("Bilder"), _("Lägg upp en profilbild (om du vill).")),
    (
        VISIT_TYPES,
        "profile-visit-types",
        _("Bokningsbara besök"),
        _("Skapa bokningsbart besök (krävs för att kunna bjuda in till möte)."),
    ),
    (
        BOOKING,
        "profile-booking",
        _("Aktivera bokningsfunktion"),
        _("Aktivera bokningsfunktion (krävs för att kunna bjuda in till möte)."),
    ),
]
STEP_URL_NAMES = {step: url_name for step, url_name, _label, _about in STEPS}


def blocker_links(blockers: list[Blocker]) -> list[dict[str, str]]:
    """Each missing piece with a link to the Min profil step that fixes it (if any)."""
    return [
        {"message": b.message, "url": reverse(STEP_URL_NAMES[b.step]) if b.step else ""}
        for b in blockers
    ]
