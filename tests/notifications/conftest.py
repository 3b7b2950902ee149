"""SMS test fixtures: a fake 46elks over real HTTP and a controlled clock."""

import pytest
import time_machine
from django.test import override_settings

from careplatform import clock
from careplatform.sms.fake_gateway import FakeElks46
from tests.notifications.helpers import ELKS_SETTINGS


@pytest.fixture
def frozen():
    """A clock that stands still unless moved: frozen.move_to(when) / frozen.shift(seconds)."""
    with time_machine.travel(clock.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def elks():
    """A fake 46elks on a free port, and the elks46 backend pointed at it."""
    with (
        FakeElks46(hang_seconds=1.5) as fake,
        override_settings(ELKS46_API_URL=fake.url, **ELKS_SETTINGS),
    ):
        yield fake
