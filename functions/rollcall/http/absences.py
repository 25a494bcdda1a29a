"""Absence requests (rollcall.core.absences):

* ``POST /requests``, ``multipart/form-data``: ``kind`` (leave | medical), ``reason``,
  either ``from`` and ``to`` (``YYYY-MM-DD``; optionally ``course_id``: that course
  only, else every course of the student's with sessions in the range) or
  ``course_id`` and ``session_ids`` (repeated, or comma-separated), and optionally a
  ``document`` file part (PDF, JPEG or PNG by its content, at most 5 MB). The signed-in
  student files for themselves. -> ``201 {"filing_id", "requests": [{"request_id",
  "course_id", "session_ids", "planned_ids"}]}``.
* ``POST /requests/decide`` ``{"request_id", "decision": "approve"|"decline",
  "comment"}``: the course's staff (teacher or TA), once. -> ``200 {"request_id",
  "status", "excused"}`` (the overrides published now).
* ``GET /requests/{request_id}/document``: the document, to the student who filed the
  request and the course's viewers (staff, department heads, admins); ``forbidden``
  to anyone else.

Everything is checked before anything is kept: the document is stored only for a
valid request and removed again if the requests cannot be written; a refused request
leaves no object, no document and no event.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from rollcall import clients, contracts, logs, pubsub
from rollcall.clock import now
from rollcall.core import absences, access, documents, overrides, schema
from rollcall.errors import (
    BadRequest,
    NotFound,
    PayloadTooLarge,
    Unavailable,
    UnsupportedDocument,
    UnsupportedMediaType,
)
from rollcall.http.toolkit import (
    Answer,
    Context,
    authenticate,
    id_field,
    is_day,
    lookup,
    path_id,
    require,
    role_in,
    signed_in_json,
    text_field,
)

#: The form's fields besides the file: what a body may hold on top of the document.
FORM_OVERHEAD = 64 * 1024
FIELDS = {"kind", "reason", "from", "to", "course_id", "session_ids", "document"}


def handle_file(request: Any, context: Context) -> Answer:
    limit = documents.MAX_BYTES + FORM_OVERHEAD
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"the document is over {documents.MAX_BYTES // (1024 * 1024)} MB")
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("send the request as multipart/form-data")
    body: bytes = request.stream.read(limit + 1)
    if len(body) > limit:
        raise PayloadTooLarge(f"the document is over {documents.MAX_BYTES // (1024 * 1024)} MB")
    uid = authenticate(request)
    context.fields["uid"] = uid
    form, files = _parse(request, body)
    document = _document(files)
    filing = _filing(uid, form, document)
    db = clients.firestore_client()
    at = now()
    docs = lookup(absences.plan, db, filing, at)
    filing_id = docs[0][1]["filing_id"]
    context.fields["filing_id"] = filing_id
    if document is not None:
        lookup(documents.store, filing_id, document)
    try:
        lookup(absences.write, db, docs)
    except BaseException:
        if document is not None:  # a refused request keeps no file
            _discard(filing_id, context)
        raise
    logs.info(
        "absence request filed",
        filing_id=filing_id,
        uid=uid,
        courses=[d["course_id"] for _, d in docs],
        document=bool(document),
        trace=context.trace,
    )
    requests = [
        {
            "request_id": request_id,
            "course_id": doc["course_id"],
            "session_ids": doc["session_ids"],
            "planned_ids": doc["planned_ids"],
        }
        for request_id, doc in docs
    ]
    return Answer({"filing_id": filing_id, "requests": requests}, 201)


def _discard(filing_id: str, context: Context) -> None:
    """Delete the stored document of a filing that could not be written; if even that
    fails (Cloud Storage down too), say so in the log with the object's name."""
    try:
        documents.delete(filing_id)
    except Exception as exc:
        logs.error(
            "absence document left behind",
            object=documents.object_name(filing_id),
            error=repr(exc),
            trace=context.trace,
        )


def _parse(request: Any, body: bytes) -> tuple[Any, Any]:
    from werkzeug.formparser import FormDataParser

    parser = FormDataParser(max_form_memory_size=FORM_OVERHEAD, max_form_parts=100)
    try:
        _, form, files = parser.parse(
            io.BytesIO(body), request.mimetype, len(body), request.mimetype_params
        )
    except Exception:  # a broken multipart body, a boundary missing, a field too long
        raise BadRequest("body is not valid multipart/form-data") from None
    unknown = (set(form) | set(files)) - FIELDS
    if unknown:
        raise BadRequest(f"unknown field(s): {', '.join(sorted(unknown))}")
    return form, files


def _document(files: Any) -> documents.Document | None:
    parts = files.getlist("document")
    if not parts:
        return None
    if len(parts) > 1:
        raise BadRequest("send at most one document")
    part = parts[0]
    data: bytes = part.stream.read(documents.MAX_BYTES + 1)
    if len(data) > documents.MAX_BYTES:
        raise PayloadTooLarge(f"the document is over {documents.MAX_BYTES // (1024 * 1024)} MB")
    if not data:
        return None  # an empty file input: no document
    content_type = documents.sniff(data)
    if content_type is None:
        raise UnsupportedDocument("the document must be a PDF, JPEG or PNG file")
    return documents.Document(
        data, content_type, documents.safe_filename(part.filename, content_type)
    )


