"""A teacher's override: mark a student present, late, excused or absent, with a reason.

``POST /overrides`` on the scan function, ``{"session_id", "uid", "status", "reason"}``
with the teacher's Firebase ID token. Only the teacher of the session's course may;
the student must be enrolled. The override is published on topic ``scans`` as an event
of type ``override``, so every consumer sees it like a scan: the attendance consumer
applies it and writes the audit entry (who, when, why, previous status), the dashboard
moves the student between counts, the notification consumer tells the student.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from rollcall import clients, logs
from rollcall.errors import BadRequest, Forbidden, NotEnrolled, RequestError
from rollcall.events import OVERRIDE_STATUSES, TYPE_OVERRIDE, ScanEvent, now
from rollcall.ingest import (
    directory,
    id_field,
    json_object,
    lookup,
    posted_by,
    publish,
    rejected,
)

MAX_REASON = 500
_REASON = re.compile(r"[^\x00-\x1f\x7f]+")


def _utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:  # lone surrogates: not storable text
        return False
    return True


def handle(request: Any, headers: dict[str, str], trace: str | None):
    try:
        event = accept(request)
    except RequestError as exc:
        return rejected("override rejected", exc, headers, trace)
    logs.info(
        "override accepted",
        override_id=event.scan_id,
        session_id=event.session_id,
        uid=event.uid,
        status=event.status,
        by=event.by,
        trace=trace,
    )
    return {"override_id": event.scan_id, "status": event.status}, 202, headers


def accept(request: Any) -> ScanEvent:
    body, teacher = posted_by(request, "an override")
    session_id, uid, status, reason = parse_body(body)
    session = lookup(directory().session, session_id)
    if session is None or lookup(course_teacher, session.course_id) != teacher:
        raise Forbidden("only the teacher of this session's course may change its attendance")
    if not lookup(directory().is_enrolled, session.course_id, uid):
        raise NotEnrolled("this student is not enrolled in the course")
    event = ScanEvent(
        scan_id=uuid.uuid4().hex,
        session_id=session.id,
        course_id=session.course_id,
        uid=uid,
        status=status,
        scanned_at=now(),
        device_id="",
        type=TYPE_OVERRIDE,
        reason=reason,
        by=teacher,
    )
    publish(event)
    return event


def course_teacher(course_id: str) -> str | None:
    snap = clients.firestore_client().collection("courses").document(course_id).get()
    return (snap.to_dict() or {}).get("teacher_uid") if snap.exists else None


def parse_body(body: bytes) -> tuple[str, str, str, str]:
    data = json_object(body, {"session_id", "uid", "status", "reason"})
    session_id, uid = id_field(data, "session_id"), id_field(data, "uid")
    if data.get("status") not in OVERRIDE_STATUSES:
        raise BadRequest(f"field 'status' must be one of {', '.join(OVERRIDE_STATUSES)}")
    reason = data.get("reason")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
        raise BadRequest(f"field 'reason' must be text of 1 to {MAX_REASON} characters")
    if not _REASON.fullmatch(reason) or not _utf8(reason):
        raise BadRequest("field 'reason' must be text without control characters")
    return session_id, uid, data["status"], reason.strip()
