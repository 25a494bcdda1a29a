"""Attendance records: ``sessions/{session_id}/attendance/{uid}``, one per student.

A scan creates the record once; a redelivered event or a second scan of the same
student finds it already there, which counts as success and changes nothing.

A teacher's override sets the record's status in a transaction on that one student's
documents (no shared document) and writes its audit entry
``attendance/{uid}/audit/{override_id}``: who, when, why, and the previous status. The
audit entry doubles as the idempotency marker. Overrides apply in the order they were
made (``status_at``): a redelivered older override is audited as superseded and changes
nothing.

A session's close (event type ``close``) creates an ``absent`` record, ``source``
``close``, for a student without one. That absence is only the default: a scan of the
same student delivered after it (scanned before the close, delayed on its way)
replaces it, so a scan is never lost to a race with the close. Then, for a close, a
late scan or an override, the student's course figures follow (rollcall.progress).
"""

from __future__ import annotations

from typing import Any

from google.api_core.exceptions import AlreadyExists
from google.cloud import firestore

from rollcall.events import ScanEvent

CREATED, REPLACED, EXISTED = "created", "replaced", "existed"


def record(db: Any, event: ScanEvent) -> str:
    """Create the student's record for the session (a scan, or a close's absence):
    ``created``; ``replaced`` when a scan replaced a close's absence; ``existed``
    when there was a record already and nothing changed."""
    ref = attendance_ref(db, event.session_id, event.uid)
    try:
        ref.create(_scan_record(event) if not event.is_close else _absence_record(event))
    except AlreadyExists:
        if not event.is_close and _replace_absence(db, ref, event):
            return REPLACED
        return EXISTED
    return CREATED


def _scan_record(event: ScanEvent) -> dict[str, Any]:
    return {
        "uid": event.uid,
        "session_id": event.session_id,
        "course_id": event.course_id,
        "status": event.status,
        "scanned_at": event.scanned_at,
        "scan_id": event.scan_id,
        "device_id": event.device_id,
        "status_at": event.scanned_at,
        "source": "scan",
        "recorded_at": firestore.SERVER_TIMESTAMP,
    }


def _absence_record(event: ScanEvent) -> dict[str, Any]:
    return {
        "uid": event.uid,
        "session_id": event.session_id,
        "course_id": event.course_id,
        "status": "absent",
        "status_at": event.scanned_at,
        "source": "close",
        "by": event.by,
        "recorded_at": firestore.SERVER_TIMESTAMP,
    }


def is_close_absence(doc: dict[str, Any]) -> bool:
    return doc.get("source") == "close" and doc.get("status") == "absent"


def _replace_absence(db: Any, ref: Any, event: ScanEvent) -> bool:
    """A scan that arrives after the close's absence wins over it."""

    @firestore.transactional
    def apply(tx: Any) -> bool:
        snap = ref.get(transaction=tx)
        if not snap.exists or not is_close_absence(snap.to_dict() or {}):
            return False
        tx.set(ref, {**_scan_record(event), "previous_status": "absent"})
        return True

    return apply(db.transaction())


def apply_override(db: Any, event: ScanEvent) -> bool:
    """Apply a teacher's override once. False if this override was handled before."""
    ref = attendance_ref(db, event.session_id, event.uid)
    audit = ref.collection("audit").document(event.scan_id)

    @firestore.transactional
    def apply(tx: Any) -> bool:
        if audit.get(transaction=tx).exists:
            return False
        snap = ref.get(transaction=tx)
        current = snap.to_dict() if snap.exists else {}
        previous = current.get("status")
        newer = current.get("status_at")
        applied = not (newer and newer > event.scanned_at)
        tx.create(
            audit,
            {
                "override_id": event.scan_id,
                "status": event.status,
                "previous_status": previous,
                "reason": event.reason,
                "by": event.by,
                "at": event.scanned_at,
                "applied": applied,
                "recorded_at": firestore.SERVER_TIMESTAMP,
            },
        )
        if applied:
            tx.set(
                ref,
                {
                    "uid": event.uid,
                    "session_id": event.session_id,
                    "course_id": event.course_id,
                    "status": event.status,
                    "status_at": event.scanned_at,
                    "source": "override",
                    "override_id": event.scan_id,
                    "reason": event.reason,
                    "by": event.by,
                    "previous_status": previous,
                    "recorded_at": firestore.SERVER_TIMESTAMP,
                },
                merge=True,
            )
        return True

    return apply(db.transaction())


def attendance_ref(db: Any, session_id: str, uid: str) -> Any:
    return db.collection("sessions").document(session_id).collection("attendance").document(uid)
