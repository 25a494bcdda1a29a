"""``GET /exports/sessions/{id}.csv``, ``GET /exports/courses/{id}.csv`` and ``GET
/exports/requests/{course_id}.csv`` (the course's absence requests and their outcome):
the CSV files of rollcall.core.exports, as a download, for the course's teachers, its
department's admins and institution admins (the CLI's ``rollcall export`` gives the same
bytes). ``?as_of=YYYY-MM-DD`` on a course's export: its figures as they were at the end of
that day (rollcall.core.cutoff), the same the defaulter list shows."""

from __future__ import annotations

from datetime import date
from typing import Any

from google.cloud.firestore import Client

from rollcall import clients, logs
from rollcall.config import settings
from rollcall.core import access, cutoff, exports, schema
from rollcall.errors import NotFound
from rollcall.http.toolkit import (
    Answer,
    Context,
    authenticate,
    lookup,
    path_id,
    query,
    require,
    role_in,
)


def handle(request: Any, context: Context) -> Answer:
    kind = context.params["kind"]
    ident = path_id(context.params["id"], kind[:-1])
    teacher = authenticate(request)
    params = query(request, {"as_of": "day"} if kind == "courses" else {})
    at = (
        cutoff.cutoff(date.fromisoformat(params["as_of"]), settings().time_zone)
        if "as_of" in params
        else None
    )
    db = clients.firestore_client()
    course_id = lookup(_course_of_session, db, ident) if kind == "sessions" else ident
    course = require(
        access.EXPORT, teacher, course_id, "only this course's teachers may export its attendance"
    )
    if kind == "sessions":
        text = lookup(exports.session_csv, db, ident)
    elif kind == "requests":
        text = lookup(exports.requests_csv, db, ident)
    else:
        text = lookup(exports.course_csv, db, ident, at)
    if text is None:
        raise NotFound(f"no such {kind[:-1]}")
    logs.taken(
        f"{kind[:-1]}_csv",
        by=teacher,
        role=role_in(teacher, course),
        rows=text.count("\n") - 1,
        course_id=course_id,
        id=ident,
        as_of=params.get("as_of"),
        trace=context.trace,
    )
    filename = f"rollcall-{kind[:-1]}-{ident}" + (f"-{params['as_of']}" if at else "") + ".csv"
    return Answer(
        text,
        200,
        {
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _course_of_session(db: Client, session_id: str) -> str | None:
    snap = schema.session(db, session_id).get()
    return (snap.to_dict() or {}).get("course_id") if snap.exists else None
