"""Absence requests: a student asks to be excused (leave or medical) for a date range
or for chosen sessions, with a reason and optionally a document; the course's staff
approve or decline; an approval excuses the sessions through the override path.

``requests/{request_id}`` (rollcall.core.schema), one per course: a date range that
spans several of the student's courses files one request per course, grouped by
``filing_id`` and sharing one document (rollcall.core.documents). Fields: ``course_id``,
``uid``, ``name`` and ``roll_no`` (as the course's roster has them), ``kind``
(``leave`` | ``medical``), ``reason``, ``mode`` (``range`` | ``sessions``), ``from`` and
``to`` (the institution's dates; for chosen sessions the first and last session's),
``session_ids`` (sessions held or open when it was filed) and ``planned_ids`` (planned
sessions not started yet), ``document`` (``{content_type, size, filename}`` or null),
``status`` (``open`` | ``approved`` | ``declined``), ``filed_at``, ``decided_by``,
``decided_at``, ``comment``.

What a request covers: its ``session_ids``, the sessions started from its
``planned_ids``, and for a date range every session of the course within the range
whose audience includes the student. An approval publishes, for each covered session
already held, an override to ``excused`` with the fixed id ``req-{request}-{session}``
(rollcall.core.overrides); a covered session still to come is excused when it closes
(``excused_at_close``, called by rollcall.core.closing), with the same id, so the two
paths and any redelivery excuse a session once. A session the student attended
(present or late) keeps its record.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from google.cloud import firestore
from google.cloud.firestore import Client, Transaction
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall import contracts
from rollcall.config import settings
from rollcall.core import institution, messages, overrides, retention, schema
from rollcall.core.events import REQUEST_BASIS, AttendanceEvent, CloseSession, StudentNotice
from rollcall.core.standing import Rules
from rollcall.core.timetable import Audience
from rollcall.errors import (
    AlreadyDecided,
    BadRequest,
    Cancelled,
    DocumentRequired,
    NotEnrolled,
    NotFound,
    NotInAudience,
    OutsideWindow,
)

_SPEC = contracts.data()["requests"]
KINDS: tuple[str, ...] = tuple(_SPEC["kinds"])
OPEN, APPROVED, DECLINED = tuple(_SPEC["statuses"])
APPROVE, DECLINE = tuple(_SPEC["decisions"])
MAX_REASON: int = _SPEC["max_reason"]
MAX_COMMENT: int = _SPEC["max_comment"]
MAX_SESSIONS: int = _SPEC["max_sessions"]
#: The longest range, and how far ahead a request may reach without a term's end.
MAX_DAYS: int = _SPEC["max_days"]
RANGE, SESSIONS = "range", "sessions"


@dataclass(frozen=True)
class Filing:
    """What a student sent (checked for shape by the HTTP side)."""

    uid: str
    kind: str
    reason: str
    from_day: date | None = None
    to_day: date | None = None
    chosen: tuple[str, ...] = ()
    course_id: str | None = None
    document: Mapping[str, Any] | None = None


@dataclass
class Cover:
    """A course's sessions a request covers, and their days."""

    course_id: str
    enrollment: Mapping[str, Any]
    session_ids: list[str] = field(default_factory=list)
    planned_ids: list[str] = field(default_factory=list)
    days: list[date] = field(default_factory=list)


def local_day(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(settings().time_zone)).date()


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(settings().time_zone)).astimezone(UTC)


# -- filing -------------------------------------------------------------------------------


def plan(db: Client, filing: Filing, at: datetime) -> list[tuple[str, dict[str, Any]]]:
    """The request documents of a filing, one per course, as ``(id, document)``;
    raises the request's stable error (``not_enrolled``, ``not_found``,
    ``not_in_audience``, ``cancelled``, ``outside_window``, ``document_required``,
    ``bad_request``) without writing anything."""
    covers = _chosen(db, filing) if filing.chosen else _in_range(db, filing)
    covers = [c for c in covers if c.session_ids or c.planned_ids]
    if not covers:
        raise BadRequest("no session of yours falls on these days")
    today = local_day(at)
    for cover in covers:
        _check_window(db, cover, filing, today)
    first = filing.from_day or min(d for c in covers for d in c.days)
    last = filing.to_day or max(d for c in covers for d in c.days)
    required_after = institution.document_required_after_days(db)
    span = (last - first).days + 1
    if required_after is not None and span > required_after and filing.document is None:
        raise DocumentRequired(
            f"a request of more than {required_after} day(s) needs a document (PDF, JPEG or PNG)"
        )
    filing_id = uuid.uuid4().hex
    docs = []
    for cover in covers:
        docs.append(
            (
                uuid.uuid4().hex,
                {
                    "filing_id": filing_id,
                    "course_id": cover.course_id,
                    "uid": filing.uid,
                    "name": cover.enrollment.get("name"),
                    "roll_no": cover.enrollment.get("roll_no"),
                    "kind": filing.kind,
                    "reason": filing.reason,
                    "mode": SESSIONS if filing.chosen else RANGE,
                    "from": first.isoformat(),
                    "to": last.isoformat(),
                    "session_ids": sorted(cover.session_ids),
                    "planned_ids": sorted(cover.planned_ids),
                    "document": dict(filing.document) if filing.document else None,
                    "status": OPEN,
                    "filed_at": at,
                    retention.FIELD: retention.request(at),
                    "decided_by": None,
                    "decided_at": None,
                    "comment": None,
                },
            )
        )
    return docs


