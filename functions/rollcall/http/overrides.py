"""``POST /overrides``: a teacher's override, ``{"session_id", "uid", "status",
"reason"}``: mark a student present, late, excused or absent, with a reason. Only the
teacher of the session's course may; the student must be enrolled.

The override is published on topic ``scans`` as an AttendanceEvent of type
``override``, so every consumer sees it like a scan: the attendance consumer applies it
and writes the audit entry (who, when, why, previous status), the dashboard moves the
student between counts, the notification consumer tells the student.
-> ``202 {"override_id", "status"}``.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from rollcall import logs, pubsub
from rollcall.clock import now
from rollcall.core import access
from rollcall.core.events import OVERRIDE_STATUSES, TYPE_OVERRIDE, AttendanceEvent
from rollcall.errors import BadRequest, NotEnrolled
from rollcall.http.toolkit import (
    Answer,
    Context,
    directory,
    id_field,
    lookup,
    require,
    signed_in_json,
)

MAX_REASON = 500
_REASON = re.compile(r"[^\x00-\x1f\x7f]+")


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
    event = AttendanceEvent(
        event_id=uuid.uuid4().hex,
        session_id=session.id,
        course_id=session.course_id,
        uid=uid,
        status=status,
        at=now(),
        device_id="",
        type=TYPE_OVERRIDE,
        reason=reason,
        by=teacher,
    )
    pubsub.publish([event])
    logs.info(
        "override accepted",
        override_id=event.event_id,
        session_id=event.session_id,
        uid=event.uid,
        status=event.status,
        by=event.by,
        trace=context.trace,
    )
    return Answer({"override_id": event.event_id, "status": event.status}, 202)


def parse(data: dict[str, Any]) -> tuple[str, str, str, str]:
    session_id, uid = id_field(data, "session_id"), id_field(data, "uid")
    if data.get("status") not in OVERRIDE_STATUSES:
        raise BadRequest(f"field 'status' must be one of {', '.join(OVERRIDE_STATUSES)}")
    reason = data.get("reason")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
        raise BadRequest(f"field 'reason' must be text of 1 to {MAX_REASON} characters")
    if not _REASON.fullmatch(reason) or not _utf8(reason):
        raise BadRequest("field 'reason' must be text without control characters")
    return session_id, uid, data["status"], reason.strip()


def _utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:  # lone surrogates: not storable text
        return False
    return True
