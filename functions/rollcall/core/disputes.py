"""Disputes: a student says an absence or a late mark is wrong ("I was there, the code
would not scan"), and the course's staff settle it on what Rollcall recorded of that
student in that session.

``disputes/{session}__{uid}``, one per student and session, written only here:

* filed by the student (``file``): the session is of a course they are enrolled in,
  their record in it is ``absent`` or ``late``, and the course's ``dispute_window_days``
  (rollcall.core.standing) since the session's end (its close, or its planned end if
  that came first) have not passed. A ``create``: a second dispute of the same session
  is refused, races included;
* settled by the staff (``decide``): a transaction moves it from ``open`` to
  ``accepted`` or ``declined`` (so only the first decision counts); an acceptance then
  publishes an override through the one override path (rollcall.core.overrides) with
  ``basis`` ``dispute/{id}``, which the audit entry keeps. Should the publish fail, the
  dispute is put back to ``open`` (if nobody touched it since) and the caller answers 503.
  A decline tells the student in a ``notice`` (inbox and push), the staff's comment
  its reason; if that cannot be published, the dispute is put back to ``open`` too.

The evidence (``evidence``) is what Rollcall holds for that student and session: the
rejected scans (rollcall.core.rejections), the phones the student checked in with in
the course (from their records, with the first and last time each was used) and
whether this session's device binding (rollcall.core.devices) is one of them, the
record itself (time and device of an accepted scan, and ``queued_at`` when the phone
queued it offline) and its audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from google.api_core.exceptions import AlreadyExists
from google.cloud import firestore
from google.cloud.firestore import Client, Transaction
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall import logs, pubsub
from rollcall.config import settings
from rollcall.core import messages, overrides, schema, standing
from rollcall.core.devices import device_key
from rollcall.core.events import DISPUTE_BASIS, StudentNotice
from rollcall.errors import (
    AlreadyDecided,
    AlreadyDisputed,
    DisputeWindowClosed,
    NotDisputable,
    NotEnrolled,
    NotFound,
    RequestError,
)

#: What a student may dispute, and what an accepted dispute may set.
DISPUTABLE = ("absent", "late")
SETTLED_AS = ("present", "late")
OPEN, ACCEPTED, DECLINED = "open", "accepted", "declined"
DECISIONS = {"accept": ACCEPTED, "decline": DECLINED}


def dispute_id(session_id: str, uid: str) -> str:
    return f"{session_id}__{uid}"


def session_end(session: Mapping[str, Any]) -> datetime:
    """When the session ended: its close, or its planned end if that came first."""
    ends: datetime = session["ends_at"]
    closed = session.get("closed_at")
    return min(ends, closed) if closed else ends


def file(db: Client, session_id: str, uid: str, note: str, at: datetime) -> dict[str, Any]:
    """File the student's dispute of their mark in the session; returns the document.
    Raises NotFound (no such session), NotEnrolled, NotDisputable,
    DisputeWindowClosed or AlreadyDisputed; nothing is written then."""
    session_snap = schema.session(db, session_id).get()
    if not session_snap.exists:
        raise NotFound("no such session")
    session = session_snap.to_dict() or {}
    course_id: str = session["course_id"]
    enrollment, course, record = (
        schema.enrollments(db, course_id).document(uid),
        schema.course(db, course_id),
        schema.record(db, session_id, uid),
    )
    snaps = {snap.reference.path: snap for snap in db.get_all([enrollment, course, record])}
    if not snaps[enrollment.path].exists:
        raise NotEnrolled("you are not enrolled in this session's course")
    status = (snaps[record.path].to_dict() or {}).get("status")
    if status not in DISPUTABLE:
        raise NotDisputable(
            "you can dispute only an absence or a late mark"
            + (f"; you are marked {status} in this session" if status else "")
        )
    days = standing.Rules.from_course(snaps[course.path].to_dict() or {}).dispute_window_days
    closes = session_end(session) + timedelta(days=days)
    if at > closes:
        local = closes.astimezone(ZoneInfo(settings().time_zone))
        raise DisputeWindowClosed(
            f"disputes of this session closed on {local:%d %b %Y at %H:%M} "
            f"({days} days after it ended)"
        )
    student = snaps[enrollment.path].to_dict() or {}
    ident = dispute_id(session_id, uid)
    doc = {
        "dispute_id": ident,
        "session_id": session_id,
        "course_id": course_id,
        "uid": uid,
        "name": student.get("name") or student.get("email") or "",
        "roll_no": None if student.get("roll_no") is None else str(student["roll_no"]),
        "session_starts_at": session.get("starts_at"),
        "disputed": status,
        "note": note,
        "status": OPEN,
        "filed_at": at,
        "window_closes_at": closes,
        "decided_by": None,
        "decided_at": None,
        "comment": None,
        "set_status": None,
        "override_id": None,
    }
    try:
        schema.dispute(db, ident).create(doc)
    except AlreadyExists:
        raise AlreadyDisputed("you have disputed this session already") from None
    return doc


def course_of(db: Client, ident: str) -> str | None:
    """The course of the dispute, or None: no such dispute."""
    snap = schema.dispute(db, ident).get()
    return (snap.to_dict() or {}).get("course_id") if snap.exists else None


def decide(
    db: Client,
    ident: str,
    decision: str,
    status: str | None,
    comment: str,
    by: str,
    at: datetime,
    *,
    trace: str | None = None,
) -> dict[str, Any]:
    """Accept (``status`` present or late) or decline the dispute, once; returns the
    decided document. AlreadyDecided when it was decided before (nothing changes)."""
    ref = schema.dispute(db, ident)
    outcome = DECISIONS[decision]
    decided = {
        "status": outcome,
        "decided_by": by,
        "decided_at": at,
        "comment": comment or None,
        "set_status": status if outcome == ACCEPTED else None,
    }

    @firestore.transactional
    def claim(tx: Transaction) -> dict[str, Any]:
        snap = ref.get(transaction=tx)
        if not snap.exists:
            raise NotFound("no such dispute")
        doc = snap.to_dict() or {}
        if doc.get("status") != OPEN:
            raise AlreadyDecided(f"this dispute was {doc.get('status')} already")
        tx.update(ref, decided)
        return doc

    doc: dict[str, Any] = claim(db.transaction())
    if outcome == ACCEPTED:
        assert status is not None
        try:
            event = overrides.override_event(
                doc["session_id"],
                doc["course_id"],
                doc["uid"],
                status,
                comment or "Dispute accepted",
                by,
                basis=f"{DISPUTE_BASIS}{ident}",
            )
            overrides.publish([event], trace)
        except RequestError:
            _reopen(db, ident, by)
            raise
        ref.update({"override_id": event.event_id})
        decided["override_id"] = event.event_id
    else:
        try:
            pubsub.publish([decline_notice(db, ident, {**doc, **decided})])
        except RequestError:
            _reopen(db, ident, by)
            raise
    logs.info("dispute decided", dispute_id=ident, decision=outcome, by=by, trace=trace)
    return {**doc, **decided}


def decline_notice(db: Client, ident: str, doc: Mapping[str, Any]) -> StudentNotice:
    """What the student is told of a declined dispute (inbox and push; an accepted one
    tells them through its override). The staff's comment is the reason."""
    course = schema.course(db, doc["course_id"]).get().to_dict() or {}
    starts = doc.get("session_starts_at")
    local = (
        starts.astimezone(ZoneInfo(settings().time_zone)) if isinstance(starts, datetime) else None
    )
    params: dict[str, Any] = {
        "course": course.get("name") or doc["course_id"],
        "status": messages.Term(f"status.{doc['disputed']}"),
        "when": messages.Phrase("dispute.of", {"when": messages.When(local)}) if local else "",
        "comment": doc.get("comment") or "",
    }
    said = messages.Words("dispute.declined.title", "dispute.declined.body", params)
    title, body = said.render(messages.DEFAULT)
    return StudentNotice(
        notice_id=f"dispute-{ident}",
        uid=doc["uid"],
        kind="dispute_declined",
        title=title,
        body=body,
        course_id=doc["course_id"],
        at=doc["decided_at"],
        extra={"dispute_id": ident, "session_id": doc["session_id"], "status": DECLINED},
        words=said.to_json(),
    )


