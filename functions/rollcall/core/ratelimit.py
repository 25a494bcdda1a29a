"""Per-key failure limits, per instance (typed-code guessing)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class FailureLimiter:
    """At most ``limit`` failures per ``per_seconds`` for a key; then refuse."""

    def __init__(
        self, limit: int, per_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._per = per_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque[float]:
        window = self._failures.setdefault(key, deque())
        horizon = self._clock() - self._per
        while window and window[0] <= horizon:
            window.popleft()
        return window

    def blocked(self, key: str) -> bool:
        with self._lock:
            return len(self._recent(key)) >= self._limit

    def fail(self, key: str) -> None:
        with self._lock:
            self._recent(key).append(self._clock())
