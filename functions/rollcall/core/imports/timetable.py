"""A term's weekly timetable, imported from a CSV: one row per weekly slot, which becomes
the term's planned sessions (rollcall.core.timetable), holidays left out.

Columns (header aliases in brackets; any case, spaces and punctuation ignored):

* ``course`` [Course Code, Code, Subject Code]: a course of the term (its code);
* ``division`` [Div] or ``batch`` [Practical Batch, Lab Batch]: who the slot is for (at
  most one; neither: the whole course); a division of the course, a batch of its roster;
* ``kind`` [Type, Session Type]: ``theory`` (Lecture, TH, L), ``practical`` (Lab, PR,
  P) or ``tutorial`` (Tut, TU, T);
* ``weekday`` [Day]: Monday to Sunday (Mon, MON., 1 = Monday);
* ``start`` [Start Time, From] and ``end`` [End Time, To]: ``09:00``, ``9.00``,
  ``2:30 PM``;
* ``room`` [Venue, Hall, Lab]: optional;
* ``start_week`` [From Week] and ``end_week`` [To Week]: optional, the weeks of the term
  (week 1 holds its first day) the slot runs; the whole term by default.

The import's diff is over planned sessions: added, changed (the room or the end time),
and removed (the future sessions of the timetable no longer in the file: cancelled,
"not in the timetable"). Sessions already started or past, and those a member of staff
moved or cancelled, are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import Any

from google.cloud.firestore import Client

from rollcall.core import enrollment, schema, timetable
from rollcall.core.imports import apply as applying
from rollcall.core.imports.courses import course_id as course_of_code
from rollcall.core.imports.plan import Report, Values, diff, read_into
from rollcall.core.imports.table import Column, Table
from rollcall.core.timetable import Audience, Slot
from rollcall.errors import NotFound

KIND = "timetable"
COLUMNS = (
    Column("course", ("course code", "code", "subject code", "subject")),
    Column("division", ("div",), required=False),
    Column("batch", ("practical batch", "lab batch"), required=False),
    Column("kind", ("type", "session type")),
    Column("weekday", ("day",)),
    Column("start", ("start time", "from")),
    Column("end", ("end time", "to")),
    Column("room", ("venue", "hall", "lab"), required=False),
    Column("start_week", ("from week", "first week"), required=False),
    Column("end_week", ("to week", "last week"), required=False),
)
KIND_ALIASES = {
    "theory": "theory",
    "lecture": "theory",
    "th": "theory",
    "l": "theory",
    "practical": "practical",
    "lab": "practical",
    "pr": "practical",
    "p": "practical",
    "tutorial": "tutorial",
    "tut": "tutorial",
    "tu": "tutorial",
    "t": "tutorial",
}
COMPARED = ("course_id", "kind", "audience", "date", "start", "end", "room")
REMOVED_REASON = "not in the timetable"


def parse_time(text: str) -> time | None:
    """'09:00', '9:00', '9.00', '0900', '2:30 PM', '14:30' -> a time; None otherwise."""
    m = re.fullmatch(r"(\d{1,2})[:.]?(\d{2})\s*([AaPp]\.?[Mm]\.?)?", text.strip())
    if not m:
        return None
    hour, minute = int(m[1]), int(m[2])
    if m[3]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m[3][0] in "Pp" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def check(
    db: Client,
    table: Table,
    report: Report,
    term_id: str,
    term: Mapping[str, Any],
    test_domains: bool,
    departments: frozenset[str] | None = None,
) -> list[tuple[int, Slot]]:
    """The file's rows as weekly slots with their lines; every problem recorded on
    ``report``."""
    courses: dict[str, dict[str, Any]] = {}
    batches: dict[str, dict[str, str]] = {}
    starts_on, ends_on = date.fromisoformat(term["starts_on"]), date.fromisoformat(term["ends_on"])
    weeks = timetable.term_weeks(starts_on, ends_on)
    slots: list[tuple[int, Slot]] = []
    for line, row in table.rows:
        report.rows += 1
        v = Values(report, line, table.headers, test_domains)
        code = v.text(row, "course")
        course_id = course_of_code(code, term_id) if code else None
        course = None
        if course_id is not None:
            if course_id not in courses:
                snap = schema.course(db, course_id).get()
                courses[course_id] = (snap.to_dict() or {}) if snap.exists else {}
            course = courses[course_id] or None
            if course is None:
                v.fail("course", "unknown_course", f"no course {code!r} in term {term_id}")
            elif departments is not None and course.get("department_id") not in departments:
                v.fail("course", "not_allowed", "you are not an admin of this course's department")
                course = None
        audience = _audience(v, row, course, course_id, db, batches)
        kind = KIND_ALIASES.get((v.text(row, "kind") or "").casefold().rstrip("."))
        if row.get("kind") and kind is None:
            v.fail("kind", "unknown_kind", f"{row['kind']!r} is not theory, practical or tutorial")
        weekday = timetable.weekday_of(row.get("weekday", "")) if row.get("weekday") else None
        if row.get("weekday") and weekday is None:
            v.fail("weekday", "unknown_weekday", f"{row['weekday']!r} is not a day of the week")
        elif not row.get("weekday"):
            v.text(row, "weekday")
        start, end = _time(v, row, "start"), _time(v, row, "end")
        if start and end and end <= start:
            v.fail("end", "invalid_time", f"ends at {end:%H:%M}, before it starts at {start:%H:%M}")
        span = _weeks(v, row, weeks)
        room = v.text(row, "room", required=False)
        if None in (course, audience, kind, weekday, start, end) or span is False:
            continue
        assert course is not None and course_id is not None and audience is not None
        assert kind is not None and weekday is not None and start and end
        slot = Slot(
            course_id=course_id,
            department_id=course.get("department_id"),
            kind=kind,
            audience=audience,
            weekday=weekday,
            start=start,
            end=end,
            room=room,
            weeks=span if isinstance(span, tuple) else None,
        )
        clash = next((other for other in slots if _clash(slot, other[1])), None)
        if clash:
            v.fail(
                "start",
                "clash",
                f"{audience.label()} already has a session at this time on line {clash[0]}",
            )
            continue
        slots.append((line, slot))
    return slots


def _audience(
    v: Values,
    row: Mapping[str, str],
    course: dict[str, Any] | None,
    course_id: str | None,
    db: Client,
    batches: dict[str, dict[str, str]],
) -> Audience | None:
    division, batch = row.get("division", ""), row.get("batch", "")
    if division and batch:
        v.fail("batch", "invalid_value", "a slot is for a division or a batch, not both")
        return None
    if course is None or course_id is None:
        return None
    if division:
        known = {d.casefold(): d for d in course.get("divisions") or []}
        if division.casefold() not in known:
            v.fail(
                "division", "unknown_division", f"division {division!r} is not one of the course's"
            )
            return None
        return Audience("division", known[division.casefold()])
    if batch:
        if course_id not in batches:
            batches[course_id] = enrollment.roster_batches(db, course_id)
        known = batches[course_id]
        if batch.casefold() not in known:
            v.fail(
                "batch", "unknown_batch", f"no student of the course's roster is in batch {batch!r}"
            )
            return None
        return Audience("batch", known[batch.casefold()])
    return Audience("course")


def _time(v: Values, row: Mapping[str, str], column: str) -> time | None:
    text = v.text(row, column)
    if text is None:
        return None
    parsed = parse_time(text)
    if parsed is None:
        v.fail(column, "invalid_time", f"{text!r} is not a time such as 09:00 or 2:30 PM")
    return parsed


def _weeks(v: Values, row: Mapping[str, str], weeks: int) -> tuple[int, int] | None | bool:
    """The slot's weeks, None for the whole term, False when invalid."""
    low_text, high_text = row.get("start_week", ""), row.get("end_week", "")
    if not low_text and not high_text:
        return None
    bounds = []
    for column, text, default in (("start_week", low_text, 1), ("end_week", high_text, weeks)):
        if not text:
            bounds.append(default)
        elif not text.isdigit() or not 1 <= int(text) <= weeks:
            v.fail(column, "outside_term", f"week {text!r} is not one of the term's 1 to {weeks}")
            return False
        else:
            bounds.append(int(text))
    if bounds[1] < bounds[0]:
        v.fail("end_week", "outside_term", "the last week is before the first")
        return False
    return bounds[0], bounds[1]


