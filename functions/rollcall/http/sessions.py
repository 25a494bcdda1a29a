"""``POST /sessions/close`` ``{"session_id"}``: the teacher closes a session now
(rollcall.core.closing), and every enrolled student without a record is then marked
absent through the pipeline. Closing again answers the same and changes nothing.
-> ``202 {"session_id", "status": "closed", "closed_at", "absences"}``, where
``absences`` is ``marking`` (published now) or ``marked`` (done before).
"""

from __future__ import annotations

from typing import Any

from rollcall import clients, logs
from rollcall.clock import now
from rollcall.core import access, closing, exports
from rollcall.errors import NotFound
from rollcall.http.toolkit import (
    Answer,
    Context,
    directory,
    id_field,
    lookup,
    require,
    signed_in_json,
)


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
