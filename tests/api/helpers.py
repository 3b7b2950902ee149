"""API test helpers: a client that logs in by session or token, speaks JSON on a provider's
host, and records which schema operations (path template, method) were answered with success,
so that test_schema can check every operation in the schema is exercised."""

import json
import re
from pathlib import Path

from django.test import Client
from django_tenants.utils import schema_context

from tenant_apps.accounts.services import current_consent_version, give_consent

API_DIR = Path(__file__).parent
COVERAGE_TEST = "test_every_schema_operation_is_exercised"
# (path template as in the schema, method) of every call that succeeded (2xx).
EXERCISED: set[tuple[str, str]] = set()


def schema_path(route: str) -> str:
    """Django's route "api/v1/bookings/<int:pk>/" as the schema writes it."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", "/" + route)
    return path.replace("{pk}", "{id}")


class Api:
    """JSON calls through a logged-in client, counting which schema operations succeeded."""

    def __init__(self, client: Client):
        self.client = client

    def request(self, method: str, path: str, data=None, **extra):
        if method == "get":
            response = self.client.get(path, data or {}, **extra)
        else:
            body = json.dumps(data if data is not None else {})
            response = getattr(self.client, method)(
                path, body, content_type="application/json", **extra
            )
        match = response.resolver_match
        if match is not None and 200 <= response.status_code < 300:
            EXERCISED.add((schema_path(match.route), method))
        return response

    def get(self, path: str, params: dict | None = None, **extra):
        return self.request("get", path, params, **extra)

    def post(self, path: str, data=None, **extra):
        return self.request("post", path, data, **extra)

    def patch(self, path: str, data=None, **extra):
        return self.request("patch", path, data, **extra)


def consent(cast, *users) -> None:
    with schema_context(cast.provider.schema_name):
        for user in users:
            give_consent(user, current_consent_version(), "127.0.0.1")


def in_api_dir(item) -> bool:
    return Path(str(item.fspath)).parent == API_DIR


def whole_api_suite_ran(session) -> bool:
    """True when every test module here was collected and nothing in them deselected."""
    selected = {item.nodeid for item in session.items if in_api_dir(item)}
    modules = {Path(str(item.fspath)).name for item in session.items if in_api_dir(item)}
    every_module = {path.name for path in API_DIR.glob("test_*.py")} <= modules
    collected = getattr(session.config, "api_items_collected", set())
    return every_module and collected <= selected
