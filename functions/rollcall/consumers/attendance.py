"""The attendance consumer: each student's record of a session, their course
figures, and the close of sessions.

Records: ``sessions/{session_id}/attendance/{uid}``, one per student.

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
late scan or an override, the student's course figures follow
(rollcall.consumers.figures), and the alerts they fire are handed to the notification
consumer.

The close itself (rollcall.core.closing) arrives here too: a ``sweep`` closes the
sessions past their end, and a ``close_session`` becomes one ``close`` event per
enrolled student.
"""

from __future__ import annotations

from typing import Any

from google.api_core.exceptions import AlreadyExists
from google.cloud import firestore
from google.cloud.firestore import Client, DocumentReference, Transaction

from rollcall import clients, pubsub
from rollcall.clock import now
from rollcall.consumers import figures
from rollcall.consumers.delivery import Delivery, skipped
from rollcall.core import closing, schema, sessions
from rollcall.core.events import Alert, AttendanceEvent, CloseSession, Event, Sweep

CREATED, REPLACED, EXISTED = "created", "replaced", "existed"
#: The message types it takes (its subscription's `types` in infra/topology.yaml).
TYPES = frozenset({"scan", "override", "close", "close_session", "sweep"})


def handle(event: Event, delivery: Delivery) -> dict[str, Any]:
    """The effect of one event on topic ``scans`` (rollcall.consumers.delivery.run)."""
    db = clients.firestore_client()
    if isinstance(event, Sweep):
        at = now()
        opened = sessions.open_due(db, at)
        closes = closing.sweep(db, at)
        pubsub.publish(closes)
        return {"effect": "sweep", "opened": len(opened), "closes": len(closes)}
    if isinstance(event, CloseSession):
        return {"effect": "close", "students": closing.expand(db, event)}
    if not isinstance(event, AttendanceEvent):
        return skipped("attendance", event)
    if event.is_override:
        changed = apply_override(db, event)
        outcome = REPLACED if changed else EXISTED
    else:
        outcome = record(db, event)
        changed = outcome != EXISTED
    alerts: list[Alert] = []
    # A freshly created scan record is the hot path of a lecture and cannot be in the
    # course figures yet (the close adds the session): only the rest syncs them, a
    # redelivery included (it heals a sync lost to a crash).
    if event.is_close or outcome != CREATED:
        alerts = figures.sync(
            db, event.course_id, event.session_id, event.uid, add=event.is_close, at=now()
        )
    if alerts:
        pubsub.publish(alerts)
        figures.handed_over(db, alerts)
    return {"effect": "attendance", "created": changed, "alerts": [a.kind for a in alerts]}


def record(db: Client, event: AttendanceEvent) -> str:
    """Create the student's record for the session (a scan, or a close's absence):
    ``created``; ``replaced`` when a scan replaced a close's absence; ``existed``
    when there was a record already and nothing changed."""
    ref = schema.record(db, event.session_id, event.uid)
    try:
        ref.create(_scan_record(event) if not event.is_close else _absence_record(event))
    except AlreadyExists:
        if not event.is_close and _replace_absence(db, ref, event):
            return REPLACED
        return EXISTED
    return CREATED


def _scan_record(event: AttendanceEvent) -> dict[str, Any]:
    record = {
        "uid": event.uid,
        "session_id": event.session_id,
        "course_id": event.course_id,
        "status": event.status,
        "scanned_at": event.at,
        "scan_id": event.event_id,
        "device_id": event.device_id,
        "status_at": event.at,
        "source": "scan",
        "recorded_at": firestore.SERVER_TIMESTAMP,
    }
    if event.queued_at is not None:
        record["queued_at"] = event.queued_at  # the phone held it in its outbox
    return record


def _absence_record(event: AttendanceEvent) -> dict[str, Any]:
    return {
        "uid": event.uid,
        "session_id": event.session_id,
        "course_id": event.course_id,
        "status": "absent",
        "status_at": event.at,
        "source": "close",
        "by": event.by,
        "recorded_at": firestore.SERVER_TIMESTAMP,
    }


def is_close_absence(doc: dict[str, Any]) -> bool:
    return doc.get("source") == "close" and doc.get("status") == "absent"


def _replace_absence(db: Client, ref: DocumentReference, event: AttendanceEvent) -> bool:
    """A scan that arrives after the close's absence wins over it."""

    @firestore.transactional
    def apply(tx: Transaction) -> bool:
        snap = ref.get(transaction=tx)
        if not snap.exists or not is_close_absence(snap.to_dict() or {}):
            return False
        tx.set(ref, {**_scan_record(event), "previous_status": "absent"})
        return True

    replaced: bool = apply(db.transaction())
    return replaced


def apply_override(db: Client, event: AttendanceEvent) -> bool:
    """Apply a teacher's override once. False if this override was handled before."""
    ref = schema.record(db, event.session_id, event.uid)
    audit = schema.audit(db, event.session_id, event.uid, event.event_id)

    @firestore.transactional
    def apply(tx: Transaction) -> bool:
        if audit.get(transaction=tx).exists:
            return False
        snap = ref.get(transaction=tx)
        current = (snap.to_dict() or {}) if snap.exists else {}
        previous = current.get("status")
        newer = current.get("status_at")
        applied = not (newer and newer > event.at)
        tx.create(
            audit,
            {
                "override_id": event.event_id,
                "status": event.status,
                "previous_status": previous,
                "reason": event.reason,
                "by": event.by,
                "at": event.at,
                "basis": event.basis,
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
                    "status_at": event.at,
                    "source": "override",
                    "override_id": event.event_id,
                    "reason": event.reason,
                    "by": event.by,
                    "previous_status": previous,
                    "basis": event.basis or None,
                    "recorded_at": firestore.SERVER_TIMESTAMP,
                },
                merge=True,
            )
        return True

    applied_now: bool = apply(db.transaction())
    return applied_now
