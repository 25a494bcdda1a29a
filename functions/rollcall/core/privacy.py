"""A data subject's requests: everything Rollcall holds about one person, by their
email (``export``), and its erasure (``erase``): decision 0029, docs/privacy.md.

What names a person (a student; staff are refused an erasure, see ``StaffMember``):

* their Auth account (the uid, by the email);
* ``courses/{c}/roster/{email key}`` (by ``email``), ``courses/{c}/enrollments/{uid}``,
  ``courses/{c}/students/{uid}`` (their figures);
* per session of those courses: ``attendance/{uid}`` and its ``audit/*`` (the
  overrides about them), ``tally_marks/{uid}``, ``devices/*`` bound to them;
  ``rejections/*`` of any session (by ``uid``: a student refused in a course not theirs);
* ``requests/*`` (by ``uid``) and their documents in the bucket, ``disputes/*``;
* ``users/{uid}`` and its ``inbox/*``, ``guardian_consents/{uid}``;
* ``admins/{uid}``, ``grants/{email key}``; ``mail_optouts`` and ``mail_bounces`` of the
  address, ``mail/*`` markers sent to it or naming the uid (a guardian's alert).

Erasure deletes those documents, the files and the Auth account. What others' figures
are made of is theirs alone (each student's figures are their own document), and the
counts that included the person stay as they are: a session's live tally and its
``absences_marked`` count one student more than the records left, anonymously.
Every step deletes what is there, so an erasure stopped half way is finished by running
it again: the record ``privacy_erasures/{email key}`` (who, when, how much; never the
email or the uid once done) keeps the uids while it is running.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from google.cloud import firestore
from google.cloud.firestore import Client, DocumentReference, DocumentSnapshot
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall import clients
from rollcall.core import documents, guardians, mail, schema
from rollcall.errors import Conflict, NotFound

ERASURES = "privacy_erasures"
RUNNING, DONE = "running", "done"
#: Firestore's limit on writes in one batch, less a margin.
BATCH = 400


@dataclass
class Holdings:
    """What Rollcall holds about one person."""

    email: str
    uids: list[str]
    accounts: list[dict[str, Any]] = field(default_factory=list)
    docs: list[DocumentSnapshot] = field(default_factory=list)
    #: Object names of their absence requests' documents in the bucket.
    files: list[str] = field(default_factory=list)
    #: Courses where they are staff (not erasable here).
    staff_of: list[str] = field(default_factory=list)

    def of(self, collection: str) -> list[dict[str, Any]]:
        """The data of the documents held in collections (or groups) of that name."""
        return [
            {**(d.to_dict() or {}), "_path": d.reference.path}
            for d in self.docs
            if d.reference.parent.id == collection
        ]


def normal(email: object) -> str:
    """The email as Rollcall keys it, or ValueError."""
    if not isinstance(email, str) or "@" not in email or len(email) > 320:
        raise ValueError("field 'email' must be an email address")
    return email.strip().lower()


def erasure(db: Client, email: str) -> DocumentReference:
    return db.collection(ERASURES).document(schema.email_key(email))


def find(db: Client, email: str) -> Holdings:
    """Everything held about ``email``; NotFound if nothing is (and no erasure of it
    is under way)."""
    email = normal(email)
    running = erasure(db, email).get()
    started = (running.to_dict() or {}) if running.exists else {}
    uids = set(started.get("uids") or []) if started.get("status") == RUNNING else set()
    accounts = _accounts(email)
    uids |= {a["uid"] for a in accounts}
    rows = list(
        db.collection_group(schema.ROSTER).where(filter=FieldFilter("email", "==", email)).stream()
    )
    uids |= {u for r in rows if (u := (r.to_dict() or {}).get("uid"))}
    held = Holdings(email, sorted(uids), accounts)
    held.docs = _unique([*rows, *_documents(db, email, held.uids)])
    held.files = sorted(
        {
            documents.object_name(d["filing_id"])
            for d in held.of(schema.REQUESTS)
            if d.get("document") and d.get("filing_id")
        }
    )
    held.staff_of = sorted(
        s.id
        for uid in held.uids
        for s in db.collection(schema.COURSES)
        .where(filter=FieldFilter("staff_uids", "array_contains", uid))
        .select([])
        .stream()
    )
    if not held.docs and not held.accounts:
        if started.get("status") == DONE:
            raise NotFound("this person's data was erased already")
        raise NotFound("Rollcall holds nothing about this email: check the address")
    return held


def _accounts(email: str) -> list[dict[str, Any]]:
    from firebase_admin import auth

    try:
        user = auth.get_user_by_email(email, app=clients.firebase_app())
    except auth.UserNotFoundError:
        return []
    meta = user.user_metadata
    return [
        {
            "uid": user.uid,
            "email": user.email,
            "email_verified": user.email_verified,
            "display_name": user.display_name,
            "providers": [p.provider_id for p in user.provider_data],
            "disabled": user.disabled,
            "created_at_ms": meta.creation_timestamp if meta else None,
            "last_sign_in_ms": meta.last_sign_in_timestamp if meta else None,
        }
    ]


def _documents(db: Client, email: str, uids: list[str]) -> Iterator[DocumentSnapshot]:
    """Every document that names the person, but the roster rows (found first)."""
    refs: list[DocumentReference] = [
        schema.grant(db, email),
        db.collection(mail.OPTOUTS).document(mail.key(email)),
        db.collection(mail.BOUNCES).document(mail.key(email)),
    ]
    queries: list[Any] = [db.collection(mail.MARKERS).where(filter=FieldFilter("to", "==", email))]
    courses: set[str] = set()
    for uid in uids:
        refs += [schema.user(db, uid), schema.admin(db, uid), guardians.consent_ref(db, uid)]
        yield from schema.user(db, uid).collection(schema.INBOX).stream()
        for group in (schema.ENROLLMENTS, schema.STUDENTS, schema.REJECTIONS):
            queries.append(db.collection_group(group).where(filter=FieldFilter("uid", "==", uid)))
        for top in (schema.REQUESTS, schema.DISPUTES):
            queries.append(db.collection(top).where(filter=FieldFilter("uid", "==", uid)))
    found = [snap for query in queries for snap in query.stream()]
    yield from found
    yield from (s for s in db.get_all(refs) if s.exists)
    courses |= {
        s.reference.parent.parent.id
        for s in found
        if s.reference.parent.id in (schema.ENROLLMENTS, schema.STUDENTS)
        and s.reference.parent.parent is not None
    }
    courses |= {
        ref.parent.parent.id
        for ref in (
            r.reference
            for r in db.collection_group(schema.ROSTER)
            .where(filter=FieldFilter("email", "==", email))
            .select([])
            .stream()
        )
        if ref.parent.parent is not None
    }
    if uids:
        yield from _guardian_markers(db, uids)
        yield from _in_sessions(db, sorted(courses), uids)


def _guardian_markers(db: Client, uids: list[str]) -> Iterator[DocumentSnapshot]:
    """The once-only markers of guardians' alerts about the person (their uid is in
    the marker's id: ``{alert id}-{uid}-{address hash}``)."""
    query = db.collection(mail.MARKERS).where(filter=FieldFilter("kind", "==", "guardian_alert"))
    for snap in query.stream():
        if any(f"-{uid}-" in snap.id for uid in uids):
            yield snap


