"""What every endpoint of the scan function uses, once: reading the request body, the
JSON object in it, the ids it names, who signed in, what they may do, and turning a
failed read of Firestore into the client's 503.

Each helper raises a ``RequestError`` (rollcall.errors) with a stable code; the router
(rollcall.http.router) turns it into the JSON answer and the log line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any, TypeVar

from rollcall import clients, contracts
from rollcall.config import settings
from rollcall.core import access
from rollcall.core.sessions import Directory
from rollcall.errors import (
    BadRequest,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    RequestError,
    Unauthenticated,
    Unavailable,
    UnsupportedMediaType,
)
from rollcall.http import accounts

T = TypeVar("T")
Headers = dict[str, str]


@dataclass
class Context:
    """One request's trace id, the parts of its path the route named (``params``), and
    the fields its log line carries (the handler adds what it learns: who, which
    session, ...)."""

    trace: str | None
    params: dict[str, str] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    body: Any
    status: int = 200
    headers: Headers = field(default_factory=dict)


@cache
def directory() -> Directory:
    """Cached reads of sessions and rosters, one per instance."""
    s = settings()
    return Directory(clients.firestore_client(), s.session_cache_seconds, s.roster_cache_seconds)


def lookup(read: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """A call to Firestore (or Auth) on a request's path; its failure is the client's
    503, not a 500."""
    try:
        return read(*args, **kwargs)
    except RequestError:
        raise
    except Exception as exc:  # Firestore down or slow: the client may retry
        raise Unavailable("could not check the request now, try again") from exc


#: Largest body of an administrator's JSON request (a term with its holidays).
ADMIN_BODY_BYTES = 64 * 1024


def read_body(request: Any, required: bool = True, limit: int | None = None) -> bytes:
    """The body, at most ``limit`` bytes (``max_body_bytes`` by default: what a scan
    needs), sent as ``application/json`` (or, unless ``required``, nothing at all)."""
    limit = limit or settings().max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"request body is over {limit} bytes")
    body: bytes = request.stream.read(limit + 1)
    if len(body) > limit:
        raise PayloadTooLarge(f"request body is over {limit} bytes")
    if not required and not body:
        return body
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("send the request as application/json")
    return body


def json_object(body: bytes, fields: set[str]) -> dict[str, Any]:
    """The request body as a JSON object with no field outside ``fields``. Whatever its
    shape within the size limit (nested a thousand levels deep, a number of 4,000
    digits, ``NaN``), a body that is not such an object is ``bad_request``."""
    try:
        data = json.loads(body, parse_constant=_no_constant)
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError, int digits
        raise BadRequest("body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    unknown = set(data) - fields
    if unknown:
        raise BadRequest(f"unknown field(s): {', '.join(sorted(unknown))}")
    return data


def _no_constant(name: str) -> None:
    """``NaN``, ``Infinity`` and ``-Infinity`` are not JSON."""
    raise ValueError(f"{name} is not JSON")


def id_field(data: dict[str, Any], name: str) -> str:
    """``data[name]``, which must be a document id (contracts: ``ids``)."""
    value = data.get(name)
    if not contracts.is_document_id(value):
        raise BadRequest(f"field {name!r} must be an id")
    assert isinstance(value, str)
    return value


#: Free text a person types (an override's reason, a dispute's note, a decision's
#: comment): no control characters, storable as UTF-8.
_TEXT = re.compile(r"[^\x00-\x1f\x7f]+")
_LINES = re.compile(r"[^\x00-\x08\x0b-\x1f\x7f]+")  # tab and line feed allowed


def text_field(
    data: Mapping[str, Any], name: str, limit: int, required: bool = True, lines: bool = False
) -> str:
    """``data[name]``: text of 1 to ``limit`` characters without control characters
    (but tabs and line breaks, CRLF and CR made LF, when ``lines``), stripped ("" when
    it is not ``required`` and absent or blank)."""
    value = data.get(name)
    if not required and (value is None or (isinstance(value, str) and not value.strip())):
        return ""
    if lines and isinstance(value, str):  # a form sends a textarea's line breaks as CRLF
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise BadRequest(f"field {name!r} must be text of 1 to {limit} characters")
    if not (_LINES if lines else _TEXT).fullmatch(value) or not _utf8(value):
        raise BadRequest(f"field {name!r} must be text without control characters")
    return value.strip()


def _utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:  # lone surrogates: not storable text
        return False
    return True


def path_id(value: str, what: str) -> str:
    """An id named in the request's path; not a document id: ``not_found``."""
    if not contracts.is_document_id(value):
        raise NotFound(f"no such {what}")
    return value


@dataclass(frozen=True)
class Identity:
    """Who signed in: the uid, and the email their token states (verified or not)."""

    uid: str
    email: str | None
    email_verified: bool


def authenticate(request: Any) -> str:
    """The uid of a valid Firebase ID token in ``Authorization: Bearer <token>``, whose
    account is neither disabled nor deleted and whose sessions were not revoked since
    the token was issued (rollcall.http.accounts)."""
    return identify(request).uid


