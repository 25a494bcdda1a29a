"""Attendance records: ``sessions/{session_id}/attendance/{uid}``, one per student.

Created once; a redelivered event or a second scan of the same student finds the
record already there, which counts as success and changes nothing.
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
                "recorded_at": firestore.SERVER_TIMESTAMP,
            }
        )
    except AlreadyExists:
        return False
    return True


def attendance_ref(db: Any, session_id: str, uid: str) -> Any:
    return db.collection("sessions").document(session_id).collection("attendance").document(uid)
