"""``POST /overrides``: a teacher's override, ``{"session_id", "uid", "status",
"reason"}``: mark a student present, late, excused or absent, with a reason. Only the
teacher of the session's course may; the student must be enrolled.

The override is published by rollcall.core.overrides (the path every override takes).
-> ``202 {"override_id", "status"}``.
"""

from __future__ import annotations

from typing import Any

from rollcall.core import access, overrides
from rollcall.core.events import OVERRIDE_STATUSES
from rollcall.errors import BadRequest, NotEnrolled
from rollcall.http.toolkit import (
    Answer,
    Context,
    directory,
    id_field,
    lookup,
    require,
    signed_in_json,
    text_field,
)

MAX_REASON = 500


def handle(request: Any, context: Context) -> Answer:
    data, teacher = signed_in_json(request, {"session_id", "uid", "status", "reason"})
    session_id, uid, status, reason = parse(data)
    session = lookup(directory().session, session_id)
    require(
        access.OVERRIDE,
        teacher,
        session.course_id if session else None,
        "only the staff of this session's course may change its attendance",
    )
    assert session is not None
    if not lookup(directory().is_enrolled, session.course_id, uid):
        raise NotEnrolled("this student is not enrolled in the course")
    event = overrides.override_event(session.id, session.course_id, uid, status, reason, teacher)
    overrides.publish([event], context.trace)
    return Answer({"override_id": event.event_id, "status": event.status}, 202)


def parse(data: dict[str, Any]) -> tuple[str, str, str, str]:
    session_id, uid = id_field(data, "session_id"), id_field(data, "uid")
    if data.get("status") not in OVERRIDE_STATUSES:
        raise BadRequest(f"field 'status' must be one of {', '.join(OVERRIDE_STATUSES)}")
    return session_id, uid, data["status"], text_field(data, "reason", MAX_REASON)
