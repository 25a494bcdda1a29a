"""The weekly digests (issue 20, item 3; decision 0027): what each teacher and each head
of department is sent for a period.

* A teacher (every ``teacher`` on a course's staff, by email): for each of their
  courses, the students whose state is ``below`` or ``at_risk``
  (``courses/{id}/students``, rollcall.consumers.figures), worst first, with their
  percentage and the absences of the seven days the digest covers.
* A head of department (``departments/{id}.head_emails``): the department's defaulter
  list as of the digest's day (rollcall.core.reports): how many, and who, with the
  courses they are below in. A department outside its terms sends no digest.

``teacher_mails`` and ``head_mails`` read Firestore; ``teacher_lines`` is pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from google.cloud.firestore import Client
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall import logs
from rollcall.core import exports, reports, schema, standing
from rollcall.core.mail import Mail, key
from rollcall.errors import OutsideTerm

FLAGGED = (standing.BELOW, standing.AT_RISK)
MAX_LISTED = 50  # rows of a head's digest; the full list is the defaulter report


def absences_in(sessions: Mapping[str, Any], start: datetime, end: datetime) -> int:
    """How many of a student's sessions starting within [start, end) were absences."""
    count = 0
    for entry in sessions.values():
        at = entry.get("starts_at") if isinstance(entry, dict) else None
        if isinstance(at, datetime) and start <= at < end and entry.get("status") == "absent":
            count += 1
    return count


def teacher_lines(courses: list[tuple[str, list[dict[str, Any]]]], period: str) -> tuple[str, ...]:
    """The body of a teacher's digest: per course (its label, its flagged students as
    ``{name, roll_no, state, percent, absences}``)."""
    lines = [f"Your attendance digest for week {period}.", ""]
    for label, students in courses:
        lines.append(
            f"{label}: " + (f"{len(students)} at risk or below" if students else "nobody at risk")
        )
        for s in students:
            pct = "-" if s.get("percent") is None else f"{s['percent']:.1f} %"
            who = " ".join(str(p) for p in (s.get("roll_no"), s.get("name")) if p)
            state = "below the threshold" if s["state"] == standing.BELOW else "at risk"
            week = f", {s['absences']} absent this week" if s.get("absences") else ""
            lines.append(f"  {who}: {pct}, {state}{week}")
        lines.append("")
    return tuple(lines)


def teacher_mails(db: Client, period: str, start: datetime, end: datetime) -> list[Mail]:
    """One digest per teacher (by email) of every course that has staff."""
    by_teacher: dict[str, list[tuple[str, list[dict[str, Any]]]]] = {}
    for snap in sorted(db.collection(schema.COURSES).stream(), key=lambda s: s.id):
        doc = snap.to_dict() or {}
        teachers = [
            str(e["email"])
            for e in (doc.get("staff") or {}).values()
            if e.get("role") == "teacher" and e.get("email")
        ]
        if not teachers:
            continue
        label = " ".join(str(p) for p in (doc.get("code"), doc.get("name")) if p) or snap.id
        students = flagged(db, snap.id, start, end)
        for email in teachers:
            by_teacher.setdefault(email.lower(), []).append((label, students))
    return [
        Mail(
            marker=f"{period}-{key(email)}",
            kind="digest_teacher",
            to=email,
            subject=f"Attendance digest, week {period}",
            lines=teacher_lines(courses, period),
        )
        for email, courses in sorted(by_teacher.items())
    ]


def flagged(db: Client, course_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The course's students below or at risk, worst first, then by roll number."""
    found = {
        snap.id: snap.to_dict() or {}
        for snap in schema.course_students(db, course_id)
        .where(filter=FieldFilter("state", "in", list(FLAGGED)))
        .stream()
    }
    if not found:
        return []
    who = exports.roster(db, course_id)
    rows = []
    for uid in exports.ordered(who, set(found)):
        doc = found[uid]
        rows.append(
            {
                "uid": uid,
                "name": who.get(uid, {}).get("name"),
                "roll_no": who.get(uid, {}).get("roll_no"),
                "state": doc.get("state"),
                "percent": doc.get("percent"),
                "absences": absences_in(doc.get("sessions") or {}, start, end),
            }
        )
    return sorted(rows, key=lambda r: FLAGGED.index(r["state"]))


def head_lines(report: reports.Defaulters, period: str) -> tuple[str, ...]:
    defaulters = [row for row in report.rows if row.defaulter]
    lines = [
        f"Defaulter summary of {report.department_name}, week {period} "
        f"(as of {report.as_of.isoformat()}).",
        "",
        f"{len(defaulters)} of {len(report.rows)} students are below the threshold "
        "in at least one course.",
    ]
    for row in defaulters[:MAX_LISTED]:
        who = " ".join(str(p) for p in (row.who.get("roll_no"), row.who.get("name")) if p)
        lines.append(f"  {who}: {', '.join(row.below(report.columns))}")
    if len(defaulters) > MAX_LISTED:
        lines.append(f"  ... and {len(defaulters) - MAX_LISTED} more: see the defaulter list.")
    return tuple(lines)


def head_mails(db: Client, period: str, at: datetime, tz: str) -> list[Mail]:
    """One digest per head of department and department, its defaulter list as of the
    day before ``at`` ends (the digest's window's end; outside its terms: none)."""
    day = (at - timedelta(microseconds=1)).astimezone(ZoneInfo(tz)).date()
    mails = []
    for snap in sorted(db.collection(schema.DEPARTMENTS).stream(), key=lambda s: s.id):
        heads = _emails((snap.to_dict() or {}).get("head_emails"))
        if not heads:
            continue
        try:
            report = reports.build(db, snap.id, None, day, tz)
        except OutsideTerm:
            logs.info("no digest: department outside its terms", department_id=snap.id)
            continue
        lines = head_lines(report, period)
        for email in heads:
            mails.append(
                Mail(
                    marker=f"{period}-{snap.id}-{key(email)}",
                    kind="digest_head",
                    to=email,
                    subject=f"Defaulters of {report.department_name}, week {period}",
                    lines=lines,
                )
            )
    return mails


def _emails(value: Any) -> list[str]:
    return [str(e) for e in value or [] if isinstance(e, str) and "@" in e]


def all_mails(db: Client, period: str, start: datetime, end: datetime, tz: str) -> list[Mail]:
    return [*teacher_mails(db, period, start, end), *head_mails(db, period, end, tz)]
