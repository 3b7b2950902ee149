"""API test fixtures: `api(user)` logs a user in on a provider's host; the schema coverage check
runs after the tests whose calls it counts."""

from pathlib import Path

import pytest

from tests.api.helpers import API_DIR, COVERAGE_TEST, Api, in_api_dir
from tests.clients import logged_in


@pytest.fixture
def api(alfa):
    """api(user) logs `user` in by session on their provider's host (default alfa);
    api(None) is nobody; api(token=key) sends `Authorization: Token <key>`."""

    def make(user=None, cast=alfa, token: str | None = None) -> Api:
        client = logged_in(user, cast, consented=False)  # API tests consent where they mean to
        if token:
            client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
        return Api(client)

    return make


@pytest.hookimpl(tryfirst=True)  # before -k / -m deselect anything
def pytest_collection_modifyitems(config, items):
    """The coverage check runs last, after the tests whose calls it counts."""
    last = [item for item in items if item.name == COVERAGE_TEST]
    items[:] = [item for item in items if item.name != COVERAGE_TEST] + last
    config.api_items_collected = {item.nodeid for item in items if in_api_dir(item)}
    modules = {Path(str(item.fspath)).name for item in items if in_api_dir(item)}
    if last and not {path.name for path in API_DIR.glob("test_*.py")} <= modules:
        # Only part of tests/api was chosen: the coverage check would have nothing to count.
        items[:] = [item for item in items if item.name != COVERAGE_TEST]
        config.hook.pytest_deselected(items=last)
