"""The scan endpoint: check who scans and what they scanned, publish, answer at once.

Checks, in order; the first that fails answers its stable error and nothing is
published: method, body size, media type, Firebase ID token, body shape, QR token
(format, genuine MAC, window) or typed code, session open, student enrolled, device
not bound to another student. Then a ScanEvent is published to topic ``scans`` and the
answer is ``202 {"scan_id", "status"}``; the consumers do the rest. A rejection that can
be attributed (student and session known) is recorded for the teacher
(rollcall.rejections).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from rollcall import clients, logs, qr
from rollcall.config import settings
from rollcall.devices import DeviceRegistry
from rollcall.errors import (
    BadRequest,
    MethodNotAllowed,
    NotEnrolled,
    NotFound,
    PayloadTooLarge,
    QrInvalid,
    RateLimited,
    RequestError,
    SessionClosed,
    Unauthenticated,
    Unavailable,
    UnsupportedMediaType,
)
from rollcall.events import CloseSession, ScanEvent, now
from rollcall.ratelimit import FailureLimiter
from rollcall.rejections import RejectionLog
from rollcall.sessions import Directory, Session

T = TypeVar("T")
MAX_DEVICE_ID = 128
DEVICE_ID = re.compile(r"[\x20-\x7e]{1,128}")
CODE_FAILURES = 10
CODE_FAILURE_SECONDS = 300
PUBLISH_TIMEOUT_SECONDS = 10
CORS_HEADERS = "Authorization, Content-Type"


@cache
def directory() -> Directory:
    s = settings()
    return Directory(clients.firestore_client(), s.session_cache_seconds, s.roster_cache_seconds)


@cache
def device_registry() -> DeviceRegistry:
    return DeviceRegistry(clients.firestore_client())


@cache
def rejection_log() -> RejectionLog:
    return RejectionLog(clients.firestore_client())


@cache
def code_guesses() -> FailureLimiter:
    """Typed codes are 6 digits: a student gets CODE_FAILURES wrong ones per window of
    CODE_FAILURE_SECONDS (per instance), which makes guessing hopeless."""
    return FailureLimiter(CODE_FAILURES, CODE_FAILURE_SECONDS)


@dataclass
class Attempt:
    """What is known about a scan so far: enough, on rejection, to record it."""

    uid: str | None = None
    device_id: str | None = None
    session_id: str | None = None


def handle(request: Any) -> tuple[Any, int, dict[str, str]]:
    """Flask request in, Flask response tuple out: ``/`` scans, ``/overrides`` a
    teacher's override (rollcall.overrides), ``/sessions/close``, ``/exports/...`` and
    ``/courses/settings`` the teacher's close, CSV exports and course rules
    (rollcall.teaching)."""
    headers = cors_headers(request.headers.get("Origin"))
    if request.method == "OPTIONS":
        return "", 204, headers
    trace = logs.trace_id(request.headers.get("X-Cloud-Trace-Context"))
    path = request.path.rstrip("/")
    if path == "/overrides":
        from rollcall import overrides

        return overrides.handle(request, headers, trace)
    if path == "/sessions/close":
        from rollcall import teaching

        return teaching.handle_close(request, headers, trace)
    if path.startswith("/exports/"):
        from rollcall import teaching

        return teaching.handle_export(request, headers, trace)
    if path == "/courses/settings":
        from rollcall import teaching

        return teaching.handle_settings(request, headers, trace)
    attempt = Attempt()
    try:
        if request.path != "/":
            raise NotFound(f"no such endpoint: {request.path}")
        event = accept(request, attempt)
    except RequestError as exc:
        record_rejection(attempt, exc)
        return rejected(
            "scan rejected",
            exc,
            headers,
            trace,
            session_id=attempt.session_id,
            uid=attempt.uid,
            device_id=attempt.device_id,
        )
    logs.info(
        "scan accepted",
        scan_id=event.scan_id,
        session_id=event.session_id,
        uid=event.uid,
        status=event.status,
        device_id=event.device_id,
        trace=trace,
    )
    body = {"scan_id": event.scan_id, "status": event.status, "session_id": event.session_id}
    return body, 202, headers


def rejected(
    what: str, exc: RequestError, headers: dict[str, str], trace: str | None, **fields: Any
) -> tuple[Any, int, dict[str, str]]:
    """Log a rejection (ERROR when it is our fault, 5xx) and answer its JSON error."""
    if exc.status == 405:
        headers["Allow"] = "POST, OPTIONS"
    severity = "ERROR" if exc.status >= 500 else "WARNING"
    logs.log(severity, what, reason=exc.code, detail=exc.message, trace=trace, **fields)
    return exc.to_json(), exc.status, headers


def accept(request: Any, attempt: Attempt) -> ScanEvent:
    """Validate a scan request and publish its event, or raise a RequestError."""
    if request.method != "POST":
        raise MethodNotAllowed(f"{request.method} is not allowed: POST a scan")
    body = read_body(request)
    attempt.uid = uid = authenticate(request.headers.get("Authorization"))
    scanned = parse_body(body)
    attempt.device_id = scanned.device_id
    at = now()
    if scanned.qr is not None:
        token = qr.parse(scanned.qr)
        session = lookup(directory().session, token.session_id)
        if session is None:
            raise QrInvalid("QR code is not genuine")
        attempt.session_id = session.id
        qr.verify(token, session.secret, session.rotation_seconds, at.timestamp())
    else:
        session = session_of_code(uid, scanned.code, at)
        attempt.session_id = session.id
    if not session.is_open(at):
        raise SessionClosed("this session is not open for scans")
    if not lookup(directory().is_enrolled, session.course_id, uid):
        raise NotEnrolled("you are not enrolled in this course")
    lookup(device_registry().claim, session.id, scanned.device_id, uid)

    event = ScanEvent(
        scan_id=uuid.uuid4().hex,
        session_id=session.id,
        course_id=session.course_id,
        uid=uid,
        status=session.attendance_status(at),
        scanned_at=at,
        device_id=scanned.device_id,
    )
    publish(event)
    return event


def session_of_code(uid: str, code: str, at: datetime) -> Session:
    """The open session (of the student's courses) whose current or previous typed
    code this is."""
    if code_guesses().blocked(uid):
        raise RateLimited("too many wrong codes: wait a few minutes, or scan the QR code")
    # A miss is checked again against fresh reads before it counts as a wrong code:
    # a session opened within the cache time must not refuse its own code.
    for fresh in (False, True):
        for session in lookup(directory().open_sessions_of_student, uid, fresh):
            if qr.matches_code(
                code, session.secret, session.id, session.rotation_seconds, at.timestamp()
            ):
                return session
    code_guesses().fail(uid)
    raise QrInvalid("this code is not the one on the screen now")


def lookup(read: Callable[..., T], *args: Any) -> T:
    """A Firestore read on the scan path; its failure is the client's 503, not a 500."""
    try:
        return read(*args)
    except RequestError:
        raise
    except Exception as exc:  # Firestore down or slow: the client may retry
        raise Unavailable("could not check the scan now, try again") from exc


def record_rejection(attempt: Attempt, exc: RequestError) -> None:
    if not (attempt.session_id and attempt.uid):
        return
    try:
        rejection_log().record(
            attempt.session_id, attempt.uid, attempt.device_id, exc.code, exc.message, now()
        )
    except Exception as error:  # the answer to the student matters more than the record
        logs.error(
            "could not record a rejected scan",
            error=repr(error),
            session_id=attempt.session_id,
            uid=attempt.uid,
            reason=exc.code,
        )


def read_body(request: Any) -> bytes:
    limit = settings().max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"request body is over {limit} bytes")
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        raise PayloadTooLarge(f"request body is over {limit} bytes")
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("send the scan as application/json")
    return body


