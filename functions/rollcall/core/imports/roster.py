"""A course's roster, imported from the institution's CSV: one row per student, before and
after they have an account.

Columns (header aliases in brackets; any case, spaces and punctuation ignored):

* ``roll_no`` [Roll No, Roll Number, Roll]: required, unique in the file;
* ``prn`` [PRN, Institution ID, Student ID, Enrollment No]: optional, unique if given;
* ``name`` [Student Name, Full Name]: required, any script;
* ``email`` [E-mail, Email ID, Email Address, Mail]: required, unique; the student's
  identity in the course (spaces and case do not matter);
* ``division`` [Div, Class, Section]: one of the course's divisions, required when the
  course has divisions;
* ``batch`` [Practical Batch, Lab Batch]: optional;
* ``guardian_email`` [Guardian Email, Parent Email]: optional.

Stored as ``courses/{course}/roster/{email key}`` (rollcall.core.schema). A student with
a verified account with that email is enrolled (``courses/{course}/enrollments/{uid}``,
what a scan checks); one without is enrolled when they first sign in
(rollcall.core.people.claim). A student missing from a re-import loses the course (no
more check-ins: ``not_enrolled``) but keeps their row, marked ``removed``, their
records and their figures, so exports still show them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from google.cloud import firestore
from google.cloud.firestore import Client

from rollcall.core import people, schema
from rollcall.core.enrollment import ACTIVE, FIELDS, REMOVED, enrollment_doc
from rollcall.core.imports import apply as applying
from rollcall.core.imports.plan import Report, Values, diff, read_into
from rollcall.core.imports.table import Column, Table
from rollcall.errors import NotFound

KIND = "roster"
COLUMNS = (
    Column("roll_no", ("roll no", "roll number", "roll", "roll num")),
    Column(
        "prn",
        ("institution id", "student id", "enrollment no", "enrolment no", "enrollment number"),
        required=False,
    ),
    Column("name", ("student name", "full name", "student")),
    Column("email", ("e-mail", "email id", "email address", "mail", "e-mail id")),
    Column("division", ("div", "class", "section"), required=False),
    Column("batch", ("practical batch", "lab batch"), required=False),
    Column(
        "guardian_email",
        ("guardian e-mail", "parent email", "parent e-mail", "guardian"),
        required=False,
    ),
)


def check(
    table: Table, divisions: list[str], report: Report, test_domains: bool
) -> dict[str, tuple[int, dict[str, Any]]]:
    """The file's rows as roster entries, keyed by email; every problem recorded on
    ``report``."""
    wanted: dict[str, tuple[int, dict[str, Any]]] = {}
    seen: dict[str, dict[str, int]] = {"email": {}, "roll_no": {}, "prn": {}}
    known = {d.casefold(): d for d in divisions}
    for line, row in table.rows:
        report.rows += 1
        v = Values(report, line, table.headers, test_domains)
        entry: dict[str, Any] = {
            "roll_no": v.text(row, "roll_no"),
            "prn": v.text(row, "prn", required=False),
            "name": v.text(row, "name"),
            "email": v.email(row, "email"),
            "division": v.text(row, "division", required=bool(divisions)),
            "batch": v.text(row, "batch", required=False),
            "guardian_email": v.email(row, "guardian_email", required=False),
        }
        division = entry["division"]
        if division is not None and divisions:
            if division.casefold() not in known:
                v.fail(
                    "division",
                    "unknown_division",
                    f"division {division!r} is not one of the course's: {', '.join(divisions)}",
                )
            else:
                entry["division"] = known[division.casefold()]
        for column in ("email", "roll_no", "prn"):
            value = entry[column]
            if value is None:
                continue
            folded = str(value).casefold()
            if folded in seen[column]:
                v.fail(
                    column,
                    f"duplicate_{column}",
                    f"{value!r} is also on line {seen[column][folded]}",
                )
            else:
                seen[column][folded] = line
        if entry["email"] is not None:
            wanted[schema.email_key(entry["email"])] = (line, entry)
    return wanted


def course_of(db: Client, course_id: str) -> dict[str, Any]:
    snap = schema.course(db, course_id).get()
    if not snap.exists:
        raise NotFound(f"no course {course_id!r}: import the courses file first")
    return snap.to_dict() or {}


def stored(db: Client, course_id: str) -> dict[str, dict[str, Any]]:
    """The course's roster rows still active, by key."""
    return {
        snap.id: snap.to_dict() or {}
        for snap in schema.roster(db, course_id).stream()
        if (snap.to_dict() or {}).get("status", ACTIVE) == ACTIVE
    }


