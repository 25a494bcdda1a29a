"""The teacher's endpoints on the scan function besides overrides, each with the
teacher's Firebase ID token; only the teacher of the course may.

* ``POST /sessions/close`` ``{"session_id"}``: close the session now (rollcall.closing)
  and publish its ``close_session``, so every enrolled student without a record is
  marked absent. Closing again answers the same and changes nothing.
  -> ``202 {"session_id", "status": "closed", "closed_at", "absences"}``, where
  ``absences`` is ``marking`` (published now) or ``marked`` (done before).
* ``GET /exports/sessions/{id}.csv`` and ``GET /exports/courses/{id}.csv``: the CSV
  files of rollcall.exports, as a download.
* ``POST /courses/settings`` ``{"course_id", <setting>: <value>, ...}``: the course's
  attendance rules (rollcall.standing.SETTINGS), validated; they apply to each
  student's figures from their next change. -> ``200 {"course_id", "rules"}``.
"""

from __future__ import annotations

import re
from typing import Any

from rollcall import clients, closing, exports, logs, standing
from rollcall.errors import BadRequest, Forbidden, MethodNotAllowed, NotFound, RequestError
from rollcall.events import now
from rollcall.ingest import (
    ID,
    authenticate,
    directory,
    id_field,
    json_object,
    lookup,
    posted_by,
    publish,
    rejected,
)
from rollcall.overrides import course_teacher

_EXPORT = re.compile(rf"/exports/(sessions|courses)/({ID.pattern})\.csv")


def handle_close(request: Any, headers: dict[str, str], trace: str | None):
    try:
        body, teacher = posted_by(request, "a close")
        session_id = id_field(json_object(body, {"session_id"}), "session_id")
        session = lookup(directory().session, session_id)  # cached; its course never changes
        if session is None or lookup(course_teacher, session.course_id) != teacher:
            raise Forbidden("only the teacher of this session's course may close it")
        closed = lookup(closing.close, clients.firestore_client(), session_id, teacher, now())
        if closed is None:  # pragma: no cover (deleted since it was cached)
            raise NotFound("no such session")
        marked = closed.absences_marked
        if not marked:
            publish(closed.event)
    except RequestError as exc:
        return rejected("close rejected", exc, headers, trace)
    logs.info("session closed", session_id=session_id, by=teacher, trace=trace)
    answer = {
        "session_id": session_id,
        "status": "closed",
        "closed_at": exports.cell(closed.event.closed_at),
        "absences": "marked" if marked else "marking",
    }
    return answer, 202, headers


def handle_export(request: Any, headers: dict[str, str], trace: str | None):
    try:
        if request.method != "GET":
            raise MethodNotAllowed(f"{request.method} is not allowed: GET an export")
        match = _EXPORT.fullmatch(request.path)
        if match is None:
            raise NotFound(f"no such export: {request.path}")
        kind, ident = match.groups()
        teacher = authenticate(request.headers.get("Authorization"))
        db = clients.firestore_client()
        if kind == "sessions":
            session = lookup(_session, db, ident)
            course_id = session["course_id"] if session else None
        else:
            course_id = ident
        if course_id is None or lookup(course_teacher, course_id) != teacher:
            raise Forbidden("only the teacher of this course may export its attendance")
        text = lookup(exports.session_csv if kind == "sessions" else exports.course_csv, db, ident)
        if text is None:
            raise NotFound(f"no such {kind[:-1]}")
    except RequestError as exc:
        answer = rejected("export rejected", exc, headers, trace)
        if exc.status == 405:
            answer[2]["Allow"] = "GET, OPTIONS"
        return answer
    logs.info("attendance exported", kind=kind[:-1], id=ident, by=teacher, trace=trace)
    filename = f"rollcall-{kind[:-1]}-{ident}.csv"
    return (
        text,
        200,
        {
            **headers,
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def handle_settings(request: Any, headers: dict[str, str], trace: str | None):
    try:
        body, teacher = posted_by(request, "the settings")
        data = json_object(body, {"course_id", *standing.SETTINGS})
        course_id = id_field(data, "course_id")
        del data["course_id"]
        try:
            changes = standing.validate_settings(data)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        if lookup(course_teacher, course_id) != teacher:
            raise Forbidden("only the teacher of this course may change its rules")
        ref = clients.firestore_client().collection("courses").document(course_id)
        if changes:
            lookup(ref.update, changes)
        doc = lookup(ref.get).to_dict() or {}
    except RequestError as exc:
        return rejected("settings rejected", exc, headers, trace)
    rules = standing.Rules.from_course(doc).describe()
    logs.info("course settings changed", course_id=course_id, by=teacher, trace=trace, **changes)
    return {"course_id": course_id, "rules": rules}, 200, headers


def _session(db: Any, session_id: str) -> dict[str, Any] | None:
    snap = db.collection("sessions").document(session_id).get()
    return snap.to_dict() if snap.exists else None