def _in_sessions(db: Client, courses: list[str], uids: list[str]) -> Iterator[DocumentSnapshot]:
    """Per session of their courses: their record and its audit entries, their tally
    mark, the devices bound to them."""
    sessions = [
        s.reference
        for course_id in courses
        for s in db.collection(schema.SESSIONS)
        .where(filter=FieldFilter("course_id", "==", course_id))
        .select([])
        .stream()
    ]

    def one(session: DocumentReference) -> list[DocumentSnapshot]:
        refs = [
            ref
            for uid in uids
            for ref in (
                session.collection(schema.ATTENDANCE).document(uid),
                session.collection(schema.TALLY_MARKS).document(uid),
            )
        ]
        out = [s for s in db.get_all(refs) if s.exists]
        for snap in list(out):
            if snap.reference.parent.id == schema.ATTENDANCE:
                out += list(snap.reference.collection(schema.AUDIT).stream())
        for uid in uids:
            devices = session.collection(schema.DEVICES).where(filter=FieldFilter("uid", "==", uid))
            out += list(devices.stream())
        return out

    with ThreadPoolExecutor(8) as pool:
        for found in pool.map(one, sessions):
            yield from found


def _unique(snaps: Iterable[DocumentSnapshot]) -> list[DocumentSnapshot]:
    seen: dict[str, DocumentSnapshot] = {}
    for snap in snaps:
        seen.setdefault(snap.reference.path, snap)
    return [seen[path] for path in sorted(seen)]


