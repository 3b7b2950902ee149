"""The login page in a real browser: the animated QR code is read off the screen, changes every
second, and scanning it with the simulated BankID app logs the user in."""

import io
import time

import pytest
import zxingcpp
from PIL import Image

from tests.browser import chromium
from tests.login_support import Simulator

pytestmark = pytest.mark.server


def read_qr(page) -> str:
    image = Image.open(io.BytesIO(page.locator('img[data-role="qr"]').screenshot()))
    codes = zxingcpp.read_barcodes(image)
    assert codes, "no QR code on screen"
    return codes[0].text


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def test_scanning_the_animated_qr_code_logs_the_clinician_in(live_server_process, browser, alfa):
    simulator = Simulator(live_server_process.port)
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone-sized screen
    page.goto(f"http://alfa.localhost:{live_server_process.port}/login/")
    page.get_by_role("button", name="Mobilt BankID på annan enhet").click()
    page.locator('img[data-role="qr"]').wait_for(state="visible")
    first = read_qr(page)
    assert first.startswith("bankid.")
    _, token, seconds, code = first.split(".")
    assert len(code) == 64

    deadline = time.monotonic() + 5
    second = first
    while second == first and time.monotonic() < deadline:
        time.sleep(0.3)
        second = read_qr(page)
    assert second != first
    assert second.split(".")[1] == token and int(second.split(".")[2]) > int(seconds)
    assert "Starta BankID-appen" in page.locator('[data-role="message"]').inner_text()

    forged = f"bankid.{token}.{second.split('.')[2]}.{'0' * 64}"
    assert simulator.scan(forged, alfa.clinician.personnummer).status_code == 400

    assert simulator.scan(read_qr(page), alfa.clinician.personnummer).status_code == 200
    page.wait_for_url("**/oversikt/", timeout=15000)
    assert "Klara Kliniker" in page.content()
    page.close()


def test_cancel_on_the_login_page_returns_to_the_choices(live_server_process, browser, alfa):
    page = browser.new_page()
    page.goto(f"http://alfa.localhost:{live_server_process.port}/login/")
    page.get_by_role("button", name="Mobilt BankID på annan enhet").click()
    page.locator('img[data-role="qr"]').wait_for(state="visible")
    page.get_by_role("button", name="Avbryt").click()
    page.get_by_role("button", name="BankID på den här enheten").wait_for(state="visible")
    assert page.locator('img[data-role="qr"]').is_hidden()
    page.close()
