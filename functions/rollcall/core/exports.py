"""CSV exports for teachers: one session, or a whole course; one row per student.

The same functions serve the CLI (``rollcall export ...``) and the dashboard (``GET
/exports/sessions/{id}.csv`` and ``/exports/courses/{id}.csv`` on the scan function,
with the teacher's ID token), so both give the same file.

* Session: each student of the session's audience (the course, a division or a batch;
  and anyone with a record in it): their status in the session (empty while the
  session is open and the student has not scanned), how it was set (scan, override,
  close), when, the override's reason, the session's kind and audience, and the
  student's course figures next to it (each kind's percentage too).
* Course: each student's course figures (rollcall.core.standing) overall and for each
  kind of session the course has held, then one column per closed session, oldest
  first, headed by its start, kind, audience and id, with the student's status in it.

* Requests: the course's absence requests (rollcall.core.absences), one row each,
  oldest first: who, kind, reason, the days and sessions covered, the document's
  name, the outcome (status, who decided, when, the comment).

Each row starts with who the student is as the institution lists them (roll number,
PRN, name, email, division, batch, and ``enrolled``: ``yes``, or ``no`` for a student a
later roster left out, who keeps their history), in roll-number order.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return) are prefixed with ``'``: a reason typed by someone must
not become a formula on the teacher's machine.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from google.cloud.firestore import Client
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall.core import cutoff, schema
from rollcall.core.enrollment import ACTIVE
from rollcall.core.imports.plan import natural_key
from rollcall.core.sessions import CLOSED
from rollcall.core.timetable import KINDS, Audience

FIGURES = (
    "held",
    "present",
    "late",
    "excused",
    "absent",
    "percent",
    "absence_run",
    "remaining",
    "can_miss",
    "needed",
    "reachable",
    "state",
)
WHO = ("uid", "roll_no", "prn", "name", "email", "division", "batch", "enrolled")
SESSION_COLUMNS = (
    *WHO,
    "status",
    "source",
    "at",
    "reason",
    "by",
    "session_kind",
    "session_audience",
)
#: Each kind's figures in the course export (``<kind>_<figure>``).
KIND_FIGURES = ("held", "percent", "remaining", "can_miss", "needed", "state")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def session_csv(db: Client, session_id: str) -> str | None:
    """The session's CSV, or None if there is no such session."""
    session = schema.session(db, session_id).get()
    if not session.exists:
        return None
    doc = session.to_dict() or {}
    course_id = doc["course_id"]
    audience = Audience.from_doc(doc.get("audience"))
    kind = doc.get("kind") or KINDS[0]
    students = roster(db, course_id)
    records = {snap.id: snap.to_dict() or {} for snap in schema.attendance(db, session_id).stream()}
    figures = _figures(db, course_id)
    kinds = _kinds(figures)
    header = [
        *SESSION_COLUMNS,
        *(f"course_{name}" for name in FIGURES),
        *(f"course_{k}_percent" for k in kinds),
    ]
    members = {uid for uid, row in students.items() if audience.includes(row)}
    rows = []
    for uid in ordered(students, members | set(records)):
        record = records.get(uid, {})
        at = record.get("status_at") or record.get("scanned_at")
        rows.append(
            [
                *_who(uid, students),
                record.get("status"),
                record.get("source"),
                at,
                record.get("reason"),
                record.get("by"),
                kind,
                audience.label(),
                *(figures.get(uid, {}).get(name) for name in FIGURES),
                *(_by_kind(figures.get(uid, {}), k).get("percent") for k in kinds),
            ]
        )
    return to_csv(header, rows)


def course_csv(db: Client, course_id: str, at: datetime | None = None) -> str | None:
    """The course's CSV, or None if there is no such course. ``at``: as of that cut-off
    (rollcall.core.cutoff): the sessions started before it, each student's status and
    figures as they were then; None: as they are now."""
    if at is not None:
        then = cutoff.course(db, course_id, at)
        if then is None:
            return None
        figures = {uid: then.figures(uid) for uid in then.reports}
        statuses = then.statuses
        counted = then.sessions
    else:
        if not schema.course(db, course_id).get().exists:
            return None
        figures = _figures(db, course_id)
        statuses = {
            uid: {
                sid: str((e or {}).get("status")) for sid, e in (doc.get("sessions") or {}).items()
            }
            for uid, doc in figures.items()
        }
        counted = sorted(
            (
                (snap.id, snap.to_dict() or {})
                for snap in db.collection(schema.SESSIONS)
                .where(filter=FieldFilter("course_id", "==", course_id))
                .where(filter=FieldFilter("status", "==", CLOSED))
                .stream()
            ),
            key=lambda item: (item[1].get("starts_at"), item[0]),
        )
    students = roster(db, course_id)
    session_ids = [sid for sid, _ in counted]
    kinds = _kinds(figures)
    header = [*WHO, *FIGURES, *(f"{k}_{name}" for k in kinds for name in KIND_FIGURES)]
    for sid, doc in counted:
        audience = Audience.from_doc(doc.get("audience")).label()
        kind = doc.get("kind") or KINDS[0]
        header.append(f"{_time(doc.get('starts_at'))[:16]} {kind} {audience} {sid}")
    rows = []
    for uid in ordered(students, set(students) | set(figures)):
        doc = figures.get(uid, {})
        mine = statuses.get(uid, {})
        rows.append(
            [
                *_who(uid, students),
                *(doc.get(name) for name in FIGURES),
                *(_by_kind(doc, k).get(name) for k in kinds for name in KIND_FIGURES),
                *(mine.get(sid) for sid in session_ids),
            ]
        )
    return to_csv(header, rows)