def write(db: Client, docs: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
    """Create the filing's requests, all or none."""
    batch = db.batch()
    for request_id, doc in docs:
        batch.create(schema.absence_request(db, request_id), dict(doc))
    batch.commit()


def _enrollment(db: Client, course_id: str, uid: str) -> dict[str, Any]:
    snap = schema.enrollments(db, course_id).document(uid).get()
    if not snap.exists:
        raise NotEnrolled("you are not enrolled in this course")
    return snap.to_dict() or {}


def _chosen(db: Client, filing: Filing) -> list[Cover]:
    """The chosen sessions (held, or planned and not started), all of one course."""
    if filing.course_id is None:
        raise BadRequest("field 'course_id' is required with 'session_ids'")
    cover = Cover(filing.course_id, _enrollment(db, filing.course_id, filing.uid))
    refs = [schema.session(db, s) for s in filing.chosen]
    refs += [schema.planned(db, s) for s in filing.chosen]
    snaps = {snap.reference.path: snap for snap in db.get_all(refs)}
    for ident in filing.chosen:
        held = snaps[schema.session(db, ident).path]
        planned = snaps[schema.planned(db, ident).path]
        snap = held if held.exists else planned
        doc = snap.to_dict() or {} if snap.exists else {}
        if doc.get("course_id") != filing.course_id:
            raise NotFound(f"no session {ident!r} in this course")
        if not Audience.from_doc(doc.get("audience")).includes(cover.enrollment):
            raise NotInAudience(f"session {ident!r} is for another division or batch")
        if held.exists:
            cover.session_ids.append(ident)
        elif doc.get("session_id"):
            cover.session_ids.append(doc["session_id"])
        elif doc.get("status") == "cancelled":
            raise Cancelled(f"session {ident!r} was cancelled")
        else:
            cover.planned_ids.append(ident)
        cover.days.append(local_day(doc["starts_at"]))
    cover.session_ids = sorted(set(cover.session_ids))
    return [cover]


def _in_range(db: Client, filing: Filing) -> list[Cover]:
    """Each of the student's courses (or the one named) with its sessions in the range."""
    assert filing.from_day is not None and filing.to_day is not None
    if filing.course_id is not None:
        courses = {filing.course_id: _enrollment(db, filing.course_id, filing.uid)}
    else:
        found = (
            db.collection_group(schema.ENROLLMENTS)
            .where(filter=FieldFilter("uid", "==", filing.uid))
            .stream()
        )
        courses = {
            snap.reference.parent.parent.id: snap.to_dict() or {}
            for snap in found
            if snap.reference.parent.parent is not None
        }
        if not courses:
            raise NotEnrolled("you are not enrolled in any course")
    return [
        covered_in_range(db, course_id, enrollment, filing.from_day, filing.to_day)
        for course_id, enrollment in sorted(courses.items())
    ]


def covered_in_range(
    db: Client, course_id: str, enrollment: Mapping[str, Any], first: date, last: date
) -> Cover:
    """The course's sessions (held, and planned not started) in the range for the
    student's audience."""
    cover = Cover(course_id, enrollment)
    start, end = _day_start(first), _day_start(last + timedelta(days=1))
    held = (
        db.collection(schema.SESSIONS)
        .where(filter=FieldFilter("course_id", "==", course_id))
        .where(filter=FieldFilter("starts_at", ">=", start))
        .where(filter=FieldFilter("starts_at", "<", end))
        .stream()
    )
    for snap in held:
        doc = snap.to_dict() or {}
        if Audience.from_doc(doc.get("audience")).includes(enrollment):
            cover.session_ids.append(snap.id)
            cover.days.append(local_day(doc["starts_at"]))
    planned = (
        db.collection(schema.PLANNED)
        .where(filter=FieldFilter("course_id", "==", course_id))
        .where(filter=FieldFilter("date", ">=", first.isoformat()))
        .where(filter=FieldFilter("date", "<=", last.isoformat()))
        .stream()
    )
    for snap in planned:
        doc = snap.to_dict() or {}
        if doc.get("status") != "planned" or doc.get("session_id"):
            continue  # cancelled, or started (then among the sessions above)
        if Audience.from_doc(doc.get("audience")).includes(enrollment):
            cover.planned_ids.append(snap.id)
            cover.days.append(date.fromisoformat(doc["date"]))
    return cover


def _check_window(db: Client, cover: Cover, filing: Filing, today: date) -> None:
    """The course's filing window: from ``request_window_days`` before today to the
    end of its term (or ``MAX_DAYS`` ahead)."""
    course = schema.course(db, cover.course_id).get().to_dict() or {}
    window = Rules.from_course(course).request_window_days
    earliest = today - timedelta(days=window)
    latest = today + timedelta(days=MAX_DAYS)
    term_id = course.get("term_id")
    if term_id:
        term = schema.term(db, term_id).get().to_dict() or {}
        if term.get("ends_on"):
            latest = min(latest, date.fromisoformat(term["ends_on"]))
    first = filing.from_day or min(cover.days)
    last = filing.to_day or max(cover.days)
    if first < earliest:
        raise OutsideWindow(
            f"requests may cover sessions of the last {window} day(s) only (from {earliest})"
        )
    if last > latest:
        raise OutsideWindow(f"requests may cover sessions up to {latest} only")


# -- deciding -----------------------------------------------------------------------------


def decide(
    db: Client, request_id: str, decision: str, comment: str, by: str, at: datetime
) -> dict[str, Any]:
    """Approve or decline an open request, once (a transaction: a second decision,
    even a concurrent one, gets ``already_decided`` and changes nothing). Returns the
    request as decided."""
    ref = schema.absence_request(db, request_id)

    @firestore.transactional
    def apply(tx: Transaction) -> dict[str, Any]:
        snap = ref.get(transaction=tx)
        doc = snap.to_dict() or {}
        if not snap.exists:
            raise NotFound("no such request")
        if doc.get("status") != OPEN:
            raise AlreadyDecided(f"this request was {doc.get('status')} already")
        change = {
            "status": APPROVED if decision == APPROVE else DECLINED,
            "decided_by": by,
            "decided_at": at,
            "comment": comment or None,
        }
        tx.update(ref, change)
        return {**doc, **change}

    decided: dict[str, Any] = apply(db.transaction())
    return decided


def undo(db: Client, request_id: str, decided_at: datetime) -> None:
    """Reopen a request whose decision could not be published (Pub/Sub down), unless
    something changed it since."""
    ref = schema.absence_request(db, request_id)

    @firestore.transactional
    def apply(tx: Transaction) -> None:
        doc = ref.get(transaction=tx).to_dict() or {}
        if doc.get("decided_at") == decided_at:
            tx.update(
                ref, {"status": OPEN, "decided_by": None, "decided_at": None, "comment": None}
            )

    apply(db.transaction())


def basis(request_id: str) -> str:
    """What an override that applies the request settles (its audit entry's ``basis``)."""
    return f"{REQUEST_BASIS}{request_id}"


def override_id(request_id: str, session_id: str) -> str:
    return f"req-{request_id}-{session_id}"


def _excuse(
    request_id: str, doc: Mapping[str, Any], session_id: str, at: datetime
) -> AttendanceEvent:
    label = "Medical" if doc.get("kind") == "medical" else "Leave"
    return overrides.override_event(
        session_id,
        doc["course_id"],
        doc["uid"],
        "excused",
        f"{label} request {request_id} approved",
        doc.get("decided_by") or "",
        basis=basis(request_id),
        override_id=override_id(request_id, session_id),
        at=at,
    )


def covers(doc: Mapping[str, Any], session_id: str, session: Mapping[str, Any]) -> bool:
    """Whether the request covers the session (its id, its planned session, or for a
    range, its day; the audience was checked at filing or is checked by the caller)."""
    if session_id in (doc.get("session_ids") or []):
        return True
    if session.get("planned_id") and session["planned_id"] in (doc.get("planned_ids") or []):
        return True
    if doc.get("mode") == RANGE and session.get("starts_at") is not None:
        return (
            str(doc.get("from"))
            <= local_day(session["starts_at"]).isoformat()
            <= str(doc.get("to"))
        )
    return False


def _attended(db: Client, session_id: str, uids: Sequence[str]) -> set[str]:
    """Of ``uids``, those with a present or late record in the session."""
    refs = [schema.record(db, session_id, uid) for uid in uids]
    return {
        snap.id
        for snap in db.get_all(refs)
        if snap.exists and (snap.to_dict() or {}).get("status") in contracts.CHECKED_IN
    }


def approval_overrides(
    db: Client, request_id: str, doc: Mapping[str, Any], at: datetime
) -> list[AttendanceEvent]:
    """The overrides an approval publishes now: one per covered session already held
    (open or closed) that the student did not attend."""
    held: dict[str, Mapping[str, Any]] = {}
    refs = [schema.session(db, s) for s in doc.get("session_ids") or []]
    for snap in db.get_all(refs) if refs else []:
        if snap.exists:
            held[snap.id] = snap.to_dict() or {}
    planned = [schema.planned(db, p) for p in doc.get("planned_ids") or []]
    started = [
        (snap.to_dict() or {})["session_id"]
        for snap in (db.get_all(planned) if planned else [])
        if snap.exists and (snap.to_dict() or {}).get("session_id")
    ]
    for snap in db.get_all([schema.session(db, s) for s in started]) if started else []:
        if snap.exists:
            held[snap.id] = snap.to_dict() or {}
    if doc.get("mode") == RANGE:
        enrollment = schema.enrollments(db, doc["course_id"]).document(doc["uid"]).get()
        cover = covered_in_range(
            db,
            doc["course_id"],
            enrollment.to_dict() or {},
            date.fromisoformat(doc["from"]),
            date.fromisoformat(doc["to"]),
        )
        for snap in db.get_all([schema.session(db, s) for s in cover.session_ids]):
            held[snap.id] = snap.to_dict() or {}
    candidates = sorted(s for s, d in held.items() if d.get("course_id") == doc["course_id"])
    events = []
    for session_id in candidates:
        if doc["uid"] not in _attended(db, session_id, [doc["uid"]]):
            events.append(_excuse(request_id, doc, session_id, at))
    return events


def excused_at_close(
    db: Client, close: CloseSession, session: Mapping[str, Any], roster: Sequence[str]
) -> list[AttendanceEvent]:
    """The overrides a session's close publishes besides its absences: ``excused`` for
    each student of its audience with an approved request covering it who did not
    attend. At the close time: after the absence, which it replaces."""
    approved = (
        db.collection(schema.REQUESTS)
        .where(filter=FieldFilter("course_id", "==", close.course_id))
        .where(filter=FieldFilter("status", "==", APPROVED))
        .stream()
    )
    members = set(roster)
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for snap in approved:
        doc = snap.to_dict() or {}
        if doc.get("uid") in members and covers(doc, close.session_id, session):
            found.setdefault(doc["uid"], (snap.id, doc))
    if not found:
        return []
    attended = _attended(db, close.session_id, sorted(found))
    return [
        _excuse(request_id, doc, close.session_id, close.closed_at)
        for uid, (request_id, doc) in sorted(found.items())
        if uid not in attended
    ]


def decision_notice(
    request_id: str, doc: Mapping[str, Any], course_name: str, excused: int, at: datetime
) -> StudentNotice:
    """What the student is told of the decision (inbox and push), in catalog terms
    (``request.*``: worded in the student's language by the notify consumer)."""
    approved = doc["status"] == APPROVED
    kind = str(doc.get("kind") or "leave")
    params: dict[str, Any] = {
        "course": course_name,
        "what": messages.Phrase(
            "request.what", {"kind": messages.Term(f"request.kind.{kind}"), "days": _days(doc)}
        ),
        "excused": messages.Phrase("request.excused", {"count": excused}) if excused else "",
        "comment": messages.Phrase("request.comment", {"comment": doc["comment"]})
        if doc.get("comment")
        else "",
    }
    outcome = "approved" if approved else "declined"
    said = messages.Words(f"request.{outcome}.title", f"request.{outcome}.body", params)
    title, body = said.render(messages.DEFAULT)
    return StudentNotice(
        notice_id=f"request-{request_id}",
        uid=doc["uid"],
        kind=f"request_{outcome}",
        title=title,
        body=body,
        course_id=doc["course_id"],
        at=at,
        extra={"request_id": request_id, "status": doc["status"]},
        words=said.to_json(),
    )


def _days(doc: Mapping[str, Any]) -> str | messages.Phrase:
    first, last = str(doc.get("from")), str(doc.get("to"))
    return (
        first if first == last else messages.Phrase("request.days", {"first": first, "last": last})
    )
