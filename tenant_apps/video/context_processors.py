from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tenant_apps.video import prompts

SOCKET = "/ws/prompts/"


def open_rooms(request: HttpRequest) -> dict:
    """The user's open rooms, for "Starta videomöte" on every staff page and "Börja
    videobesöket" on the patient's start page (manual 6, 7.6), and the WebSocket that keeps
    them current; read only when a page shows them. Nothing on the public host."""
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    if user is None or not user.is_authenticated or tenant is None:
        return {}
    if tenant.schema_name == "public":
        return {}
    state = SimpleLazyObject(lambda: prompts.for_user(user) or prompts.NOTHING)
    return {
        "video_prompts": state,
        "video_prompts_socket": SOCKET,
        "open_rooms": SimpleLazyObject(lambda: [p.booking for p in state.prompts]),
    }
