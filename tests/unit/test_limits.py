"""Per-instance limits: typed-code guessing, and the collapsing of repeated rejections."""

from rollcall.core.ratelimit import FailureLimiter
from rollcall.core.rejections import RejectionLog
from tests.clock import Clock


def test_failures_block_after_the_limit_and_expire():
    clock = Clock(100.0)
    limiter = FailureLimiter(3, 60, clock=clock)
    for _ in range(3):
        assert not limiter.blocked("u1")
        limiter.fail("u1")
    assert limiter.blocked("u1")
    assert not limiter.blocked("u2")
    clock.t += 61
    assert not limiter.blocked("u1")


def test_repeated_rejections_are_collapsed_into_counted_writes():
    clock = Clock(100.0)
    log = RejectionLog(db=None, write_every=10, clock=clock)
    assert log.due("k") == 1  # first: written at once
    assert [log.due("k") for _ in range(5)] == [0] * 5  # repeats within 10 s: held
    clock.t += 10
    assert log.due("k") == 6  # next write carries the 5 held ones and itself
    assert log.due("other") == 1
