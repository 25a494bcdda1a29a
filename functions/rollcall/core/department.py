"""The department view (web app, Admin > Department; ``GET /reports/department``): for a
department (or one division) as of a day, each course's attendance over the term, session
by session (one line per course, and per division where the course has students of
several), the counts per state, and for one chosen course the students x sessions grid
(decision 0026).

Nothing is computed a second time: the courses, students and statuses are the defaulter
list's selection (rollcall.core.reports.scope), each course's figures as of the day
(rollcall.core.cutoff, the course export's); a session's attendance is
rollcall.core.standing.compute over its students' statuses, under the course's rules
(late weight, excused policy), exactly as a student's percentage is computed over
their sessions.

* A point: one counted session of the course (closed, started by the end of the day),
  its start, kind, the number of students with a status in it (of the division, for a
  division's line), their counts per state and the attendance percentage
  (``attended / counted``; None when none counted, e.g. all excused).
* A course's counts per state and percentage: over all its students' statuses (the sum
  of its students' figures); the department's: summed over the courses.
* The grid (``course=C``): the course's students in roll-number order, one cell per
  counted session, the status or None (not in that session's audience).

``build`` reads Firestore (through ``reports.scope``); ``summary`` is pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from fractions import Fraction
from typing import Any

from google.cloud.firestore import Client

from rollcall.core import cutoff, exports, reports, standing
from rollcall.core.imports.plan import natural_key
from rollcall.errors import NotFound

STATES = standing.STATUSES
#: The rules a reader of the view needs beside a course's figures.
RULES = ("min_attendance_percent", "late_weight", "excused_policy")


def counts(statuses: Iterable[str]) -> dict[str, int]:
    """How many of each state (present, late, excused, absent)."""
    found = dict.fromkeys(STATES, 0)
    for status in statuses:
        if status in found:
            found[status] += 1
    return found


def figure(statuses: list[str], rules: standing.Rules) -> dict[str, Any]:
    """Counts per state, attended, counted and the percentage of a set of statuses, as
    the course's rules count them (standing.compute)."""
    done = standing.compute(((i, s) for i, s in enumerate(statuses)), rules)
    return {
        "students": len(statuses),
        **counts(statuses),
        "attended": float(done.attended),
        "counted": done.counted,
        "percent": done.percent,
    }


def divisions(then: cutoff.CourseAt, students: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The divisions of the course's students (as people sort them)."""
    found = {
        str(students[uid].get("division"))
        for uid in then.statuses
        if uid in students and students[uid].get("division")
    }
    return sorted(found, key=natural_key)


def series(
    then: cutoff.CourseAt, students: Mapping[str, Mapping[str, Any]], division: str | None
) -> list[dict[str, Any]]:
    """The course's points, one per counted session in which a student of ``students``
    (of ``division``, if given) has a status, oldest first."""
    uids = [
        uid
        for uid in then.statuses
        if uid in students
        and (division is None or str(students[uid].get("division") or "") == division)
    ]
    points = []
    for sid, doc in then.sessions:
        statuses = [then.statuses[uid][sid] for uid in uids if sid in then.statuses[uid]]
        if not statuses:
            continue
        points.append(
            {
                "session_id": sid,
                "starts_at": doc["starts_at"].isoformat(),
                "kind": doc.get("kind") or standing.DEFAULT_KIND,
                **figure(statuses, then.rules),
            }
        )
    return points


def course_summary(
    then: cutoff.CourseAt, students: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """A course's line(s), counts and percentage."""
    code = str(then.doc.get("code") or then.course_id)
    statuses = [
        status
        for uid, by_session in then.statuses.items()
        if uid in students
        for status in by_session.values()
    ]
    several = divisions(then, students)
    overall = series(then, students, None)
    lines: list[dict[str, Any]] = [{"division": None, "label": code, "points": overall}]
    if len(several) > 1:
        lines += [
            {"division": d, "label": f"{code} {d}", "points": series(then, students, d)}
            for d in several
        ]
    return {
        "id": then.course_id,
        "code": code,
        "name": str(then.doc.get("name") or ""),
        "divisions": several,
        "rules": {name: value for name, value in then.rules.describe().items() if name in RULES},
        "sessions": len(overall),
        **figure(statuses, then.rules),
        "students": sum(1 for uid in then.statuses if uid in students),
        "series": lines,
    }


def grid(then: cutoff.CourseAt, students: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The course's students x sessions: rows in roll-number order, a status (or None)
    per counted session."""
    uids = exports.ordered(students, {uid for uid in then.statuses if uid in students})
    shown = [
        (sid, doc) for sid, doc in then.sessions if any(sid in then.statuses[uid] for uid in uids)
    ]
    return {
        "course_id": then.course_id,
        "sessions": [
            {
                "id": sid,
                "starts_at": doc["starts_at"].isoformat(),
                "kind": doc.get("kind") or standing.DEFAULT_KIND,
            }
            for sid, doc in shown
        ],
        "students": [
            {
                "uid": uid,
                "roll_no": students[uid].get("roll_no"),
                "name": students[uid].get("name"),
                "division": students[uid].get("division"),
                "statuses": [then.statuses[uid].get(sid) for sid, _ in shown],
            }
            for uid in uids
        ],
    }


def summary(
    found: reports.Scope,
    department_id: str,
    division: str | None,
    day: date,
    course_id: str | None = None,
) -> dict[str, Any]:
    """The view's JSON (pure: from the selection ``reports.scope`` made).
    ``NotFound``: ``course_id`` is not one of the courses shown."""
    ordered = sorted(
        found.courses, key=lambda c: (natural_key(c.doc.get("code") or c.course_id), c.course_id)
    )
    courses = [course_summary(then, found.students) for then in ordered]
    total = dict.fromkeys(STATES, 0)
    attended, counted = Fraction(0), 0
    for then, shown in zip(ordered, courses, strict=True):
        for state in STATES:
            total[state] += shown[state]
        for uid, report in then.reports.items():
            if uid in found.students:
                attended += report.overall.attended
                counted += report.overall.counted
    heatmap = None
    if course_id is not None:
        chosen = next((c for c in ordered if c.course_id == course_id), None)
        if chosen is None:
            raise NotFound(f"no course {course_id!r} in this view of department {department_id}")
        heatmap = grid(chosen, found.students)
    return {
        "department": {"id": department_id, "name": found.department_name},
        "division": division,
        "as_of": day.isoformat(),
        "terms": found.terms,
        "states": list(STATES),
        "counts": total,
        "percent": round(float(attended / counted * 100), 1) if counted else None,
        "courses": courses,
        "heatmap": heatmap,
    }


def build(
    db: Client,
    department_id: str,
    division: str | None,
    day: date,
    tz: str,
    course_id: str | None = None,
) -> dict[str, Any]:
    """The department view as of ``day`` (errors: ``reports.scope``'s, and ``NotFound``
    for a course not in the view)."""
    return summary(
        reports.scope(db, department_id, division, day, tz), department_id, division, day, course_id
    )
