"""Closing a session, and what follows: every enrolled student without a record is
marked absent, through the same event pipeline as a scan.

1. The close itself: the teacher (``POST /sessions/close`` on the scan function, or
   ``rollcall session close``), or the schedule once the session's end time has
   passed (a ``sweep`` message every minute, rollcall.core.events.Sweep). ``close`` sets
   ``status: closed`` in a transaction (closing twice keeps the first close) and a
   ``close_session`` message is published.
2. The attendance consumer expands it (``expand``): one ``close`` event per enrolled
   student, id ``close-{session}-{uid}``, published to topic ``scans``. Each consumer
   applies it like a scan: attendance creates an ``absent`` record where none exists and
   counts the session in the student's course figures; the dashboard counts the
   absence once; notify ignores it (the student hears only of alerts). A student with
   an approved absence request covering the session also gets its ``excused``
   override (rollcall.core.absences.excused_at_close), with the request's fixed id.
3. When every event is published, the session gets ``absences_marked_at``. Until
   then the sweep republishes its ``close_session`` (a crash half-way loses nothing);
   every step is idempotent, so doing it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from google.cloud import firestore
from google.cloud.firestore import Client, Transaction
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall import pubsub
from rollcall.core import absences, schema
from rollcall.core.events import TYPE_CLOSE, AttendanceEvent, CloseSession
from rollcall.core.timetable import Audience

#: How far back the sweep looks for closes whose absences are not marked yet.
UNFINISHED_WINDOW = timedelta(days=2)
SCHEDULE = "schedule"


@dataclass(frozen=True)
class Closed:
    """A session's close, and whether its absences were marked by an earlier close
    (then there is nothing to publish again)."""

    event: CloseSession
    absences_marked: bool


def close(db: Client, session_id: str, by: str, at: datetime) -> Closed | None:
    """Close the session (no-op if closed already). None if there is no such session."""
    ref = schema.session(db, session_id)

    @firestore.transactional
    def apply(tx: Transaction) -> Closed | None:
        snap = ref.get(transaction=tx)
        if not snap.exists:
            return None
        doc = snap.to_dict() or {}
        if doc.get("status") == "closed":
            closed_at = doc.get("closed_at") or at
            closed_by = doc.get("closed_by") or by
        else:
            closed_at, closed_by = min(at, doc["ends_at"]), by
            tx.update(ref, {"status": "closed", "closed_at": closed_at, "closed_by": by})
        event = CloseSession(
            session_id=session_id, course_id=doc["course_id"], closed_at=closed_at, by=closed_by
        )
        return Closed(event=event, absences_marked=bool(doc.get("absences_marked_at")))

    result: Closed | None = apply(db.transaction())
    return result


def close_and_mark(db: Client, session_id: str, by: str, at: datetime) -> Closed | None:
    """Close the session and, unless an earlier close did, publish its
    ``close_session`` so its absences get marked. None if there is no such session."""
    closed = close(db, session_id, by, at)
    if closed is not None and not closed.absences_marked:
        pubsub.publish([closed.event])
    return closed


def student_events(close: CloseSession, roster: list[str]) -> list[AttendanceEvent]:
    return [
        AttendanceEvent(
            event_id=f"close-{close.session_id}-{uid}",
            session_id=close.session_id,
            course_id=close.course_id,
            uid=uid,
            status="absent",
            at=close.closed_at,
            device_id="",
            type=TYPE_CLOSE,
            by=close.by,
        )
        for uid in roster
    ]


def expand(db: Client, close: CloseSession) -> int:
    """Publish the close to each enrolled student of the session's audience (the
    course, or its division or batch), then mark the session done. Returns the count."""
    session = schema.session(db, close.session_id).get().to_dict() or {}
    audience = Audience.from_doc(session.get("audience"))
    enrollments = schema.enrollments(db, close.course_id).select(["division", "batch"])
    roster = sorted(
        snap.id for snap in enrollments.stream() if audience.includes(snap.to_dict() or {})
    )
    excused = absences.excused_at_close(db, close, session, roster)
    pubsub.publish([*student_events(close, roster), *excused])
    schema.session(db, close.session_id).update(
        {"absences_marked_at": firestore.SERVER_TIMESTAMP, "absences_marked": len(roster)}
    )
    return len(roster)


def sweep(db: Client, at: datetime) -> list[CloseSession]:
    """Close the open sessions past their end time; return those closes plus the
    recent closes whose absences are not marked yet (to publish again)."""
    sessions = db.collection(schema.SESSIONS)
    due = (
        sessions.where(filter=FieldFilter("status", "==", "open"))
        .where(filter=FieldFilter("ends_at", "<=", at))
        .stream()
    )
    closes = [c.event for snap in due if (c := close(db, snap.id, SCHEDULE, at)) is not None]
    recent = (
        sessions.where(filter=FieldFilter("status", "==", "closed"))
        .where(filter=FieldFilter("closed_at", ">=", at - UNFINISHED_WINDOW))
        .stream()
    )
    seen = {c.session_id for c in closes}
    for snap in recent:
        doc = snap.to_dict() or {}
        if snap.id in seen or doc.get("absences_marked_at"):
            continue
        closes.append(
            CloseSession(
                session_id=snap.id,
                course_id=doc["course_id"],
                closed_at=doc.get("closed_at") or at,
                by=doc.get("closed_by") or SCHEDULE,
            )
        )
    return closes
