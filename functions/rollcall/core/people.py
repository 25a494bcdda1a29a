"""People known by email before they have an account, and what they become when they
sign in with it.

An institution names its admins, department heads, course staff and students by email
(the operator CLI, the courses file, the rosters). Whoever signs in with that email,
verified (a password account after its verification link, or Google), claims what
the email was given (``claim``): the roster rows become enrollments, the staff and
head entries gain the uid, a pending admin grant becomes ``admins/{uid}``. What exists
already is linked at once: granting or importing an email that has a verified
account needs no sign-in (``verified_accounts``). An unverified account claims
nothing: anyone can sign up with anyone's email, only its owner can verify it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from google.cloud import firestore
from google.cloud.firestore import Client
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall import clients
from rollcall.core import enrollment, schema, staff

LOOKUP_BATCH = 100  # accounts per Auth lookup


def verified_accounts(emails: Iterable[str]) -> dict[str, str]:
    """email -> uid of the accounts with these emails whose email is verified."""
    from firebase_admin import auth

    wanted = sorted({e.lower() for e in emails})
    found: dict[str, str] = {}
    for start in range(0, len(wanted), LOOKUP_BATCH):
        identifiers = [auth.EmailIdentifier(e) for e in wanted[start : start + LOOKUP_BATCH]]
        result = auth.get_users(identifiers, app=clients.firebase_app())
        for user in result.users:
            if user.email and user.email_verified and not user.disabled:
                found[user.email.lower()] = user.uid
    return found


# -- institution admins --------------------------------------------------------------


def grant_admin(db: Client, email: str, by: str, at: datetime) -> str | None:
    """Make ``email`` an institution admin: at once if it has a verified account (its
    uid is returned), else at its first verified sign-in (None)."""
    email = email.strip().lower()
    schema.grant(db, email).set(
        {"email": email, "role": "admin", "granted_by": by, "granted_at": at}
    )
    uid = verified_accounts([email]).get(email)
    if uid:
        _make_admin(db, uid, email, by, at)
    return uid


def _make_admin(db: Client, uid: str, email: str, by: str, at: datetime) -> None:
    batch = db.batch()
    batch.set(
        schema.admin(db, uid), {"uid": uid, "email": email, "granted_by": by, "granted_at": at}
    )
    batch.set(schema.grant(db, email), {"uid": uid, "claimed_at": at}, merge=True)
    batch.commit()


def revoke_admin(db: Client, email: str) -> bool:
    """No longer an admin (from their next request on). False if they were not one."""
    email = email.strip().lower()
    grant = schema.grant(db, email).get()
    admins = list(
        db.collection(schema.ADMINS).where(filter=FieldFilter("email", "==", email)).stream()
    )
    batch = db.batch()
    for snap in admins:
        batch.delete(snap.reference)
    if grant.exists:
        batch.delete(grant.reference)
    batch.commit()
    return bool(admins) or grant.exists


def list_admins(db: Client) -> list[dict[str, Any]]:
    """Every admin and pending grant: email, uid (None while pending), who granted it
    and when."""
    found: dict[str, dict[str, Any]] = {}
    for snap in db.collection(schema.GRANTS).stream():
        doc = snap.to_dict() or {}
        if doc.get("role") == "admin":
            found[doc["email"]] = {"email": doc["email"], "uid": None, **_who(doc)}
    for snap in db.collection(schema.ADMINS).stream():
        doc = snap.to_dict() or {}
        found[doc.get("email") or snap.id] = {
            "email": doc.get("email"),
            "uid": snap.id,
            **_who(doc),
        }
    return sorted(found.values(), key=lambda a: a["email"] or "")


def _who(doc: dict[str, Any]) -> dict[str, Any]:
    return {"granted_by": doc.get("granted_by"), "granted_at": doc.get("granted_at")}


# -- claiming at sign-in -------------------------------------------------------------


@dataclass
class Claimed:
    """What an email gave its account (all of it, claimed now or before)."""

    admin: bool = False
    departments: list[str] = field(default_factory=list)
    staff: dict[str, str] = field(default_factory=dict)  # course id -> role
    enrolled: list[str] = field(default_factory=list)  # course ids

    def to_json(self) -> dict[str, Any]:
        return {
            "admin": self.admin,
            "departments": sorted(self.departments),
            "staff": dict(sorted(self.staff.items())),
            "enrolled": sorted(self.enrolled),
        }


def claim(db: Client, uid: str, email: str, at: datetime) -> Claimed:
    """Give the account ``uid`` everything its verified ``email`` was given. Idempotent:
    a second call changes nothing and returns the same."""
    email = email.strip().lower()
    claimed = Claimed()
    grant = schema.grant(db, email).get()
    if grant.exists and (grant.to_dict() or {}).get("role") == "admin":
        if (grant.to_dict() or {}).get("uid") != uid:
            _make_admin(db, uid, email, (grant.to_dict() or {}).get("granted_by", ""), at)
        claimed.admin = True
    claimed.admin = claimed.admin or schema.admin(db, uid).get().exists
    for snap in (
        db.collection(schema.DEPARTMENTS)
        .where(filter=FieldFilter("head_emails", "array_contains", email))
        .stream()
    ):
        if uid not in ((snap.to_dict() or {}).get("head_uids") or []):
            snap.reference.update({"head_uids": firestore.ArrayUnion([uid])})
        claimed.departments.append(snap.id)
    for snap in (
        db.collection(schema.COURSES)
        .where(filter=FieldFilter("staff_emails", "array_contains", email))
        .stream()
    ):
        role = staff.link(db, snap.reference, email, uid)
        if role:
            claimed.staff[snap.id] = role
    for snap in (
        db.collection_group(schema.ROSTER).where(filter=FieldFilter("email", "==", email)).stream()
    ):
        row = snap.to_dict() or {}
        if row.get("status", enrollment.ACTIVE) != enrollment.ACTIVE:
            continue
        course_ref = snap.reference.parent.parent
        assert course_ref is not None
        if row.get("uid") != uid:
            enrollment.enroll(db, course_ref.id, snap.id, uid, row)
        claimed.enrolled.append(course_ref.id)
    # ... and every course the account is enrolled in however it got there.
    for snap in (
        db.collection_group(schema.ENROLLMENTS)
        .where(filter=FieldFilter("uid", "==", uid))
        .select([])
        .stream()
    ):
        course_ref = snap.reference.parent.parent
        if course_ref is not None and course_ref.id not in claimed.enrolled:
            claimed.enrolled.append(course_ref.id)
    return claimed
