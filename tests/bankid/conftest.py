"""Fixtures for the BankID client and simulator: a client talking to the simulator in the live
server over real HTTP, the simulated phone's JSON API, and a clean simulator for every test."""

from collections.abc import Iterator

import pytest

from careplatform.bankid.client import BankIDClient
from careplatform.bankid.simulator import store
from tests.bankid.helpers import RP, InProcess, Phone


@pytest.fixture(autouse=True)
def clean_simulator() -> Iterator[None]:
    store.reset()
    yield
    store.reset()


@pytest.fixture
def base_url(live_server_process) -> str:
    # Public host: plain localhost, which httpx resolves by itself.
    return f"http://localhost:{live_server_process.port}"


@pytest.fixture
def bankid(base_url) -> Iterator[BankIDClient]:
    client = BankIDClient(f"{base_url}{RP}", retry_delay=0)
    yield client
    client.close()


@pytest.fixture
def phone(base_url) -> Phone:
    return Phone(base_url)


@pytest.fixture
def sim(db, client) -> InProcess:
    return InProcess(client)
