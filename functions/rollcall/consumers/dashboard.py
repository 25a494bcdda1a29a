"""The dashboard consumer: live per-session aggregates for the teacher's dashboard,
without a hot document.

A lecture's 500 scans in a few seconds must not funnel into one document (about one
sustained write per second each). Each student's scan lands in one of
``tally_shards`` shard documents, ``sessions/{sid}/tally/{NN}``, chosen by a hash of the
uid, as server-side increments (no read-modify-write, no transaction). The page sums
the shards it listens to.

Idempotency: the increment is committed in one atomic batch together with the
creation of a marker ``sessions/{sid}/tally_marks/{uid}``. A redelivery or second scan
fails the marker's create precondition, so the whole batch, increments included, is
not applied.

A teacher's override moves the student between counts: a transaction reads only the
student's marker (the counted status) and writes it back with increments on the shard
(``total`` counts those checked in: present plus late).

A session's close counts each student without a marker as ``absent`` (the same batch,
marker ``source: close``). A scan delivered after that (it was made before the close)
moves the student from absent to its status, like an override.
"""

from __future__ import annotations

import zlib
from collections import Counter
from typing import Any

from google.api_core.exceptions import AlreadyExists
from google.cloud import firestore
from google.cloud.firestore import Client, Transaction

from rollcall import clients, contracts
from rollcall.config import settings
from rollcall.consumers.delivery import Delivery, skipped
from rollcall.core import schema
from rollcall.core.events import AttendanceEvent, Event

#: The message types it takes (its subscription's `types` in infra/topology.yaml).
TYPES = frozenset({"scan", "override", "close"})


def handle(event: Event, delivery: Delivery) -> dict[str, Any]:
    """The effect of one event on topic ``scans`` (rollcall.consumers.delivery.run)."""
    if not isinstance(event, AttendanceEvent):
        return skipped("dashboard", event)
    db, shards = clients.firestore_client(), settings().tally_shards
    counted = move(db, event, shards) if event.is_override else tally(db, event, shards)
    return {"effect": "dashboard", "created": counted}


def shard_of(uid: str, shards: int) -> str:
    return f"{zlib.crc32(uid.encode()) % shards:02d}"


def minute_key(event: AttendanceEvent) -> str:
    """Arrival minute, UTC, as ``YYYYMMDDHHMM`` (sortable, a valid map key)."""
    return event.at.strftime("%Y%m%d%H%M")


def tally(db: Client, event: AttendanceEvent, shards: int) -> bool:
    """Count the student's arrival (or a close's absence) once. False if it was
    counted already."""
    marker = schema.tally_mark(db, event.session_id, event.uid)
    batch = db.batch()
    batch.create(
        marker,
        {
            "status": event.status,
            "scan_id": event.event_id,
            "status_at": event.at,
            "source": event.type,
        },
    )
    changes: dict[str, Any] = {event.status: firestore.Increment(1)}
    if not event.is_close:
        changes["total"] = firestore.Increment(1)
        changes["arrivals"] = {minute_key(event): firestore.Increment(1)}
    batch.set(
        schema.tally(db, event.session_id).document(shard_of(event.uid, shards)),
        {**changes, "updated_at": firestore.SERVER_TIMESTAMP},
        merge=True,
    )
    try:
        batch.commit()
    except AlreadyExists:
        return False if event.is_close else move(db, event, shards, only_from_close=True)
    return True


CHECKED_IN = contracts.CHECKED_IN
COUNTS = ("total", *contracts.RECORD_STATUSES)


def move(db: Client, event: AttendanceEvent, shards: int, only_from_close: bool = False) -> bool:
    """Move the student's count to the event's status in a transaction on their
    marker: an override (in the order made, once), or with ``only_from_close`` a late
    scan over a close's absence (then it counts as an arrival too)."""
    marker = schema.tally_mark(db, event.session_id, event.uid)
    shard = schema.tally(db, event.session_id).document(shard_of(event.uid, shards))

    @firestore.transactional
    def apply(tx: Transaction) -> bool:
        snap = marker.get(transaction=tx)
        counted = (snap.to_dict() or {}) if snap.exists else {}
        if only_from_close:
            if counted.get("source") != "close" or counted.get("status") != "absent":
                return False
        elif counted.get("last_change") == event.event_id:
            return False
        newer = counted.get("status_at")
        if not only_from_close and newer and newer > event.at:
            return False  # a later override (or scan) already decided
        old, new = counted.get("status"), event.status
        deltas: Counter[str] = Counter({new: 1})
        if old:
            deltas[old] -= 1
        deltas["total"] = (new in CHECKED_IN) - (old in CHECKED_IN)
        changes: dict[str, Any] = {k: firestore.Increment(v) for k, v in deltas.items() if v}
        if only_from_close:
            changes["arrivals"] = {minute_key(event): firestore.Increment(1)}
        changes["updated_at"] = firestore.SERVER_TIMESTAMP
        tx.set(shard, changes, merge=True)
        tx.set(
            marker,
            {
                "status": new,
                "status_at": event.at,
                "last_change": event.event_id,
                "source": event.type,
            },
            merge=True,
        )
        return True

    moved: bool = apply(db.transaction())
    return moved


def read_tally(db: Client, session_id: str) -> dict[str, Any]:
    """The session's aggregates, summed over its shards (what the dashboard shows)."""
    totals: Counter[str] = Counter()
    arrivals: Counter[str] = Counter()
    updated_at = None
    for snap in schema.tally(db, session_id).stream():
        doc = snap.to_dict() or {}
        for name in COUNTS:
            totals[name] += int(doc.get(name, 0))
        for minute, n in (doc.get("arrivals") or {}).items():
            arrivals[minute] += int(n)
        if doc.get("updated_at") and (updated_at is None or doc["updated_at"] > updated_at):
            updated_at = doc["updated_at"]
    return {
        **{name: totals[name] for name in COUNTS},
        "arrivals": dict(sorted(arrivals.items())),
        "updated_at": updated_at,
    }
