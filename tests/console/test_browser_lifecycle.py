"""In a real browser: an operator suspends a provider, signing with the simulated BankID app
(the QR code read off the screen), and the provider's host shows the suspended page; the
operator reactivates it and the host is back."""

import io

import pytest
import zxingcpp
from django.db import connection
from PIL import Image

from tenant_apps.accounts.models import User
from tests.browser import chromium
from tests.login_support import DESKTOP, HttpBrowser, Simulator

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def read_qr(page) -> str:
    image = Image.open(io.BytesIO(page.locator('img[data-role="qr"]').screenshot()))
    codes = zxingcpp.read_barcodes(image)
    assert codes, "no QR code on screen"
    return codes[0].text


def operator_page(browser, server, personnummer: str):
    """A desktop page of the public host, logged in through BankID as the operator."""
    http = HttpBrowser(server, None)
    assert http.login(personnummer, Simulator(server.port))["state"] == "complete"
    context = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]})
    url = f"http://localhost:{server.port}"
    context.add_cookies(
        [{"name": "sessionid", "value": http.http.cookies["sessionid"], "url": url}]
    )
    return context.new_page(), url


def test_operator_suspends_by_signing_and_reactivates(live_server_process, browser, committed):
    server = live_server_process
    committed.provider("stangs", name="Vårdcentralen Stängs")
    connection.set_schema_to_public()
    otto = User.objects.get(is_operator=True)
    page, console = operator_page(browser, server, otto.personnummer)
    provider_host = f"http://stangs.localhost:{server.port}/"

    page.goto(f"{console}/konsol/vardgivare/stangs/")
    page.get_by_role("link", name="Stäng av").click()
    page.get_by_label("Skäl").fill("Obetald faktura sedan tre månader")
    page.get_by_role("button", name="Fortsätt till underskrift med BankID").click()
    page.wait_for_url("**/konsol/signera/*/")
    text = "Jag stänger av Vårdcentralen Stängs (stangs). Skäl: Obetald faktura sedan tre månader"
    assert text in page.locator("main").inner_text()

    page.get_by_role("button", name="Mobilt BankID på annan enhet").click()
    page.locator('img[data-role="qr"]').wait_for(state="visible")
    assert Simulator(server.port).scan(read_qr(page), otto.personnummer).status_code == 200
    page.wait_for_url("**/konsol/vardgivare/stangs/", timeout=15000)
    main = page.locator("main")
    assert "Vårdcentralen Stängs är avstängd." in main.inner_text()
    assert "Obetald faktura sedan tre månader" in main.inner_text()

    visitor = browser.new_page()
    visitor.goto(provider_host)
    assert "tillfälligt avstängd" in visitor.locator("main").inner_text()

    page.get_by_role("link", name="Återaktivera").click()
    page.get_by_label("Skäl").fill("Fakturan är betald")
    page.get_by_role("button", name="Återaktivera").click()
    page.wait_for_url("**/konsol/vardgivare/stangs/")
    assert "Vårdcentralen Stängs är aktiv igen." in page.locator("main").inner_text()
    visitor.goto(provider_host)
    assert "Logga in" in visitor.locator("main").inner_text()

    page.goto(f"{console}/konsol/logg/?provider=stangs")
    log = page.locator("main table").inner_text()
    assert "Stängde av" in log and "Återaktiverade" in log
    assert "Underskrivet med BankID av" in log
    page.context.close()
    visitor.close()
