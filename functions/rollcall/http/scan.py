"""``POST /``: a student's scan. Check who scans and what they scanned, publish, answer
at once.

Checks, in order; the first that fails answers its stable error and nothing is
published: body size and media type, Firebase ID token, body shape, QR token (format,
genuine MAC, window) or typed code, session open, student enrolled, in the session's
audience (its division or batch, for a planned session of one), device not bound to
another student. Then an AttendanceEvent is published to topic ``scans`` and the
answer is ``202 {"scan_id", "status", "session_id"}``; the consumers do the rest. A
rejection that can be attributed (student and session known) is recorded for the
teacher (rollcall.core.rejections).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from rollcall import clients, contracts, logs, pubsub
from rollcall.clock import now
from rollcall.core import qr, retention
from rollcall.core.devices import DeviceRegistry
from rollcall.core.events import AttendanceEvent
from rollcall.core.ratelimit import FailureLimiter, Refused
from rollcall.core.rejections import RejectionLog
from rollcall.core.sessions import Session
from rollcall.errors import (
    BadRequest,
    NotEnrolled,
    NotInAudience,
    QrExpired,
    QrInvalid,
    RateLimited,
    RequestError,
    SessionClosed,
)
from rollcall.http import accounts
from rollcall.http.toolkit import (
    Answer,
    Context,
    directory,
    identify,
    json_object,
    lookup,
    read_body,
)

MAX_DEVICE_ID = 128
DEVICE_ID = re.compile(r"[\x20-\x7e]{1,128}")
CODE_FAILURES = 10
CODE_FAILURE_SECONDS = 300


def handle(request: Any, context: Context) -> Answer:
    """Accept the scan, or record its rejection for the teacher and raise it."""
    who: dict[str, Any] = {}  # the sign-in's email: for the teacher's record, not the logs
    try:
        event = accept(request, context.fields, who)
    except RequestError as exc:
        record_rejection(context.fields, exc, who.get("email"), who.get("ends_at"))
        raise
    logs.info(
        "scan accepted",
        scan_id=event.event_id,
        session_id=event.session_id,
        uid=event.uid,
        status=event.status,
        device_id=event.device_id,
        trace=context.trace,
    )
    body = {"scan_id": event.event_id, "status": event.status, "session_id": event.session_id}
    return Answer(body, 202)


def accept(
    request: Any, seen: dict[str, Any], who: dict[str, Any] | None = None
) -> AttendanceEvent:
    """Validate a scan and publish its event, or raise a RequestError. ``seen`` gets
    what is known so far (uid, device_id, session_id): the rejection's record and log;
    ``who`` the sign-in's email (the record only: a teacher knows a student who is not
    on the class list by it)."""
    body = read_body(request)
    identity = identify(request)
    seen["uid"] = uid = identity.uid
    if who is not None:
        who["email"] = identity.email
    scanned = parse_body(body)
    seen["device_id"] = scanned.device_id
    at = now()
    if scanned.qr is not None:
        token = qr.parse(scanned.qr)
        session = lookup(directory().session, token.session_id)
        if session is None:
            raise QrInvalid("QR code is not genuine")
        seen["session_id"] = session.id
        if who is not None:
            who["ends_at"] = session.ends_at  # when a rejection's record expires
        qr.verify(token, session.secret, session.rotation_seconds, at.timestamp())
    else:
        session = session_of_code(uid, scanned.code or "", at, seen)
        seen["session_id"] = session.id
        if who is not None:
            who["ends_at"] = session.ends_at
    if not session.is_open(at):
        raise SessionClosed("this session is not open for scans")
    queued_at = queued_since(scanned.queued_ms, at, session)
    enrollment = lookup(directory().enrollment_of, session.course_id, uid)
    if enrollment is None:
        raise NotEnrolled("you are not enrolled in this course")
    if not session.audience.includes(enrollment):
        raise NotInAudience(f"this session is for {session.audience.label()}")
    lookup(device_registry().claim, session.id, scanned.device_id, uid, session.ends_at)
    event = AttendanceEvent(
        event_id=uuid.uuid4().hex,
        session_id=session.id,
        course_id=session.course_id,
        uid=uid,
        status=session.attendance_status(at),
        at=at,
        device_id=scanned.device_id,
        queued_at=queued_at,
    )
    pubsub.publish([event])
    return event


@dataclass(frozen=True)
class ScanBody:
    device_id: str
    qr: str | None = None
    code: str | None = None
    #: How long the phone held the scan in its outbox before this attempt (ms).
    queued_ms: int | None = None


#: The longest a phone may say it held a scan (a day; a token that old has long expired).
MAX_QUEUED_MS = 24 * 3600 * 1000


def parse_body(body: bytes) -> ScanBody:
    """``{"qr": token, "device_id": ...}`` or ``{"code": "123456", "device_id": ...}``,
    each with an optional ``queued_ms``."""
    data = json_object(body, {"qr", "code", "device_id", "queued_ms"})
    queued = data.get("queued_ms")
    if queued is not None and (
        not isinstance(queued, int) or isinstance(queued, bool) or not 0 <= queued <= MAX_QUEUED_MS
    ):
        raise BadRequest(f"field 'queued_ms' must be a whole number from 0 to {MAX_QUEUED_MS}")
    device_id = data.get("device_id")
    if not isinstance(device_id, str) or not 1 <= len(device_id) <= MAX_DEVICE_ID:
        raise BadRequest(f"field 'device_id' must be a string of 1 to {MAX_DEVICE_ID} characters")
    if not DEVICE_ID.fullmatch(device_id):
        raise BadRequest("field 'device_id' must be printable ASCII")
    if ("qr" in data) == ("code" in data):
        raise BadRequest("send exactly one of 'qr' (the scanned token) and 'code' (typed)")
    if "qr" in data:
        if not isinstance(data["qr"], str) or not data["qr"]:
            raise BadRequest("field 'qr' must be a non-empty string")
        return ScanBody(device_id=device_id, qr=data["qr"], queued_ms=queued)
    if not qr.is_code(data["code"]):
        raise BadRequest(f"field 'code' must be a string of {qr.CODE_DIGITS} digits")
    return ScanBody(device_id=device_id, code=data["code"], queued_ms=queued)


def queued_since(queued_ms: int | None, at: datetime, session: Session) -> datetime | None:
    """When the phone queued the scan: the server's time less how long the phone says
    it held it (a duration, so the phone's clock being off does not matter). None when
    that goes back to before the session opened: no code of it existed then, so the
    phone's clock jumped meanwhile (a phone asleep, a clock set by hand). It is evidence
    for a dispute, not part of the scan's verdict: the scan is judged as without it."""
    if queued_ms is None:
        return None
    queued_at = at - timedelta(milliseconds=queued_ms)
    if queued_at < session.starts_at:
        logs.warning(
            "queued_ms not believed: before the session opened",
            session_id=session.id,
            queued_ms=queued_ms,
        )
        return None
    return queued_at


def session_of_code(uid: str, code: str, at: datetime, seen: dict[str, Any]) -> Session:
    """The open session (of the student's courses) whose current or previous typed
    code this is."""
    try:
        with code_guesses().attempt(uid) as attempt:
            # A miss is checked again against fresh reads before it counts as a wrong
            # code: a session opened within the cache time must not refuse its own code.
            for fresh in (False, True):
                for session in lookup(directory().open_sessions_of_student, uid, fresh):
                    if qr.matches_code(
                        code, session.secret, session.id, session.rotation_seconds, at.timestamp()
                    ):
                        return session
            refusal = classify_code(uid, code, at, seen)
            if refusal is None:
                attempt.failed()  # only a code that was never shown counts as a guess
    except Refused:
        raise RateLimited("too many wrong codes: wait a few minutes, or scan the QR code") from None
    if refusal is not None:
        raise refusal
    raise QrInvalid("this code is not the one on the screen now")


#: How old a typed code may be and still be recognised (as expired, not wrong).
CODE_LOOKBACK_SECONDS = 300


def classify_code(uid: str, code: str, at: datetime, seen: dict[str, Any]) -> RequestError | None:
    """Why a typed code that matched none of the student's open sessions was refused,
    when it is a real code: of a session of a course the student is not enrolled in,
    of a closed session, or of an earlier window (each refused as a scanned QR code of
    the same kind would be, and recorded in that session's rejected list). None when
    no session of the institution showed it lately: a wrong code."""
    courses = set(lookup(directory().courses_of_student, uid))
    for session in lookup(directory().sessions_of_lately, at):
        back = CODE_LOOKBACK_SECONDS // session.rotation_seconds
        age = qr.code_age(
            code, session.secret, session.id, session.rotation_seconds, at.timestamp(), back
        )
        if age is None:
            continue
        seen["session_id"] = session.id
        if session.course_id not in courses:
            return NotEnrolled("you are not enrolled in this course")
        if not session.is_open(at):
            return SessionClosed("this session is not open for scans")
        return QrExpired("this code has expired: type the code on the screen now")
    return None


def record_rejection(
    seen: dict[str, Any],
    exc: RequestError,
    email: str | None = None,
    ends_at: datetime | None = None,
) -> None:
    """Record a rejected scan for the teacher, if it can be attributed; it expires some
    days after the session's end (``ends_at``: known as soon as the scan found its
    session; for a typed code refused for what it is, ``classify_code``'s session, read
    from the instance's cache; if that cannot be read, after the longest session
    starting now)."""
    session_id, uid = seen.get("session_id"), seen.get("uid")
    if not (session_id and uid):
        return
    at = now()
    try:
        if ends_at is None:
            session = directory().session(session_id)
            ends_at = session.ends_at if session is not None else None
    except Exception:  # the record matters more than its exact expiry
        ends_at = None
    latest = at + timedelta(minutes=contracts.DURATION_MINUTES.max)
    try:
        rejection_log().record(
            session_id,
            uid,
            seen.get("device_id"),
            exc.code,
            exc.message,
            at,
            email=email,
            expire_at=retention.rejection(ends_at or latest),
        )
    except Exception as error:  # the answer to the student matters more than the record
        logs.error(
            "could not record a rejected scan",
            error=repr(error),
            session_id=session_id,
            uid=uid,
            reason=exc.code,
        )


@cache
def device_registry() -> DeviceRegistry:
    return DeviceRegistry(clients.firestore_client())


@cache
def rejection_log() -> RejectionLog:
    return RejectionLog(clients.firestore_client())


@cache
def code_guesses() -> FailureLimiter:
    """Typed codes are 6 digits: a student gets CODE_FAILURES wrong ones per window of
    CODE_FAILURE_SECONDS (per instance, checks in flight included), which makes
    guessing hopeless."""
    return FailureLimiter(CODE_FAILURES, CODE_FAILURE_SECONDS)


def warm() -> None:
    """The clients and caches every scan uses (rollcall.http.router.warm)."""
    from firebase_admin import auth  # noqa: F401 (imported for its cost)

    clients.firebase_app()
    accounts.accounts()
    directory()
    device_registry()
    clients.publisher()
