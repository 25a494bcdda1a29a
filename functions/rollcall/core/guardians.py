"""Guardians' alerts (issue 20, item 4; decision 0027): where the institution turned
``guardian_alerts`` on, the roster lists a guardian's email for the student and the
student consented, the guardian gets the student's below-threshold alerts by email.

``guardian_consents/{uid}``: ``consent`` (bool), ``guardian_email`` (the address the
consent covers, from the roster when it was given), ``at`` (when), ``history`` (every
change: ``{consent, guardian_email, at}``). Written only by ``POST
/me/guardian-consent`` (the student); the student may read their own (firestore.rules).
A consent covers one address: if the roster later lists another, no email goes out
until the student consents again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.cloud import firestore
from google.cloud.firestore import Client, DocumentReference
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall.core import institution, schema

COLLECTION = "guardian_consents"
MAX_HISTORY = 100


def consent_ref(db: Client, uid: str) -> DocumentReference:
    return db.collection(COLLECTION).document(uid)


def guardian_email(db: Client, email: str | None = None, uid: str | None = None) -> str | None:
    """The guardian's email the rosters list for the student (by their email, or their
    uid), the first one found by course."""
    return (_row(db, email, uid) or {}).get("guardian_email")


def _row(db: Client, email: str | None, uid: str | None) -> dict[str, Any] | None:
    """The student's first roster row (by course) that names a guardian's email."""
    field, value = ("email", email) if email else ("uid", uid)
    rows = db.collection_group(schema.ROSTER).where(filter=FieldFilter(field, "==", value))
    for snap in sorted(rows.stream(), key=lambda s: s.reference.path):
        row = snap.to_dict() or {}
        if isinstance(row.get("guardian_email"), str) and row["guardian_email"]:
            return row
    return None


def state(db: Client, uid: str, listed: str | None) -> dict[str, Any]:
    """What the student page shows: whether alerts to guardians are on, the guardian's
    email the roster lists (``listed``: ``guardian_email``), and the consent as recorded
    (it counts for that address only)."""
    doc = consent_ref(db, uid).get().to_dict() or {}
    consent = (
        bool(doc.get("consent")) and listed is not None and doc.get("guardian_email") == listed
    )
    return {
        "enabled": bool(institution.settings_of(db)["guardian_alerts"]),
        "guardian_email": listed,
        "consent": consent,
        "consented_at": doc.get("at") if consent else None,
    }


def set_consent(
    db: Client, uid: str, listed: str | None, consent: bool, at: datetime
) -> dict[str, Any]:
    """Record the student's consent (or its withdrawal), with its time and the address
    it covers (``listed``, the roster's); the history keeps every change. ``ValueError``
    when consenting with no guardian email on the roster (the caller checks first)."""
    if consent and not listed:
        raise ValueError("the roster lists no guardian email for you")
    change = {"consent": consent, "guardian_email": listed, "at": at}
    ref = consent_ref(db, uid)
    history = ((ref.get().to_dict() or {}).get("history") or [])[-(MAX_HISTORY - 1) :]
    ref.set({**change, "history": [*history, change], "updated_at": firestore.SERVER_TIMESTAMP})
    return state(db, uid, listed)


def recipient(db: Client, uid: str) -> tuple[str, str] | None:
    """The guardian to email about this student now and the student's name, or None:
    the setting is off, the roster lists no guardian, or the student has not consented
    to that address."""
    if not institution.settings_of(db)["guardian_alerts"]:
        return None
    doc = consent_ref(db, uid).get().to_dict() or {}
    if not doc.get("consent"):
        return None
    row = _row(db, None, uid) or {}
    listed = row.get("guardian_email")
    if not listed or listed != doc.get("guardian_email"):
        return None
    return str(listed), str(row.get("name") or "The student")
