"""One device, one student per session.

The first accepted scan from a device binds it to that student in
``sessions/{sid}/devices/{hash of device id}`` (a create: no read-modify-write). A later
scan from the same device by another student is ``device_in_use``; the same student
scanning again from it is fine. Binding is the last check before publishing, so a scan
rejected for any other reason binds nothing.

In a lecture's burst every scan binds a device, and one Firestore RPC per scan was the
largest part of the ingest's CPU (``make bench``). The bindings are therefore written by
group commit (``BindingWriter``): a scan that finds no write in flight writes at once,
alone; scans arriving while a write is in flight queue up and go together in the next
one, as a ``BatchWrite`` (each create succeeds or fails on its own, unlike a
transaction). No timer, so no added latency when the function is idle.

The device id comes from the client (a random id the web app keeps in local storage),
so this stops the casual proxy (one phone marking friends), not a determined one who
clears storage; device attestation (App Check) would be the next step.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

from google.cloud import firestore
from google.cloud.firestore import Client

from rollcall.cache import TtlCache
from rollcall.core import schema
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
        self._writer = BindingWriter(lambda batch: write_bindings(db, batch))

    def claim(self, session_id: str, device_id: str, uid: str) -> None:
        """Bind the device to ``uid`` for the session, or raise DeviceInUse."""
        key = device_key(device_id)
        path = schema.device_path(session_id, key)
        owner = self._bound.get((session_id, key), lambda: self._writer.bind(path, uid))
        if owner != uid:
            raise DeviceInUse("this device already checked in another student for this session")


class Binding:
    """One scan's request to bind the device document ``path`` to ``uid``; the writer
    fills in ``owner`` (whoever the device is bound to now) or ``error``."""

    __slots__ = ("path", "uid", "owner", "error", "lead", "ready", "since")

    def __init__(self, path: str, uid: str) -> None:
        self.path, self.uid = path, uid
        self.since = time.monotonic()  # the scan's Firestore deadline counts from here
        self.owner: str | None = None
        self.error: BaseException | None = None
        self.lead = False
        self.ready = threading.Event()


class BindingWriter:
    """Group commit. ``write(batch)`` gets the bindings of one request (distinct paths)
    and returns {path: owner} or raises; each caller of ``bind`` gets its path's owner
    or the write's exception. Whoever finds the writer idle writes; when that write
    returns, the first queued caller takes over and writes everything queued meanwhile
    (so no caller writes more than once, and nothing waits on a timer)."""

    def __init__(self, write: Callable[[list[Binding]], dict[str, str]]) -> None:
        self._write = write
        self._lock = threading.Lock()
        self._queued = threading.Condition(self._lock)
        self._queue: list[Binding] = []
        self._busy = False

    def waiting(self, callers: int, timeout: float) -> bool:
        """Wait until at least ``callers`` are queued for the next write (those behind
        the write in flight); False after ``timeout`` seconds. For tests and probes."""
        with self._queued:
            return self._queued.wait_for(lambda: len(self._queue) >= callers, timeout)

    def bind(self, path: str, uid: str) -> str:
        item = Binding(path, uid)
        with self._lock:
            self._queue.append(item)
            self._queued.notify_all()
            if not self._busy:
                self._busy = item.lead = True
        if not item.lead:
            item.ready.wait()
        if item.lead:  # from the start, or handed over by the previous writer
            self._write_next()
        if item.error is not None:
            raise item.error
        assert item.owner is not None
        return item.owner

    def _write_next(self) -> None:
        with self._lock:
            taken: list[Binding] = []
            paths: set[str] = set()
            for item in self._queue:
                if item.path not in paths and len(paths) == MAX_BATCH:
                    break
                paths.add(item.path)
                taken.append(item)
            del self._queue[: len(taken)]
        first: dict[str, Binding] = {}
        for item in taken:
            first.setdefault(item.path, item)  # one create per path: the earliest scan's
        error: BaseException | None = None
        try:
            owners = self._write(list(first.values()))
        except BaseException as exc:  # whatever it is, the queued callers must not hang
            owners, error = {}, exc
        for item in taken:
            item.lead = False
            if error is not None:
                item.error = error
            else:
                item.owner = owners.get(item.path, "")
        with self._lock:
            if self._queue:
                self._queue[0].lead = True  # the next writer
                self._queue[0].ready.set()
            else:
                self._busy = False
        for item in taken:
            item.ready.set()
        if error is not None and not isinstance(error, Exception):
            raise error  # e.g. the worker's timeout: after the hand-over, not instead


def write_bindings(db: Client, batch: list[Binding]) -> dict[str, str]:
    """Create each binding; where one exists, read who owns it. One BatchWrite (and one
    batched read if any existed), within the deadline of the longest-waiting scan.
    Returns {path: owner uid}."""
    from google.cloud.firestore_v1.bulk_batch import BulkWriteBatch

    since = min(b.since for b in batch)

    writes = BulkWriteBatch(db)
    refs = [db.document(b.path) for b in batch]
    for ref, binding in zip(refs, batch, strict=True):
        writes.create(ref, {"uid": binding.uid, "bound_at": firestore.SERVER_TIMESTAMP})
    response = writes.commit(**deadline(since))
    owners: dict[str, str] = {}
    existing = []
    for ref, binding, status in zip(refs, batch, response.status, strict=True):
        if status.code == 0:
            owners[binding.path] = binding.uid
        elif status.code == ALREADY_EXISTS:
            existing.append(ref)
        else:
            raise RuntimeError(f"binding {binding.path} failed: {status.code} {status.message}")
    for snap in db.get_all(existing, **deadline(since)) if existing else ():
        owners[snap.reference.path] = (snap.to_dict() or {}).get("uid", "") if snap.exists else ""
    return owners
