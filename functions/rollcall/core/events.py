"""The messages of topic ``scans``: the contract between the HTTP side, the consumers
and the operator CLI.

Each is JSON (the message data) plus routing attributes (``type``, ``schema``, and the
ids a subscription may filter on). The schema is versioned: a consumer refuses (as
poison) a version it does not know, rather than guessing. Every consumer sees every
type and acts on those it owns.

* ``AttendanceEvent`` (types ``scan``, ``override``, ``close``): one student's attendance
  in one session changed;
* ``CloseSession``: a session was closed; the attendance consumer expands it into one
  ``close`` event per enrolled student (rollcall.core.closing);
* ``Sweep``: the schedule's tick (close what has ended);
* ``Digest``: the weekly schedule's tick: the mail consumer sends each teacher and head
  of department their digest for ``period`` (an ISO week, ``2026-W49``; when absent,
  the week of the message's publish time in the institution's time zone);
* ``Alert``: a student's standing crossed into an alert (rollcall.core.standing);
* ``StudentNotice`` (type ``notice``): something to tell one student that is neither a
  scan nor an alert (an absence request's decision, rollcall.core.absences): the
  notification consumer gives it an inbox entry and a push, once per ``notice_id``.

Idempotency keys (what makes a redelivery change nothing): a scan's and a close's
effects are keyed by session + student (one record, one count, one inbox entry); an
override's by its id (its audit entry, rollcall.consumers.attendance); an alert's by its
id (its inbox entry).
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from rollcall import contracts
from rollcall.errors import PoisonEvent

SCHEMA_VERSION = 1
TYPE_SCAN = "scan"
TYPE_OVERRIDE = "override"
#: A closed session's verdict for one student: absent, unless a record exists.
TYPE_CLOSE = "close"
#: Statuses a scan can give, and those a teacher's override can set.
STATUSES = contracts.SCAN_STATUSES
OVERRIDE_STATUSES = contracts.OVERRIDE_STATUSES
#: The prefixes of an override's ``basis``: what it settles, ``request/{id}`` or
#: ``dispute/{id}``.
REQUEST_BASIS, DISPUTE_BASIS = "request/", "dispute/"
_PERIOD = re.compile(r"[0-9]{4}-W[0-9]{2}")
_STATUSES_OF = {TYPE_SCAN: STATUSES, TYPE_OVERRIDE: OVERRIDE_STATUSES, TYPE_CLOSE: ("absent",)}


@dataclass(frozen=True)
class AttendanceEvent:
    """A student's attendance in a session changed: by a scan (``type`` scan), by the
    teacher (``type`` override: ``reason`` says why, ``by`` is the teacher's uid,
    ``at`` when the override was made), or by the session's close (``type`` close,
    status ``absent``: it applies only where the student has no record; ``by`` is who
    closed it, ``schedule`` at its end time).

    ``event_id`` is the scan's, the override's or the close's id (``close-{session}-{uid}``).
    On the wire, in logs and in stored documents it is called ``scan_id`` (schema 1,
    whose messages may still wait in dead-letter subscriptions), and ``at`` is
    ``scanned_at``."""

    event_id: str
    session_id: str
    course_id: str
    uid: str
    status: str
    at: datetime
    device_id: str
    type: str = TYPE_SCAN
    schema: int = SCHEMA_VERSION
    reason: str = ""
    by: str = ""
    #: What an override settles, when it settles something: ``request/{id}`` (an
    #: approved absence request) or ``dispute/{id}`` (an accepted dispute); the audit
    #: entry keeps it. Empty for a teacher's own override, a scan and a close.
    basis: str = ""
    #: A scan the phone held in its outbox: when it queued it (server time less the
    #: held duration); the record keeps it. None for any other.
    queued_at: datetime | None = None

    @property
    def is_scan(self) -> bool:
        return self.type == TYPE_SCAN

    @property
    def is_override(self) -> bool:
        return self.type == TYPE_OVERRIDE

    @property
    def is_close(self) -> bool:
        return self.type == TYPE_CLOSE

    def log_fields(self) -> dict[str, Any]:
        return {"scan_id": self.event_id, "session_id": self.session_id, "uid": self.uid}

    def to_json(self) -> dict[str, Any]:
        # Every field is a scalar: a shallow copy (asdict deep-copies, 5x slower, and
        # this runs once per scan on the ingest's hot path).
        body = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        body["scan_id"] = body.pop("event_id")
        body["scanned_at"] = body.pop("at").astimezone(UTC).isoformat()
        if not body["basis"]:
            del body["basis"]  # as schema 1 had it
        if body["queued_at"] is None:
            del body["queued_at"]
        else:
            body["queued_at"] = body["queued_at"].astimezone(UTC).isoformat()
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
    def from_json(cls, body: dict[str, Any]) -> AttendanceEvent:
        kind = body["type"]
        required: tuple[str, ...] = ("scan_id", "session_id", "course_id", "uid", "status")
        required += {TYPE_SCAN: ("device_id",), TYPE_OVERRIDE: ("reason", "by")}.get(kind, ())
        fields: dict[str, Any] = {"type": kind, **_strings(body, required)}
        fields["event_id"] = fields.pop("scan_id")
        if kind != TYPE_SCAN:
            fields["device_id"] = str(body.get("device_id") or "")
        if kind == TYPE_CLOSE:
            fields["by"] = str(body.get("by") or "")
        if kind == TYPE_OVERRIDE:
            fields["basis"] = str(body.get("basis") or "")
        if fields["status"] not in _STATUSES_OF[kind]:
            raise PoisonEvent(f"unknown status {fields['status']!r}")
        if kind == TYPE_SCAN and body.get("queued_at") is not None:
            fields["queued_at"] = _timestamp(body, "queued_at")
        return cls(at=_timestamp(body, "scanned_at"), **fields)


@dataclass(frozen=True)
class CloseSession:
    """A session was closed (by its teacher, or by the schedule at its end time): the
    attendance consumer gives each enrolled student without a record a ``close``
    event. Published again by the sweep until the session says it was done."""

    session_id: str
    course_id: str
    closed_at: datetime
    by: str
    type: str = "close_session"
    schema: int = SCHEMA_VERSION

    def log_fields(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "by": self.by}

    def encode(self) -> tuple[bytes, dict[str, str]]:
        body = {**asdict(self), "closed_at": self.closed_at.astimezone(UTC).isoformat()}
        data = json.dumps(body, separators=(",", ":")).encode()
        return data, {"type": self.type, "schema": str(self.schema), "session_id": self.session_id}

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> CloseSession:
        fields = _strings(body, ("session_id", "course_id", "by"))
        return cls(
            session_id=fields["session_id"],
            course_id=fields["course_id"],
            closed_at=_timestamp(body, "closed_at"),
            by=fields["by"],
        )


@dataclass(frozen=True)
class Sweep:
    """Sent by the scheduler (Cloud Scheduler; the stack's stand-in locally) every
    minute: close the sessions past their end, and finish closes left half done."""

    type: str = "sweep"
    schema: int = SCHEMA_VERSION

    def log_fields(self) -> dict[str, Any]:
        return {}

    def encode(self) -> tuple[bytes, dict[str, str]]:
        data = json.dumps(asdict(self), separators=(",", ":")).encode()
        return data, {"type": self.type, "schema": str(self.schema)}

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Sweep:
        return cls()


@dataclass(frozen=True)
class Digest:
    """The weekly digest's tick (rollcall.consumers.mail). ``period`` is an ISO week
    (``YYYY-Www``) or None: the week the message was published in."""

    period: str | None = None
    type: str = "digest"
    schema: int = SCHEMA_VERSION

    def log_fields(self) -> dict[str, Any]:
        return {"period": self.period}

    def encode(self) -> tuple[bytes, dict[str, str]]:
        body: dict[str, Any] = {"schema": self.schema, "type": self.type}
        if self.period is not None:
            body["period"] = self.period
        data = json.dumps(body, separators=(",", ":")).encode()
        return data, {"type": self.type, "schema": str(self.schema)}

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Digest:
        period = body.get("period")
        if period is None:
            return cls()
        if not isinstance(period, str) or not _PERIOD.fullmatch(period):
            raise PoisonEvent("field 'period' must be an ISO week like 2026-W49")
        year, week = int(period[:4]), int(period[6:])
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise PoisonEvent(f"period {period!r} is not a week of {year}") from None
        return cls(period=period)


@dataclass(frozen=True)
class Alert:
    """A student's standing in a course crossed into an alert (rollcall.core.standing);
    the notification consumer puts it in the inbox and pushes it, once per
    ``alert_id``."""

    alert_id: str
    uid: str
    course_id: str
    session_id: str
    kind: str
    title: str
    body: str
    at: datetime
    type: str = "alert"
    schema: int = SCHEMA_VERSION
    #: The text in the catalogs' terms (rollcall.core.messages.Words.to_json), worded in the
    #: student's language by the notify consumer; title and body are its English (and
    #: all an alert published before it existed carries).
    words: dict[str, Any] | None = None

    def log_fields(self) -> dict[str, Any]:
        return {"alert_id": self.alert_id, "uid": self.uid, "kind": self.kind}

    def to_json(self) -> dict[str, Any]:
        body = {**asdict(self), "at": self.at.astimezone(UTC).isoformat()}
        if self.words is None:
            del body["words"]  # as before
        return body

    def encode(self) -> tuple[bytes, dict[str, str]]:
        data = json.dumps(self.to_json(), separators=(",", ":")).encode()
        return data, {"type": self.type, "schema": str(self.schema), "course_id": self.course_id}

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Alert:
        names = ("alert_id", "uid", "course_id", "session_id", "kind", "title", "body")
        f = _strings(body, names)
        return cls(
            alert_id=f["alert_id"],
            uid=f["uid"],
            course_id=f["course_id"],
            session_id=f["session_id"],
            kind=f["kind"],
            title=f["title"],
            body=f["body"],
            at=_timestamp(body, "at"),
            words=_words(body.get("words")),
        )


def _words(value: Any) -> dict[str, Any] | None:
    """An event's catalog words, checked (rollcall.core.messages.Words), or None."""
    if value is None:
        return None
    from rollcall.core import messages

    try:
        messages.Words.from_json(value)
    except (KeyError, ValueError) as exc:
        raise PoisonEvent(f"field 'words': {exc}") from exc
    return dict(value)


@dataclass(frozen=True)
class StudentNotice:
    """Something to tell one student (type ``notice``): an inbox entry ``notice_id``
    and its push, once. ``kind`` says what it is about (``request_approved``,
    ``request_declined``, ...); ``extra`` (strings) is kept on the inbox entry and sent
    in the push's data (e.g. ``request_id``)."""

    notice_id: str
    uid: str
    kind: str
    title: str
    body: str
    course_id: str
    at: datetime
    extra: dict[str, str] = dataclasses.field(default_factory=dict)
    type: str = "notice"
    schema: int = SCHEMA_VERSION
    #: As an alert's: the text in catalog terms, worded in the student's language.
    words: dict[str, Any] | None = None

    def log_fields(self) -> dict[str, Any]:
        return {"notice_id": self.notice_id, "uid": self.uid, "kind": self.kind}

    def encode(self) -> tuple[bytes, dict[str, str]]:
        body = {**asdict(self), "at": self.at.astimezone(UTC).isoformat()}
        if self.words is None:
            del body["words"]
        data = json.dumps(body, separators=(",", ":")).encode()
        return data, {"type": self.type, "schema": str(self.schema), "course_id": self.course_id}

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> StudentNotice:
        f = _strings(body, ("notice_id", "uid", "kind", "title", "body", "course_id"))
        extra = body.get("extra") or {}
        if not isinstance(extra, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in extra.items()
        ):
            raise PoisonEvent("field 'extra' must map strings to strings")
        return cls(
            notice_id=f["notice_id"],
            uid=f["uid"],
            kind=f["kind"],
            title=f["title"],
            body=f["body"],
            course_id=f["course_id"],
            at=_timestamp(body, "at"),
            extra=extra,
            words=_words(body.get("words")),
        )


Event = AttendanceEvent | CloseSession | Sweep | Digest | Alert | StudentNotice
_KINDS: dict[str, Any] = {
    TYPE_SCAN: AttendanceEvent,
    TYPE_OVERRIDE: AttendanceEvent,
    TYPE_CLOSE: AttendanceEvent,
    "close_session": CloseSession,
    "sweep": Sweep,
    "digest": Digest,
    "alert": Alert,
    "notice": StudentNotice,
}


#: Every message type on topic ``scans`` (the ``type`` attribute and field).
TYPES = frozenset(_KINDS)


def decode(data: bytes) -> Event:
    """Parse one message of topic ``scans``; anything unknown or malformed is poison."""
    try:
        body = json.loads(data)
    except (ValueError, RecursionError) as exc:  # not JSON, too deep, too many digits
        raise PoisonEvent(f"data is not JSON: {exc!r}"[:300]) from None
    if not isinstance(body, dict):
        raise PoisonEvent("data is not a JSON object")
    if body.get("schema") != SCHEMA_VERSION:
        raise PoisonEvent(f"unsupported schema version {body.get('schema')!r}")
    kind = body.get("type")
    if kind not in _KINDS:
        raise PoisonEvent(f"unsupported event type {kind!r}")
    return _KINDS[kind].from_json(body)


def _strings(body: dict[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    fields = {}
    for name in names:
        value = body.get(name)
        if not isinstance(value, str) or not value:
            raise PoisonEvent(f"field {name!r} is missing or not a string")
        fields[name] = value
    return fields


def _timestamp(body: dict[str, Any], name: str) -> datetime:
    try:
        value = datetime.fromisoformat(body[name])
    except (KeyError, TypeError, ValueError):
        raise PoisonEvent(f"field {name!r} is missing or not an ISO timestamp") from None
    if value.tzinfo is None:
        raise PoisonEvent(f"field {name!r} has no time zone")
    return value
