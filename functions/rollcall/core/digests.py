"""The weekly digests (issue 20, item 3; decision 0027): what each teacher and each head
of department is sent for a period.

* A teacher (every ``teacher`` on a course's staff, by email): for each of their
  courses, the students whose state is ``below`` or ``at_risk``
  (``courses/{id}/students``, rollcall.consumers.figures), worst first, with their
  percentage and the absences of the seven days the digest covers.
* A head of department (``departments/{id}.head_emails``): the department's defaulter
  list as of the digest's day (rollcall.core.reports): how many, and who, with the
  courses they are below in. A department outside its terms sends no digest.

Each email is in its recipient's language (``users/{uid}.language``, decision 0031;
English when unknown): a teacher's uid is on the course's staff entry, a head's is found
by one Auth lookup of the heads' addresses; then one batched read of all their user
documents (``languages``). ``teacher_mails`` and ``head_mails`` read Firestore;
``teacher_lines`` and ``head_lines`` are pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from google.cloud.firestore import Client
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall import logs
from rollcall.core import exports, messages, people, reports, schema, standing
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


def percent(language: str, value: float | None) -> str:
    """A student's percentage in a digest: "83.3 %", or "-" without one."""
    if value is None:
        return messages.text(language, "mail.no_percent")
    return messages.text(language, "mail.percent", value=messages.number(language, value, "0.0"))


def teacher_lines(
    courses: list[tuple[str, list[dict[str, Any]]]], period: str, language: str = messages.DEFAULT
) -> tuple[str, ...]:
    """The body of a teacher's digest in ``language``: per course (its label, its flagged
    students as ``{name, roll_no, state, percent, absences}``)."""

    def say(key: str, **params: Any) -> str:
        return messages.text(language, f"mail.teacher.{key}", **params)

    lines = [say("intro", period=period), ""]
    for label, students in courses:
        count = messages.number(language, len(students))
        lines.append(
            say("flagged", course=label, count=count) if students else say("nobody", course=label)
        )
        for s in students:
            who = " ".join(str(p) for p in (s.get("roll_no"), s.get("name")) if p)
            state = say("below" if s["state"] == standing.BELOW else "at_risk")
            row = {"who": who, "percent": percent(language, s.get("percent")), "state": state}
            absences = s.get("absences")
            lines.append(
                say("student_week", count=absences, **row) if absences else say("student", **row)
            )
        lines.append("")
    return tuple(lines)


def teacher_mails(db: Client, period: str, start: datetime, end: datetime) -> list[Mail]:
    """One digest per teacher (by email) of every course that has staff."""
    by_teacher: dict[str, list[tuple[str, list[dict[str, Any]]]]] = {}
    uids: dict[str, str | None] = {}
    for snap in sorted(db.collection(schema.COURSES).stream(), key=lambda s: s.id):
        doc = snap.to_dict() or {}
        teachers = [
            e
            for e in (doc.get("staff") or {}).values()
            if e.get("role") == "teacher" and e.get("email")
        ]
        if not teachers:
            continue
        label = " ".join(str(p) for p in (doc.get("code"), doc.get("name")) if p) or snap.id
        students = flagged(db, snap.id, start, end)
        for entry in teachers:
            email = str(entry["email"]).lower()
            by_teacher.setdefault(email, []).append((label, students))
            uids[email] = uids.get(email) or entry.get("uid")
    language = languages(db, uids)
    return [
        Mail(
            marker=f"{period}-{key(email)}",
            kind="digest_teacher",
            to=email,
            subject=messages.text(language[email], "mail.teacher.subject", period=period),
            lines=teacher_lines(courses, period, language[email]),
            language=language[email],
        )
        for email, courses in sorted(by_teacher.items())
    ]


def languages(db: Client, uids: Mapping[str, str | None]) -> dict[str, str]:
    """email -> the language of each recipient (``uids``: email -> uid, None when not
    known): the uids not known are looked up in Auth by address (verified accounts, one
    lookup per hundred), then every user document is read in one batch. English for an
    address without an account or a language."""
    missing = [email for email, uid in uids.items() if not uid]
    found = {email: uid for email, uid in uids.items() if uid}
    if missing:
        found.update(people.verified_accounts(missing))
    chosen: dict[str, Any] = {}
    refs = [schema.user(db, uid) for uid in sorted(set(found.values()))]
    for snap in db.get_all(refs) if refs else []:
        chosen[snap.id] = (snap.to_dict() or {}).get("language") if snap.exists else None
    return {email: messages.language_of(chosen.get(found.get(email) or "")) for email in uids}


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


def head_lines(
    report: reports.Defaulters, period: str, language: str = messages.DEFAULT
) -> tuple[str, ...]:
    """The body of a head's digest in ``language``: how many defaulters, and who."""

    def say(key: str, **params: Any) -> str:
        return messages.text(language, f"mail.head.{key}", **params)

    def n(value: int) -> str:
        return messages.number(language, value)

    defaulters = [row for row in report.rows if row.defaulter]
    day = messages.day(language, report.as_of)
    lines = [
        say("intro", department=report.department_name, period=period, day=day),
        "",
        say("count", count=n(len(defaulters)), total=n(len(report.rows))),
    ]
    for row in defaulters[:MAX_LISTED]:
        who = " ".join(str(p) for p in (row.who.get("roll_no"), row.who.get("name")) if p)
        lines.append(say("student", who=who, courses=", ".join(row.below(report.columns))))
    if len(defaulters) > MAX_LISTED:
        lines.append(say("more", count=n(len(defaulters) - MAX_LISTED)))
    return tuple(lines)


def head_mails(db: Client, period: str, at: datetime, tz: str) -> list[Mail]:
    """One digest per head of department and department, its defaulter list as of the
    day before ``at`` ends (the digest's window's end; outside its terms: none)."""
    day = (at - timedelta(microseconds=1)).astimezone(ZoneInfo(tz)).date()
    found: list[tuple[str, reports.Defaulters, list[str]]] = []
    for snap in sorted(db.collection(schema.DEPARTMENTS).stream(), key=lambda s: s.id):
        heads = _emails((snap.to_dict() or {}).get("head_emails"))
        if not heads:
            continue
        try:
            found.append((snap.id, reports.build(db, snap.id, None, day, tz), heads))
        except OutsideTerm:
            logs.info("no digest: department outside its terms", department_id=snap.id)
    language = languages(db, {email.lower(): None for _, _, heads in found for email in heads})
    mails = []
    for department, report, heads in found:
        for email in heads:
            lang = language[email.lower()]
            subject = messages.text(
                lang, "mail.head.subject", department=report.department_name, period=period
            )
            mails.append(
                Mail(
                    marker=f"{period}-{department}-{key(email)}",
                    kind="digest_head",
                    to=email,
                    subject=subject,
                    lines=head_lines(report, period, lang),
                    language=lang,
                )
            )
    return mails


def _emails(value: Any) -> list[str]:
    return [str(e) for e in value or [] if isinstance(e, str) and "@" in e]


def all_mails(db: Client, period: str, start: datetime, end: datetime, tz: str) -> list[Mail]:
    return [*teacher_mails(db, period, start, end), *head_mails(db, period, end, tz)]
