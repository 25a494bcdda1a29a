"""The scan path's Firestore deadline (rollcall.core.sessions.deadline): every check
waits at most DEADLINE_SECONDS from when the request started waiting, also when it
waits behind another request's load (single-flight cache) or write (group commit), so
a stalled Firestore gives a queue of scans 503s together, not one after another."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from google.api_core.exceptions import DeadlineExceeded

from rollcall.batching import GroupCommit
from rollcall.core import devices, sessions
from rollcall.core.sessions import Directory


def test_a_call_gets_what_is_left_of_the_deadline_and_none_when_it_is_spent():
    full = sessions.deadline()
    assert full["timeout"] == sessions.DEADLINE_SECONDS == 5.0
    assert full["retry"].timeout == 5.0
    left = sessions.deadline(since=time.monotonic() - 4)
    assert 0.9 < left["timeout"] <= 1.0 and left["retry"].timeout == left["timeout"]
    with pytest.raises(DeadlineExceeded):
        sessions.deadline(since=time.monotonic() - 5.1)


class StalledFirestore:
    """Every read stalls until its timeout, then fails as gRPC would."""

    def __init__(self) -> None:
        self.calls = 0
        self.lock = threading.Lock()

    def collection(self, _name):
        return self

    def document(self, _id):
        return self

    def get(self, retry=None, timeout=None):
        with self.lock:
            self.calls += 1
        time.sleep(timeout)
        raise DeadlineExceeded("stalled")


def test_requests_queued_behind_a_stalled_session_load_fail_with_it(monkeypatch):
    monkeypatch.setattr(sessions, "DEADLINE_SECONDS", 0.5)
    db = StalledFirestore()
    directory = Directory(db, session_ttl=5, roster_ttl=60)  # type: ignore[arg-type]

    def check(_: int) -> float:
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            directory.session("s1")
        return time.monotonic() - started

    with ThreadPoolExecutor(6) as pool:
        waited = list(pool.map(check, range(6)))

    # One load at a time (single flight), each waiter with what is left of its own
    # deadline: all done within it (plus scheduling), instead of six loads in a row (3 s).
    assert max(waited) < 0.5 + 0.4, waited


class StalledBatch:
    """BulkWriteBatch whose commit stalls until its timeout."""

    commits: list[float] = []

    def __init__(self, _db) -> None:
        pass

    def create(self, _ref, _data) -> None:
        pass

    def commit(self, retry=None, timeout=None):
        self.commits.append(timeout)
        time.sleep(timeout)
        raise DeadlineExceeded("stalled")


def test_scans_queued_behind_a_stalled_binding_write_fail_with_it(monkeypatch):
    from google.cloud.firestore_v1 import bulk_batch

    monkeypatch.setattr(sessions, "DEADLINE_SECONDS", 0.5)
    monkeypatch.setattr(bulk_batch, "BulkWriteBatch", StalledBatch)
    monkeypatch.setattr(StalledBatch, "commits", [])
    db = StalledFirestore()
    writer = GroupCommit(
        lambda batch: devices.write_bindings(db, batch),  # type: ignore[arg-type]
        devices.MAX_BATCH,
        missing="",
    )
    first = threading.Event()

    def bind(i: int) -> float:
        if i:
            first.wait()  # the others queue behind the first write
        else:
            threading.Timer(0.05, first.set).start()
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            writer.submit(f"s/devices/{i}", (f"u{i}", started, datetime.now(UTC)))
        return time.monotonic() - started

    with ThreadPoolExecutor(6) as pool:
        waited = list(pool.map(bind, range(6)))

    # The first write stalls for the deadline; the queue behind it has only what is left
    # of its own (about 0.45 s), not a deadline of its own after the first (1 s).
    assert max(waited) < 0.5 + 0.4, waited
    assert len(StalledBatch.commits) == 2 and StalledBatch.commits[1] < 0.5
