"""Applying an import: all or nothing, one at a time per target, in batches, recorded.

* A file with any error applies nothing (``ImportInvalid``, with the whole report).
* One import at a time per target (a course for its roster, the institution for the
  courses file, a term for its timetable): an import takes the target's lock
  (``import_lock`` on its document, in a transaction) and a second one meanwhile gets
  ``conflict``, so two files never interleave. A lock older than ``LOCK_LEASE`` (its
  import died) may be taken over.
* ``base``: the stored state the caller previewed (``Report.base``); if the target
  changed since, ``conflict`` ("preview again").
* The writes go in batches of at most ``BATCH`` (Firestore's limit is 500 per commit);
  ``imports/{id}`` records who, when, what, and the progress, which the web page
  watches. A crash half way leaves the lock to expire and the file half applied:
  applying the same file again finishes it (every write is idempotent), and the record
  says ``running`` until then.
* Importing the same file again changes nothing: with no change there is no lock, no
  write and no record.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from google.cloud import firestore
from google.cloud.firestore import Client, DocumentReference, Transaction

from rollcall.core import schema
from rollcall.core.imports.plan import Report
from rollcall.errors import Conflict, ImportInvalid

BATCH = 400
Progress = Callable[[int, int], None]
LOCK_LEASE = timedelta(minutes=10)
INSTITUTION = "institution/settings"


@dataclass(frozen=True)
class Write:
    """One document write: set (``merge`` to keep other fields), or delete (None)."""

    ref: DocumentReference
    fields: dict[str, Any] | None
    merge: bool = False


def run(
    db: Client,
    preview: Callable[[], Report],
    write: Callable[[Report, Progress], None],
    *,
    target: DocumentReference,
    course_id: str | None = None,
    kind: str,
    by: str,
    base: int | None,
    at: datetime,
    progress: Progress | None = None,
) -> Report:
    report = preview()
    if not report.ok:
        raise ImportInvalid(
            f"{len(report.errors)} error(s) in the file: nothing applied", report.to_json()
        )
    if base is not None and base != report.base:
        raise Conflict("changed since your preview: preview the file again")
    if not report.changes:
        report.applied = True
        return report
    import_id = f"{kind}-{at:%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
    ref = target
    _lock(db, ref, import_id, by, at, base)
    record = schema.import_run(db, import_id)
    try:
        report = preview()  # again, under the lock: the state may have moved meanwhile
        if not report.ok:
            raise ImportInvalid(
                f"{len(report.errors)} error(s) in the file: nothing applied", report.to_json()
            )
        record.set(
            {
                "kind": kind,
                "course_id": course_id,
                "by": by,
                "started_at": at,
                "status": "running",
                "total": 0,
                "done": 0,
                "summary": report.summary(),
            }
        )

        def advance(done: int, total: int) -> None:
            record.update({"done": done, "total": total})
            if progress:
                progress(done, total)

        write(report, advance)
        report.applied, report.import_id = True, import_id
        record.update(
            {
                "status": "done",
                "finished_at": firestore.SERVER_TIMESTAMP,
                "summary": report.summary(),
                "counts": report.to_json()["counts"],
            }
        )
        ref.set(
            {"import_version": firestore.Increment(1), "import_lock": None},
            merge=True,
        )
        report.base += 1
    except BaseException:
        _unlock(db, ref, import_id)
        raise
    return report


def _lock(
    db: Client, ref: DocumentReference, import_id: str, by: str, at: datetime, base: int | None
) -> None:
    @firestore.transactional
    def take(tx: Transaction) -> None:
        snap = ref.get(transaction=tx)
        doc = (snap.to_dict() or {}) if snap.exists else {}
        lock = doc.get("import_lock") or {}
        if lock.get("id") and lock.get("at") and at - lock["at"] < LOCK_LEASE:
            raise Conflict("another import of this is running: try again when it is done")
        if base is not None and int(doc.get("import_version") or 0) != base:
            raise Conflict("changed since your preview: preview the file again")
        tx.set(ref, {"import_lock": {"id": import_id, "by": by, "at": at}}, merge=True)

    take(db.transaction())


def _unlock(db: Client, ref: DocumentReference, import_id: str) -> None:
    @firestore.transactional
    def release(tx: Transaction) -> None:
        snap = ref.get(transaction=tx)
        if snap.exists and ((snap.to_dict() or {}).get("import_lock") or {}).get("id") == import_id:
            tx.update(ref, {"import_lock": None})

    release(db.transaction())


def commit(
    db: Client, writes: list[Write], progress: Callable[[int, int], None] | None = None
) -> None:
    """The writes in batches of at most BATCH, in order; ``progress(done, total)``
    after each."""
    total = len(writes)
    for start in range(0, total, BATCH):
        batch = db.batch()
        for w in writes[start : start + BATCH]:
            if w.fields is None:
                batch.delete(w.ref)
            else:
                batch.set(w.ref, w.fields, merge=w.merge)
        batch.commit()
        if progress:
            progress(min(start + BATCH, total), total)
