"""The OpenAPI schema: it validates, generates without warnings, has browsable docs that obey the
CSP, and every operation in it is exercised by the tests in this folder."""

import io

from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from openapi_spec_validator import validate

from tests.api.helpers import COVERAGE_TEST, EXERCISED, whole_api_suite_ran

METHODS = ("get", "post", "put", "patch", "delete")


def schema(cast) -> dict:
    response = Client(HTTP_HOST=cast.host).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(document: dict) -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }


def test_schema_is_valid_openapi_3(alfa):
    document = schema(alfa)
    assert document["openapi"].startswith("3.")
    validate(document)
    assert {"tokenAuth", "cookieAuth"} <= set(document["components"]["securitySchemes"])


def test_schema_generates_without_warnings(settings, tmp_path):
    # --fail-on-warn turns every warning and error of the generator into a failure.
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "s.yaml"),
        stderr=io.StringIO(),
    )


def test_schema_lists_only_the_api(alfa):
    paths = schema(alfa)["paths"]
    assert all(path.startswith("/api/v1/") for path in paths)
    assert "/api/v1/bookings/{id}/confirm/" in paths


def test_docs_page_uses_our_own_static_swagger_ui(alfa):
    client = Client(HTTP_HOST=alfa.host)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html and "<script>" not in html and "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert finders.find("api/docs.css")
    script = client.get("/api/docs/", {"script": ""})
    assert script["Content-Type"].startswith("application/javascript")
    assert b"/api/schema/" in script.content


def test_csp_allows_only_our_own_scripts_on_the_docs_page(alfa):
    response = Client(HTTP_HOST=alfa.host).get("/api/docs/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_every_schema_operation_is_exercised(request, alfa):
    """Runs last (see conftest); counts only calls answered with success."""
    assert whole_api_suite_ran(request.session), "run the whole of tests/api for this check"
    missing = operations(schema(alfa)) - EXERCISED
    assert not missing, f"operations no test called successfully: {sorted(missing)}"
    assert request.node.name == COVERAGE_TEST
