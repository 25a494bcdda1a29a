"""``POST /courses/settings`` ``{"course_id", <setting>: <value>, ...}``: the course's
attendance rules (rollcall.core.standing.SETTINGS), validated strictly; they apply to
each student's figures from their next change. -> ``200 {"course_id", "rules"}``.
"""

from __future__ import annotations

from typing import Any

from rollcall import clients, logs
from rollcall.core import access, schema, standing
from rollcall.errors import BadRequest
from rollcall.http.toolkit import Answer, Context, id_field, lookup, require, signed_in_json


def handle(request: Any, context: Context) -> Answer:
    data, teacher = signed_in_json(request, {"course_id", *standing.SETTINGS})
    course_id = id_field(data, "course_id")
    del data["course_id"]
    try:
        changes = standing.validate_settings(data)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    require(
        access.CHANGE_RULES, teacher, course_id, "only this course's teachers may change its rules"
    )
    ref = schema.course(clients.firestore_client(), course_id)
    if changes:
        lookup(ref.update, changes)
    doc = lookup(ref.get).to_dict() or {}
    rules = standing.Rules.from_course(doc).describe()
    logs.info(
        "course settings changed", course_id=course_id, by=teacher, trace=context.trace, **changes
    )
    return Answer({"course_id": course_id, "rules": rules}, 200)
