"""Attendance records: ``sessions/{session_id}/attendance/{uid}``, one per student.

A scan creates the record once; a redelivered event or a second scan of the same
student finds it already there, which counts as success and changes nothing.

A teacher's override sets the record's status in a transaction on that one student's
documents (no shared document) and writes its audit entry
``attendance/{uid}/audit/{override_id}``: who, when, why, and the previous status. The
audit entry doubles as the idempotency marker. Overrides apply in the order they were
made (``status_at``): a redelivered older override is audited as superseded and changes
nothing.
"""

from __future__ import annotations

from typing import Any

from google.api_core.exceptions import AlreadyExists
from google.cloud import firestore

from rollcall.events import ScanEvent


def record(db: Any, event: ScanEvent) -> bool:
    """Create the student's record for the session. False if it existed already."""
    ref = attendance_ref(db, event.session_id, event.uid)
    try:
        ref.create(
            {
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
        )
    except AlreadyExists:
        return False
    return True


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
