from django.http import HttpRequest
from django.utils.functional import cached_property

from careplatform.access import has_role
from tenant_apps.accounts.models import User
from tenant_apps.inbox.selectors import unread_count


class NoticeBell:
    """The bell in the header; its number is counted when a page shows it (one query)."""

    def __init__(self, user: User):
        self.user = user

    @cached_property
    def unread(self) -> int:
        return unread_count(self.user)


def notice_bell(request: HttpRequest) -> dict:
    """For staff on a provider's host: the bell with the number of unread notices, as of
    the page load."""
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    if user is None or tenant is None or tenant.schema_name == "public":
        return {}
    if not has_role(user, "admin", "clinician"):
        return {}
    return {"notice_bell": NoticeBell(user)}
