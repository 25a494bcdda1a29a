"""The AttendanceEvent schema and the unwrapping of Pub/Sub deliveries."""

import base64
import dataclasses
import json
from datetime import UTC, datetime

import pytest

from rollcall.consumers.delivery import from_cloud_event
from rollcall.core.events import SCHEMA_VERSION, AttendanceEvent, decode
from rollcall.errors import PoisonEvent

EVENT = AttendanceEvent(
    event_id="abc123",
    session_id="s1",
    course_id="c1",
    uid="u1",
    status="late",
    at=datetime(2026, 11, 26, 9, 3, 12, 500000, tzinfo=UTC),
    device_id="phone-1",
)


def test_encode_decode_round_trip():
    data, _ = EVENT.encode()
    assert decode(data) == EVENT


def test_encoded_event_is_versioned_json_with_routing_attributes():
    data, attributes = EVENT.encode()
    body = json.loads(data)
    assert body["schema"] == SCHEMA_VERSION == 1
    assert body["type"] == "scan"
    assert body["scanned_at"] == "2026-11-26T09:03:12.500000+00:00"
    assert attributes == {"type": "scan", "schema": "1", "session_id": "s1", "course_id": "c1"}


def _with(**changes):
    body = json.loads(EVENT.encode()[0])
    body.update(changes)
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"\xff\xfe", "not JSON"),
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (_with(schema=2), "schema version 2"),
        (_with(type="teleport"), "event type"),
        (_with(uid=""), "'uid'"),
        (_with(uid=7), "'uid'"),
        (_with(status="asleep"), "status"),
        (_with(scanned_at="yesterday"), "scanned_at"),
        (_with(scanned_at="2026-11-26T09:00:00"), "time zone"),
    ],
)
def test_undecodable_events_are_poison(data, reason):
    with pytest.raises(PoisonEvent, match=reason):
        decode(data)


def push_body(data: bytes, **attributes) -> dict:
    """A raw Pub/Sub push body as the emulator and Pub/Sub send it."""
    return {
        "message": {
            "data": base64.b64encode(data).decode(),
            "attributes": attributes,
            "messageId": "42",
            "publishTime": "2026-11-26T09:03:13.000Z",
        },
        "subscription": "projects/demo-rollcall/subscriptions/attendance",
    }


def test_delivery_from_push_body():
    data, attributes = EVENT.encode()
    delivery = from_cloud_event(push_body(data, **attributes))
    assert delivery.message_id == "42"
    assert delivery.attributes["session_id"] == "s1"
    assert decode(delivery.data) == EVENT


@pytest.mark.parametrize(
    "data",
    [None, "text", {}, {"message": "x"}, {"message": {"data": "%%%not base64%%%"}}],
)
def test_deliveries_without_a_message_are_poison(data):
    with pytest.raises(PoisonEvent):
        from_cloud_event(data)


OVERRIDE = AttendanceEvent(
    event_id="ov1",
    session_id="s1",
    course_id="c1",
    uid="u1",
    status="excused",
    at=datetime(2026, 11, 26, 10, 0, tzinfo=UTC),
    device_id="",
    type="override",
    reason="doctor's note",
    by="teacher-1",
)


def test_override_round_trip():
    data, attributes = OVERRIDE.encode()
    assert attributes["type"] == "override"
    decoded = decode(data)
    assert decoded == OVERRIDE and decoded.is_override
    assert "basis" not in json.loads(data)  # a teacher's own override: as schema 1 had it


def test_an_override_keeps_what_it_settles():
    settled = dataclasses.replace(OVERRIDE, basis="request/r1")
    data, _ = settled.encode()
    assert json.loads(data)["basis"] == "request/r1"
    assert decode(data) == settled


@pytest.mark.parametrize(
    "changes, reason",
    [({"reason": ""}, "'reason'"), ({"by": None}, "'by'"), ({"status": "sleeping"}, "status")],
)
def test_invalid_overrides_are_poison(changes, reason):
    body = json.loads(OVERRIDE.encode()[0])
    body.update(changes)
    with pytest.raises(PoisonEvent, match=reason):
        decode(json.dumps(body).encode())


def test_a_scan_cannot_carry_an_override_status():
    with pytest.raises(PoisonEvent, match="status"):
        decode(_with(status="excused"))


@pytest.mark.parametrize(
    ("attributes", "refused"),
    [
        ({"type": "digest"}, True),  # a known type another consumer takes
        ({"type": "scan"}, False),  # one it takes
        ({"type": "bogus"}, False),  # unknown: decoded, so dead-lettered
        ({}, False),  # untyped: the same
    ],
)
def test_a_consumer_acknowledges_types_routed_elsewhere_before_decoding(attributes, refused):
    from types import SimpleNamespace

    from rollcall.consumers import delivery

    applied = []
    event = SimpleNamespace(data=push_body(b"{}", **attributes))
    takes = frozenset({"scan", "override"})

    assert delivery.routed_elsewhere(event.data, takes) is refused
    if refused:  # nothing decoded, nothing applied, nothing dead-lettered
        delivery.run("notify", event, lambda e, d: applied.append(e) or {}, takes)
        assert applied == []
