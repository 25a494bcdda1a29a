"""The department's reports, for the department's admins (heads) and the institution's
admins only:

* ``GET /reports/defaulters.csv`` and ``GET /reports/defaulters.pdf``
  ``?department=D[&division=X]&as_of=YYYY-MM-DD``: the defaulter list
  (rollcall.core.reports) as a download. ``rollcall report defaulters`` gives the same
  files.
* ``GET /reports/department?department=D[&division=X][&as_of=YYYY-MM-DD][&course=C]``:
  the department view's JSON (rollcall.core.department): each course's attendance
  session by session, the counts per state, and with ``course`` that course's students
  x sessions grid. ``as_of`` defaults to today in ``TIME_ZONE``.

Errors: ``bad_request`` (a parameter missing, unknown, twice, or not a date),
``forbidden`` (not an admin of the department; also for a department that does not
exist, unless one is an institution admin), ``not_found`` (no such department or
division, or a course not in the view), ``outside_term`` (no term of the department's
courses includes the date).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from rollcall import clients, logs
from rollcall.clock import now
from rollcall.config import settings
from rollcall.core import access, department, report_pdf, reports
from rollcall.errors import BadRequest, Forbidden
from rollcall.http.toolkit import Answer, Context, authenticate, lookup, query

PARAMS = {"department": "id", "division": "text", "as_of": "day"}
VIEW_PARAMS = {**PARAMS, "course": "id"}
TYPES = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}


def _allowed(
    request: Any, context: Context, names: dict[str, str], required: tuple[str, ...]
) -> tuple[str, dict[str, str], Any]:
    """The signed-in person, the parameters, and Firestore, once the person may see the
    department's reports."""
    uid = authenticate(request)
    params = query(request, names)
    context.fields.update(by=uid, department=params.get("department"))
    for name in required:
        if name not in params:
            raise BadRequest(f"parameter {name!r} is required")
    db = clients.firestore_client()
    if not lookup(
        access.decide_department, db, uid, access.REPORT_DEPARTMENT, params["department"]
    ):
        raise Forbidden("only the department's admins and institution admins may see its reports")
    return uid, params, db


def handle_department(request: Any, context: Context) -> Answer:
    uid, params, db = _allowed(request, context, VIEW_PARAMS, ("department",))
    tz = settings().time_zone
    day = (
        date.fromisoformat(params["as_of"])
        if "as_of" in params
        else now().astimezone(ZoneInfo(tz)).date()
    )
    view = lookup(
        department.build,
        db,
        params["department"],
        params.get("division"),
        day,
        tz,
        params.get("course"),
    )
    logs.taken(
        "department_view",
        by=uid,
        role="admin or head",
        rows=len(view["courses"]),
        department=params["department"],
        division=params.get("division"),
        course_id=params.get("course"),
        as_of=day.isoformat(),
        trace=context.trace,
    )
    return Answer(view, 200, {"Cache-Control": "no-store"})


def handle_defaulters(request: Any, context: Context) -> Answer:
    form = context.params["format"]
    uid, params, db = _allowed(request, context, PARAMS, ("department", "as_of"))
    department_id = params["department"]
    day = date.fromisoformat(params["as_of"])
    tz = settings().time_zone
    report = lookup(reports.build, db, department_id, params.get("division"), day, tz)
    if form == "csv":
        body: str | bytes = report.csv()
    else:
        body = report_pdf.render(report, settings().institution_name, now(), tz)
    logs.taken(
        f"defaulters_{form}",
        by=uid,
        role="admin or head",
        rows=len(report.rows),
        department=department_id,
        division=params.get("division"),
        as_of=day.isoformat(),
        trace=context.trace,
    )
    name = f"defaulters-{department_id}" + (
        f"-{_safe(params['division'])}" if "division" in params else ""
    )
    return Answer(
        body,
        200,
        {
            "Content-Type": TYPES[form],
            "Content-Disposition": f'attachment; filename="{name}-{day.isoformat()}.{form}"',
            "Cache-Control": "no-store",
        },
    )


def _safe(text: str) -> str:
    return "".join(c if c.isascii() and c.isalnum() else "-" for c in text)[:40]
