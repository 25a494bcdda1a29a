"""A course's figures as they were at a cut-off date: what the course export
(``?as_of=YYYY-MM-DD``) and the defaulter list (rollcall.core.reports) both show, from
this one computation (decision 0025).

As of a cut-off day D (a date in the institution's time zone):

* a session counts if it started before the end of D (``cutoff``: midnight after D,
  in UTC) and is in the student's course figures (its close reached the student:
  rollcall.consumers.figures keeps them in ``students/{uid}.sessions``);
* the student's status in it is the one in force at ``cutoff``: a teacher's override
  made after it is undone by replaying the record's audit entries (``status_at``);
* the rules are the course's settings today (they have no history; the report prints
  them), and what remains to come is the timetable's planned sessions after ``cutoff``
  (``plan_at``).

The replay, the timeline and the plan are pure functions (fast unit tests); ``course``
reads Firestore.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from google.cloud.firestore import Client
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall.core import schema, standing, timetable
from rollcall.core.sessions import CLOSED

#: The status of a student a close finds without a record.
ABSENT = "absent"


def cutoff(day: date, tz: str) -> datetime:
    """The end of ``day`` in time zone ``tz`` (the next midnight), in UTC: a session
    counts if it started before it."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def status_at(current: str, audits: Iterable[Mapping[str, Any]], at: datetime) -> str:
    """A record's status at ``at``, from its status now and its audit entries (one per
    override: ``at``, ``previous_status``, ``status``, ``applied``).

    The applied overrides form a chain in time (one older than the record's last change
    is audited ``applied: false`` and changed nothing), each ``previous_status`` the
    status it replaced: so the status at ``at`` is the ``previous_status`` of the first
    applied override made after ``at``, or the status now if there is none. A record an
    override created (no previous status) was the close's absence until then."""
    later = [
        entry
        for entry in audits
        if entry.get("applied", True) and isinstance(entry.get("at"), datetime) and entry["at"] > at
    ]
    if not later:
        return current
    first = min(later, key=lambda entry: entry["at"])
    previous = first.get("previous_status")
    return previous if previous in standing.STATUSES else ABSENT


def timeline(
    sessions: Mapping[str, Mapping[str, Any]],
    changed: Mapping[str, str],
    at: datetime,
) -> list[tuple[Any, str, str]]:
    """The (sort key, kind, status) triples of standing.report for a student's sessions
    as stored on their course figures (``{id: {status, starts_at, kind}}``) that started
    before ``at``, with ``changed`` (session id -> status at ``at``) in place of the
    stored status where an override came later."""
    found = []
    for sid, entry in sessions.items():
        starts = entry.get("starts_at")
        if not isinstance(starts, datetime) or starts >= at:
            continue
        status = changed.get(sid, entry.get("status"))
        if status in standing.STATUSES:
            found.append(((starts, sid), entry.get("kind") or standing.DEFAULT_KIND, status))
    return found


def plan_at(
    planned: list[dict[str, Any]], started: Mapping[str, datetime], at: datetime
) -> list[dict[str, Any]]:
    """The course's planned sessions as the plan stood at ``at``: one whose session
    started at or after ``at`` (``started``: session id -> its start) was still to come."""
    return [
        {**plan, "session_id": None}
        if plan.get("session_id") in started and started[plan["session_id"]] >= at
        else plan
        for plan in planned
    ]


@dataclass(frozen=True)
class CourseAt:
    """A course's figures as of a cut-off: its document and rules, its sessions that
    count (closed, started before the cut-off; oldest first, with their documents), and
    for each student their status in each and their standing (overall and by kind)."""

    course_id: str
    doc: Mapping[str, Any]
    rules: standing.Rules
    at: datetime
    sessions: list[tuple[str, dict[str, Any]]]
    statuses: dict[str, dict[str, str]]
    reports: dict[str, standing.Report]

    def figures(self, uid: str) -> dict[str, Any]:
        """The student's figures as the course's students/{uid} document holds them."""
        report = self.reports.get(uid)
        return report.figures(self.rules) if report else {}


def course(
    db: Client,
    course_id: str,
    at: datetime,
    later: Mapping[tuple[str, str], list[dict[str, Any]]] | None = None,
) -> CourseAt | None:
    """The course's figures as of ``at`` (rollcall.core.cutoff.cutoff), or None if there
    is no such course. Reads the course, its closed sessions, its students' figures,
    the overrides made after ``at`` (unless ``later`` has them: overrides_after), its
    planned sessions and, with a timetable, its enrollments."""
    snap = schema.course(db, course_id).get()
    if not snap.exists:
        return None
    doc = snap.to_dict() or {}
    rules = standing.Rules.from_course(doc)
    closed = [
        (s.id, s.to_dict() or {})
        for s in db.collection(schema.SESSIONS)
        .where(filter=FieldFilter("course_id", "==", course_id))
        .where(filter=FieldFilter("status", "==", CLOSED))
        .stream()
    ]
    started = {sid: d["starts_at"] for sid, d in closed if isinstance(d.get("starts_at"), datetime)}
    counted = sorted(
        ((sid, d) for sid, d in closed if sid in started and started[sid] < at),
        key=lambda item: (item[1]["starts_at"], item[0]),
    )
    if later is None:
        later = overrides_after(db, at)
    then = changed(later, {sid for sid, _ in counted}, at)
    planned = plan_at(timetable.plans(db, course_id), started, at)
    who = (
        {e.id: e.to_dict() or {} for e in schema.enrollments(db, course_id).stream()}
        if planned
        else {}
    )
    statuses: dict[str, dict[str, str]] = {}
    reports: dict[str, standing.Report] = {}
    for student in schema.course_students(db, course_id).stream():
        stored = student.to_dict() or {}
        entries = stored.get("sessions") or {}
        lines = timeline(entries, then.get(student.id, {}), at)
        if not lines:
            continue
        statuses[student.id] = {key[1]: status for key, _, status in lines}
        held = {
            e["planned_id"]
            for sid, e in entries.items()
            if e.get("planned_id") and sid in statuses[student.id]
        }
        remaining = timetable.remaining_by_kind(planned, who.get(student.id, {}), held, at)
        reports[student.id] = standing.report(lines, rules, remaining)
    return CourseAt(course_id, doc, rules, at, counted, statuses, reports)


def overrides_after(db: Client, at: datetime) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(session id, uid) -> the audit entries of the overrides made after ``at``, for
    every record of the institution that has any: one collection-group query (the
    ``audit.at`` index), whose answer a report shares between its courses."""
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for entry in (
        db.collection_group(schema.AUDIT).where(filter=FieldFilter("at", ">", at)).stream()
    ):
        record = entry.reference.parent.parent
        session = record.parent.parent if record is not None else None
        if record is not None and session is not None:
            found.setdefault((session.id, record.id), []).append(entry.to_dict() or {})
    return found


def changed(
    later: Mapping[tuple[str, str], list[dict[str, Any]]], session_ids: set[str], at: datetime
) -> dict[str, dict[str, str]]:
    """uid -> session id -> status at ``at``, for the records of ``session_ids`` that an
    override made after ``at`` changed (``later``: overrides_after)."""
    found: dict[str, dict[str, str]] = {}
    for (sid, uid), audits in later.items():
        applied = sorted(
            (a for a in audits if a.get("applied", True) and isinstance(a.get("at"), datetime)),
            key=lambda a: a["at"],
        )
        if sid in session_ids and applied:
            found.setdefault(uid, {})[sid] = status_at(str(applied[0].get("status")), applied, at)
    return found