REQUEST_COLUMNS = (
    "request_id",
    "filing_id",
    "uid",
    "roll_no",
    "name",
    "kind",
    "reason",
    "from",
    "to",
    "session_ids",
    "planned_ids",
    "document",
    "status",
    "filed_at",
    "decided_by",
    "decided_at",
    "comment",
)


def requests_csv(db: Client, course_id: str) -> str | None:
    """The course's absence requests and their outcome; None if there is no course."""
    if not schema.course(db, course_id).get().exists:
        return None
    found = (
        db.collection(schema.REQUESTS)
        .where(filter=FieldFilter("course_id", "==", course_id))
        .stream()
    )
    docs = sorted(
        ((snap.id, snap.to_dict() or {}) for snap in found),
        key=lambda item: (_time(item[1].get("filed_at")), item[0]),
    )
    rows = []
    for request_id, doc in docs:
        document = doc.get("document") or {}
        values = {
            **doc,
            "request_id": request_id,
            "session_ids": " ".join(doc.get("session_ids") or []),
            "planned_ids": " ".join(doc.get("planned_ids") or []),
            "document": document.get("filename", ""),
            "filed_at": _time(doc.get("filed_at")),
            "decided_at": _time(doc.get("decided_at")),
        }
        rows.append([values.get(column) for column in REQUEST_COLUMNS])
    return to_csv(list(REQUEST_COLUMNS), rows)


def _kinds(figures: dict[str, dict[str, Any]]) -> list[str]:
    """The kinds of session the course's figures show, when more than one (a course of
    one kind has nothing to add to its overall figures)."""
    found = {kind for doc in figures.values() for kind in doc.get("by_kind") or {}}
    return [kind for kind in KINDS if kind in found] if len(found) > 1 else []


def _by_kind(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    return (doc.get("by_kind") or {}).get(kind) or {}


def roster(db: Client, course_id: str) -> dict[str, dict[str, Any]]:
    """uid -> who the student is: their roster row (a removed one too, marked
    ``enrolled: no``), or their enrollment where there is no row."""
    found = {
        snap.id: {**(snap.to_dict() or {}), "enrolled": "yes"}
        for snap in schema.enrollments(db, course_id).stream()
    }
    for snap in schema.roster(db, course_id).stream():
        row = snap.to_dict() or {}
        uid = row.get("uid")
        if uid:
            active = row.get("status", ACTIVE) == ACTIVE and uid in found
            found[uid] = {**row, "enrolled": "yes" if active else "no"}
    return found


def ordered(students: Mapping[str, Mapping[str, Any]], uids: set[str]) -> list[str]:
    """Roll-number order; students without one (never rostered) last, by uid."""
    return sorted(
        uids,
        key=lambda uid: (
            students.get(uid, {}).get("roll_no") is None,
            natural_key(students.get(uid, {}).get("roll_no")),
            uid,
        ),
    )


def _who(uid: str, students: dict[str, dict[str, Any]]) -> list[Any]:
    row = students.get(uid, {})
    return [uid, *(row.get(name) for name in WHO[1:-1]), row.get("enrolled", "no")]


def _figures(db: Client, course_id: str) -> dict[str, dict[str, Any]]:
    return {
        snap.id: snap.to_dict() or {} for snap in schema.course_students(db, course_id).stream()
    }


#: The UTF-8 byte-order mark every CSV file starts with: without it Excel reads the file
#: in the computer's ANSI code page and shows a Devanagari name as mojibake.
BOM = "\ufeff"


def to_csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    """A CSV file as Excel and every other spreadsheet open it: the BOM, then RFC 4180
    rows ending in CRLF."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return out.getvalue()


def cell(value: Any) -> str:
    """One CSV cell: empty for None, ISO 8601 UTC for times, true/false, numbers as
    written, text neutralised if a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _time(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _time(value: Any) -> str:
    if not isinstance(value, datetime):
        return ""
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
