"""The timetable from the staff's side (rollcall.core.timetable):

* ``GET /today[?date=YYYY-MM-DD]``: the planned sessions of the signed-in person's
  courses on that day (today in the institution's time zone by default), each with
  whether it can be started now. -> ``200 {"date", "sessions": [...]}``.
* ``POST /planned/cancel`` ``{"planned_id", "reason"}``: cancel one (not once started).
* ``POST /planned/move`` ``{"planned_id", "date", "start", "end", "room"?}``: move one
  to another day or time (it keeps its identity; a re-import of the timetable leaves it).
* ``POST /planned/add`` ``{"course_id", "kind", "division"?, "batch"?, "date", "start",
  "end", "room"?}``: an extra session.

Cancelling, moving and adding are the course's teachers' (and admins' and heads'):
``plan_sessions``. Each answers the planned session as stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from google.cloud.firestore import Client
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall import clients, logs
from rollcall.clock import now
from rollcall.config import settings
from rollcall.core import access, enrollment, schema, timetable
from rollcall.core.imports.plan import TEXT_MAX
from rollcall.core.imports.timetable import parse_time
from rollcall.errors import BadRequest, Conflict, NotFound
from rollcall.http.toolkit import (
    Answer,
    Context,
    authenticate,
    id_field,
    lookup,
    query,
    require,
    signed_in_json,
)

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def handle_today(request: Any, context: Context) -> Answer:
    uid = authenticate(request)
    params = query(request, {"date": "day"})
    day = params.get("date") or now().astimezone(ZoneInfo(settings().time_zone)).date().isoformat()
    db = clients.firestore_client()
    rows = lookup(_today, db, uid, day, now())
    return Answer({"date": day, "sessions": rows}, 200)


def _today(db: Client, uid: str, day: str, at: datetime) -> list[dict[str, Any]]:
    mine = {
        snap.id: snap.to_dict() or {}
        for snap in db.collection(schema.COURSES)
        .where(filter=FieldFilter("staff_uids", "array_contains", uid))
        .stream()
    }
    planned = db.collection(schema.PLANNED).where(filter=FieldFilter("date", "==", day))
    rows = []
    for snap in planned.stream():
        plan = snap.to_dict() or {}
        course = mine.get(plan.get("course_id", ""))
        if course is None:
            continue
        rows.append(
            {
                "planned_id": snap.id,
                "course_id": plan["course_id"],
                "course_name": course.get("name"),
                "course_code": course.get("code"),
                "role": (course.get("roles") or {}).get(uid),
                **_public(plan),
                "startable": timetable.startable(plan, at) is None
                and (course.get("roles") or {}).get(uid) in access.ACTIONS[access.RUN_SESSIONS],
            }
        )
    return sorted(rows, key=lambda r: (r["start"], r["course_code"] or "", r["planned_id"]))


def _public(plan: dict[str, Any]) -> dict[str, Any]:
    """A planned session as JSON."""
    return {
        "kind": plan.get("kind"),
        "audience": plan.get("audience"),
        "date": plan.get("date"),
        "start": plan.get("start"),
        "end": plan.get("end"),
        "starts_at": _iso(plan.get("starts_at")),
        "ends_at": _iso(plan.get("ends_at")),
        "room": plan.get("room"),
        "status": plan.get("status"),
        "reason": plan.get("reason"),
        "source": plan.get("source"),
        "session_id": plan.get("session_id"),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


def _plan_of(db: Client, data: dict[str, Any], uid: str) -> tuple[str, dict[str, Any]]:
    planned_id = id_field(data, "planned_id")
    snap = lookup(schema.planned(db, planned_id).get)
    plan = (snap.to_dict() or {}) if snap.exists else {}
    require(
        access.PLAN_SESSIONS,
        uid,
        plan.get("course_id"),
        "only this course's teachers may change its timetable",
    )
    if plan.get("session_id"):
        raise Conflict("this session has been started: it can no longer be changed")
    return planned_id, plan


def handle_cancel(request: Any, context: Context) -> Answer:
    data, uid = signed_in_json(request, {"planned_id", "reason"})
    db = clients.firestore_client()
    planned_id, _ = _plan_of(db, data, uid)
    reason = data.get("reason")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > TEXT_MAX:
        raise BadRequest(f"field 'reason' must be text of 1 to {TEXT_MAX} characters")
    change = {
        "status": timetable.CANCELLED,
        "reason": " ".join(reason.split()),
        "edited": True,
        "updated_by": uid,
        "updated_at": now(),
    }
    lookup(schema.planned(db, planned_id).update, change)
    logs.info("planned session cancelled", planned_id=planned_id, by=uid, trace=context.trace)
    return Answer(_stored(db, planned_id), 200)


def handle_move(request: Any, context: Context) -> Answer:
    data, uid = signed_in_json(request, {"planned_id", "date", "start", "end", "room"})
    db = clients.firestore_client()
    planned_id, plan = _plan_of(db, data, uid)
    term = lookup(_term, db, plan["term_id"])
    fields = _when(data, term)
    if "room" in data:
        fields["room"] = _room(data)
    moved_from = {k: plan.get(k) for k in ("date", "start", "end", "room")}
    change = {
        **fields,
        "status": timetable.PLANNED,
        "reason": None,
        "edited": True,
        "moved_from": moved_from,
        "updated_by": uid,
        "updated_at": now(),
    }
    lookup(schema.planned(db, planned_id).update, change)
    logs.info("planned session moved", planned_id=planned_id, by=uid, trace=context.trace)
    return Answer(_stored(db, planned_id), 200)


def handle_add(request: Any, context: Context) -> Answer:
    names = {"course_id", "kind", "division", "batch", "date", "start", "end", "room"}
    data, uid = signed_in_json(request, names)
    course_id = id_field(data, "course_id")
    course = require(
        access.PLAN_SESSIONS, uid, course_id, "only this course's teachers may add to its timetable"
    )
    db = clients.firestore_client()
    doc = lookup(schema.course(db, course_id).get).to_dict() or {}
    if data.get("kind") not in timetable.KINDS:
        raise BadRequest(f"field 'kind' must be one of {', '.join(timetable.KINDS)}")
    audience = _audience(data, doc, lambda: lookup(enrollment.roster_batches, db, course_id))
    term = lookup(_term, db, doc.get("term_id") or "")
    when = _when(data, term)
    day = date.fromisoformat(when["date"])
    start = parse_time(when["start"])
    assert start is not None
    planned_id = timetable.planned_id(course_id, audience, data["kind"], day, start)
    plan = {
        "course_id": course_id,
        "term_id": doc.get("term_id"),
        "department_id": course.department_id if course else doc.get("department_id"),
        "kind": data["kind"],
        "audience": audience.to_json(),
        **when,
        "room": _room(data) if "room" in data else None,
        "status": timetable.PLANNED,
        "source": timetable.EXTRA,
        "edited": True,
        "updated_by": uid,
        "updated_at": now(),
    }
    lookup(schema.planned(db, planned_id).set, plan)
    logs.info("planned session added", planned_id=planned_id, by=uid, trace=context.trace)
    return Answer(_stored(db, planned_id), 201)


def _audience(
    data: dict[str, Any], course: dict[str, Any], batches: Callable[[], dict[str, str]]
) -> timetable.Audience:
    division, batch = data.get("division"), data.get("batch")
    if division is not None and batch is not None:
        raise BadRequest("send a 'division' or a 'batch', not both")
    if division is not None:
        known = {d.casefold(): d for d in course.get("divisions") or []}
        if not isinstance(division, str) or division.casefold() not in known:
            raise BadRequest("field 'division' must be one of the course's divisions")
        return timetable.Audience("division", known[division.casefold()])
    if batch is not None:
        if not isinstance(batch, str) or not batch.strip() or len(batch) > TEXT_MAX:
            raise BadRequest("field 'batch' must be a batch's name")
        known = batches()
        if batch.strip().casefold() not in known:
            raise BadRequest("field 'batch' must be a batch of the course's roster")
        return timetable.Audience("batch", known[batch.strip().casefold()])
    return timetable.Audience("course")


def _term(db: Client, term_id: str) -> dict[str, Any]:
    snap = schema.term(db, term_id).get() if term_id else None
    if snap is None or not snap.exists:
        raise NotFound("the course's term does not exist")
    return snap.to_dict() or {}


def _when(data: dict[str, Any], term: dict[str, Any]) -> dict[str, Any]:
    """date, start, end, starts_at and ends_at from the request, within the term."""
    day_text = data.get("date")
    if not isinstance(day_text, str) or not _DAY.fullmatch(day_text):
        raise BadRequest("field 'date' must be a date, YYYY-MM-DD")
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise BadRequest("field 'date' must be a date, YYYY-MM-DD") from None
    if not date.fromisoformat(term["starts_on"]) <= day <= date.fromisoformat(term["ends_on"]):
        raise BadRequest(f"the date is outside the term ({term['starts_on']} to {term['ends_on']})")
    times = {}
    for name in ("start", "end"):
        value = data.get(name)
        parsed = parse_time(value) if isinstance(value, str) else None
        if parsed is None:
            raise BadRequest(f"field {name!r} must be a time such as 09:00")
        times[name] = parsed
    if times["end"] <= times["start"]:
        raise BadRequest("the session must end after it starts")
    tz = settings().time_zone
    return {
        "date": day.isoformat(),
        "start": f"{times['start']:%H:%M}",
        "end": f"{times['end']:%H:%M}",
        "starts_at": timetable.moment(day, times["start"], tz),
        "ends_at": timetable.moment(day, times["end"], tz),
    }


def _room(data: dict[str, Any]) -> str | None:
    room = data.get("room")
    if room is None:
        return None
    if not isinstance(room, str) or len(room) > TEXT_MAX:
        raise BadRequest(f"field 'room' must be text of at most {TEXT_MAX} characters")
    return " ".join(room.split()) or None


def _stored(db: Client, planned_id: str) -> dict[str, Any]:
    doc = lookup(schema.planned(db, planned_id).get).to_dict() or {}
    return {"planned_id": planned_id, "course_id": doc.get("course_id"), **_public(doc)}
