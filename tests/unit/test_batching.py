"""Group commit (rollcall.batching.GroupCommit) as the device bindings use it, with a
stand-in for the one Firestore call (the real BatchWrite runs in
tests/emulator/test_security.py; the accounts' lookups in tests/emulator/test_security.py
too)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from rollcall.batching import GroupCommit
from rollcall.core.devices import MAX_BATCH


def bindings(write, max_batch=MAX_BATCH):
    """Group commit as rollcall.core.devices sets it up for the device bindings."""
    return GroupCommit(write, max_batch, missing="")


class Store:
    """Bindings as Firestore keeps them: the first create of a path wins. Records each
    request; ``hold`` keeps a request in flight until released."""

    def __init__(self) -> None:
        self.owners: dict[str, str] = {}
        self.requests: list[list[tuple[str, str]]] = []
        self.hold = threading.Event()
        self.hold.set()
        self.in_flight = threading.Event()
        self.fail_requests: set[int] = set()  # 1-based numbers of requests that fail

    def write(self, batch):
        self.requests.append(list(batch))
        self.in_flight.set()
        self.hold.wait(5)
        if len(self.requests) in self.fail_requests:
            raise ConnectionError("firestore unavailable")
        assert len({path for path, _ in batch}) == len(batch), "a path twice in one request"
        for path, uid in batch:
            self.owners.setdefault(path, uid)
        return {path: self.owners[path] for path, _ in batch}


def test_an_idle_writer_writes_at_once_alone():
    store = Store()
    assert bindings(store.write).submit("s/devices/a", "ana") == "ana"
    assert store.requests == [[("s/devices/a", "ana")]]


def _while_first_in_flight(store: Store, writer: GroupCommit, calls: list[tuple[str, str]]):
    """Start one bind and hold its request; make ``calls`` meanwhile; release. Returns
    the owner each call got (first call's included, at index 0)."""
    store.hold.clear()
    with ThreadPoolExecutor(len(calls) + 1) as pool:
        first = pool.submit(writer.submit, "s/devices/first", "first")
        assert store.in_flight.wait(5)
        rest = [pool.submit(writer.submit, path, uid) for path, uid in calls]
        assert writer.waiting(len(calls), 5)  # every caller queued behind the request
        store.hold.set()
        return [first.result(5)] + [f.result(5) for f in rest]


def test_callers_arriving_during_a_write_go_together_in_the_next_one():
    store = Store()
    calls = [(f"s/devices/{i}", f"student-{i}") for i in range(50)]
    owners = _while_first_in_flight(store, bindings(store.write), calls)

    assert owners == ["first"] + [uid for _, uid in calls]
    assert len(store.requests) == 2
    assert sorted(store.requests[1]) == sorted(calls)


def test_two_students_on_one_device_in_one_batch_get_the_earlier_ones_binding():
    store = Store()
    writer = bindings(store.write)
    store.hold.clear()
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(writer.submit, "s/devices/other", "x")
        assert store.in_flight.wait(5)
        ana = pool.submit(writer.submit, "s/devices/shared", "ana")
        assert writer.waiting(1, 5)
        ben = pool.submit(writer.submit, "s/devices/shared", "ben")
        assert writer.waiting(2, 5)
        store.hold.set()
        assert (first.result(5), ana.result(5), ben.result(5)) == ("x", "ana", "ana")
    assert store.requests[1] == [("s/devices/shared", "ana")]


def test_a_failed_write_fails_its_callers_and_the_next_caller_writes_again():
    store = Store()
    writer = bindings(store.write)
    store.fail_requests = {1}
    with pytest.raises(ConnectionError):
        writer.submit("s/devices/a", "ana")
    assert writer.submit("s/devices/a", "ana") == "ana"
    assert len(store.requests) == 2


def test_a_failure_reaches_every_caller_of_that_batch_and_only_them():
    store = Store()
    store.fail_requests = {2}  # the second request: the callers queued behind the first
    calls = [(f"s/devices/{i}", f"u{i}") for i in range(3)]
    writer = bindings(store.write)
    store.hold.clear()
    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(writer.submit, "s/devices/first", "first")
        assert store.in_flight.wait(5)
        queued = [pool.submit(writer.submit, path, uid) for path, uid in calls]
        assert writer.waiting(len(calls), 5)
        store.hold.set()
        assert first.result(5) == "first"
        for future in queued:
            with pytest.raises(ConnectionError):
                future.result(5)
    assert writer.submit("s/devices/0", "u0") == "u0"  # not stuck: the next caller writes
    assert [len(r) for r in store.requests] == [1, 3, 1]


def test_a_queue_longer_than_firestores_limit_is_written_in_several_requests():
    store = Store()
    calls = [(f"s/devices/{i}", f"student-{i}") for i in range(10)]
    owners = _while_first_in_flight(store, bindings(store.write, max_batch=4), calls)

    assert owners == ["first"] + [uid for _, uid in calls]
    assert [len(r) for r in store.requests] == [1, 4, 4, 2]


class WorkerTimeout(BaseException):
    """Like the exception a server's request timeout raises inside a thread."""


def test_a_writer_interrupted_mid_write_still_releases_the_callers_queued_behind_it():
    store = Store()
    interrupted = threading.Event()

    def write(batch):
        if not interrupted.is_set():
            interrupted.set()
            store.hold.wait(5)
            raise WorkerTimeout()
        return store.write(batch)

    writer = bindings(write)
    store.hold.clear()
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(writer.submit, "s/devices/first", "first")
        assert interrupted.wait(5)
        queued = pool.submit(writer.submit, "s/devices/a", "ana")
        assert writer.waiting(1, 5)
        store.hold.set()
        with pytest.raises(WorkerTimeout):
            first.result(5)
        assert queued.result(5) == "ana"  # handed over and written, not stranded
