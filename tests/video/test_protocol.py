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


CALL_REPORT = {
    "type": "diagnostics",
    "report": "call",
    "peer": PEER,
    "state": "connected",
    "ice": {
        "local": ["relay", "host"],
        "remote": ["host"],
        "selected": {"local": "relay", "remote": "host"},
    },
}
MEDIA_REPORT = {
    "type": "diagnostics",
    "report": "media",
    "problem": "camera_denied",
    "error": "NotAllowedError",
}


def test_diagnostics_pass_clean():
    assert parse(MEDIA_REPORT) == MEDIA_REPORT
    clean = parse(CALL_REPORT)
    assert clean["ice"]["local"] == ["host", "relay"]  # in one order, whatever the page's
    assert clean["ice"]["selected"] == {"local": "relay", "remote": "host"}
    failed = {**CALL_REPORT, "state": "failed", "ice": {**CALL_REPORT["ice"], "selected": None}}
    assert parse(failed)["ice"]["selected"] is None


def _with(base: dict, path: tuple, value) -> str:
    message = json.loads(json.dumps(base))
    target = message
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return json.dumps(message)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (_with(MEDIA_REPORT, ("problem",), "camera_broken"), "invalid"),
        (_with(MEDIA_REPORT, ("error",), "Bad<script>"), "invalid"),
        (_with(MEDIA_REPORT, ("error",), KeyError), "invalid"),
        (_with(MEDIA_REPORT, ("user_agent",), "Mozilla/5.0"), "invalid"),
        (_with(MEDIA_REPORT, ("report",), "everything"), "invalid"),
        (_with(MEDIA_REPORT, ("report",), KeyError), "invalid"),
        (_with(CALL_REPORT, ("state",), "joined"), "invalid"),
        (_with(CALL_REPORT, ("peer",), "short"), "invalid"),
        (_with(CALL_REPORT, ("ice", "local"), ["host", "mdns"]), "invalid"),
        (_with(CALL_REPORT, ("ice", "local"), ["host", "host"]), "invalid"),
        (_with(CALL_REPORT, ("ice", "local"), "host"), "invalid"),
        (_with(CALL_REPORT, ("ice", "remote"), ["host"] * 5), "invalid"),
        (_with(CALL_REPORT, ("ice", "selected", "local"), "turn"), "invalid"),
        (_with(CALL_REPORT, ("ice", "selected", "ip"), "10.0.0.1"), "invalid"),
        (_with(CALL_REPORT, ("ice", "candidates"), []), "invalid"),
        (_with(CALL_REPORT, ("ice",), KeyError), "invalid"),
        # Within the room's 64 KB, but far beyond any real report.
        (json.dumps(MEDIA_REPORT)[:-1] + " " * protocol.MAX_REPORT_BYTES + "}", "oversized"),
    ],
)  # fmt: skip
def test_any_other_diagnostics_are_dropped(text, reason):
    with pytest.raises(protocol.Dropped) as dropped:
        protocol.parse(text)
    assert dropped.value.reason == reason


def test_every_media_problem_is_a_call_event_kind():
    from tenant_apps.video.models import MEDIA_PROBLEMS, CallEventKind

    assert set(MEDIA_PROBLEMS) <= set(CallEventKind.values)
