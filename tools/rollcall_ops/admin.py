"""Set-up and inspection of courses, sessions and effects, for the CLI, the demo and
the tests. Writes go through the Admin path (emulator owner / service account)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall import clients, pubsub
from rollcall.clock import now
from rollcall.consumers.dashboard import read_tally
from rollcall.core import closing, qr, schema, sessions, standing
from rollcall_ops import institution

DEMO_PASSWORD = institution.PASSWORD
DEMO_TEACHER = "teacher@rollcall.test"
student_uid = institution.student_uid
student_email = institution.student_email
demo_course = institution.demo_course


def db() -> firestore.Client:
    return clients.firestore_client()


def ensure_user(uid: str, email: str, password: str, name: str) -> None:
    """A person's own account (as if they had signed up and verified their email)."""
    institution.ensure_account(uid, email, name)


def seed(
    course_id: str, students: int, course_name: str = "Distributed Systems"
) -> institution.Seeded:
    """The demo term's course ``course_id`` (``demo_course(code)``) with its teacher and
    ``students`` students, through the admin's imports (rollcall_ops.institution)."""
    code, _, term = course_id.rpartition("_")
    if term != institution.TERM or not code:
        raise ValueError(f"{course_id!r} is not a course of the demo term: use demo_course(code)")
    return institution.seed(code, students, course_name)


def open_session(course_id: str, rotation: int, late_after: int, duration: int) -> str:
    """Open a session now, as the course's (first) teacher would from the dashboard."""
    course = schema.course(db(), course_id).get()
    if not course.exists:
        raise SystemExit(f"error: no course {course_id!r}: import it first (rollcall import)")
    roles = (course.to_dict() or {}).get("roles") or {}
    opener = next((uid for uid, role in sorted(roles.items()) if role == "teacher"), "operator")
    session_id, _ = sessions.open_session(
        db(), course_id, opener, now(), duration, rotation, late_after
    )
    return session_id


def close_session(session_id: str, by: str = "operator") -> tuple[sessions.Session, bool]:
    """Close the session as the teacher's close does (rollcall.core.closing): absences
    follow through the pipeline. Returns the session and whether absences are being
    marked now (False: they were marked by an earlier close)."""
    closed = closing.close_and_mark(db(), session_id, by, now())
    if closed is None:
        raise SystemExit(f"error: no session {session_id!r}")
    return load_session(session_id), not closed.absences_marked


def publish(event: pubsub.Message) -> None:
    """Publish a Rollcall event (rollcall.core.events) to topic ``scans``."""
    pubsub.publish([event])


def course_settings(course_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Set the course's attendance rules (rollcall.core.standing, validated as the
    teacher's endpoint validates them); returns them as the consumers will read them."""
    ref = schema.course(db(), course_id)
    snap = ref.get()
    if not snap.exists:
        raise SystemExit(f"error: no course {course_id!r}")
    try:
        changes = standing.validate_settings(changes)
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from None
    if changes:
        ref.update(changes)
    return standing.Rules.from_course({**(snap.to_dict() or {}), **changes}).describe()


def absences_done(session_id: str, course_id: str) -> bool:
    """After a close: every enrolled student has a record, the session is in each one's
    course figures, and no alert waits in an outbox."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    n = enrolled(course_id)
    records = schema.attendance(db(), session_id)
    if _count(records) < n:
        return False
    students = schema.course_students(db(), course_id)
    from google.cloud.firestore_v1.field_path import FieldPath

    path = FieldPath("sessions", session_id, "status").to_api_repr()
    counted = students.where(filter=FieldFilter(path, ">", ""))
    return _count(counted) >= n and not any(
        (s.to_dict() or {}).get("pending_alerts") for s in students.stream()
    )


def everyone_counted(session_id: str, course_id: str) -> bool:
    """The live counts account for every enrolled student (checked in, excused or
    absent): the dashboard consumer has handled the close too."""
    tally = read_tally(db(), session_id)
    return tally["total"] + tally["excused"] + tally["absent"] >= enrolled(course_id)


def alerts_sent(course_id: str) -> int:
    """Alert inbox entries of the course's students (all of them, ever)."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    query = (
        db()
        .collection_group(schema.INBOX)
        .where(filter=FieldFilter("course_id", "==", course_id))
        .where(filter=FieldFilter("type", "==", "alert"))
    )
    return _count(query)


