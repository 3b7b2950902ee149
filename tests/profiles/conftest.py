"""Min profil tests: a MEDIA_ROOT of each test's own and logged-in clients on provider hosts."""

import pytest

from tests.profiles.support import HostClient


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    return media_root


@pytest.fixture
def login_as(client):
    def make(cast, user=None) -> HostClient:
        return HostClient(client, cast, user)

    return make


@pytest.fixture
def as_clinician(login_as, alfa) -> HostClient:
    return login_as(alfa, alfa.clinician)
