"""A course's staff: teachers and teaching assistants, named by email (the courses file)
before or after they have an account.

On the course document (rollcall.core.schema), kept consistent by the functions here:

* ``staff``: email key -> {``email``, ``role``, ``uid`` (None until they sign in)};
* ``roles``: uid -> role, what authorisation reads (rollcall.core.access, the rules);
* ``staff_uids``: the uids, for "the courses I teach" (an array-contains query);
* ``staff_emails``: the emails, for claiming at sign-in (rollcall.core.people).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.cloud import firestore
from google.cloud.firestore import Client, DocumentReference, Transaction

from rollcall.core import schema


def fields(staff: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The course's staff fields from ``staff`` (email key -> {email, role, uid})."""
    roles = {s["uid"]: s["role"] for s in staff.values() if s.get("uid")}
    return {
        "staff": {k: dict(v) for k, v in staff.items()},
        "roles": roles,
        "staff_uids": sorted(roles),
        "staff_emails": sorted(s["email"] for s in staff.values()),
    }


def entries(
    teachers: list[str],
    tas: list[str],
    previous: Mapping[str, Mapping[str, Any]],
    uids: Mapping[str, str],
) -> dict[str, dict[str, Any]]:
    """The staff of a course from its teachers' and TAs' emails (a teacher named as both
    is a teacher); each keeps the uid it had, or gets the verified account's."""
    staff: dict[str, dict[str, Any]] = {}
    for role, emails in (("ta", tas), ("teacher", teachers)):
        for email in emails:
            key = schema.email_key(email)
            uid = (previous.get(key) or {}).get("uid") or uids.get(email)
            staff[key] = {"email": email, "role": role, "uid": uid}
    return staff


def link(db: Client, course: DocumentReference, email: str, uid: str) -> str:
    """Give the staff entry of ``email`` its account (at its first sign-in). Returns
    the role."""
    key = schema.email_key(email)

    @firestore.transactional
    def apply(tx: Transaction) -> str:
        snap = course.get(transaction=tx)
        staff = dict((snap.to_dict() or {}).get("staff") or {})
        entry = dict(staff.get(key) or {})
        if not entry:
            return ""
        if entry.get("uid") != uid:
            entry["uid"] = uid
            staff[key] = entry
            tx.update(course, fields(staff))
        return str(entry["role"])

    role: str = apply(db.transaction())
    return role