def _clash(a: Slot, b: Slot) -> bool:
    """Two slots for the same students at overlapping times of one weekday."""
    if a.weekday != b.weekday or not (a.start < b.end and b.start < a.end):
        return False
    if a.weeks and b.weeks and (a.weeks[1] < b.weeks[0] or b.weeks[1] < a.weeks[0]):
        return False
    return _same_students(a, b)


def _same_students(a: Slot, b: Slot) -> bool:
    """The same group in one course (or the whole course and a part of it), or a
    division or batch of one name in one department: the same students across its
    courses."""
    if a.course_id == b.course_id:
        return a.audience == b.audience or "course" in (a.audience.type, b.audience.type)
    return (
        a.audience.type == b.audience.type != "course"
        and (a.audience.value or "").casefold() == (b.audience.value or "").casefold()
        and a.department_id is not None
        and a.department_id == b.department_id
    )


def term_of(db: Client, term_id: str) -> dict[str, Any]:
    snap = schema.term(db, term_id).get()
    if not snap.exists:
        raise NotFound(f"no term {term_id!r}: create it first (rollcall term set)")
    return snap.to_dict() or {}


def _comparable(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: doc.get(k) for k in COMPARED}


def preview(
    db: Client,
    term_id: str,
    data: bytes,
    tz: str,
    at: datetime,
    test_domains: bool = False,
    departments: frozenset[str] | None = None,
) -> Report:
    term = term_of(db, term_id)
    report = Report(kind=KIND, target=term_id, base=int(term.get("import_version") or 0))
    table = read_into(report, data, COLUMNS)
    if table is None:
        return report
    slots = check(db, table, report, term_id, term, test_domains, departments)
    if not report.ok:
        return report
    wanted, lines = {}, {}
    for line, slot in slots:
        for pid, doc in timetable.expand([slot], term_id, term, tz).items():
            wanted[pid], lines[pid] = doc, line
    stored = timetable.of_term(db, term_id)
    current, protected = {}, set()
    for pid, doc in stored.items():
        if doc.get("source") != timetable.TIMETABLE:
            continue
        left_alone = (
            doc.get("edited")
            or doc.get("session_id")
            or doc["starts_at"] <= at
            or (doc.get("status") == timetable.CANCELLED and doc.get("reason") != REMOVED_REASON)
        )
        if left_alone:
            protected.add(pid)
        elif doc.get("status") == timetable.PLANNED:
            current[pid] = _comparable(doc)
    new = {
        pid: (lines[pid], _comparable(doc))
        for pid, doc in wanted.items()
        if pid not in protected and doc["starts_at"] > at
    }
    diff(report, current, new, removals=True)
    return report


