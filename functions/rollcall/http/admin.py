"""The institution's admins set up departments and terms (rollcall.core.institution):

* ``POST /admin/departments`` ``{"code", "name", "heads": [emails]}``: create or replace
  a department and its heads (department admins). -> ``200`` the department.
* ``POST /admin/terms`` ``{"id", "name", "starts_on", "ends_on", "holidays"}``: create
  or replace a term; holidays are ``[{"date": "YYYY-MM-DD", "name"}]``. -> ``200``.

* ``POST /admin/settings`` ``{"document_required_after_days": n | null}``: the
  institution's settings (rollcall.core.institution.SETTINGS). -> ``200`` all of them.

Institution admins only (``forbidden`` otherwise); a bad value is ``bad_request`` naming
it, and nothing is written. ``rollcall department set`` and ``rollcall term set`` run
the same code.
"""

from __future__ import annotations

from typing import Any

from rollcall import clients, logs
from rollcall.clock import now
from rollcall.config import settings
from rollcall.core import access, institution
from rollcall.errors import BadRequest
from rollcall.http.toolkit import (
    ADMIN_BODY_BYTES,
    Answer,
    Context,
    lookup,
    require,
    signed_in_json,
)


def handle_department(request: Any, context: Context) -> Answer:
    data, uid = signed_in_json(request, {"code", "name", "heads"}, ADMIN_BODY_BYTES)
    require(access.MANAGE_INSTITUTION, uid, None, "only institution admins may set departments")
    heads = data.get("heads", [])
    if not isinstance(heads, list):
        raise BadRequest("field 'heads' must be a list of emails")
    try:
        doc = lookup(
            institution.set_department,
            clients.firestore_client(),
            data.get("code"),
            data.get("name"),
            heads,
            uid,
            now(),
            settings().local,
        )
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    logs.info("department set", department=doc["code"], by=uid, trace=context.trace)
    return Answer(_plain(doc), 200)


def handle_term(request: Any, context: Context) -> Answer:
    fields = {"id", "name", "starts_on", "ends_on", "holidays"}
    data, uid = signed_in_json(request, fields, ADMIN_BODY_BYTES)
    require(access.MANAGE_INSTITUTION, uid, None, "only institution admins may set terms")
    holidays = data.get("holidays", [])
    if not isinstance(holidays, list):
        raise BadRequest("field 'holidays' must be a list")
    try:
        doc = lookup(
            institution.set_term,
            clients.firestore_client(),
            data.get("id"),
            data.get("name"),
            data.get("starts_on"),
            data.get("ends_on"),
            holidays,
            uid,
            now(),
        )
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    logs.info("term set", term=data.get("id"), by=uid, trace=context.trace)
    return Answer({"id": data.get("id"), **_plain(doc)}, 200)


def handle_settings(request: Any, context: Context) -> Answer:
    data, uid = signed_in_json(request, set(institution.SETTINGS))
    require(access.MANAGE_INSTITUTION, uid, None, "only institution admins may change its settings")
    try:
        changes = institution.validate_settings(data)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    doc = lookup(institution.set_settings, clients.firestore_client(), changes, uid, now())
    logs.info("institution settings set", by=uid, trace=context.trace, **data)
    return Answer(doc, 200)


def _plain(doc: dict[str, Any]) -> dict[str, Any]:
    """The stored document as JSON (times as ISO 8601)."""
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in doc.items()}
