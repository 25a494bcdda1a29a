"""Disputes (rollcall.core.disputes), three endpoints:

* ``POST /disputes`` ``{"session_id", "note"}``: the signed-in student disputes their
  absence or late mark in the session -> ``201`` the dispute;
* ``GET /disputes/{dispute_id}/evidence``: for the course's staff, what Rollcall holds
  for that student and session -> ``200``;
* ``POST /disputes/decide`` ``{"dispute_id", "decision": "accept"|"decline", "status":
  "present"|"late" (to accept), "comment"}``: the course's staff settle it once; an
  acceptance publishes an override (``basis`` ``dispute/{id}``) -> ``200`` the dispute.
"""

from __future__ import annotations

from typing import Any

from rollcall import clients, logs
from rollcall.clock import now
from rollcall.core import access, disputes
from rollcall.errors import BadRequest, NotFound
from rollcall.http.toolkit import (
    Answer,
    Context,
    authenticate,
    id_field,
    lookup,
    path_id,
    require,
    role_in,
    signed_in_json,
    text_field,
)

#: The longest note or comment (as an override's reason).
MAX_TEXT = 500


def handle_file(request: Any, context: Context) -> Answer:
    data, uid = signed_in_json(request, {"session_id", "note"})
    context.fields["uid"] = uid
    session_id = id_field(data, "session_id")
    context.fields["session_id"] = session_id
    note = text_field(data, "note", MAX_TEXT)
    doc = lookup(disputes.file, clients.firestore_client(), session_id, uid, note, now())
    logs.info(
        "dispute filed",
        dispute_id=doc["dispute_id"],
        session_id=session_id,
        uid=uid,
        disputed=doc["disputed"],
        trace=context.trace,
    )
    return Answer(disputes.plain(doc), 201)


def handle_evidence(request: Any, context: Context) -> Answer:
    ident = path_id(context.params["id"], "dispute")
    by = authenticate(request)
    db = clients.firestore_client()
    course_id = lookup(disputes.course_of, db, ident)
    if course_id is None:
        raise NotFound("no such dispute")
    course = require(
        access.OVERRIDE, by, course_id, "only the staff of this course may see its disputes"
    )
    found = lookup(disputes.evidence, db, ident)
    if found is None:
        raise NotFound("no such dispute")
    logs.taken(
        "dispute_evidence",
        by=by,
        role=role_in(by, course),
        rows=1,
        course_id=course_id,
        dispute_id=ident,
        trace=context.trace,
    )
    return Answer(found, 200, {"Cache-Control": "no-store"})


def handle_decide(request: Any, context: Context) -> Answer:
    data, by = signed_in_json(request, {"dispute_id", "decision", "status", "comment"})
    ident = id_field(data, "dispute_id")
    context.fields["dispute_id"] = ident
    decision = data.get("decision")
    if not isinstance(decision, str) or decision not in disputes.DECISIONS:
        raise BadRequest("field 'decision' must be accept or decline")
    status = data.get("status")
    if decision == "accept" and (not isinstance(status, str) or status not in disputes.SETTLED_AS):
        raise BadRequest("to accept, field 'status' must be present or late")
    if decision == "decline" and status is not None:
        raise BadRequest("field 'status' is only for accepting")
    # A declined student is told why; an acceptance may say nothing more.
    comment = text_field(data, "comment", MAX_TEXT, required=decision == "decline")
    db = clients.firestore_client()
    course_id = lookup(disputes.course_of, db, ident)
    if course_id is None:
        raise NotFound("no such dispute")
    require(access.OVERRIDE, by, course_id, "only the staff of this course may decide its disputes")
    doc = lookup(
        disputes.decide, db, ident, decision, status, comment, by, now(), trace=context.trace
    )
    return Answer(disputes.plain(doc), 200)
