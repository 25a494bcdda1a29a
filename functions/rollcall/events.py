"""The ScanEvent contract between ingest and the consumers.

Published on topic ``scans`` as JSON (data) plus routing attributes. The schema is
versioned: a consumer refuses (as poison) a major version it does not know, rather
than guessing. Idempotency key of every effect: ``session_id`` + ``uid``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from rollcall.errors import PoisonEvent

SCHEMA_VERSION = 1
TYPE_SCAN = "scan"
TYPE_OVERRIDE = "override"
#: Statuses a scan can give, and those a teacher's override can set.
STATUSES = ("present", "late")
OVERRIDE_STATUSES = ("present", "late", "excused", "absent")


@dataclass(frozen=True)
class ScanEvent:
    """A student's attendance changed: by a scan (``type`` scan), or by the teacher
    (``type`` override: ``scan_id`` is the override's id, ``by`` the teacher's uid,
    ``reason`` why; ``scanned_at`` is when the override was made)."""

    scan_id: str
    session_id: str
    course_id: str
    uid: str
    status: str
    scanned_at: datetime
    device_id: str
    type: str = TYPE_SCAN
    schema: int = SCHEMA_VERSION
    reason: str = ""
    by: str = ""

    @property
    def is_override(self) -> bool:
        return self.type == TYPE_OVERRIDE

    @property
    def key(self) -> str:
        """Idempotency key of every effect of this event."""
        return f"{self.session_id}:{self.uid}"

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["scanned_at"] = self.scanned_at.astimezone(UTC).isoformat()
        return body

    def encode(self) -> tuple[bytes, dict[str, str]]:
        """The Pub/Sub message: data bytes and routing attributes."""
        data = json.dumps(self.to_json(), separators=(",", ":")).encode()
        attributes = {
            "type": self.type,
            "schema": str(self.schema),
            "session_id": self.session_id,
            "course_id": self.course_id,
        }
        return data, attributes

    @classmethod
    def decode(cls, data: bytes) -> ScanEvent:
        """Parse message data; anything that is not a valid ScanEvent is poison."""
        try:
            body = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PoisonEvent(f"data is not JSON: {exc}") from None
        if not isinstance(body, dict):
            raise PoisonEvent("data is not a JSON object")
        if body.get("schema") != SCHEMA_VERSION:
            raise PoisonEvent(f"unsupported schema version {body.get('schema')!r}")
        kind = body.get("type")
        if kind not in (TYPE_SCAN, TYPE_OVERRIDE):
            raise PoisonEvent(f"unsupported event type {kind!r}")
        required = ("scan_id", "session_id", "course_id", "uid", "status")
        required += ("device_id",) if kind == TYPE_SCAN else ("reason", "by")
        fields: dict[str, Any] = {"type": kind}
        for name in required:
            value = body.get(name)
            if not isinstance(value, str) or not value:
                raise PoisonEvent(f"field {name!r} is missing or not a string")
            fields[name] = value
        if kind == TYPE_OVERRIDE:
            fields["device_id"] = str(body.get("device_id") or "")
        if fields["status"] not in (STATUSES if kind == TYPE_SCAN else OVERRIDE_STATUSES):
            raise PoisonEvent(f"unknown status {fields['status']!r}")
        try:
            scanned_at = datetime.fromisoformat(body["scanned_at"])
        except (KeyError, TypeError, ValueError):
            raise PoisonEvent("field 'scanned_at' is missing or not an ISO timestamp") from None
        if scanned_at.tzinfo is None:
            raise PoisonEvent("field 'scanned_at' has no time zone")
        return cls(scanned_at=scanned_at, **fields)


@dataclass(frozen=True)
class Delivery:
    """One Pub/Sub message as a consumer receives it."""

    message_id: str
    data: bytes
    attributes: Mapping[str, str]
    publish_time: str | None


def delivery_from_cloud_event(data: Any) -> Delivery:
    """Unwrap ``event.data`` of a Pub/Sub CloudEvent (Eventarc, or a raw push body
    converted by functions-framework): ``{"message": {"data", "attributes", ...}}``."""
    message = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message, dict):
        raise PoisonEvent("CloudEvent data holds no Pub/Sub message")
    message_id = str(message.get("messageId") or message.get("message_id") or "")
    attributes = message.get("attributes") or {}
    try:
        raw = base64.b64decode(message.get("data") or "", validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise PoisonEvent("message data is not base64") from None
    delivery = Delivery(
        message_id=message_id,
        data=raw,
        attributes=attributes if isinstance(attributes, dict) else {},
        publish_time=message.get("publishTime") or message.get("publish_time"),
    )
    return delivery


def now() -> datetime:
    return datetime.now(UTC)