def apply(
    db: Client,
    term_id: str,
    data: bytes,
    by: str,
    tz: str,
    *,
    at: datetime,
    base: int | None = None,
    test_domains: bool = False,
    departments: frozenset[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Import the timetable all or nothing, under the term's import lock."""
    return applying.run(
        db,
        lambda: preview(db, term_id, data, tz, at, test_domains, departments),
        lambda report, advance: _write(db, term_id, data, report, tz, at, advance),
        target=schema.term(db, term_id),
        kind=KIND,
        by=by,
        base=base,
        at=at,
        progress=progress,
    )


def _write(
    db: Client,
    term_id: str,
    data: bytes,
    report: Report,
    tz: str,
    at: datetime,
    progress: applying.Progress,
) -> None:
    term = term_of(db, term_id)
    table = read_into(Report(kind=KIND, target=term_id), data, COLUMNS)
    assert table is not None
    slots = check(db, table, Report(kind=KIND, target=term_id), term_id, term, False)
    wanted = timetable.expand([slot for _, slot in slots], term_id, term, tz)
    writes = []
    for change in [*report.added, *report.changed]:
        doc = wanted[change.key]
        writes.append(
            applying.Write(
                schema.planned(db, change.key),
                {**doc, "reason": None, "updated_at": at},
                merge=True,
            )
        )
    for change in report.removed:
        writes.append(
            applying.Write(
                schema.planned(db, change.key),
                {"status": timetable.CANCELLED, "reason": REMOVED_REASON, "updated_at": at},
                merge=True,
            )
        )
    applying.commit(db, writes, progress)
