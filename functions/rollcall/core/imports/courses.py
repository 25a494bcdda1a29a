"""The institution's courses for a term, imported from a CSV: one row per course.

Columns (header aliases in brackets; any case, spaces and punctuation ignored):

* ``code`` [Course Code, Subject Code]: required; with the term, the course's identity
  (its id is ``<CODE>_<term>``: ``CS301_2026-odd``);
* ``name`` [Course Name, Course Title, Subject, Title]: required;
* ``department`` [Dept, Department Code]: the code of a department that exists
  (rollcall.core.institution);
* ``term`` [Term ID, Semester]: the id of a term that exists;
* ``divisions`` [Division, Divs]: optional, e.g. ``A, B, C``;
* ``teachers`` [Teacher, Teacher Emails, Faculty]: optional, emails separated by
  spaces, commas, semicolons or ``|``;
* ``tas`` [TA, Teaching Assistants, TA Emails]: optional, as ``teachers``.

A file names courses to create or update; a course it does not name stays as it is. A
course's staff is the file's: a teacher or TA left out of a re-import loses the course.
Staff without an account yet are kept, pending (a warning), and linked at their first
verified sign-in. A department admin may import the rows of their own departments only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from google.cloud.firestore import Client

from rollcall import contracts
from rollcall.core import people, schema, staff
from rollcall.core.imports import apply as applying
from rollcall.core.imports.plan import TEXT_MAX, Report, Values, diff, read_into
from rollcall.core.imports.table import Column, Issue, Table, split_list
from rollcall.core.institution import id_of

KIND = "courses"
COLUMNS = (
    Column("code", ("course code", "subject code", "course")),
    Column("name", ("course name", "course title", "subject", "title", "subject name")),
    Column("department", ("dept", "department code", "dept code")),
    Column("term", ("term id", "semester", "sem")),
    Column("divisions", ("division", "divs", "div"), required=False),
    Column("teachers", ("teacher", "teacher emails", "faculty", "teacher email"), required=False),
    Column("tas", ("ta", "teaching assistants", "ta emails", "teaching assistant"), required=False),
)
COMPARED = ("code", "name", "department_id", "term_id", "divisions", "teachers", "tas")
MAX_DIVISIONS = 50


def course_id(code: str, term_id: str) -> str:
    return f"{id_of(code)}_{term_id}"


def _as_stored(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A course document in the import's terms (what a row is compared with)."""
    entries = (doc.get("staff") or {}).values()
    return {
        "code": doc.get("code"),
        "name": doc.get("name"),
        "department_id": doc.get("department_id"),
        "term_id": doc.get("term_id"),
        "divisions": list(doc.get("divisions") or []),
        "teachers": sorted(e["email"] for e in entries if e.get("role") == "teacher"),
        "tas": sorted(e["email"] for e in entries if e.get("role") == "ta"),
    }


