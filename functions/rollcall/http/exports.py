"""``GET /exports/sessions/{id}.csv``, ``GET /exports/courses/{id}.csv`` and ``GET
/exports/requests/{course_id}.csv`` (the course's absence requests): the CSV files of
rollcall.core.exports, as a download, for the course's teacher only (the
CLI's ``rollcall export`` gives the same bytes)."""

from __future__ import annotations

from typing import Any

from google.cloud.firestore import Client

from rollcall import clients, logs
from rollcall.core import access, exports, schema
from rollcall.errors import NotFound
from rollcall.http.toolkit import (
    Answer,
    Context,
    authenticate,
    lookup,
    path_id,
    require,
)


def handle(request: Any, context: Context) -> Answer:
    kind = context.params["kind"]
    ident = path_id(context.params["id"], kind[:-1])
    teacher = authenticate(request)
    db = clients.firestore_client()
    course_id = lookup(_course_of_session, db, ident) if kind == "sessions" else ident
    require(
        access.EXPORT, teacher, course_id, "only this course's teachers may export its attendance"
    )
    make = {
        "sessions": exports.session_csv,
        "courses": exports.course_csv,
        "requests": exports.requests_csv,
    }[kind]
    text = lookup(make, db, ident)
    if text is None:
        raise NotFound(f"no such {kind[:-1]}")
    logs.info("attendance exported", kind=kind[:-1], id=ident, by=teacher, trace=context.trace)
    filename = f"rollcall-{kind[:-1]}-{ident}.csv"
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
