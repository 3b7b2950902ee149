"""The one way tests get a browser-like client: Django's test client on a host, logged in as a
user (or nobody)."""

from dataclasses import dataclass

from django.test import Client
from django_tenants.utils import schema_context

from tenant_apps.accounts.services import current_consent_version, give_consent


@dataclass(frozen=True)
class Site:
    """A host and the schema its sessions live in (a provider's cast is one as well)."""

    host: str
    schema_name: str


PUBLIC = Site("localhost", "public")  # operators and support


def logged_in(
    user, site, *, consented: bool = True, ip: str = "127.0.0.1", csrf: bool = False
) -> Client:
    """A client of its own (own cookies) on the site's host, logged in as `user` (nobody when
    None). A patient has consented unless `consented` is False (before consent, every page but
    the consent page refuses them); `csrf` checks CSRF tokens as a browser's are checked."""
    client = Client(enforce_csrf_checks=csrf, HTTP_HOST=site.host, REMOTE_ADDR=ip)
    if user is not None:
        with schema_context(site.schema_name):  # sessions are stored in the host's schema
            if user.is_patient and consented:
                give_consent(user, current_consent_version(), "127.0.0.1")
            client.force_login(user)
    return client
