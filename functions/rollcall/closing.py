"""Closing a session, and what follows: every enrolled student without a record is
marked absent, through the same event pipeline as a scan.

1. The close itself: the teacher (``POST /sessions/close`` on the scan function, or
   ``rollcall session close``), or the schedule once the session's end time has
   passed (a ``sweep`` message every minute, rollcall.events.Sweep). ``close`` sets
   ``status: closed`` in a transaction (closing twice keeps the first close) and a
   ``close_session`` message is published.
2. The attendance consumer expands it (``expand``): one ``close`` event per enrolled
   student, id ``close-{session}-{uid}``, published to topic ``scans``. Each consumer
   applies it like a scan: attendance creates an ``absent`` record where none exists and
   counts the session in the student's course figures; the dashboard counts the
   absence once; notify ignores it (the student hears only of alerts).
3. When every event is published, the session gets ``absences_marked_at``. Until
   then the sweep republishes its ``close_session`` (a crash half-way loses nothing);
   every step is idempotent, so doing it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall.events import TYPE_CLOSE, CloseSession, ScanEvent

#: How far back the sweep looks for closes whose absences are not marked yet.
UNFINISHED_WINDOW = timedelta(days=2)
SCHEDULE = "schedule"


@dataclass(frozen=True)
class Closed:
    """A session's close, and whether its absences were marked by an earlier close
    (then there is nothing to publish again)."""

    event: CloseSession
    absences_marked: bool


def close(db: Any, session_id: str, by: str, at: datetime) -> Closed | None:
    """Close the session (no-op if closed already). None if there is no such session."""
    ref = db.collection("sessions").document(session_id)

    @firestore.transactional
    def apply(tx: Any) -> Closed | None:
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

    return apply(db.transaction())


def student_events(close: CloseSession, roster: list[str]) -> list[ScanEvent]:
    return [
        ScanEvent(
            scan_id=f"close-{close.session_id}-{uid}",
            session_id=close.session_id,
            course_id=close.course_id,
            uid=uid,
            status="absent",
            scanned_at=close.closed_at,
            device_id="",
            type=TYPE_CLOSE,
            by=close.by,
        )
        for uid in roster
    ]


def expand(db: Any, publish: Any, close: CloseSession) -> int:
    """Publish the close to each enrolled student (``publish`` takes the events and
    returns once all are published); then mark the session done. Returns the count."""
    enrollments = db.collection("courses").document(close.course_id).collection("enrollments")
    roster = sorted(snap.id for snap in enrollments.select([]).stream())
    publish(student_events(close, roster))
    db.collection("sessions").document(close.session_id).update(
        {"absences_marked_at": firestore.SERVER_TIMESTAMP, "absences_marked": len(roster)}
    )
    return len(roster)


def sweep(db: Any, at: datetime) -> list[CloseSession]:
    """Close the open sessions past their end time; return those closes plus the
    recent closes whose absences are not marked yet (to publish again)."""
    sessions = db.collection("sessions")
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
