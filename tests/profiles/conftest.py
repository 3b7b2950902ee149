"""Min profil tests: a MEDIA_ROOT of each test's own and logged-in clients on provider hosts."""

import pytest

from tests.profiles.support import HostClient


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # A fresh default storage: the tenant storage caches its root.
    settings.STORAGES = {**settings.STORAGES}
    return settings.MEDIA_ROOT


@pytest.fixture
def login_as(client):
    def make(cast, user=None) -> HostClient:
        return HostClient(client, cast, user)

    return make


@pytest.fixture
def as_clinician(login_as, alfa) -> HostClient:
    return login_as(alfa, alfa.clinician)
