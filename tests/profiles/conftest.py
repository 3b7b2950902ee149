"""Min profil tests: a MEDIA_ROOT of each test's own and a clinician's browser."""

import pytest
from django.test import Client

from tests.clients import logged_in


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    return media_root


@pytest.fixture
def as_clinician(alfa) -> Client:
    return logged_in(alfa.clinician, alfa)
