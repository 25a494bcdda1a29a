"""Sessions and rosters as the HTTP side reads them (``sessions/{id}``,
``courses/{id}/enrollments``: rollcall.core.schema), with their cache, and a new
session's document. A session's limits and defaults are the contract's
(rollcall/contracts.json), which the teacher's page and firestore.rules share.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from google.api_core.exceptions import DeadlineExceeded
from google.api_core.retry import Retry
from google.cloud.firestore import Client, CollectionReference
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall import contracts
from rollcall.cache import TtlCache
from rollcall.core import qr, schema
from rollcall.core.timetable import Audience

DEFAULT_ROTATION_SECONDS = contracts.ROTATION_SECONDS.default
DEFAULT_LATE_AFTER_MINUTES = contracts.LATE_AFTER_MINUTES.default
OPEN, CLOSED = "open", "closed"
#: How long after its close a session's typed code is still recognised (as closed).
LATELY = timedelta(hours=1)
#: The scan path waits at most this long on Firestore for one check (the session, the
#: roster, the device binding), so a stalled Firestore makes a scan a 503
#: ``unavailable`` that the phone's outbox sends again, not a request that hangs: the
#: client library's default retries a stalled read for minutes. The time counts from
#: when the request started waiting, also behind another request's load of the same
#: session (single-flight cache) or write of bindings (group commit), so a queue behind
#: a stalled call fails with it instead of waiting its turn. Normal calls take ms.
DEADLINE_SECONDS = 5.0


def deadline(since: float | None = None) -> dict[str, Any]:
    """``retry`` and ``timeout`` for a Firestore call on the scan path, for a request
    waiting since ``since`` (``time.monotonic()``; None: now): transient errors retried,
    all within what is left of DEADLINE_SECONDS. Nothing left: DeadlineExceeded."""
    left = DEADLINE_SECONDS if since is None else since + DEADLINE_SECONDS - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded(f"waited {DEADLINE_SECONDS:.0f} s for Firestore")
    return {"retry": Retry(timeout=left), "timeout": left}


@dataclass(frozen=True)
class Session:
    id: str
    course_id: str
    teacher_uid: str
    secret: bytes
    rotation_seconds: int
    late_after_minutes: int
    starts_at: datetime
    ends_at: datetime
    status: str
    #: Who may check in: the whole course, a division or a batch (a planned session's).
    audience: Audience = Audience("course")
    kind: str | None = None
    #: Arrivals from this moment are late (a planned session: from its planned start,
    #: whenever it was started); None: ``late_after_minutes`` after ``starts_at``.
    late_from: datetime | None = None

    @classmethod
    def from_doc(cls, session_id: str, doc: Mapping[str, Any]) -> Session:
        return cls(
            id=session_id,
            course_id=doc["course_id"],
            teacher_uid=doc.get("teacher_uid", ""),
            secret=qr.decode_secret(doc["secret"]),
            rotation_seconds=int(doc.get("rotation_seconds", DEFAULT_ROTATION_SECONDS)),
            late_after_minutes=int(doc.get("late_after_minutes", DEFAULT_LATE_AFTER_MINUTES)),
            starts_at=doc["starts_at"],
            ends_at=doc["ends_at"],
            status=doc.get("status", OPEN),
            audience=Audience.from_doc(doc.get("audience")),
            kind=doc.get("kind"),
            late_from=doc.get("late_from"),
        )

    def is_open(self, at: datetime) -> bool:
        return self.status == OPEN and self.starts_at <= at < self.ends_at

    def attendance_status(self, at: datetime) -> str:
        """``present`` up to the late threshold after the start, ``late`` after it."""
        late_from = self.late_from or self.starts_at + timedelta(minutes=self.late_after_minutes)
        return "present" if at < late_from else "late"


class Directory:
    """Cached reads of sessions and rosters for the ingest function.

    A session is cached for ``session_ttl`` seconds (so closing it takes effect within
    that time). A roster is loaded whole, once per ``roster_ttl``, by one query; a
    student missing from a cached roster is checked with a direct read before being
    refused, so a late enrollment is never rejected because of the cache.
    """

    def __init__(self, db: Client, session_ttl: float, roster_ttl: float) -> None:
        self._db = db
        self._sessions: TtlCache[Session | None] = TtlCache(session_ttl)
        self._rosters: TtlCache[dict[str, dict[str, Any]]] = TtlCache(roster_ttl)
        self._courses_of: TtlCache[tuple[str, ...]] = TtlCache(roster_ttl)
        self._open_in: TtlCache[tuple[Session, ...]] = TtlCache(session_ttl)

    def session(self, session_id: str) -> Session | None:
        since = time.monotonic()
        return self._sessions.get(session_id, lambda: self._load_session(session_id, since))

    def is_enrolled(self, course_id: str, uid: str) -> bool:
        return self.enrollment_of(course_id, uid) is not None

    def enrollment_of(self, course_id: str, uid: str) -> dict[str, Any] | None:
        """The student's division and batch in the course, or None: not enrolled. A
        student missing from the cached roster is read directly before being refused."""
        since = time.monotonic()
        roster = self._rosters.get(course_id, lambda: self._load_roster(course_id, since))
        if uid in roster:
            return roster[uid]
        snap = self._enrollment(course_id).document(uid).get(**deadline(since))
        return _groups(snap.to_dict() or {}) if snap.exists else None

    def open_sessions_of_student(self, uid: str, fresh: bool = False) -> list[Session]:
        """Open sessions of the courses the student is enrolled in (for typed codes,
        which do not name their session); ``fresh`` skips the cache."""
        since = time.monotonic()
        if fresh:
            self._courses_of.invalidate(uid)
        courses = self._courses_of.get(uid, lambda: self._load_courses_of(uid, since))
        if fresh:
            for course_id in courses:
                self._open_in.invalidate(course_id)
        found: list[Session] = []
        for course_id in courses:
            found += self._open_in.get(course_id, partial(self._load_open, course_id, since))
        return found

    def courses_of_student(self, uid: str) -> tuple[str, ...]:
        since = time.monotonic()
        return self._courses_of.get(uid, lambda: self._load_courses_of(uid, since))

    def sessions_of_lately(self, at: datetime) -> tuple[Session, ...]:
        """Every session of the institution that is open or closed within the last
        ``LATELY``, read fresh: what a typed code that matched none of the student's
        open sessions may still be, to tell them why it was refused (a session opened
        or closed a moment ago included). A miss costs this one query."""
        return self._load_lately(at, time.monotonic())

    def _load_lately(self, at: datetime, since: float) -> tuple[Session, ...]:
        sessions = self._db.collection(schema.SESSIONS)
        found = {}
        for query in (
            sessions.where(filter=FieldFilter("status", "==", OPEN)),
            sessions.where(filter=FieldFilter("status", "==", CLOSED)).where(
                filter=FieldFilter("closed_at", ">=", at - LATELY)
            ),
        ):
            for snap in query.stream(**deadline(since)):
                found[snap.id] = Session.from_doc(snap.id, snap.to_dict() or {})
        return tuple(found.values())

    def _load_courses_of(self, uid: str, since: float) -> tuple[str, ...]:
        query = self._db.collection_group(schema.ENROLLMENTS).where(
            filter=FieldFilter("uid", "==", uid)
        )
        snaps = query.stream(**deadline(since))
        return tuple(sorted({_course_of(snap.reference) for snap in snaps}))

    def _load_open(self, course_id: str, since: float) -> tuple[Session, ...]:
        query = (
            self._db.collection(schema.SESSIONS)
            .where(filter=FieldFilter("course_id", "==", course_id))
            .where(filter=FieldFilter("status", "==", OPEN))
        )
        snaps = query.stream(**deadline(since))
        return tuple(Session.from_doc(snap.id, snap.to_dict() or {}) for snap in snaps)

    def _load_session(self, session_id: str, since: float) -> Session | None:
        snap = schema.session(self._db, session_id).get(**deadline(since))
        return Session.from_doc(snap.id, snap.to_dict() or {}) if snap.exists else None

    def _load_roster(self, course_id: str, since: float) -> dict[str, dict[str, Any]]:
        # Only the groups (a projection): a fraction of the whole documents' time.
        snaps = self._enrollment(course_id).select(["division", "batch"]).stream(**deadline(since))
        return {snap.id: _groups(snap.to_dict() or {}) for snap in snaps}

    def _enrollment(self, course_id: str) -> CollectionReference:
        return schema.enrollments(self._db, course_id)


def _groups(enrollment: Mapping[str, Any]) -> dict[str, Any]:
    return {"division": enrollment.get("division"), "batch": enrollment.get("batch")}


def _course_of(enrollment: Any) -> str:
    """The course id of an enrollment document reference."""
    return str(enrollment.parent.parent.id)


def new_session_id() -> str:
    import secrets

    return "s" + secrets.token_hex(6)


def session_doc(
    course_id: str,
    teacher_uid: str,
    starts_at: datetime,
    duration_minutes: int,
    rotation_seconds: int = DEFAULT_ROTATION_SECONDS,
    late_after_minutes: int = DEFAULT_LATE_AFTER_MINUTES,
) -> dict[str, Any]:
    """The document of a newly opened session (the shape ``Session.from_doc`` reads),
    or ValueError for settings outside the contract's limits."""
    rotation, late, duration = (
        contracts.ROTATION_SECONDS,
        contracts.LATE_AFTER_MINUTES,
        contracts.DURATION_MINUTES,
    )
    if rotation_seconds not in rotation:
        raise ValueError(f"rotation must be within {rotation.min}..{rotation.max} seconds")
    if duration_minutes not in duration:
        raise ValueError(f"duration must be within {duration.min}..{duration.max} minutes")
    if late_after_minutes not in late or late_after_minutes > duration_minutes:
        raise ValueError("late threshold must be within the session")
    return {
        "course_id": course_id,
        "teacher_uid": teacher_uid,
        "secret": qr.new_secret(),
        "rotation_seconds": rotation_seconds,
        "late_after_minutes": late_after_minutes,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=duration_minutes),
        "status": OPEN,
    }


