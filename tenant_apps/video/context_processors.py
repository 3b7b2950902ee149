from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tenant_apps.video.rooms import open_rooms as rooms_open_for


def open_rooms(request: HttpRequest) -> dict:
    """The user's open rooms, for "Starta videomöte" on every clinician page and "Börja
    videobesöket" on the patient's start page (manual 6, 7.6); queried only when a page shows
    them. Nothing on the public host."""
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    if user is None or not user.is_authenticated or tenant is None:
        return {}
    if tenant.schema_name == "public":
        return {}
    return {"open_rooms": SimpleLazyObject(lambda: rooms_open_for(user))}
