"""Video test fixtures: room clients closed after each test, and a confirmed booking."""

import pytest

from tests.video.helpers import book


@pytest.fixture(autouse=True)
def _close_room_clients():
    yield
    from tests.video.live import Client

    Client.close_all()


@pytest.fixture
def committed(committed):
    """Pages still in a room leave before their provider is removed (no errors in the log)."""
    yield committed
    from tests.video.live import Client, wait_until_rooms_empty

    Client.close_all()
    wait_until_rooms_empty(committed.created)


@pytest.fixture
def booking(ready):
    return book(ready)


@pytest.fixture(scope="session")
def _clocked_server_process(django_db_setup, django_db_blocker):
    from tests.support import LiveServer

    with django_db_blocker.unblock():
        server = LiveServer(clock=True)
    yield server
    server.stop()


@pytest.fixture
def clocked_server(_clocked_server_process):
    """A live server whose clock the test sets (`clocked_server.clock.move_to(moment)`); back
    to the real time after the test."""
    yield _clocked_server_process
    _clocked_server_process.clock.reset()