def open_session(
    db: Client,
    course_id: str,
    opener: str,
    at: datetime,
    duration_minutes: int = contracts.DURATION_MINUTES.default,
    rotation_seconds: int = DEFAULT_ROTATION_SECONDS,
    late_after_minutes: int = DEFAULT_LATE_AFTER_MINUTES,
    kind: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """Open a session of the course now, on the server's clock (never a client's: a
    laptop ten minutes off would refuse or mark late every scan), for the whole course,
    of ``kind`` (theory if not given). Returns its id and document; ValueError for
    settings outside the contract's limits."""
    from google.cloud import firestore

    doc = session_doc(course_id, opener, at, duration_minutes, rotation_seconds, late_after_minutes)
    if kind is not None:
        doc["kind"] = kind
    session_id = new_session_id()
    schema.session(db, session_id).create({**doc, "opened_at": firestore.SERVER_TIMESTAMP})
    return session_id, doc


def open_planned(
    db: Client,
    planned_id: str,
    opener: str,
    at: datetime,
    rotation_seconds: int = DEFAULT_ROTATION_SECONDS,
    late_after_minutes: int = DEFAULT_LATE_AFTER_MINUTES,
) -> tuple[str, dict[str, Any], bool]:
    """Start a planned session (the Today page's Start, or the schedule at its start
    time): a session for its audience, kind and room, open from now until its planned
    end, arrivals late from its planned start plus ``late_after_minutes``. Starting it
    again returns the same session. Returns (session id, document, started now).
    Raises NotFound, Cancelled or NotNow."""
    from google.cloud import firestore

    from rollcall.core import timetable
    from rollcall.errors import Cancelled, NotFound, NotNow

    ref = schema.planned(db, planned_id)

    @firestore.transactional
    def start(tx: Any) -> tuple[str, dict[str, Any], bool]:
        snap = ref.get(transaction=tx)
        if not snap.exists:
            raise NotFound(f"no planned session {planned_id!r}")
        plan = snap.to_dict() or {}
        if plan.get("session_id"):
            existing = schema.session(db, plan["session_id"]).get(transaction=tx)
            return plan["session_id"], existing.to_dict() or {}, False
        why = timetable.startable(plan, at)
        if why == "cancelled":
            raise Cancelled(
                f"this session was cancelled: {plan.get('reason') or 'no reason given'}"
            )
        if why == "not_now":
            raise NotNow(
                f"this session is planned for {plan['date']} {plan['start']}-{plan['end']}"
            )
        minutes = max(1, math.ceil((plan["ends_at"] - at).total_seconds() / 60))
        doc = session_doc(
            plan["course_id"],
            opener,
            at,
            min(minutes, contracts.DURATION_MINUTES.max),
            rotation_seconds,
            min(late_after_minutes, minutes),
        )
        doc.update(
            planned_id=planned_id,
            kind=plan.get("kind"),
            audience=plan.get("audience"),
            room=plan.get("room"),
            late_from=plan["starts_at"] + timedelta(minutes=late_after_minutes),
            opened_at=firestore.SERVER_TIMESTAMP,
        )
        session_id = new_session_id()
        tx.create(schema.session(db, session_id), doc)
        tx.update(ref, {"session_id": session_id, "started_at": at, "started_by": opener})
        return session_id, doc, True

    opened: tuple[str, dict[str, Any], bool] = start(db.transaction())
    return opened


def open_due(db: Client, at: datetime) -> list[str]:
    """Open the planned sessions whose start has come, of the courses that let
    sessions open by themselves (``auto_open``); the sweep runs it every minute.
    Returns the sessions opened now."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    from rollcall.core import standing, timetable
    from rollcall.errors import RequestError

    due = (
        db.collection(schema.PLANNED)
        .where(filter=FieldFilter("status", "==", timetable.PLANNED))
        .where(filter=FieldFilter("starts_at", "<=", at))
        .where(filter=FieldFilter("starts_at", ">=", at - timedelta(hours=12)))
    )
    automatic: dict[str, bool] = {}
    opened = []
    for snap in due.stream():
        plan = snap.to_dict() or {}
        if plan.get("session_id") or at >= plan["ends_at"]:
            continue
        course_id = plan["course_id"]
        if course_id not in automatic:
            course = schema.course(db, course_id).get()
            automatic[course_id] = standing.Rules.from_course(course.to_dict() or {}).auto_open
        if not automatic[course_id]:
            continue
        try:
            session_id, _, started = open_planned(db, snap.id, "schedule", at)
        except RequestError:
            continue  # cancelled or started meanwhile
        if started:
            opened.append(session_id)
    return opened