# -- export -------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value


CSVS: dict[str, tuple[str, tuple[str, ...]]] = {
    "attendance.csv": (
        schema.ATTENDANCE,
        ("course_id", "session_id", "status", "source", "status_at", "reason", "device_id"),
    ),
    "overrides.csv": (
        schema.AUDIT,
        ("_path", "status", "previous_status", "reason", "by", "at", "basis"),
    ),
    "figures.csv": (schema.STUDENTS, ("_path", "held", "percent", "present", "late", "absent")),
    "requests.csv": (
        schema.REQUESTS,
        ("course_id", "kind", "reason", "from", "to", "status", "filed_at", "decided_at"),
    ),
    "disputes.csv": (
        schema.DISPUTES,
        ("course_id", "session_id", "disputed", "note", "status", "filed_at", "comment"),
    ),
    "rejected_scans.csv": (
        schema.REJECTIONS,
        ("_path", "code", "message", "count", "last_at", "device_id"),
    ),
    "inbox.csv": (schema.INBOX, ("_path", "title", "body", "created_at", "read")),
}


def archive(held: Holdings, at: datetime, read_file: Any = documents.read) -> bytes:
    """One zip: ``person.json`` (the accounts and every document, by path), a CSV per
    kind of record, and ``files/`` the absence requests' documents."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        person = {
            "email": held.email,
            "exported_at": at.isoformat(),
            "accounts": held.accounts,
            "staff_of": held.staff_of,
            "documents": {d.reference.path: _plain(d.to_dict() or {}) for d in held.docs},
            "files": held.files,
        }
        z.writestr("person.json", json.dumps(person, indent=2, ensure_ascii=False, default=str))
        for name, (collection, columns) in CSVS.items():
            text = io.StringIO()
            writer = csv.DictWriter(
                text, columns, extrasaction="ignore", lineterminator="\r\n", restval=""
            )
            writer.writeheader()
            for row in held.of(collection):
                writer.writerow(_plain(row))
            z.writestr(name, "\ufeff" + text.getvalue())
        for name in held.files:
            data = read_file(name.removeprefix("requests/"))
            if data is not None:
                z.writestr(f"files/{name}", data)
    return out.getvalue()


def rows(held: Holdings) -> int:
    return len(held.docs) + len(held.accounts) + len(held.files)


# -- erase --------------------------------------------------------------------------


class StaffMember(Conflict):
    """The person is on a course's staff: their uid is in other people's records (who
    overrode, who decided), which an erasure here would not reach."""


def erase(db: Client, email: str, by: str, at: datetime) -> dict[str, Any]:
    """Delete what ``find`` finds, the documents' files and the Auth accounts; record the
    erasure. Idempotent: a second run after an interruption finishes the work."""
    held = find(db, email)
    if held.staff_of:
        raise StaffMember(
            f"this person is on the staff of {len(held.staff_of)} course(s): take them off "
            "the courses file first (docs/privacy.md)"
        )
    record = erasure(db, held.email)
    record.set(
        {
            "status": RUNNING,
            "uids": held.uids,
            "by": by,
            "started_at": at,
            "attempts": firestore.Increment(1),
        },
        merge=True,
    )
    for name in held.files:
        documents.delete(name.removeprefix("requests/"))
    refs = [d.reference for d in held.docs]
    # Deepest first: an audit entry before its record (no orphan left half way).
    refs.sort(key=lambda r: -r.path.count("/"))
    for start in range(0, len(refs), BATCH):
        batch = db.batch()
        for ref in refs[start : start + BATCH]:
            batch.delete(ref)
        batch.commit()
    _delete_accounts(held.uids)
    counts = {"documents": len(refs), "files": len(held.files), "accounts": len(held.accounts)}
    record.set(
        {"status": DONE, "uids": firestore.DELETE_FIELD, "finished_at": at, "erased": counts},
        merge=True,
    )
    return counts


def _delete_accounts(uids: list[str]) -> None:
    from firebase_admin import auth

    for uid in uids:
        try:
            auth.delete_user(uid, app=clients.firebase_app())
        except auth.UserNotFoundError:
            pass
