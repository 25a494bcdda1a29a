"""The defaulter list: for a department (or one of its divisions) and a cut-off date,
one row per student, by roll number, with each course's attendance percentage (and
each kind's, where a course holds more than one kind of session), the overall figure,
and the courses in which the student is below the threshold (decision 0025).

Every course figure is the course export's for the same cut-off (``GET
/exports/courses/{id}.csv?as_of=``): both come from rollcall.core.cutoff, so a report
for a past date gives the figures as they were then.

* Courses: the department's courses whose term includes the cut-off date; with a
  division, those with at least one of its students (a course that lists no divisions
  is not left out for that).
* Students: those the courses' rosters list (with an account, still enrolled), of the
  division if one is asked for; who they are (roll number, name, division) as the first
  course's roster row by course code says.
* A course is *below* for a student when their overall percentage there, or one kind's
  (against that kind's threshold where the course sets one), is below its threshold.
* ``overall``: attended / counted over all the courses (the same fraction as each
  course's, summed), to one decimal.

``build`` reads Firestore; ``rows`` is pure (unit tests build it from hand-made figures).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from google.cloud.firestore import Client
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall.core import cutoff, exports, schema, standing
from rollcall.core.imports.plan import natural_key
from rollcall.errors import NotFound, OutsideTerm

WHO = ("roll_no", "prn", "name", "division")


@dataclass(frozen=True)
class Column:
    """A course of the report: its id, code and name, the kinds shown on their own (when
    it has held more than one), and its rules."""

    course_id: str
    code: str
    name: str
    kinds: tuple[str, ...]
    rules: standing.Rules

    def label(self, kind: str | None = None) -> str:
        return self.code if kind is None else f"{self.code} {kind}"


@dataclass(frozen=True)
class Cell:
    """A student's figures in one course: the overall percentage, each kind's, and which
    of them are below their thresholds (``None`` for the overall one)."""

    percent: float | None
    by_kind: Mapping[str, float | None]
    below: tuple[str | None, ...]
    attended: Fraction
    counted: int


@dataclass(frozen=True)
class Row:
    uid: str
    who: Mapping[str, Any]
    cells: Mapping[str, Cell]
    overall: float | None

    @property
    def defaulter(self) -> bool:
        return any(cell.below for cell in self.cells.values())

    def below(self, columns: Iterable[Column]) -> list[str]:
        """The courses (and kinds) below threshold, as people read them: 'CS301',
        'CS302 practical'."""
        found = []
        for column in columns:
            cell = self.cells.get(column.course_id)
            for part in cell.below if cell else ():
                found.append(column.label(part))
        return found


@dataclass(frozen=True)
class Defaulters:
    department_id: str
    department_name: str
    division: str | None
    as_of: date
    cutoff: datetime
    columns: list[Column]
    rows: list[Row]
    terms: list[str] = field(default_factory=list)

    def header(self) -> list[str]:
        return [
            *WHO,
            *(
                f"{column.label(kind)} %"
                for column in self.columns
                for kind in (None, *column.kinds)
            ),
            "overall %",
            "below threshold",
            "defaulter",
        ]

    def table(self) -> list[list[Any]]:
        """The rows as the CSV has them (values, not text)."""
        out = []
        for row in self.rows:
            cells = []
            for column in self.columns:
                cell = row.cells.get(column.course_id)
                cells.append(cell.percent if cell else None)
                cells.extend((cell.by_kind.get(k) if cell else None) for k in column.kinds)
            out.append(
                [
                    *(row.who.get(name) for name in WHO),
                    *cells,
                    row.overall,
                    "; ".join(row.below(self.columns)),
                    "yes" if row.defaulter else "no",
                ]
            )
        return out

    def csv(self) -> str:
        """The CSV: the course export's dialect and cells (rollcall.core.exports), after
        a byte order mark, so that Excel reads it as UTF-8 (Devanagari names)."""
        return exports.to_csv(self.header(), self.table())


def cell(report: standing.Report, kinds: Iterable[str]) -> Cell:
    """A student's cell from their standing in the course (rollcall.core.cutoff), with
    ``kinds`` the kinds shown on their own. A course of one kind is below when its kind
    is (against that kind's own threshold, if the course sets one)."""
    kinds = tuple(kinds)
    parts = report.by_kind
    alone = not kinds and any(part.below for part in parts.values())
    below: list[str | None] = [None] if report.overall.below or alone else []
    below += [k for k in kinds if k in parts and parts[k].below]
    return Cell(
        percent=report.overall.percent,
        by_kind={k: report.by_kind[k].percent if k in report.by_kind else None for k in kinds},
        below=tuple(below),
        attended=report.overall.attended,
        counted=report.overall.counted,
    )


def shown_kinds(then: cutoff.CourseAt) -> tuple[str, ...]:
    """The kinds a course's column shows on their own: those its students have held,
    when more than one (the course export's rule)."""
    found = {kind for report in then.reports.values() for kind in report.by_kind}
    return tuple(k for k in standing.KINDS if k in found) if len(found) > 1 else ()


def rows(
    courses: list[cutoff.CourseAt], students: Mapping[str, Mapping[str, Any]]
) -> tuple[list[Column], list[Row]]:
    """The columns (courses by code, as people sort them) and the rows (``students``:
    uid -> who, in roll-number order)."""
    ordered = sorted(courses, key=lambda c: (natural_key(_code(c)), c.course_id))
    columns = [
        Column(c.course_id, _code(c), str(c.doc.get("name") or ""), shown_kinds(c), c.rules)
        for c in ordered
    ]
    found = []
    for uid in exports.ordered(students, set(students)):
        cells = {
            then.course_id: cell(then.reports[uid], column.kinds)
            for then, column in zip(ordered, columns, strict=True)
            if uid in then.reports
        }
        attended = sum((c.attended for c in cells.values()), Fraction(0))
        counted = sum(c.counted for c in cells.values())
        overall = round(float(attended / counted * 100), 1) if counted else None
        found.append(Row(uid, students[uid], cells, overall))
    return columns, found


def _code(then: cutoff.CourseAt) -> str:
    return str(then.doc.get("code") or then.course_id)


@dataclass(frozen=True)
class Scope:
    """What a department report covers as of a day: the department's name, the terms
    that include the day, each course's figures then (rollcall.core.cutoff), and the
    students (uid -> who, ``WHO``) of the department or division."""

    department_name: str
    terms: list[str]
    at: datetime
    courses: list[cutoff.CourseAt]
    students: dict[str, dict[str, Any]]


def scope(db: Client, department_id: str, division: str | None, day: date, tz: str) -> Scope:
    """The courses and students a report of the department (or its division) as of
    ``day`` covers, with each course's figures then: the defaulter list's and the
    department view's (rollcall.core.department) one selection.
    ``NotFound``: no such department, or no such division in it; ``OutsideTerm``: no
    term of the department's courses includes ``day``."""
    dept = schema.department(db, department_id).get()
    if not dept.exists:
        raise NotFound(f"no department {department_id!r}")
    courses = {
        snap.id: snap.to_dict() or {}
        for snap in db.collection(schema.COURSES)
        .where(filter=FieldFilter("department_id", "==", department_id))
        .stream()
    }
    term_ids = sorted({str(d["term_id"]) for d in courses.values() if d.get("term_id")})
    refs = [schema.term(db, t) for t in term_ids]
    terms = {s.id: s.to_dict() or {} for s in (db.get_all(refs) if refs else []) if s.exists}
    current = sorted(t for t, doc in terms.items() if within(doc, day))
    if not current:
        spans = ", ".join(
            f"{t} {terms[t].get('starts_on')} to {terms[t].get('ends_on')}" for t in sorted(terms)
        )
        raise OutsideTerm(
            f"{day.isoformat()} is outside the terms of department {department_id}'s courses"
            + (f" ({spans})" if spans else " (it has none)")
        )
    in_term = sorted(cid for cid, doc in courses.items() if doc.get("term_id") in current)
    students: dict[str, dict[str, Any]] = {}
    members: dict[str, set[str]] = {}
    wanted = division.casefold() if division else None
    for cid in sorted(in_term, key=lambda c: (natural_key(courses[c].get("code")), c)):
        for uid, who in exports.roster(db, cid).items():
            if who.get("enrolled") != "yes":
                continue
            if wanted and str(who.get("division") or "").casefold() != wanted:
                continue
            students.setdefault(uid, {name: who.get(name) for name in WHO})
            members.setdefault(cid, set()).add(uid)
    if wanted and not students:
        listed = any(
            wanted in {str(d).casefold() for d in courses[c].get("divisions") or []}
            for c in in_term
        )
        if not listed:
            raise NotFound(f"no division {division!r} in department {department_id}")
    at = cutoff.cutoff(day, tz)
    shown = [c for c in in_term if c in members or not wanted]
    later = cutoff.overrides_after(db, at)
    thens = [then for cid in shown if (then := cutoff.course(db, cid, at, later)) is not None]
    return Scope(
        department_name=str((dept.to_dict() or {}).get("name") or department_id),
        terms=[str(terms[t].get("name") or t) for t in current],
        at=at,
        courses=thens,
        students=students,
    )


def build(db: Client, department_id: str, division: str | None, day: date, tz: str) -> Defaulters:
    """The defaulter list of the department (or its division) as of ``day`` (``scope``
    says what it covers and which errors it raises)."""
    found = scope(db, department_id, division, day, tz)
    columns, listed = rows(found.courses, found.students)
    return Defaulters(
        department_id=department_id,
        department_name=found.department_name,
        division=division,
        as_of=day,
        cutoff=found.at,
        columns=columns,
        rows=listed,
        terms=found.terms,
    )


def within(term: Mapping[str, Any], day: date) -> bool:
    """Whether ``day`` falls within the term's dates."""
    start, end = term.get("starts_on"), term.get("ends_on")
    return isinstance(start, str) and isinstance(end, str) and start <= day.isoformat() <= end
