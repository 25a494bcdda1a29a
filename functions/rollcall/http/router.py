"""The scan function's one router: every endpoint, its method, and what happens around
each request (CORS, the trace id, errors as JSON, one log line).


A handler gets the request and a ``Context``; it returns an ``Answer`` or raises a
``RequestError``, which becomes ``{"error": {"code", "message"}}`` with its status and
a ``<name> rejected`` log line (WARNING, ERROR for a 5xx) carrying what the handler had
learnt of the request by then (``Context.fields``). ``OPTIONS`` is the CORS preflight.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rollcall import contracts, logs, usage
from rollcall.config import settings
from rollcall.errors import MethodNotAllowed, NotFound, RequestError
from rollcall.http import (
    absences,
    admin,
    courses,
    disputes,
    exports,
    imports,
    mail,
    me,
    overrides,
    planned,
    privacy,
    reports,
    scan,
    sessions,
)
from rollcall.http.toolkit import Answer, Context, Headers

CORS_HEADERS = "Authorization, Content-Type"
Handler = Callable[[Any, Context], Answer]


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    method: str
    #: The log line's name (``<name> rejected``) and what the request sends, for a 405.
    name: str
    what: str
    handler: Handler


_ID = contracts.DOCUMENT_ID.pattern
ROUTES = (
    Route(re.compile(r"/"), "POST", "scan", "a scan", scan.handle),
    Route(re.compile(r"/overrides/?"), "POST", "override", "an override", overrides.handle),
    Route(re.compile(r"/sessions/?"), "POST", "open", "a session", sessions.handle_open),
    Route(re.compile(r"/sessions/close/?"), "POST", "close", "a close", sessions.handle_close),
    Route(re.compile(r"/time/?"), "GET", "time", "the time", sessions.handle_time),
    Route(re.compile(r"/today/?"), "GET", "today", "the day's sessions", planned.handle_today),
    Route(re.compile(r"/planned/cancel/?"), "POST", "planned", "a cancel", planned.handle_cancel),
    Route(re.compile(r"/planned/move/?"), "POST", "planned", "a move", planned.handle_move),
    Route(re.compile(r"/planned/add/?"), "POST", "planned", "a session", planned.handle_add),
    Route(
        re.compile(r"/imports/timetable/?"),
        "POST",
        "import",
        "a CSV file",
        imports.handle_timetable,
    ),
    Route(re.compile(r"/courses/settings/?"), "POST", "settings", "the settings", courses.handle),
    Route(re.compile(r"/me/claim/?"), "POST", "claim", "a claim", me.handle_claim),
    Route(re.compile(r"/me/guardian/?"), "GET", "guardian", "the consent", mail.handle_guardian),
    Route(
        re.compile(r"/me/guardian-consent/?"), "POST", "consent", "a consent", mail.handle_consent
    ),
    Route(
        re.compile(r"/mail/unsubscribe/?"),
        "GET",
        "unsubscribe",
        "an unsubscribe link",
        mail.handle_unsubscribe,
    ),
    Route(
        re.compile(r"/imports/courses/?"), "POST", "import", "a CSV file", imports.handle_courses
    ),
    Route(re.compile(r"/imports/roster/?"), "POST", "import", "a CSV file", imports.handle_roster),
    Route(
        re.compile(r"/admin/departments/?"),
        "POST",
        "department",
        "a department",
        admin.handle_department,
    ),
    Route(re.compile(r"/admin/terms/?"), "POST", "term", "a term", admin.handle_term),
    Route(
        re.compile(r"/admin/privacy/export/?"),
        "POST",
        "privacy",
        "an email",
        privacy.handle_export,
    ),
    Route(
        re.compile(r"/admin/privacy/erase/?"), "POST", "privacy", "an email", privacy.handle_erase
    ),
    Route(re.compile(r"/disputes/?"), "POST", "dispute", "a dispute", disputes.handle_file),
    Route(
        re.compile(r"/disputes/decide/?"), "POST", "decide", "a decision", disputes.handle_decide
    ),
    Route(
        re.compile(rf"/disputes/(?P<id>{_ID})/evidence/?"),
        "GET",
        "evidence",
        "the evidence",
        disputes.handle_evidence,
    ),
    Route(
        re.compile(r"/admin/settings/?"), "POST", "settings", "the settings", admin.handle_settings
    ),
    Route(re.compile(r"/requests/?"), "POST", "request", "a request", absences.handle_file),
    Route(
        re.compile(r"/requests/decide/?"), "POST", "decide", "a decision", absences.handle_decide
    ),
    Route(
        re.compile(rf"/requests/(?P<id>{_ID})/document"),
        "GET",
        "document",
        "a document",
        absences.handle_document,
    ),
    Route(
        re.compile(r"/reports/defaulters\.(?P<format>csv|pdf)"),
        "GET",
        "report",
        "a report",
        reports.handle_defaulters,
    ),
    Route(
        re.compile(r"/reports/department/?"),
        "GET",
        "report",
        "a report",
        reports.handle_department,
    ),
    Route(
        re.compile(rf"/exports/(?P<kind>sessions|courses|requests)/(?P<id>{_ID})\.csv"),
        "GET",
        "export",
        "an export",
        exports.handle,
    ),
)


def handle(request: Any) -> tuple[Any, int, Headers]:
    """Flask request in, Flask response tuple out."""
    usage.add(function_requests=1)
    headers = cors_headers(request.headers.get("Origin"))
    if request.method == "OPTIONS":
        return "", 204, headers
    context = Context(trace=logs.trace_id(request.headers.get("X-Cloud-Trace-Context")))
    route, match = find(request.path)
    name = route.name if route else "request"
    try:
        if route is None or match is None:
            raise NotFound(f"no such endpoint: {request.path}")
        if request.method != route.method:
            headers["Allow"] = f"{route.method}, OPTIONS"
            raise MethodNotAllowed(f"{request.method} is not allowed: {route.method} {route.what}")
        context.params = match.groupdict()
        answer = route.handler(request, context)
    except RequestError as exc:
        severity = "ERROR" if exc.status >= 500 else "WARNING"
        logs.log(
            severity,
            f"{name} rejected",
            reason=exc.code,
            detail=exc.message,
            trace=context.trace,
            **context.fields,
        )
        return exc.to_json(), exc.status, headers
    return answer.body, answer.status, {**headers, **answer.headers}


def find(path: str) -> tuple[Route | None, re.Match[str] | None]:
    """The route of ``path``; for an export path with a bad id, that route and no match
    (a 404 whatever the method)."""
    for route in ROUTES:
        match = route.pattern.fullmatch(path)
        if match:
            return route, match
    if path.startswith("/exports/"):
        return ROUTES[-1], None
    return None, None


def cors_headers(origin: str | None) -> Headers:
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


def warm() -> None:
    """Create at start-up what every scan uses, so the first requests of a burst do not
    queue behind imports and client set-up (cold start pays the same either way)."""
    scan.warm()
