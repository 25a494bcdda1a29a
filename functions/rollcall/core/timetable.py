"""A term's planned sessions: what the weekly timetable says will happen, each on a
date, for an audience (the course, a division or a batch), of a kind (theory,
practical, tutorial), in a room.

``planned/{id}`` (rollcall.core.schema): ``course_id``, ``term_id``, ``department_id``,
``kind``, ``audience`` (``{"type": "course"|"division"|"batch", "value"}``), ``date``
(``YYYY-MM-DD``), ``start``/``end`` (``HH:MM``, the institution's time), ``starts_at``/
``ends_at`` (UTC), ``room``, ``status`` (``planned`` or ``cancelled``, with ``reason``),
``source`` (``timetable`` or ``extra``), ``edited`` (moved by the staff: a re-import
leaves it), ``session_id`` once started.

A planned session's id comes from what it is (course, audience, kind, date and start
time), so importing an unchanged timetable finds every session in place; a change of
time or day is a different session (the old one is cancelled, the new one added).
Holidays of the term are left out; a holiday added later cancels what falls on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from google.cloud.firestore import Client
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall import contracts
from rollcall.core import schema

KINDS: tuple[str, ...] = tuple(contracts.data()["timetable"]["kinds"])
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PLANNED, CANCELLED = "planned", "cancelled"
TIMETABLE, EXTRA = "timetable", "extra"
#: How early before its start, and until its end, staff may start a planned session.
START_EARLY = timedelta(minutes=contracts.data()["timetable"]["start_early_minutes"])


@dataclass(frozen=True)
class Audience:
    """Who a session is for: the whole course, a division, or a batch."""

    type: str  # "course" | "division" | "batch"
    value: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "value": self.value}

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any] | None) -> Audience:
        doc = doc or {}
        kind = str(doc.get("type")) if doc.get("type") in ("division", "batch") else "course"
        return cls(kind, doc.get("value") if kind != "course" else None)

    def includes(self, enrollment: Mapping[str, Any]) -> bool:
        """Whether a student of the course (their enrollment's fields) is in it."""
        if self.type == "course":
            return True
        mine = enrollment.get(self.type)
        return isinstance(mine, str) and mine.casefold() == (self.value or "").casefold()

    def label(self) -> str:
        return {"course": "whole course", "division": "division", "batch": "batch"}[self.type] + (
            f" {self.value}" if self.value else ""
        )


@dataclass(frozen=True)
class Slot:
    """A weekly timetable row: every ``weekday`` of the weeks ``weeks`` (1-based)."""

    course_id: str
    department_id: str | None
    kind: str
    audience: Audience
    weekday: int  # 0 = Monday
    start: time
    end: time
    room: str | None
    weeks: tuple[int, int] | None  # None: the whole term


def planned_id(course_id: str, audience: Audience, kind: str, day: date, start: time) -> str:
    key = f"{course_id}|{audience.type}:{audience.value or ''}|{kind}|{day}|{start:%H:%M}"
    return "p" + hashlib.sha256(key.encode()).hexdigest()[:24]


def term_weeks(starts_on: date, ends_on: date) -> int:
    """How many (Monday-based) weeks the term touches."""
    first = starts_on - timedelta(days=starts_on.weekday())
    return (ends_on - first).days // 7 + 1


def dates_of(slot: Slot, starts_on: date, ends_on: date, holidays: set[date]) -> Iterator[date]:
    """The dates of a slot within the term, without its holidays."""
    first_monday = starts_on - timedelta(days=starts_on.weekday())
    last = term_weeks(starts_on, ends_on)
    low, high = slot.weeks or (1, last)
    for week in range(low, min(high, last) + 1):
        day = first_monday + timedelta(weeks=week - 1, days=slot.weekday)
        if starts_on <= day <= ends_on and day not in holidays:
            yield day


def moment(day: date, at: time, tz: str) -> datetime:
    """A local date and time of the institution, in UTC."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def planned_doc(slot: Slot, day: date, term_id: str, tz: str) -> dict[str, Any]:
    return {
        "course_id": slot.course_id,
        "term_id": term_id,
        "department_id": slot.department_id,
        "kind": slot.kind,
        "audience": slot.audience.to_json(),
        "date": day.isoformat(),
        "start": f"{slot.start:%H:%M}",
        "end": f"{slot.end:%H:%M}",
        "starts_at": moment(day, slot.start, tz),
        "ends_at": moment(day, slot.end, tz),
        "room": slot.room,
        "status": PLANNED,
        "source": TIMETABLE,
    }


def expand(
    slots: Sequence[Slot], term_id: str, term: Mapping[str, Any], tz: str
) -> dict[str, dict[str, Any]]:
    """Every planned session of the slots in the term: id -> document."""
    starts_on, ends_on = date.fromisoformat(term["starts_on"]), date.fromisoformat(term["ends_on"])
    holidays = {date.fromisoformat(h["date"]) for h in term.get("holidays") or []}
    planned: dict[str, dict[str, Any]] = {}
    for slot in slots:
        for day in dates_of(slot, starts_on, ends_on, holidays):
            pid = planned_id(slot.course_id, slot.audience, slot.kind, day, slot.start)
            planned[pid] = planned_doc(slot, day, term_id, tz)
    return planned


def of_term(db: Client, term_id: str) -> dict[str, dict[str, Any]]:
    """The term's planned sessions as stored: id -> document."""
    query = db.collection(schema.PLANNED).where(filter=FieldFilter("term_id", "==", term_id))
    return {snap.id: snap.to_dict() or {} for snap in query.stream()}


def cancel_holiday(db: Client, term_id: str, day: date, name: str, by: str, at: datetime) -> int:
    """A holiday added to the term cancels its planned sessions not yet started."""
    query = (
        db.collection(schema.PLANNED)
        .where(filter=FieldFilter("term_id", "==", term_id))
        .where(filter=FieldFilter("date", "==", day.isoformat()))
    )
    batch, count = db.batch(), 0
    for snap in query.stream():
        doc = snap.to_dict() or {}
        if doc.get("status") == PLANNED and not doc.get("session_id"):
            batch.update(
                snap.reference,
                {
                    "status": CANCELLED,
                    "reason": f"holiday: {name}",
                    "updated_by": by,
                    "updated_at": at,
                },
            )
            count += 1
    if count:
        batch.commit()
    return count


def startable(doc: Mapping[str, Any], at: datetime) -> str | None:
    """Why the planned session cannot be started now (None: it can)."""
    if doc.get("status") == CANCELLED:
        return "cancelled"
    if at < doc["starts_at"] - START_EARLY or at >= doc["ends_at"]:
        return "not_now"
    return None


def planned_count(db: Client, course_id: str, kind: str, audience_of: Mapping[str, Any]) -> int:
    """How many sessions of a kind are planned (not cancelled) for a student of the
    course with these enrollment fields, over the whole term: the projection's plan."""
    query = (
        db.collection(schema.PLANNED)
        .where(filter=FieldFilter("course_id", "==", course_id))
        .where(filter=FieldFilter("kind", "==", kind))
        .where(filter=FieldFilter("status", "==", PLANNED))
    )
    return sum(
        1
        for snap in query.stream()
        if Audience.from_doc((snap.to_dict() or {}).get("audience")).includes(audience_of)
    )


def weekday_of(text: str) -> int | None:
    """'Mon', 'monday', 'MON.', '1' (Monday) -> 0..6; None for anything else."""
    folded = text.strip().rstrip(".").casefold()
    if folded.isdigit() and 1 <= int(folded) <= 7:
        return int(folded) - 1
    for index, name in enumerate(WEEKDAYS):
        if folded and len(folded) >= 2 and name.startswith(folded):
            return index
    return None


def plans(db: Client, course_id: str) -> list[dict[str, Any]]:
    """The course's planned sessions not cancelled (planned_id, kind, audience,
    starts_at, session_id): what a student's projection counts on."""
    query = (
        db.collection(schema.PLANNED)
        .where(filter=FieldFilter("course_id", "==", course_id))
        .where(filter=FieldFilter("status", "==", PLANNED))
    )
    fields = ("kind", "audience", "starts_at", "session_id")
    return [
        {"planned_id": s.id, **{k: (s.to_dict() or {}).get(k) for k in fields}}
        for s in query.stream()
    ]


def remaining_by_kind(
    planned: list[dict[str, Any]],
    enrollment: Mapping[str, Any],
    held: set[str],
    at: datetime,
) -> dict[str, int] | None:
    """The planned sessions of each kind still to come for a student with these
    enrollment fields (division, batch): not cancelled, not started, not among the
    planned sessions the student has ``held``, starting after ``at``. None when the
    course has no timetable."""
    if not planned:
        return None
    left = dict.fromkeys(KINDS, 0)
    for plan in planned:
        starts = plan.get("starts_at")
        if plan.get("session_id") or plan["planned_id"] in held:
            continue
        if not isinstance(starts, datetime) or starts <= at:
            continue
        if plan.get("kind") in left and Audience.from_doc(plan.get("audience")).includes(
            enrollment
        ):
            left[plan["kind"]] += 1
    return left
