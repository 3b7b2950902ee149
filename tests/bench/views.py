"""The benchmarked view: exactly one query, on whichever schema the connection points at."""

from django.db import connection
from django.http import HttpRequest, HttpResponse

from tenant_apps.accounts.models import User


def user_count(request: HttpRequest) -> HttpResponse:
    count = User.objects.count()
    # The schema name lets the bench check that each provider host reached its own schema.
    schema = getattr(connection, "schema_name", "plain")
    return HttpResponse(f"{schema} users={count}", content_type="text/plain")
