"""Group commit: many threads' requests for one remote call, sent together.

In a lecture's burst every scan binds a device (a Firestore write) and checks that its
account is still enabled (an Auth lookup). One remote call per scan was the largest
part of the scan function's CPU (``make bench``, decision 0013); the same call for a
batch costs about as much as for one. ``GroupCommit`` sends them together without a
timer: a caller that finds no call in flight makes it at once, alone; callers arriving
while a call is in flight queue up, and when it returns the first of them makes the
next call for everything queued meanwhile. So an idle function adds no latency, and a
busy one makes one call per round trip instead of one per request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
P = TypeVar("P")
R = TypeVar("R")


class _Request(Generic[K, P, R]):
    """One caller's request; the call fills in ``result`` or ``error``."""

    __slots__ = ("key", "payload", "result", "error", "lead", "ready")

    def __init__(self, key: K, payload: P) -> None:
        self.key, self.payload = key, payload
        self.result: R | None = None
        self.error: BaseException | None = None
        self.lead = False
        self.ready = threading.Event()


class GroupCommit(Generic[K, P, R]):
    """``call(batch)`` gets one round's requests as (key, payload) pairs with distinct
    keys (the earliest caller's payload for a key) and returns {key: result} or raises;
    each caller of ``submit`` gets its key's result (``missing`` if the call left it
    out) or the call's exception. At most ``max_batch`` keys per call."""

    def __init__(
        self,
        call: Callable[[list[tuple[K, P]]], Mapping[K, R]],
        max_batch: int,
        missing: R,
    ) -> None:
        self._call = call
        self._max_batch = max_batch
        self._missing = missing
        self._lock = threading.Lock()
        self._queued = threading.Condition(self._lock)
        self._queue: list[_Request[K, P, R]] = []
        self._busy = False

    def waiting(self, callers: int, timeout: float) -> bool:
        """Wait until at least ``callers`` are queued for the next call (those behind
        the call in flight); False after ``timeout`` seconds. For tests and probes."""
        with self._queued:
            return self._queued.wait_for(lambda: len(self._queue) >= callers, timeout)

    def submit(self, key: K, payload: P) -> R:
        request: _Request[K, P, R] = _Request(key, payload)
        with self._lock:
            self._queue.append(request)
            self._queued.notify_all()
            if not self._busy:
                self._busy = request.lead = True
        if not request.lead:
            request.ready.wait()
        if request.lead:  # from the start, or handed over by the previous caller
            self._call_next()
        if request.error is not None:
            raise request.error
        return request.result  # type: ignore[return-value]  # set by _call_next

    def _call_next(self) -> None:
        with self._lock:
            taken: list[_Request[K, P, R]] = []
            keys: set[K] = set()
            for request in self._queue:
                if request.key not in keys and len(keys) == self._max_batch:
                    break
                keys.add(request.key)
                taken.append(request)
            del self._queue[: len(taken)]
        first: dict[K, _Request[K, P, R]] = {}
        for request in taken:
            first.setdefault(request.key, request)  # one entry per key: the earliest
        error: BaseException | None = None
        results: Mapping[K, R] = {}
        try:
            results = self._call([(r.key, r.payload) for r in first.values()])
        except BaseException as exc:  # whatever it is, the queued callers must not hang
            error = exc
        for request in taken:
            request.lead = False
            if error is not None:
                request.error = error
            else:
                request.result = results.get(request.key, self._missing)
        with self._lock:
            if self._queue:
                self._queue[0].lead = True  # the next caller to call
                self._queue[0].ready.set()
            else:
                self._busy = False
        for request in taken:
            request.ready.set()
        if error is not None and not isinstance(error, Exception):
            raise error  # e.g. the worker's timeout: after the hand-over, not instead
