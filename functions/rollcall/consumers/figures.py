"""Each student's attendance in a course: ``courses/{course_id}/students/{uid}``.

One document per student, written only for that student's events, so a lecture's
burst or close touches 500 different documents, never one hot one. It holds:

* ``sessions``: ``{session_id: {"status", "starts_at"}}``, the student's closed
  sessions (a session enters when its close reaches the student, rollcall.core.closing);
* the figures computed from them by rollcall.core.standing (held, present, late, excused,
  absent, percent, absence_run, remaining, can_miss, needed, reachable, state);
* ``alert_state`` (each alert's condition as of the last change) and
  ``alert_counts`` (how many times each has fired: the next alert's id);
* ``pending_alerts``: alerts decided but not yet handed to the notification consumer
  (a transactional outbox; rollcall.consumers.attendance publishes and then clears them).

``sync`` copies the attendance record's status into ``sessions`` in a transaction
that reads the record and this document: a redelivery finds nothing to change and
fires nothing, a change fires only the alerts whose condition turned true.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.cloud import firestore
from google.cloud.firestore import Client, Transaction
from google.cloud.firestore_v1.field_path import FieldPath

from rollcall.cache import TtlCache
from rollcall.core import schema, standing
from rollcall.core.events import Alert

COURSE_CACHE_SECONDS = 60
_courses: TtlCache[dict[str, Any]] = TtlCache(COURSE_CACHE_SECONDS)
_starts: TtlCache[datetime | None] = TtlCache(3600)  # a session's start never changes


def course(db: Client, course_id: str) -> dict[str, Any]:
    """The course document, cached for COURSE_CACHE_SECONDS (settings change rarely;
    a changed setting applies from the next event)."""

    def load() -> dict[str, Any]:
        snap = schema.course(db, course_id).get()
        return (snap.to_dict() or {}) if snap.exists else {}

    return _courses.get(course_id, load)


def session_start(db: Client, session_id: str) -> datetime | None:
    def load() -> datetime | None:
        snap = schema.session(db, session_id).get()
        return (snap.to_dict() or {}).get("starts_at") if snap.exists else None

    return _starts.get(session_id, load)


def sync(
    db: Client, course_id: str, session_id: str, uid: str, *, add: bool, at: datetime
) -> list[Alert]:
    """Bring the student's figures in line with their record for this session.

    ``add``: the session's close reached the student, so the session enters their
    figures; otherwise only a session already in them is updated (a scan or override
    before the close changes nothing here: the close will count it). Returns the
    alerts still to hand over (new ones and any left pending by an earlier attempt).
    """
    record_ref = schema.record(db, session_id, uid)
    ref = schema.student(db, course_id, uid)
    course_doc = course(db, course_id)
    rules = standing.Rules.from_course(course_doc)
    starts_at = session_start(db, session_id)

    @firestore.transactional
    def apply(tx: Transaction) -> list[Alert]:
        snaps = {s.reference.path: s for s in db.get_all([record_ref, ref], transaction=tx)}
        record, student = snaps[record_ref.path], snaps[ref.path]
        doc = (student.to_dict() or {}) if student.exists else {}
        entries: dict[str, Any] = dict(doc.get("sessions") or {})
        pending = _alerts(doc)
        if not record.exists or (session_id not in entries and not add):
            return pending
        status = (record.to_dict() or {}).get("status")
        if status not in standing.STATUSES:
            return pending
        if (entries.get(session_id) or {}).get("status") == status:
            return pending  # already counted as it is: a redelivery
        entries[session_id] = {"status": status, "starts_at": starts_at}
        timeline = [((e.get("starts_at") or at, sid), e["status"]) for sid, e in entries.items()]
        now = standing.compute(timeline, rules)
        conditions = now.conditions(rules)
        counts = dict(doc.get("alert_counts") or {})
        fired = {}
        name = course_doc.get("name") or course_id
        for kind in standing.crossings(doc.get("alert_state") or {}, conditions):
            counts[kind] = int(counts.get(kind, 0)) + 1
            title, body = standing.alert_text(kind, name, now, rules)
            alert = Alert(
                alert_id=f"alert-{course_id}-{kind}-{counts[kind]}",
                uid=uid,
                course_id=course_id,
                session_id=session_id,
                kind=kind,
                title=title,
                body=body,
                at=at,
            )
            fired[alert.alert_id] = alert.to_json()
        tx.set(
            ref,
            {
                "uid": uid,
                "course_id": course_id,
                "sessions": entries,
                **now.figures(rules),
                "rules": rules.describe(),
                "alert_state": conditions,
                "alert_counts": counts,
                "pending_alerts": {**(doc.get("pending_alerts") or {}), **fired},
                "updated_at": firestore.SERVER_TIMESTAMP,
            },
        )
        return pending + [Alert.from_json(body) for body in fired.values()]

    alerts: list[Alert] = apply(db.transaction())
    return alerts


def _alerts(doc: dict[str, Any]) -> list[Alert]:
    return [Alert.from_json(body) for body in (doc.get("pending_alerts") or {}).values()]


def handed_over(db: Client, alerts: list[Alert]) -> None:
    """The alerts were published: remove them from their outboxes."""
    batch = db.batch()
    for alert in alerts:
        path = FieldPath("pending_alerts", alert.alert_id).to_api_repr()
        batch.update(schema.student(db, alert.course_id, alert.uid), {path: firestore.DELETE_FIELD})
    batch.commit()
