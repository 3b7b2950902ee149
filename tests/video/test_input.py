"""Deeply nested JSON from a room page: refused as a message, never a crashed connection."""

import json

import pytest

from tenant_apps.video import protocol
from tests.video.live import Client, make_room, session_for

PEER = "abcdefgh12345678"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [protocol.MAX_DEPTH + 1, 30_000])
def test_deeply_nested_message_is_dropped_as_too_deep(depth):
    text = json.dumps({"type": "signal", "to": PEER, "data": "@"}).replace('"@"', nested(depth))
    with pytest.raises(protocol.Dropped) as dropped:
        protocol.parse(text)
    assert dropped.value.reason == "too_deep"


def test_brackets_inside_strings_do_not_count():
    sdp = "[" * 10_000 + "{" * 10_000
    offer = {"type": "signal", "to": PEER, "data": {"description": {"type": "offer", "sdp": sdp}}}
    assert protocol.parse(json.dumps(offer))["data"]["description"]["sdp"] == sdp


@pytest.mark.server
def test_page_sending_deeply_nested_json_is_told_and_stays_connected(
    live_server_process, committed
):
    room = make_room(committed, "videodjup")
    session = session_for(room.provider, room.clinician)
    page = Client(live_server_process, room.subdomain, room.booking_id, session)
    assert page.first["type"] == "welcome"
    page.send(nested(30_000))  # fits in 64 KB; Python's json would recurse 30,000 times
    assert page.recv_type("dropped")["reason"] == "too_deep"
    page.send({"type": "ping"})
    assert page.recv_type("pong") == {"type": "pong"}
