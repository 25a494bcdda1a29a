"""One device, one student per session.

The first accepted scan from a device binds it to that student in
``sessions/{sid}/devices/{hash of device id}`` (a create: no read-modify-write). A later
scan from the same device by another student is ``device_in_use``; the same student
scanning again from it is fine. Binding is the last check before publishing, so a scan
rejected for any other reason binds nothing.

In a lecture's burst every scan binds a device. The bindings are written by group
commit (rollcall.batching): scans arriving while a write is in flight go together in
the next one, as a ``BatchWrite`` (each create succeeds or fails on its own, unlike a
transaction).

The device id comes from the client (a random id the web app keeps in local storage),
so this stops the casual proxy (one phone marking friends), not a determined one who
clears storage; device attestation (App Check) would be the next step.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime

from google.cloud import firestore
from google.cloud.firestore import Client

from rollcall.batching import GroupCommit
from rollcall.cache import TtlCache
from rollcall.core import retention, schema
from rollcall.core.sessions import deadline
from rollcall.errors import DeviceInUse

#: Firestore's limit on writes in one BatchWrite request.
MAX_BATCH = 500
ALREADY_EXISTS = 6  # google.rpc.Code


def device_key(device_id: str) -> str:
    return hashlib.sha256(device_id.encode()).hexdigest()[:32]


class DeviceRegistry:
    def __init__(self, db: Client, ttl: float = 300) -> None:
        self._db = db
        self._bound: TtlCache[str] = TtlCache(ttl)
        self._writer: GroupCommit[str, tuple[str, float, datetime], str] = GroupCommit(
            lambda batch: write_bindings(db, batch), MAX_BATCH, missing=""
        )

    def claim(self, session_id: str, device_id: str, uid: str, ends_at: datetime) -> None:
        """Bind the device to ``uid`` for the session (ending at ``ends_at``: the
        binding expires some days after, rollcall.core.retention), or raise
        DeviceInUse."""
        key = device_key(device_id)
        path = schema.device_path(session_id, key)
        # The scan's Firestore deadline counts from here, also while it waits its turn.
        waiting = time.monotonic()
        binding = (uid, waiting, retention.device(ends_at))
        owner = self._bound.get((session_id, key), lambda: self._writer.submit(path, binding))
        if owner != uid:
            raise DeviceInUse("this device already checked in another student for this session")


def write_bindings(
    db: Client, batch: list[tuple[str, tuple[str, float, datetime]]]
) -> dict[str, str]:
    """Create each binding (device document path, (uid, when its scan began waiting,
    when the binding expires));
    where one exists, read who owns it. One BatchWrite (and one batched read if any
    existed), within the deadline of the longest-waiting scan. Returns {path: owner}."""
    from google.cloud.firestore_v1.bulk_batch import BulkWriteBatch

    since = min(waiting for _, (_, waiting, _) in batch)

    writes = BulkWriteBatch(db)
    refs = [db.document(path) for path, _ in batch]
    for ref, (_, (uid, _, expire_at)) in zip(refs, batch, strict=True):
        writes.create(
            ref,
            {"uid": uid, "bound_at": firestore.SERVER_TIMESTAMP, retention.FIELD: expire_at},
        )
    response = writes.commit(**deadline(since))
    owners: dict[str, str] = {}
    existing = []
    for ref, (path, (uid, _, _)), status in zip(refs, batch, response.status, strict=True):
        if status.code == 0:
            owners[path] = uid
        elif status.code == ALREADY_EXISTS:
            existing.append(ref)
        else:
            raise RuntimeError(f"binding {path} failed: {status.code} {status.message}")
    for snap in db.get_all(existing, **deadline(since)) if existing else ():
        owners[snap.reference.path] = (snap.to_dict() or {}).get("uid", "") if snap.exists else ""
    return owners
