"""A small thread-safe TTL cache with single-flight loading.

When a lecture's 500 scans arrive in the same second, the first request for a key
loads it and the others wait for that load instead of repeating it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class TtlCache(Generic[V]):
    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, V]] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], V]) -> V:
        entry = self._entries.get(key)
        if entry and entry[0] > self._clock():
            return entry[1]
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            entry = self._entries.get(key)  # loaded while we waited?
            if entry and entry[0] > self._clock():
                return entry[1]
            value = load()
            self._entries[key] = (self._clock() + self._ttl, value)
            return value

    def invalidate(self, key: Hashable) -> None:
        self._entries.pop(key, None)