def _reopen(db: Client, ident: str, by: str) -> None:
    """Put a dispute whose decision could not be published (the acceptance's override,
    the decline's notice) back to ``open``, unless it changed meanwhile."""
    ref = schema.dispute(db, ident)
    snap = ref.get()
    doc = snap.to_dict() or {}
    if doc.get("status") == OPEN or doc.get("decided_by") != by or doc.get("override_id"):
        return
    reopen = {"status": OPEN, "decided_by": None, "decided_at": None, "comment": None}
    ref.update(
        {**reopen, "set_status": None},
        option=db.write_option(last_update_time=snap.update_time),
    )


def evidence(db: Client, ident: str) -> dict[str, Any] | None:
    """What Rollcall holds for the dispute's student and session (JSON-ready), or None:
    no such dispute."""
    snap = schema.dispute(db, ident).get()
    if not snap.exists:
        return None
    dispute = snap.to_dict() or {}
    session_id, uid, course_id = dispute["session_id"], dispute["uid"], dispute["course_id"]
    session_ref = schema.session(db, session_id)
    session = session_ref.get().to_dict() or {}
    rejections = [
        s.to_dict() or {}
        for s in session_ref.collection(schema.REJECTIONS)
        .where(filter=FieldFilter("uid", "==", uid))
        .stream()
    ]
    bound = [
        s.id
        for s in session_ref.collection(schema.DEVICES)
        .where(filter=FieldFilter("uid", "==", uid))
        .stream()
    ]
    record_ref = schema.record(db, session_id, uid)
    record_snap = record_ref.get()
    record = record_snap.to_dict() if record_snap.exists else None
    audit = sorted(
        (s.to_dict() or {} for s in record_ref.collection(schema.AUDIT).stream()),
        key=lambda a: a.get("at") or datetime.min.replace(tzinfo=UTC),
    )
    phones = _phones(db, course_id, uid, bound)
    return {
        "time_zone": settings().time_zone,
        "dispute": plain({"id": ident, **dispute}),
        "session": plain(
            {
                "id": session_id,
                "course_id": course_id,
                "starts_at": session.get("starts_at"),
                "ends_at": session.get("ends_at"),
                "closed_at": session.get("closed_at"),
                "status": session.get("status"),
            }
        ),
        "rejections": sorted(
            (_rejection(r, phones) for r in rejections), key=lambda r: r["first_at"] or ""
        ),
        "devices": list(phones.values()),
        "record": plain(_pick(record, RECORD_FIELDS)) if record else None,
        "history": [plain(_pick(a, AUDIT_FIELDS)) for a in audit],
    }


