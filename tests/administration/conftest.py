"""Administration test fixtures: an admin's browser on a provider host."""

import pytest
from django.test import Client

from tests.clients import logged_in

AUDITED_IP = "10.20.30.40"  # the address the audit log must record for the admin's requests


@pytest.fixture
def as_admin(alfa) -> Client:
    return logged_in(alfa.admin, alfa, ip=AUDITED_IP)
