"""The ingest's TTL cache: reuse within the TTL, reload after it, one load per burst."""

import threading
import time

from rollcall.cache import TtlCache
from tests.clock import Clock


def test_value_is_reused_within_ttl_and_reloaded_after():
    clock = Clock()
    cache = TtlCache(5, clock=clock)
    loads = []

    def load():
        loads.append(clock.t)
        return len(loads)

    assert cache.get("k", load) == 1
    clock.t = 4.9
    assert cache.get("k", load) == 1
    clock.t = 5.1
    assert cache.get("k", load) == 2
    assert loads == [0.0, 5.1]


def test_concurrent_misses_load_once():
    cache = TtlCache(60)
    calls = []
    barrier = threading.Barrier(20)

    def load():
        calls.append(1)
        time.sleep(0.05)
        return "value"

    results = []

    def worker():
        barrier.wait()
        results.append(cache.get("k", load))

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["value"] * 20
    assert len(calls) == 1


def test_none_is_cached_too():
    cache = TtlCache(60)
    calls = []
    assert cache.get("missing", lambda: calls.append(1)) is None
    assert cache.get("missing", lambda: calls.append(1)) is None
    assert len(calls) == 1
