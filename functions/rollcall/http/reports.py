"""``GET /reports/defaulters.csv`` and ``GET /reports/defaulters.pdf``
``?department=D[&division=X]&as_of=YYYY-MM-DD``: the defaulter list
(rollcall.core.reports) as a download, for the department's admins (heads) and the
institution's admins only. ``rollcall report defaulters`` gives the same files.

Errors: ``bad_request`` (a parameter missing, unknown, twice, or not a date),
``forbidden`` (not an admin of the department; also for a department that does not
exist, unless one is an institution admin), ``not_found`` (no such department or
division), ``outside_term`` (no term of the department's courses includes the date).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rollcall import clients, logs
from rollcall.clock import now
from rollcall.config import settings
from rollcall.core import access, report_pdf, reports
from rollcall.errors import BadRequest, Forbidden
from rollcall.http.toolkit import Answer, Context, authenticate, lookup, query

PARAMS = {"department": "id", "division": "text", "as_of": "day"}
TYPES = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}


def handle_defaulters(request: Any, context: Context) -> Answer:
    form = context.params["format"]
    uid = authenticate(request)
    params = query(request, PARAMS)
    context.fields.update(by=uid, department=params.get("department"))
    for name in ("department", "as_of"):
        if name not in params:
            raise BadRequest(f"parameter {name!r} is required")
    department = params["department"]
    db = clients.firestore_client()
    if not lookup(access.decide_department, db, uid, access.REPORT_DEPARTMENT, department):
        raise Forbidden("only the department's admins and institution admins may see its reports")
    day = date.fromisoformat(params["as_of"])
    tz = settings().time_zone
    report = lookup(reports.build, db, department, params.get("division"), day, tz)
    if form == "csv":
        body: str | bytes = report.csv()
    else:
        body = report_pdf.render(report, settings().institution_name, now(), tz)
    logs.info(
        "report made",
        report="defaulters",
        format=form,
        department=department,
        division=params.get("division"),
        as_of=day.isoformat(),
        students=len(report.rows),
        by=uid,
        trace=context.trace,
    )
    name = f"defaulters-{department}" + (
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
