"""Administration test fixtures: logged-in browsers on a provider host."""

import pytest

from tests.administration.helpers import HostClient


@pytest.fixture
def as_admin(client, alfa) -> HostClient:
    return HostClient(client, alfa, alfa.admin)


@pytest.fixture
def login_as(client):
    def make(cast, user=None) -> HostClient:
        return HostClient(client, cast, user)

    return make