def _phones(
    db: Client, course_id: str, uid: str, bound_here: list[str]
) -> dict[str, dict[str, Any]]:
    """device id -> the student's use of it in the course: the sessions they checked in
    with it (first and last), and whether it is the one bound to them in this session."""
    sessions = (
        db.collection(schema.SESSIONS)
        .where(filter=FieldFilter("course_id", "==", course_id))
        .select([])
        .stream()
    )
    refs = [schema.record(db, s.id, uid) for s in sessions]
    uses: dict[str, list[datetime]] = {}
    for snap in db.get_all(refs) if refs else ():
        doc = snap.to_dict() or {} if snap.exists else {}
        device, at = doc.get("device_id"), doc.get("scanned_at")
        if device and at:
            uses.setdefault(device, []).append(at)
    return {
        device: {
            "device_id": device,
            "first_used_at": _iso(min(times)),
            "last_used_at": _iso(max(times)),
            "sessions": len(times),
            "bound_here": device_key(device) in bound_here,
        }
        for device, times in sorted(uses.items(), key=lambda kv: min(kv[1]))
    }


def _rejection(r: Mapping[str, Any], phones: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    device = r.get("device_id")
    known = phones.get(device) if device else None
    first_ms = r.get("first_at_ms")
    first = datetime.fromtimestamp(first_ms / 1000, UTC) if isinstance(first_ms, int) else None
    return {
        "code": r.get("code"),
        "message": r.get("message"),
        "device_id": device,
        "count": r.get("count", 1),
        "first_at": _iso(first or r.get("last_at")),
        "last_at": _iso(r.get("last_at")),
        "device_used_since": known["first_used_at"] if known else None,
    }


#: What the evidence shows of the record, and of each audit entry.
RECORD_FIELDS = (
    "status",
    "source",
    "scanned_at",
    "queued_at",
    "device_id",
    "status_at",
    "previous_status",
    "reason",
    "by",
)
AUDIT_FIELDS = (
    "override_id",
    "status",
    "previous_status",
    "reason",
    "by",
    "at",
    "basis",
    "applied",
)


def _pick(doc: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: doc.get(k) for k in fields}


def _iso(value: Any) -> Any:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


def plain(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _iso(v) for k, v in doc.items()}
