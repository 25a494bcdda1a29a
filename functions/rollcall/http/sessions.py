"""A session's life from the staff's side:

* ``POST /sessions`` ``{"course_id", "kind"?, "rotation_seconds"?,
  "late_after_minutes"?, "duration_minutes"?}``: the course's teacher or TA opens a
  session now, on the server's clock (rollcall.core.sessions.open_session); or
  ``{"planned_id", ...}`` starts a planned one (open_planned). -> ``201 {"session_id",
  "course_id", "starts_at", "ends_at", "rotation_seconds", "late_after_minutes",
  "planned_id"}`` (``200`` for a planned one started before).
* ``POST /sessions/close`` ``{"session_id"}``: the staff close a session now
  (rollcall.core.closing), and every enrolled student without a record is then marked
  absent through the pipeline. Closing again answers the same and changes nothing.
  -> ``202 {"session_id", "status": "closed", "closed_at", "absences"}``, where
  ``absences`` is ``marking`` (published now) or ``marked`` (done before).
* ``GET /time``: the server's time (``{"now", "epoch_ms"}``, no sign-in), from which
  the projector learns its clock's offset.
"""

from __future__ import annotations

from typing import Any

from rollcall import clients, contracts, logs
from rollcall.clock import now
from rollcall.core import access, closing, exports, schema, sessions
from rollcall.errors import BadRequest, NotFound
from rollcall.http.toolkit import (
    Answer,
    Context,
    directory,
    id_field,
    lookup,
    require,
    signed_in_json,
)

KINDS: tuple[str, ...] = tuple(contracts.data()["timetable"]["kinds"])
SETTINGS = {
    "rotation_seconds": contracts.ROTATION_SECONDS,
    "late_after_minutes": contracts.LATE_AFTER_MINUTES,
    "duration_minutes": contracts.DURATION_MINUTES,
}


def handle_open(request: Any, context: Context) -> Answer:
    data, uid = signed_in_json(request, {"course_id", "planned_id", "kind", *SETTINGS})
    if ("course_id" in data) == ("planned_id" in data):
        raise BadRequest("send exactly one of 'course_id' (now) and 'planned_id' (a planned one)")
    kind = data.get("kind")
    if "kind" in data and ("planned_id" in data or kind not in KINDS):
        raise BadRequest(f"field 'kind' must be one of {', '.join(KINDS)}, with 'course_id'")
    settings = {}
    for name, limit in SETTINGS.items():
        value = data.get(name, limit.default)
        if value not in limit:
            raise BadRequest(
                f"field {name!r} must be a whole number from {limit.min} to {limit.max}"
            )
        settings[name] = value
    db = clients.firestore_client()
    refusal = "only the staff of this course may open its sessions"
    status = 201
    if "planned_id" in data:
        planned_id = id_field(data, "planned_id")
        plan = lookup(schema.planned(db, planned_id).get)
        course_id = (plan.to_dict() or {}).get("course_id") if plan.exists else None
        require(access.RUN_SESSIONS, uid, course_id, refusal)
        session_id, doc, started = lookup(
            sessions.open_planned,
            db,
            planned_id,
            uid,
            now(),
            settings["rotation_seconds"],
            settings["late_after_minutes"],
        )
        status = 201 if started else 200
    else:
        course_id = id_field(data, "course_id")
        require(access.RUN_SESSIONS, uid, course_id, refusal)
        try:
            session_id, doc = lookup(
                sessions.open_session, db, course_id, uid, now(), **settings, kind=kind
            )
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
    context.fields["session_id"] = session_id
    logs.info(
        "session opened", session_id=session_id, course_id=course_id, by=uid, trace=context.trace
    )
    answer = {
        "session_id": session_id,
        "course_id": course_id,
        "starts_at": exports.cell(doc["starts_at"]),
        "ends_at": exports.cell(doc["ends_at"]),
        "rotation_seconds": doc["rotation_seconds"],
        "late_after_minutes": doc["late_after_minutes"],
        "planned_id": doc.get("planned_id"),
    }
    return Answer(answer, status)


def handle_time(request: Any, context: Context) -> Answer:
    at = now()
    body = {"now": at.isoformat(timespec="milliseconds"), "epoch_ms": int(at.timestamp() * 1000)}
    return Answer(body, 200, {"Cache-Control": "no-store"})


def handle_close(request: Any, context: Context) -> Answer:
    data, teacher = signed_in_json(request, {"session_id"})
    session_id = id_field(data, "session_id")
    session = lookup(directory().session, session_id)  # cached; its course never changes
    require(
        access.RUN_SESSIONS,
        teacher,
        session.course_id if session else None,
        "only the staff of this session's course may close it",
    )
    db = clients.firestore_client()
    closed = lookup(closing.close_and_mark, db, session_id, teacher, now())
    if closed is None:  # pragma: no cover (deleted since it was cached)
        raise NotFound("no such session")
    logs.info("session closed", session_id=session_id, by=teacher, trace=context.trace)
    answer = {
        "session_id": session_id,
        "status": "closed",
        "closed_at": exports.cell(closed.event.closed_at),
        "absences": "marked" if closed.absences_marked else "marking",
    }
    return Answer(answer, 202)
