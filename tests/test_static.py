"""`/static/` answers 404 to paths that try to leave the static folders or cannot be file names,
on every host, over real HTTP (the ASGI app serves static files in tests, SERVE_STATIC=1) and
through Django's test client; real static files are still served."""

import http.client

import pytest
from django.test import Client

HOSTS = ["localhost", "alfa.localhost"]
ATTEMPTS = [
    "/static/../careplatform/settings.py",
    "/static/..%2f..%2fcareplatform%2fsettings.py",
    "/static/%2e%2e/%2e%2e/careplatform/settings.py",
    "/static/%2E%2E%2F%2E%2E%2Fcareplatform%2Fsettings.py",
    "/static/..%252f..%252fcareplatform%252fsettings.py",
    "/static/a/../../../etc/passwd",
    "/static/..",
    "/static/%2e%2e",
    "/static/..%5c..%5ccareplatform%5csettings.py",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/%00",
    "/static/css/careplatform.css%00.txt",
    "/static/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    "/static/%ff",
    "/static/" + "a" * 5000,
]


def raw_get(port: int, host: str, path: str) -> tuple[int, bytes]:
    """http.client sends the path as it is (httpx would remove dot segments first)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": f"{host}:{port}"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.server
@pytest.mark.parametrize("host", HOSTS)
def test_traversal_attempts_are_404_over_http(live_server_process, host):
    for path in ATTEMPTS:
        status, body = raw_get(live_server_process.port, host, path)
        assert status == 404, path
        assert b"SECRET_KEY" not in body and b"root:" not in body


@pytest.mark.server
@pytest.mark.parametrize("host", HOSTS)
def test_static_files_are_still_served(live_server_process, host):
    status, body = raw_get(live_server_process.port, host, "/static/js/login.js")
    assert status == 200 and body


@pytest.mark.parametrize("host", HOSTS)
def test_traversal_attempts_are_404_through_the_test_client(alfa, host):
    client = Client(HTTP_HOST=host)
    for path in ATTEMPTS:
        assert client.get(path).status_code == 404, path
