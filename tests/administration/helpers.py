"""Administration test helpers: a logged-in browser on a provider host, builders for many staff
members and patients, and the errors a form shows."""

from django_tenants.utils import schema_context

from tenant_apps.accounts.models import User
from tests.support import personnummer


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
