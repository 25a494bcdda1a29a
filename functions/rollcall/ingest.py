"""The scan endpoint: check who scans and what they scanned, publish, answer at once.

Checks, in order; the first that fails answers its stable error and nothing is
published: method, body size, media type, Firebase ID token, body shape, QR token
(format, genuine MAC, window), session open, student enrolled. Then a ScanEvent is
published to topic ``scans`` and the answer is ``202 {"scan_id", "status"}``; the
consumers do the rest.
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from typing import Any

from rollcall import clients, logs, qr
from rollcall.config import settings
from rollcall.errors import (
    BadRequest,
    MethodNotAllowed,
    NotEnrolled,
    PayloadTooLarge,
    QrInvalid,
    RequestError,
    SessionClosed,
    Unauthenticated,
    Unavailable,
    UnsupportedMediaType,
)
from rollcall.events import ScanEvent, now
from rollcall.sessions import Directory

MAX_DEVICE_ID = 128
PUBLISH_TIMEOUT_SECONDS = 10
CORS_HEADERS = "Authorization, Content-Type"


@cache
def directory() -> Directory:
    s = settings()
    return Directory(clients.firestore_client(), s.session_cache_seconds, s.roster_cache_seconds)


def handle(request: Any) -> tuple[Any, int, dict[str, str]]:
    """Flask request in, Flask response tuple out."""
    headers = cors_headers(request.headers.get("Origin"))
    if request.method == "OPTIONS":
        return "", 204, headers
    trace = logs.trace_id(request.headers.get("X-Cloud-Trace-Context"))
    try:
        event = accept(request)
    except RequestError as exc:
        if exc.status == 405:
            headers["Allow"] = "POST, OPTIONS"
        severity = "ERROR" if exc.status >= 500 else "WARNING"
        logs.log(severity, "scan rejected", reason=exc.code, detail=exc.message, trace=trace)
        return exc.to_json(), exc.status, headers
    logs.info(
        "scan accepted",
        scan_id=event.scan_id,
        session_id=event.session_id,
        uid=event.uid,
        status=event.status,
        trace=trace,
    )
    return {"scan_id": event.scan_id, "status": event.status}, 202, headers


def accept(request: Any) -> ScanEvent:
    """Validate a scan request and publish its event, or raise a RequestError."""
    if request.method != "POST":
        raise MethodNotAllowed(f"{request.method} is not allowed: POST a scan")
    body = read_body(request)
    uid = authenticate(request.headers.get("Authorization"))
    qr_token, device_id = parse_body(body)
    token = qr.parse(qr_token)

    try:
        session = directory().session(token.session_id)
    except Exception as exc:  # Firestore down or slow: the client may retry
        raise Unavailable("session lookup failed, try again") from exc
    if session is None:
        raise QrInvalid("QR code is not genuine")
    at = now()
    qr.verify(token, session.secret, session.rotation_seconds, at.timestamp())
    if not session.is_open(at):
        raise SessionClosed("this session is not open for scans")
    try:
        enrolled = directory().is_enrolled(session.course_id, uid)
    except Exception as exc:
        raise Unavailable("roster lookup failed, try again") from exc
    if not enrolled:
        raise NotEnrolled("you are not enrolled in this course")

    event = ScanEvent(
        scan_id=uuid.uuid4().hex,
        session_id=session.id,
        course_id=session.course_id,
        uid=uid,
        status=session.attendance_status(at),
        scanned_at=at,
        device_id=device_id,
    )
    publish(event)
    return event


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


def parse_body(body: bytes) -> tuple[str, str]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadRequest("body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    unknown = set(data) - {"qr", "device_id"}
    if unknown:
        raise BadRequest(f"unknown field(s): {', '.join(sorted(unknown))}")
    qr_token, device_id = data.get("qr"), data.get("device_id")
    if not isinstance(qr_token, str) or not qr_token:
        raise BadRequest("field 'qr' (string) is required")
    if not isinstance(device_id, str) or not 1 <= len(device_id) <= MAX_DEVICE_ID:
        raise BadRequest(f"field 'device_id' must be a string of 1 to {MAX_DEVICE_ID} characters")
    if not device_id.isprintable():
        raise BadRequest("field 'device_id' must be printable text")
    return qr_token, device_id


def publish(event: ScanEvent) -> None:
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
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": CORS_HEADERS,
        "Access-Control-Max-Age": "3600",
        "Vary": "Origin",
    }
