"""Reading notices: the list page and the count in the header."""

from django.db.models import QuerySet

from tenant_apps.accounts.models import User
from tenant_apps.inbox.access import own_notices
from tenant_apps.inbox.models import Notice


def notice_list(user: User) -> QuerySet[Notice]:
    """The user's notices, newest first, with what their sentences name."""
    return own_notices(user).select_related("actor", "booking")


def unread_count(user: User) -> int:
    """The number on the bell (one indexed count)."""
    return own_notices(user).filter(read_at__isnull=True).count()