def check(
    db: Client,
    table: Table,
    report: Report,
    departments: frozenset[str] | None,
    test_domains: bool,
) -> dict[str, tuple[int, dict[str, Any]]]:
    """The file's rows as courses, keyed by course id. ``departments``: the ones the
    importer may import into (None: any)."""
    known_departments = {snap.id for snap in db.collection(schema.DEPARTMENTS).select([]).stream()}
    known_terms = {snap.id for snap in db.collection(schema.TERMS).select([]).stream()}
    wanted: dict[str, tuple[int, dict[str, Any]]] = {}
    lines: dict[str, int] = {}
    for line, row in table.rows:
        report.rows += 1
        v = Values(report, line, table.headers, test_domains)
        code, name = v.text(row, "code"), v.text(row, "name")
        department, term = v.text(row, "department"), v.text(row, "term")
        dept_id = id_of(department) if department else None
        if dept_id is not None and dept_id not in known_departments:
            v.fail(
                "department",
                "unknown_department",
                f"no department {department!r}: create it first (rollcall department set)",
            )
        elif dept_id is not None and departments is not None and dept_id not in departments:
            v.fail("department", "not_allowed", f"you are not an admin of department {dept_id}")
        if term is not None and term not in known_terms:
            v.fail("term", "unknown_term", f"no term {term!r}: create it first (rollcall term set)")
        divisions = sorted(set(split_list(row.get("divisions", ""))), key=str.casefold)
        if len(divisions) > MAX_DIVISIONS or any(len(d) > TEXT_MAX for d in divisions):
            v.fail("divisions", "invalid_value", f"at most {MAX_DIVISIONS} short division names")
        teachers, tas = v.emails(row, "teachers"), v.emails(row, "tas")
        if code is None or term is None:
            continue
        key = course_id(code, term)
        if not contracts.is_document_id(key):
            v.fail("code", "invalid_value", f"code {code!r} must have letters or digits")
            continue
        if key in lines:
            v.fail("code", "duplicate_code", f"{code!r} in {term} is also on line {lines[key]}")
            continue
        lines[key] = line
        wanted[key] = (
            line,
            {
                "code": id_of(code),
                "name": name,
                "department_id": dept_id,
                "term_id": term,
                "divisions": divisions,
                "teachers": teachers,
                "tas": sorted(set(tas) - set(teachers)),
            },
        )
    return wanted


def preview(
    db: Client,
    data: bytes,
    departments: frozenset[str] | None = None,
    test_domains: bool = False,
) -> Report:
    settings = db.document(applying.INSTITUTION).get()
    base = int((settings.to_dict() or {}).get("import_version") or 0) if settings.exists else 0
    report = Report(kind=KIND, target=None, base=base)
    table = read_into(report, data, COLUMNS)
    if table is None:
        return report
    wanted = check(db, table, report, departments, test_domains)
    if not report.ok:
        return report
    refs = [schema.course(db, key) for key in wanted]
    current = (
        {snap.id: _as_stored(snap.to_dict() or {}) for snap in db.get_all(refs) if snap.exists}
        if refs
        else {}
    )
    diff(report, current, wanted, removals=False)
    staff_emails = {e for _, row in wanted.values() for e in [*row["teachers"], *row["tas"]]}
    accounts = people.verified_accounts(staff_emails)
    for email in sorted(staff_emails - set(accounts)):
        report.warnings.append(
            Issue("pending_account", f"{email} has no verified account yet: linked at sign-in")
        )
    return report


def apply(
    db: Client,
    data: bytes,
    by: str,
    *,
    departments: frozenset[str] | None = None,
    base: int | None = None,
    test_domains: bool = False,
    progress: Callable[[int, int], None] | None = None,
    at: datetime,
) -> Report:
    return applying.run(
        db,
        lambda: preview(db, data, departments, test_domains),
        lambda report, advance: _write(db, report, advance),
        target=db.document(applying.INSTITUTION),
        kind=KIND,
        by=by,
        base=base,
        at=at,
        progress=progress,
    )


def _write(db: Client, report: Report, progress: applying.Progress) -> None:
    changes = [c for c in [*report.added, *report.changed] if c.after is not None]
    emails = {e for c in changes for e in [*c.after["teachers"], *c.after["tas"]]}  # type: ignore[index]
    uids = people.verified_accounts(emails)
    refs = [schema.course(db, c.key) for c in changes]
    previous = {snap.id: snap.to_dict() or {} for snap in db.get_all(refs) if snap.exists}
    writes = []
    for change in changes:
        row = dict(change.after or {})
        entries = staff.entries(
            row.pop("teachers"),
            row.pop("tas"),
            previous.get(change.key, {}).get("staff") or {},
            uids,
        )
        writes.append(
            applying.Write(
                schema.course(db, change.key), {**row, **staff.fields(entries)}, merge=True
            )
        )
    applying.commit(db, writes, progress)
