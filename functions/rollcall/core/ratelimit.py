"""Per-key failure limits, per instance (typed-code guessing).

A check that may fail holds one of the key's ``limit`` slots while it runs
(``attempt``): failures of the window and checks in flight together never exceed the
limit, so thirty wrong codes sent at once are checked at most ``limit`` times, not
thirty. A check that succeeds, or cannot tell (a read failed), gives its slot back.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Refused(Exception):
    """The key has used up its attempts for now."""


class Attempt:
    """One check in flight; ``failed()`` counts it as a failure when it ends."""

    def __init__(self) -> None:
        self.is_failure = False

    def failed(self) -> None:
        self.is_failure = True


class FailureLimiter:
    """At most ``limit`` failures per ``per_seconds`` for a key, checks in flight
    included; then refuse."""

    def __init__(
        self, limit: int, per_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._per = per_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._in_flight: Counter[str] = Counter()
        self._lock = threading.Lock()

    def _used(self, key: str) -> int:
        """Failures within the window plus checks in flight (call under the lock)."""
        window = self._failures.get(key)
        if window is not None:
            horizon = self._clock() - self._per
            while window and window[0] <= horizon:
                window.popleft()
            if not window:
                del self._failures[key]  # the map holds the keys that failed lately only
        return (len(window) if window else 0) + self._in_flight[key]

    def _failed(self, key: str) -> None:
        self._failures.setdefault(key, deque()).append(self._clock())

    def blocked(self, key: str) -> bool:
        """No attempt would be allowed now."""
        with self._lock:
            return self._used(key) >= self._limit

    @contextmanager
    def attempt(self, key: str) -> Iterator[Attempt]:
        """Hold a slot for one check of ``key``, or raise ``Refused``. The check calls
        ``failed()`` on what it yields to count as a failure."""
        with self._lock:
            if self._used(key) >= self._limit:
                raise Refused(key)
            self._in_flight[key] += 1
        outcome = Attempt()
        try:
            yield outcome
        finally:
            with self._lock:
                self._in_flight[key] -= 1
                if not self._in_flight[key]:
                    del self._in_flight[key]
                if outcome.is_failure:
                    self._failed(key)

    def fail(self, key: str) -> None:
        """Count one failure outside an attempt."""
        with self._lock:
            self._failed(key)
