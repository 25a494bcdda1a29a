"""A data subject's requests, for institution admins only (rollcall.core.privacy,
decision 0029):

* ``POST /admin/privacy/export`` ``{"email"}``: everything Rollcall holds about the
  person, as one zip (``person.json``, the CSVs, the request documents). -> ``200``
  ``application/zip``.
* ``POST /admin/privacy/erase`` ``{"email"}``: delete it, and their account. -> ``200``
  ``{"status": "erased", "erased": {"documents", "files", "accounts"}}``.

Anyone else: ``forbidden`` (before the email is even looked at). An email nobody holds:
``not_found``, nothing changed; someone on a course's staff: ``conflict`` (erase only).
Each writes one line of the access trail (``data taken``, ``what``: ``privacy_export``
or ``privacy_erase``, ``subject``: the email's key, never the email). ``rollcall
privacy export|erase`` calls these.
"""

from __future__ import annotations

from typing import Any

from rollcall import clients, logs
from rollcall.clock import now
from rollcall.core import access, privacy, schema
from rollcall.errors import BadRequest
from rollcall.http.toolkit import Answer, Context, lookup, require, signed_in_json


def _subject(request: Any, context: Context, doing: str) -> tuple[str, str]:
    data, uid = signed_in_json(request, {"email"})
    context.fields["by"] = uid
    require(access.DATA_REQUESTS, uid, None, f"only institution admins may {doing}")
    try:
        email = privacy.normal(data.get("email"))
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    context.fields["subject"] = schema.email_key(email)
    return uid, email


def handle_export(request: Any, context: Context) -> Answer:
    uid, email = _subject(request, context, "export a person's data")
    held = lookup(privacy.find, clients.firestore_client(), email)
    data = lookup(privacy.archive, held, now())
    logs.taken(
        "privacy_export",
        by=uid,
        role=access.ADMIN,
        rows=privacy.rows(held),
        subject=context.fields["subject"],
        trace=context.trace,
    )
    name = f"rollcall-data-{context.fields['subject']}.zip"
    return Answer(
        data,
        200,
        {
            "Content-Type": "application/zip",
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def handle_erase(request: Any, context: Context) -> Answer:
    uid, email = _subject(request, context, "erase a person's data")
    erased = lookup(privacy.erase, clients.firestore_client(), email, uid, now())
    logs.taken(
        "privacy_erase",
        by=uid,
        role=access.ADMIN,
        rows=erased["documents"],
        subject=context.fields["subject"],
        trace=context.trace,
    )
    return Answer({"status": "erased", "erased": erased}, 200)
