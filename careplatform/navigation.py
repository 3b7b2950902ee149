"""The menu (manual section 1–5 labels) for the logged-in user; a page appears in the menu as
soon as its URL exists."""

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from careplatform.access import has_role

MENU = [
    ("overview", _("Översikt"), ("admin", "clinician")),
    ("bookings", _("Bokningar"), ("admin", "clinician")),
    ("profile", _("Min profil"), ("clinician",)),
    ("test-video", _("Testa video"), ("clinician", "patient", "admin")),
    ("admin-tool", _("Administration"), ("admin",)),
    ("patient-home", _("Mina besök"), ("patient",)),
    ("console-home", _("Konsol"), ("operator",)),
    ("console-log", _("Logg"), ("operator",)),
    ("console-support-contact", _("Supportkontakt"), ("operator",)),
    ("support-home", _("Support"), ("support",)),
]


def menu(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    items = []
    for name, label, roles in MENU:
        if not has_role(user, *roles):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": request.path == url})
    return {"menu": items}
