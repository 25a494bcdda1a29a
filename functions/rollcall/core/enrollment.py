"""A student's membership of a course: the roster row the institution imported
(``courses/{course}/roster/{email key}``) and, once the student has an account, the
enrollment a scan checks (``courses/{course}/enrollments/{uid}``), which carries the
row's fields for the course's lists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.cloud.firestore import Client
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall.core import schema

#: The fields of a roster row (an import sets and compares them).
FIELDS = ("roll_no", "prn", "name", "email", "division", "batch", "guardian_email")
#: Of those, what an enrollment carries (not the guardian's address).
SHOWN = tuple(f for f in FIELDS if f != "guardian_email")
ACTIVE, REMOVED = "active", "removed"


def enrollment_doc(key: str, uid: str, row: Mapping[str, Any]) -> dict[str, Any]:
    return {"uid": uid, "roster_key": key, **{f: row.get(f) for f in SHOWN}}


def enroll(db: Client, course_id: str, key: str, uid: str, row: Mapping[str, Any]) -> None:
    """Link the roster row to the account ``uid`` and enroll it. If the row was linked to
    another account before (its owner made a new one), that one loses the course: the
    email's owner wins."""
    previous = row.get("uid")
    batch = db.batch()
    batch.set(schema.roster(db, course_id).document(key), {"uid": uid}, merge=True)
    batch.set(schema.enrollments(db, course_id).document(uid), enrollment_doc(key, uid, row))
    if previous and previous != uid:
        batch.delete(schema.enrollments(db, course_id).document(previous))
    batch.commit()


def roster_batches(db: Client, course_id: str) -> dict[str, str]:
    """The batches of the course's active roster rows, by their casefolded name (a
    timetable row or an extra session names one in any case)."""
    rows = schema.roster(db, course_id).where(filter=FieldFilter("status", "==", ACTIVE))
    names = {(snap.to_dict() or {}).get("batch") for snap in rows.select(["batch"]).stream()}
    return {str(b).casefold(): str(b) for b in names if b}
