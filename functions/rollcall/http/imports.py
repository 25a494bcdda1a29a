"""Imports of the institution's files (rollcall.core.imports), uploaded as ``text/csv``:

* ``POST /imports/courses[?dry_run=true][&base=N]``: the courses of a term. Institution
  admins; a department admin for the rows of their departments.
* ``POST /imports/roster?course_id=C[&dry_run=true][&base=N]``: a course's students.
  Institution admins and the admins of the course's department.
* ``POST /imports/timetable?term_id=T[&dry_run=true][&base=N]``: a term's weekly
  timetable, which becomes its planned sessions (rollcall.core.imports.timetable).
  Institution and department admins.

``dry_run=true`` previews: ``200`` and the report (rows added, changed, removed; every
error with its line, column and reason), nothing written. Without it the file is
applied, all or nothing: ``200`` and the report; ``422 import_invalid`` with the report
if the file has any error; ``409 conflict`` while another import of the same runs, or
if ``base`` (the preview's ``base``) is given and the stored state changed since. The
CLI (``rollcall import ...``) runs the same code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rollcall import clients, logs
from rollcall.clock import now
from rollcall.config import settings
from rollcall.core import access
from rollcall.core.imports import courses, roster, timetable
from rollcall.core.imports.plan import Report
from rollcall.errors import BadRequest, Forbidden
from rollcall.http.toolkit import Answer, Context, authenticate, lookup, query, read_upload, require

PARAMS = {"dry_run": "flag", "base": "count"}


def handle_courses(request: Any, context: Context) -> Answer:
    params = query(request, PARAMS)
    data = read_upload(request)
    uid = authenticate(request)
    context.fields["uid"] = uid
    db = clients.firestore_client()
    admin, heads = lookup(access.institution_roles, db, uid)
    if not admin and not heads:
        raise Forbidden("only institution and department admins may import courses")
    departments = None if admin else heads
    local = settings().local
    report = _preview_or_apply(
        params,
        lambda: courses.preview(db, data, departments, local),
        lambda base: courses.apply(
            db, data, uid, departments=departments, base=base, test_domains=local, at=now()
        ),
    )
    return _answer(report, uid, context)


def handle_roster(request: Any, context: Context) -> Answer:
    params = query(request, {"course_id": "id", **PARAMS})
    data = read_upload(request)
    uid = authenticate(request)
    context.fields["uid"] = uid
    course_id = params.get("course_id")
    if course_id is None:
        raise BadRequest("parameter 'course_id' is required")
    context.fields["course_id"] = course_id
    require(
        access.IMPORT_ROSTER,
        uid,
        course_id,
        "only admins of this course's department may import its roster",
    )
    db = clients.firestore_client()
    local = settings().local
    report = _preview_or_apply(
        params,
        lambda: roster.preview(db, course_id, data, local),
        lambda base: roster.apply(
            db, course_id, data, uid, base=base, test_domains=local, at=now()
        ),
    )
    return _answer(report, uid, context)


def handle_timetable(request: Any, context: Context) -> Answer:
    params = query(request, {"term_id": "id", **PARAMS})
    data = read_upload(request)
    uid = authenticate(request)
    context.fields["uid"] = uid
    term_id = params.get("term_id")
    if term_id is None:
        raise BadRequest("parameter 'term_id' is required")
    db = clients.firestore_client()
    admin, heads = lookup(access.institution_roles, db, uid)
    if not admin and not heads:
        raise Forbidden("only institution and department admins may import a timetable")
    tz, at = settings().time_zone, now()
    departments = None if admin else heads
    report = _preview_or_apply(
        params,
        lambda: timetable.preview(db, term_id, data, tz, at, departments=departments),
        lambda base: timetable.apply(
            db, term_id, data, uid, tz, at=at, base=base, departments=departments
        ),
    )
    return _answer(report, uid, context)


def _preview_or_apply(
    params: dict[str, str],
    preview: Callable[[], Report],
    apply: Callable[[int | None], Report],
) -> Report:
    """``dry_run=true``: the preview; else the apply, held to ``base`` if given."""
    if params.get("dry_run") == "true":
        return lookup(preview)
    return lookup(apply, int(params["base"]) if "base" in params else None)


def _answer(report: Report, uid: str, context: Context) -> Answer:
    counts = report.to_json()["counts"]
    logs.info(
        "import applied" if report.applied else "import previewed",
        kind=report.kind,
        target=report.target,
        by=uid,
        import_id=report.import_id,
        trace=context.trace,
        **counts,
    )
    return Answer(report.to_json(), 200)