def standings(course_id: str) -> list[dict[str, Any]]:
    """Each enrolled student's course figures (empty figures before the first close)."""
    names = {
        s.id: (s.to_dict() or {}).get("name") for s in schema.enrollments(db(), course_id).stream()
    }
    figures = {s.id: s.to_dict() or {} for s in schema.course_students(db(), course_id).stream()}
    return [
        {"uid": uid, "name": names.get(uid), **figures.get(uid, {})}
        for uid in sorted(set(names) | set(figures))
    ]


def load_session(session_id: str) -> sessions.Session:
    snap = schema.session(db(), session_id).get()
    if not snap.exists:
        raise SystemExit(f"error: no session {session_id!r}")
    return sessions.Session.from_doc(session_id, snap.to_dict() or {})


def current_qr(session_id: str) -> str:
    return current_qr_for(load_session(session_id))


def roster(course_id: str) -> list[str]:
    refs = schema.enrollments(db(), course_id).list_documents()
    return sorted(ref.id for ref in refs)


@dataclass(frozen=True)
class Effects:
    attendance: int
    inbox: int
    dashboard: int

    def all_at_least(self, n: int) -> bool:
        return min(self.attendance, self.inbox, self.dashboard) >= n


def _count(query: Any) -> int:
    return int(query.count().get()[0][0].value)


def effects(session_id: str, known: Effects | None = None, target: int | None = None) -> Effects:
    """What each consumer has done for a session: records, inbox entries, tally.

    With ``known`` and ``target``, counts that already reached the target are not
    queried again (polling the emulator costs CPU the pipeline needs)."""
    client = db()

    def done(name: str) -> int | None:
        """The count already known to have reached the target, or None (query it)."""
        if known is None or target is None or getattr(known, name) < target:
            return None
        value: int = getattr(known, name)
        return value

    attendance = done("attendance")
    if attendance is None:
        attendance = _count(schema.attendance(client, session_id))
    inbox = done("inbox")
    if inbox is None:
        entries = client.collection_group(schema.INBOX)
        inbox = _count(entries.where(filter=FieldFilter("session_id", "==", session_id)))
    dashboard = done("dashboard")
    if dashboard is None:
        dashboard = int(read_tally(client, session_id)["total"])
    return Effects(attendance, inbox, dashboard)


def enrolled(course_id: str) -> int:
    return _count(schema.enrollments(db(), course_id))


def push_states(session_id: str) -> dict[str, int]:
    """The session's inbox entries by push state (``sent``, ``pending``, ``none``)."""
    entries = (
        db()
        .collection_group(schema.INBOX)
        .where(filter=FieldFilter("session_id", "==", session_id))
        .select(["push.status"])
    )
    states: dict[str, int] = {}
    for snap in entries.stream():
        state = ((snap.to_dict() or {}).get("push") or {}).get("status") or "none"
        states[state] = states.get(state, 0) + 1
    return states


def last_effect_at(session_id: str) -> datetime | None:
    """Server time of the latest effect of any consumer for the session."""
    client = db()
    latest = []
    newest = firestore.Query.DESCENDING
    for query, name in (
        (
            schema.attendance(client, session_id).order_by("recorded_at", direction=newest),
            "recorded_at",
        ),
        (
            client.collection_group(schema.INBOX)
            .where(filter=FieldFilter("session_id", "==", session_id))
            .order_by("created_at", direction=newest),
            "created_at",
        ),
    ):
        for snap in query.limit(1).stream():
            latest.append(snap.get(name))
    tally = read_tally(client, session_id)["updated_at"]
    if tally:
        latest.append(tally)
    return max(latest) if latest else None


def current_qr_for(session: sessions.Session) -> str:
    """The token the teacher's screen shows now."""
    return qr.mint(
        session.secret, session.id, qr.window_at(now().timestamp(), session.rotation_seconds)
    )