def authenticate(header: str | None) -> str:
    """The uid of a valid Firebase ID token in ``Authorization: Bearer <token>``."""
    from firebase_admin import auth

    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("sign in first: no Firebase ID token in Authorization")
    try:
        claims = auth.verify_id_token(token.strip(), app=clients.firebase_app())
    except auth.CertificateFetchError as exc:
        raise Unavailable("cannot check the sign-in now, try again") from exc
    except (ValueError, auth.InvalidIdTokenError, auth.UserDisabledError):
        raise Unauthenticated("sign-in is invalid or expired: sign in again") from None
    return claims["uid"]


@dataclass(frozen=True)
class ScanBody:
    device_id: str
    qr: str | None = None
    code: str | None = None


def json_object(body: bytes, fields: set[str]) -> dict[str, Any]:
    """The request body as a JSON object with no field outside ``fields``."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadRequest("body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    unknown = set(data) - fields
    if unknown:
        raise BadRequest(f"unknown field(s): {', '.join(sorted(unknown))}")
    return data


#: Document ids in request bodies (sessions, courses, students).
ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


def id_field(data: dict[str, Any], name: str) -> str:
    """``data[name]``, which must be a document id."""
    value = data.get(name)
    if not isinstance(value, str) or not ID.fullmatch(value):
        raise BadRequest(f"field {name!r} must be an id")
    return value


def posted_by(request: Any, what: str) -> tuple[bytes, str]:
    """A teacher's POST: its body (size and media type checked) and the signed-in uid."""
    if request.method != "POST":
        raise MethodNotAllowed(f"{request.method} is not allowed: POST {what}")
    body = read_body(request)
    return body, authenticate(request.headers.get("Authorization"))


def parse_body(body: bytes) -> ScanBody:
    """``{"qr": token, "device_id": ...}`` or ``{"code": "123456", "device_id": ...}``."""
    data = json_object(body, {"qr", "code", "device_id"})
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
        return ScanBody(device_id=device_id, qr=data["qr"])
    if not qr.is_code(data["code"]):
        raise BadRequest(f"field 'code' must be a string of {qr.CODE_DIGITS} digits")
    return ScanBody(device_id=device_id, code=data["code"])


def publish(event: ScanEvent | CloseSession) -> None:
    data, attributes = event.encode()
    topic = clients.topic_path(settings().scan_topic)
    try:
        clients.publisher().publish(topic, data, **attributes).result(PUBLISH_TIMEOUT_SECONDS)
    except Exception as exc:
        raise Unavailable("could not record the scan now, try again") from exc


def cors_headers(origin: str | None) -> dict[str, str]:
    if not origin or origin not in settings().cors_origins:
        return {"Vary": "Origin"}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Expose-Headers": "Content-Disposition",
        "Access-Control-Allow-Headers": CORS_HEADERS,
        "Access-Control-Max-Age": "3600",
        "Vary": "Origin",
    }
