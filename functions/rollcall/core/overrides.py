"""Publishing an override: the one path by which anything but a scan or a close changes
a student's attendance in a session (a teacher's ``POST /overrides``, and whatever
settles a student's case for the teacher: an approved absence request, an accepted
dispute). The event goes on topic ``scans`` like a scan, so every consumer sees it: the
attendance consumer applies it and writes the audit entry (who, when, why, previous
status, ``basis``), the dashboard moves the student between counts, the notification
consumer tells the student.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from rollcall import logs, pubsub
from rollcall.clock import now
from rollcall.core.events import TYPE_OVERRIDE, AttendanceEvent


def override_event(
    session_id: str,
    course_id: str,
    uid: str,
    status: str,
    reason: str,
    by: str,
    *,
    basis: str = "",
    override_id: str | None = None,
    at: datetime | None = None,
) -> AttendanceEvent:
    """An override's event: a fresh id unless ``override_id`` (a fixed one: an
    absence request's, so publishing it again changes nothing), made now unless ``at``."""
    return AttendanceEvent(
        event_id=override_id or uuid.uuid4().hex,
        session_id=session_id,
        course_id=course_id,
        uid=uid,
        status=status,
        at=at or now(),
        device_id="",
        type=TYPE_OVERRIDE,
        reason=reason,
        by=by,
        basis=basis,
    )


def publish(events: list[AttendanceEvent], trace: str | None = None) -> None:
    """Publish overrides together (``Unavailable`` if Pub/Sub refuses), one log line each.
    The caller has checked who may and that each student is enrolled."""
    pubsub.publish(events)
    for event in events:
        logs.info(
            "override accepted",
            override_id=event.event_id,
            session_id=event.session_id,
            uid=event.uid,
            status=event.status,
            by=event.by,
            basis=event.basis or None,
            trace=trace,
        )
