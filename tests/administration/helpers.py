"""Administration test helpers: a logged-in browser on a provider host, builders for many staff
members and patients, and the errors a form shows."""

from django_tenants.utils import schema_context

from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import current_consent_version, give_consent
from tests.support import personnummer


class HostClient:
    """Django's test client on one provider host, logged in as one user (or nobody)."""

    def __init__(self, client, cast, user=None, ip="10.20.30.40"):
        self.client, self.cast, self.ip = client, cast, ip
        if user is not None:
            with schema_context(cast.provider.schema_name):
                if user.is_patient:  # a patient is sent to the consent page until they consent
                    give_consent(user, current_consent_version(), "127.0.0.1")
                client.force_login(user)

    def get(self, path, data=None):
        return self.client.get(path, data, HTTP_HOST=self.cast.host, REMOTE_ADDR=self.ip)

    def post(self, path, data=None):
        return self.client.post(path, data or {}, HTTP_HOST=self.cast.host, REMOTE_ADDR=self.ip)


def make_users(cast, count: int, start: int = 0, **roles) -> list[User]:
    """`count` valid users in the provider's schema, in one query."""
    users = []
    for n in range(start, start + count):
        users.append(
            User(
                personnummer=personnummer(
                    f"1970{n // 28 % 12 + 1:02d}{n % 28 + 1:02d}", f"{n // 336 + 500:03d}"
                ),
                first_name=f"Test{n:03d}",
                last_name="Testsson",
                mobile=f"+4673{n:07d}",
                **roles,
            )
        )
    with schema_context(cast.provider.schema_name):
        return User.objects.bulk_create(users)


def in_schema(cast, function, *args, **kwargs):
    with schema_context(cast.provider.schema_name):
        return function(*args, **kwargs)


def field_errors(response, field: str) -> list[str]:
    """The messages shown next to `field` on the page (the form was not saved)."""
    assert response.status_code == 200, response.status_code
    errors = response.context["form"].errors.get(field, [])
    html = response.content.decode()
    for message in errors:
        assert message in html
    return errors