def _one(form: Any, name: str) -> str | None:
    values = form.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"field {name!r} given twice")
    return values[0] if values else None


def _day(value: str | None, name: str) -> date:
    if value is None or not is_day(value):
        raise BadRequest(f"field {name!r} must be a date, YYYY-MM-DD")
    return date.fromisoformat(value)


def _filing(uid: str, form: Any, document: documents.Document | None) -> absences.Filing:
    kind = _one(form, "kind")
    if kind not in absences.KINDS:
        raise BadRequest(f"field 'kind' must be one of {', '.join(absences.KINDS)}")
    reason = text_field({"reason": _one(form, "reason")}, "reason", absences.MAX_REASON, lines=True)
    course_id = _one(form, "course_id")
    if course_id is not None and not contracts.is_document_id(course_id):
        raise BadRequest("field 'course_id' must be an id")
    chosen = [s.strip() for v in form.getlist("session_ids") for s in v.split(",") if s.strip()]
    first, last = _one(form, "from"), _one(form, "to")
    meta = document.meta() if document else None
    if chosen:
        if first is not None or last is not None:
            raise BadRequest("send either 'from' and 'to' or 'session_ids', not both")
        if len(chosen) > absences.MAX_SESSIONS or not all(map(contracts.is_document_id, chosen)):
            raise BadRequest(f"field 'session_ids' must be 1 to {absences.MAX_SESSIONS} ids")
        return absences.Filing(
            uid,
            kind,
            reason,
            chosen=tuple(dict.fromkeys(chosen)),
            course_id=course_id,
            document=meta,
        )
    from_day, to_day = _day(first, "from"), _day(last, "to")
    if to_day < from_day:
        raise BadRequest("field 'to' must not be before 'from'")
    if (to_day - from_day).days >= absences.MAX_DAYS:
        raise BadRequest(f"a request covers at most {absences.MAX_DAYS} days")
    return absences.Filing(uid, kind, reason, from_day, to_day, course_id=course_id, document=meta)


# -- deciding -------------------------------------------------------------------------------


def handle_decide(request: Any, context: Context) -> Answer:
    data, uid = signed_in_json(request, {"request_id", "decision", "comment"})
    request_id = id_field(data, "request_id")
    decision = data.get("decision")
    if decision not in (absences.APPROVE, absences.DECLINE):
        raise BadRequest("field 'decision' must be approve or decline")
    comment = text_field(data, "comment", absences.MAX_COMMENT, required=False)
    context.fields.update(uid=uid, request_id=request_id)
    db = clients.firestore_client()
    snap = lookup(schema.absence_request(db, request_id).get)
    course_id = (snap.to_dict() or {}).get("course_id") if snap.exists else None
    if course_id is None:
        raise NotFound("no such request")
    course = require(
        access.OVERRIDE, uid, course_id, "only this course's staff may decide its requests"
    )
    at = now()
    decided = lookup(absences.decide, db, request_id, decision, comment, uid, at)
    try:
        events = (
            lookup(absences.approval_overrides, db, request_id, decided, at)
            if decided["status"] == absences.APPROVED
            else []
        )
        name = lookup(schema.course(db, course_id).get).to_dict() or {}
        notice = absences.decision_notice(
            request_id, decided, name.get("name") or course_id, len(events), at
        )
        if events:
            overrides.publish(events, context.trace)
        pubsub.publish([notice])
    except Unavailable:
        absences.undo(db, request_id, at)
        raise
    logs.info(
        "absence request decided",
        request_id=request_id,
        course_id=course.id if course else course_id,
        status=decided["status"],
        excused=len(events),
        by=uid,
        trace=context.trace,
    )
    return Answer({"request_id": request_id, "status": decided["status"], "excused": len(events)})


# -- the document ---------------------------------------------------------------------------


def handle_document(request: Any, context: Context) -> Answer:
    request_id = path_id(context.params["id"], "request")
    uid = authenticate(request)
    context.fields.update(uid=uid, request_id=request_id)
    db = clients.firestore_client()
    snap = lookup(schema.absence_request(db, request_id).get)
    if not snap.exists:
        raise NotFound("no such request")
    doc = snap.to_dict() or {}
    role = "student"
    if doc.get("uid") != uid:
        course = require(
            access.VIEW_COURSE,
            uid,
            doc.get("course_id"),
            "only the student and the course's staff may see this document",
        )
        role = role_in(uid, course)
    meta = doc.get("document")
    if not meta:
        raise NotFound("this request has no document")
    data = lookup(documents.read, doc["filing_id"])
    if data is None:
        raise NotFound("the document is gone")
    logs.taken(
        "request_document",
        by=uid,
        role=role,
        rows=1,
        course_id=doc.get("course_id"),
        request_id=request_id,
        trace=context.trace,
    )
    return Answer(
        data,
        200,
        {
            "Content-Type": meta["content_type"],
            "Content-Disposition": f'inline; filename="{meta["filename"]}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
