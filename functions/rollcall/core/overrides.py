"""Publishing an override: the one way a student's status in a session is changed by
someone (a teacher's ``POST /overrides``, an approved absence request,
rollcall.core.absences). The override travels on topic ``scans`` as an
``AttendanceEvent`` of type ``override``: the attendance consumer applies it and writes
the audit entry (who, when, why, previous status, and the absence request it applies),
the dashboard moves the student between counts, the notification consumer tells the
student."""

from __future__ import annotations

import uuid
from datetime import datetime

from rollcall import logs, pubsub
from rollcall.core.events import TYPE_OVERRIDE, AttendanceEvent


def override_event(
    session_id: str,
    course_id: str,
    uid: str,
    status: str,
    reason: str,
    by: str,
    at: datetime,
    override_id: str | None = None,
    request_id: str = "",
) -> AttendanceEvent:
    """The override's event; ``override_id`` None: a fresh one (a teacher's override),
    else a fixed id (an absence request's: publishing it twice changes nothing)."""
    return AttendanceEvent(
        event_id=override_id or uuid.uuid4().hex,
        session_id=session_id,
        course_id=course_id,
        uid=uid,
        status=status,
        at=at,
        device_id="",
        type=TYPE_OVERRIDE,
        reason=reason,
        by=by,
        request_id=request_id,
    )


def publish(events: list[AttendanceEvent], trace: str | None = None) -> None:
    """Publish the overrides (``Unavailable`` if Pub/Sub refuses) and log each."""
    pubsub.publish(events)
    for event in events:
        logs.info(
            "override accepted",
            override_id=event.event_id,
            session_id=event.session_id,
            uid=event.uid,
            status=event.status,
            by=event.by,
            request_id=event.request_id or None,
            trace=trace,
        )
