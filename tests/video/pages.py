"""Room pages in headless Chromium for the live-server tests: logged-in pages, and what
getStats() says about the video they receive."""

import time

from tests.browser import ARGS, chromium
from tests.login_support import HttpBrowser, Simulator
from tests.video.live import Room, session_for

PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 800}


def base_url(server, subdomain: str) -> str:
    return f"http://{subdomain}.localhost:{server.port}"


def page_for(
    browser, server, room: Room, user, *, bankid: bool = False, viewport=DESKTOP, **context
):
    """A browser page logged in as `user` on the room's provider host: through the BankID
    simulator, or with a session made directly. `context`: more of Playwright's context
    options (e.g. user_agent)."""
    if bankid:
        http = HttpBrowser(server, room.subdomain)
        assert http.login(user.personnummer, Simulator(server.port))["state"] == "complete"
        session = http.http.cookies["sessionid"]
    else:
        session = session_for(room.provider, user)
    browser_context = browser.new_context(viewport=viewport, **context)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": session, "url": base_url(server, room.subdomain)}]
    )
    page = browser_context.new_page()
    page.problems = []
    page.warnings = []
    page.on("console", lambda m: page.warnings.append(m.text) if m.type == "warning" else None)
    page.on(
        "console",
        lambda m: (
            page.problems.append(m.text)
            if "Content Security" in m.text or m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    return page


def open_room(page, server, room: Room):
    response = page.goto(f"{base_url(server, room.subdomain)}/besok/{room.booking_id}/")
    assert response.status == 200, response.status
    return response


def both_in_the_room(browser, server, room: Room):
    """The clinician's page (desktop) and the first patient's (phone), both in the room."""
    clinician = page_for(browser, server, room, room.clinician)
    patient = page_for(browser, server, room, room.patients[0], viewport=PHONE)
    open_room(clinician, server, room)
    open_room(patient, server, room)
    return clinician, patient


STATS = "async () => window.careplatformVideo ? await window.careplatformVideo.layer.stats() : []"


def wait_until(page, expression: str, timeout: float = 10):
    """Poll a JavaScript expression from here (the CSP forbids the in-page eval that
    page.wait_for_function uses)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(expression):
            return
        time.sleep(0.1)
    raise AssertionError(f"not true within {timeout} s: {expression}")


def stats(page) -> list[dict]:
    return page.evaluate(STATS)


def wait_connected(page, peers: int, timeout: float = 30) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = stats(page)
        if len(current) == peers and all(
            s["state"] == "connected" and s["framesDecoded"] > 0 for s in current
        ):
            return current
        time.sleep(0.25)
    events = page.evaluate("window.careplatformVideo ? window.careplatformVideo.layer.events : []")
    raise AssertionError(
        f"not connected to {peers} peer(s): {stats(page)}\n"
        + "\n".join(events)
        + "\nwarnings: "
        + "\n".join(page.warnings)
    )


def assert_receiving_video(page, peers: int) -> list[dict]:
    """framesDecoded of every peer's inbound video rises between two samples 2 s apart."""
    first = {s["peer"]: s["framesDecoded"] for s in wait_connected(page, peers)}
    time.sleep(2)
    second = stats(page)
    assert {s["peer"] for s in second} == set(first)
    for s in second:
        assert s["framesDecoded"] > first[s["peer"]] + 10, (first, second)
    return second


def chromium_without_camera_permission():
    """Chromium with the fake devices but no automatic "Allow": the permission is refused."""
    args = [arg for arg in ARGS if arg != "--use-fake-ui-for-media-stream"]
    return chromium([*args, "--deny-permission-prompts"])


def with_fake_devices(count: int) -> list[str]:
    """Chromium's flags with `count` fake cameras, microphones and speakers."""
    args = [arg for arg in ARGS if not arg.startswith("--use-fake-device-for-media-stream")]
    return [*args, f"--use-fake-device-for-media-stream=device-count={count}"]