def identify(request: Any) -> Identity:
    """Who sent the request (see ``authenticate``)."""
    from firebase_admin import auth

    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("sign in first: no Firebase ID token in Authorization")
    try:
        claims = auth.verify_id_token(token.strip(), app=clients.firebase_app())
    except auth.CertificateFetchError as exc:
        raise Unavailable("cannot check the sign-in now, try again") from exc
    except (ValueError, auth.InvalidIdTokenError, auth.UserDisabledError):
        raise Unauthenticated("sign-in is invalid or expired: sign in again") from None
    uid: str = claims["uid"]
    try:
        account = accounts.accounts().submit(uid, None)
    except Exception as exc:  # Auth down or slow: the client may retry
        raise Unavailable("cannot check the sign-in now, try again") from exc
    if account is None or not account.admits(claims):
        raise Unauthenticated("this sign-in is no longer valid (account disabled or signed out)")
    email = claims.get("email")
    return Identity(
        uid, email if isinstance(email, str) else None, claims.get("email_verified") is True
    )


def read_upload(request: Any) -> bytes:
    """An uploaded CSV file (``text/csv``), at most the imports' limit."""
    from rollcall.core.imports.table import MAX_BYTES

    if request.content_length is not None and request.content_length > MAX_BYTES:
        raise PayloadTooLarge(f"the file is over {MAX_BYTES // (1024 * 1024)} MB")
    body: bytes = request.stream.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise PayloadTooLarge(f"the file is over {MAX_BYTES // (1024 * 1024)} MB")
    if request.mimetype != "text/csv":
        raise UnsupportedMediaType("send the file as text/csv")
    return body


#: Longest ``text`` query parameter, and what it may not hold (docs/openapi.yaml says
#: the same).
TEXT_PARAM_MAX = 64
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


#: A token of an emailed link (rollcall.core.mail): base64url, a dot, hex.
_TOKEN = re.compile(r"[A-Za-z0-9_=-]{1,400}\.[0-9a-f]{1,64}")


def query(request: Any, allowed: dict[str, str]) -> dict[str, str]:
    """The query parameters, each at most once and known: name -> kind, one of ``id``,
    ``flag`` (true/false), ``count`` (a whole number), ``day`` (YYYY-MM-DD), ``text``
    (a short name as people write it: a division) and ``token`` (an emailed link's)."""
    args = request.args
    unknown = set(args) - set(allowed)
    if unknown:
        raise BadRequest(f"unknown parameter(s): {', '.join(sorted(unknown))}")
    found: dict[str, str] = {}
    for name, kind in allowed.items():
        values = args.getlist(name)
        if not values:
            continue
        if len(values) > 1:
            raise BadRequest(f"parameter {name!r} given twice")
        value = values[0]
        valid = {
            "id": contracts.is_document_id(value),
            "flag": value in ("true", "false"),
            "count": value.isascii() and value.isdigit() and len(value) <= 12,
            "day": is_day(value),
            "text": 0 < len(value) <= TEXT_PARAM_MAX and not _CONTROL.search(value),
            "token": bool(_TOKEN.fullmatch(value)),
        }[kind]
        if not valid:
            expected = {
                "id": "an id",
                "flag": "true or false",
                "count": "a whole number",
                "day": "a date, YYYY-MM-DD",
                "text": f"text of 1 to {TEXT_PARAM_MAX} characters, no control characters",
                "token": "a link's token",
            }[kind]
            raise BadRequest(f"parameter {name!r} must be {expected}")
        found[name] = value
    return found


def is_day(value: str) -> bool:
    """Whether ``value`` is a calendar day written YYYY-MM-DD."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def signed_in_json(
    request: Any, fields: set[str], limit: int | None = None
) -> tuple[dict[str, Any], str]:
    """A POST's JSON object (size, media type and fields checked) and who sent it."""
    body = read_body(request, limit=limit)
    uid = authenticate(request)
    return json_object(body, fields), uid


def role_in(uid: str, course: access.Course | None) -> str:
    """For the access trail: the course role that let ``uid`` in, else the role above
    it that did (an institution or department admin)."""
    role = course.roles.get(uid) if course is not None else None
    return role or "admin or head"


def require(action: str, uid: str, course_id: str | None, refusal: str) -> access.Course | None:
    """``uid`` may take ``action`` on the course (rollcall.core.access), or
    ``forbidden`` with ``refusal`` as its message; so is any request about a course
    that does not exist. ``course_id`` None: an action on the institution. Returns the
    course as read."""
    institution_wide = (access.MANAGE_INSTITUTION, access.MANAGE_COURSES, access.DATA_REQUESTS)
    if course_id is None and action not in institution_wide:
        raise Forbidden(refusal)
    permitted, course = lookup(access.decide, clients.firestore_client(), uid, action, course_id)
    if not permitted:
        raise Forbidden(refusal)
    return course
