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

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from google.cloud import firestore
from google.cloud.firestore import Client, DocumentReference
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall.core import institution, messages, schema

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


@dataclass(frozen=True)
class Guardian:
    """Whom to email about a student: the guardian's address, the student's name as the
    roster has it (None: not listed), and the language to write in."""

    email: str
    name: str | None
    language: str


def recipient(db: Client, uid: str) -> Guardian | None:
    """The guardian to email about this student now, or None: the setting is off, the
    roster lists no guardian, or the student has not consented to that address.

    The email is in the student's language (``users/{uid}.language``, English when
    unset): the student chose it for what Rollcall tells them, and the guardian is told
    what the student was told; the roster has no guardian's language. The student's
    document is read in the same batch as the consent (no extra request)."""
    if not institution.settings_of(db)["guardian_alerts"]:
        return None
    refs = [consent_ref(db, uid), schema.user(db, uid)]
    docs = {snap.reference.parent.id: snap.to_dict() or {} for snap in db.get_all(refs)}
    doc = docs.get(COLLECTION, {})
    if not doc.get("consent"):
        return None
    row = _row(db, None, uid) or {}
    listed = row.get("guardian_email")
    if not listed or listed != doc.get("guardian_email"):
        return None
    language = messages.language_of(docs.get(schema.USERS, {}).get("language"))
    return Guardian(str(listed), str(row["name"]) if row.get("name") else None, language)