def preview(db: Client, course_id: str, data: bytes, test_domains: bool = False) -> Report:
    """What importing ``data`` would change; nothing is written."""
    course = course_of(db, course_id)
    report = Report(kind=KIND, target=course_id, base=int(course.get("import_version") or 0))
    table = read_into(report, data, COLUMNS)
    if table is None:
        return report
    wanted = check(table, list(course.get("divisions") or []), report, test_domains)
    if report.ok:
        current = {k: {f: v.get(f) for f in FIELDS} for k, v in stored(db, course_id).items()}
        diff(report, current, wanted, removals=True)
    return report


def apply(
    db: Client,
    course_id: str,
    data: bytes,
    by: str,
    *,
    base: int | None = None,
    test_domains: bool = False,
    progress: Callable[[int, int], None] | None = None,
    at: datetime,
) -> Report:
    """Import ``data`` all or nothing (ImportInvalid listing every error if it has any),
    under the course's import lock (Conflict while another import runs, or when
    ``base`` is given and the roster changed since that preview)."""
    return applying.run(
        db,
        lambda: preview(db, course_id, data, test_domains),
        lambda report, advance: _write(db, course_id, report, advance, at),
        target=schema.course(db, course_id),
        course_id=course_id,
        kind=KIND,
        by=by,
        base=base,
        at=at,
        progress=progress,
    )


def _write(
    db: Client, course_id: str, report: Report, progress: applying.Progress, at: datetime
) -> None:
    roster = schema.roster(db, course_id)
    rows = {c.key: c.after for c in [*report.added, *report.changed] if c.after is not None}
    # Link the students who already have a verified account (those without are linked at
    # their first sign-in); the rows kept as they are may have gained one since.
    previous = {snap.id: snap.to_dict() or {} for snap in roster.stream()}
    unlinked = {
        key: row["email"]
        for key, row in {**previous, **rows}.items()
        if not previous.get(key, {}).get("uid") and row.get("status", ACTIVE) == ACTIVE
    }
    uids = people.verified_accounts(sorted(set(unlinked.values())))
    writes: list[applying.Write] = []
    for key, row in rows.items():
        uid = previous.get(key, {}).get("uid") or uids.get(row["email"])
        doc = {**row, "uid": uid, "status": ACTIVE, "removed_at": None, "imported_at": at}
        writes.append(applying.Write(roster.document(key), doc, merge=True))
        if uid:
            writes.append(
                applying.Write(
                    schema.enrollments(db, course_id).document(uid), enrollment_doc(key, uid, row)
                )
            )
    for key, email in unlinked.items():
        if key not in rows and email in uids:  # unchanged row whose student signed up since
            uid = uids[email]
            writes.append(applying.Write(roster.document(key), {"uid": uid}, merge=True))
            writes.append(
                applying.Write(
                    schema.enrollments(db, course_id).document(uid),
                    enrollment_doc(key, uid, previous[key]),
                )
            )
    for change in report.removed:
        writes.append(
            applying.Write(
                roster.document(change.key), {"status": REMOVED, "removed_at": at}, merge=True
            )
        )
        uid = previous.get(change.key, {}).get("uid")
        if uid:
            writes.append(applying.Write(schema.enrollments(db, course_id).document(uid), None))
    applying.commit(db, writes, progress)
    schema.course(db, course_id).update(
        {"roster_count": report.rows, "roster_updated_at": firestore.SERVER_TIMESTAMP}
    )
