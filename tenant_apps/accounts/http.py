"""The request a signed-in view receives, typed for mypy."""

from tenant_apps.accounts.models import User
from tenants.http import TenantRequest


class AuthenticatedRequest(TenantRequest):
    """A request past `role_required`: `user` is a signed-in user of this provider."""

    user: User
