"""Each student's attendance in a course: ``courses/{course_id}/students/{uid}``.

One document per student, written only for that student's events, so a lecture's
burst or close touches 500 different documents, never one hot one. It holds:

* ``sessions``: ``{session_id: {"status", "starts_at", "kind"}}``, the student's closed
  sessions (a session enters when its close reaches the student, rollcall.core.closing);
* the figures computed from them by rollcall.core.standing (held, present, late, excused,
  absent, percent, absence_run, remaining, can_miss, needed, reachable, state), and
  ``by_kind`` the same for each kind of session; with a timetable, what remains is the
  student's planned sessions (their division's and batch's) not yet held;
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
from rollcall.core import messages, schema, standing, timetable
from rollcall.core.events import Alert

COURSE_CACHE_SECONDS = 60
_courses: TtlCache[dict[str, Any]] = TtlCache(COURSE_CACHE_SECONDS)
_plans: TtlCache[list[dict[str, Any]]] = TtlCache(COURSE_CACHE_SECONDS)
#: A session's start and kind never change.
_sessions: TtlCache[tuple[datetime | None, str, str | None]] = TtlCache(3600)


def course(db: Client, course_id: str) -> dict[str, Any]:
    """The course document, cached for COURSE_CACHE_SECONDS (settings change rarely;
    a changed setting applies from the next event)."""

    def load() -> dict[str, Any]:
        snap = schema.course(db, course_id).get()
        return (snap.to_dict() or {}) if snap.exists else {}

    return _courses.get(course_id, load)


_terms: TtlCache[Any] = TtlCache(3600)


def term_ends_on(db: Client, course_id: str) -> Any:
    """The last day (``YYYY-MM-DD``) of the course's term, or None; cached (an inbox
    entry expires after it: rollcall.core.retention)."""
    term_id = course(db, course_id).get("term_id")
    if not term_id:
        return None

    def load() -> Any:
        snap = schema.term(db, term_id).get()
        return (snap.to_dict() or {}).get("ends_on") if snap.exists else None

    return _terms.get(term_id, load)


def session_info(db: Client, session_id: str) -> tuple[datetime | None, str, str | None]:
    """A session's start, kind (theory for one opened without a kind) and planned
    session (None for one opened by hand)."""

    def load() -> tuple[datetime | None, str, str | None]:
        snap = schema.session(db, session_id).get()
        doc = (snap.to_dict() or {}) if snap.exists else {}
        kind = doc.get("kind")
        return (
            doc.get("starts_at"),
            kind if kind in standing.KINDS else standing.DEFAULT_KIND,
            doc.get("planned_id"),
        )

    return _sessions.get(session_id, load)


def plans(db: Client, course_id: str) -> list[dict[str, Any]]:
    """The course's planned sessions not cancelled (rollcall.core.timetable.plans),
    cached like the course: the projection's plan."""
    return _plans.get(course_id, lambda: timetable.plans(db, course_id))


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
    enrollment_ref = schema.enrollments(db, course_id).document(uid)
    course_doc = course(db, course_id)
    rules = standing.Rules.from_course(course_doc)
    starts_at, kind, planned_id = session_info(db, session_id)
    planned = plans(db, course_id)

    @firestore.transactional
    def apply(tx: Transaction) -> list[Alert]:
        refs = [record_ref, ref, enrollment_ref]
        snaps = {s.reference.path: s for s in db.get_all(refs, transaction=tx)}
        record, student = snaps[record_ref.path], snaps[ref.path]
        enrolled = snaps[enrollment_ref.path].to_dict() or {}
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
        entries[session_id] = {
            "status": status,
            "starts_at": starts_at,
            "kind": kind,
            "planned_id": planned_id,
        }
        timeline = [
            ((e.get("starts_at") or at, sid), e.get("kind") or standing.DEFAULT_KIND, e["status"])
            for sid, e in entries.items()
        ]
        held = {e["planned_id"] for e in entries.values() if e.get("planned_id")}
        remaining = timetable.remaining_by_kind(planned, enrolled, held, at)
        now = standing.report(timeline, rules, remaining)
        conditions = now.conditions(rules)
        counts = dict(doc.get("alert_counts") or {})
        fired = {}
        name = course_doc.get("name") or course_id
        for key in standing.crossings(doc.get("alert_state") or {}, conditions):
            counts[key] = int(counts.get(key, 0)) + 1
            part, alert_kind = standing.split(key)
            figures = now.overall if part is None else now.by_kind[part]
            said = standing.alert_words(
                alert_kind, standing.course_label(name, part), figures, rules
            )
            title, body = said.render(messages.DEFAULT)  # the words of an older notify
            alert = Alert(
                alert_id=f"alert-{course_id}-{key.replace('.', '-')}-{counts[key]}",
                uid=uid,
                course_id=course_id,
                session_id=session_id,
                kind=alert_kind,
                title=title,
                body=body,
                at=at,
                words=said.to_json(),
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
