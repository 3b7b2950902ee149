"""Signaling messages from the page: only the known shapes pass, nothing extra in them."""

import json

import pytest

from tenant_apps.video import protocol

PEER = "abcdefgh12345678"


def parse(message) -> dict:
    return protocol.parse(json.dumps(message))


def test_known_messages_pass_clean():
    assert parse({"type": "ping"}) == {"type": "ping"}
    offer = {"type": "signal", "to": PEER, "data": {"description": {"type": "offer", "sdp": "v=0"}}}
    assert parse(offer) == offer
    candidate = {"type": "signal", "to": PEER, "data": {"candidate": {"candidate": "candidate:1"}}}
    assert parse(candidate)["data"]["candidate"] == {
        "candidate": "candidate:1",
        "sdpMid": None,
        "sdpMLineIndex": None,
        "usernameFragment": None,
    }
    assert parse({"type": "state", "peer": PEER, "state": "connected"})["state"] == "connected"
    assert parse({"type": "media", "audio": False, "video": True})["audio"] is False


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (None, "binary"),
        ("{", "malformed"),
        ("x" * (protocol.MAX_MESSAGE_BYTES + 1), "oversized"),
        ("å" * (protocol.MAX_MESSAGE_BYTES // 2 + 1), "oversized"),  # counted in bytes
        ("[]", "invalid"),
        ('{"type": "ping", "extra": 1}', "invalid"),
        ('{"type": "signal", "to": "short", "data": {"candidate": {"candidate": ""}}}', "invalid"),
        (json.dumps({"type": "signal", "to": PEER, "data": {"description": {}, "candidate": {}}}),
         "invalid"),
        (json.dumps({"type": "signal", "to": PEER, "data": {"candidate": {"candidate": 1}}}),
         "invalid"),
        (json.dumps({"type": "signal", "to": PEER,
                     "data": {"candidate": {"candidate": "c", "sdpMLineIndex": True}}}), "invalid"),
        (json.dumps({"type": "state", "peer": PEER, "state": "joined"}), "invalid"),
        (json.dumps({"type": "media", "audio": 1, "video": True}), "invalid"),
    ],
)  # fmt: skip
def test_everything_else_is_dropped_with_its_reason(text, reason):
    with pytest.raises(protocol.Dropped) as dropped:
        protocol.parse(text)
    assert dropped.value.reason == reason


def test_token_bucket_allows_a_burst_then_the_rate():
    bucket = protocol.TokenBucket(rate=0.0001, burst=5)
    assert [bucket.take() for _ in range(7)] == [True] * 5 + [False] * 2
