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


def test_concurrent_checks_hold_their_slots_so_at_most_the_limit_are_checked():
    """Thirty wrong codes at once: ten checks run, twenty are refused before any check."""
    import threading
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    from rollcall.core.ratelimit import Refused

    limiter = FailureLimiter(10, 300)
    release = threading.Event()
    checking = threading.Semaphore(0)

    def wrong_code() -> str:
        try:
            with limiter.attempt("u1") as attempt:
                checking.release()
                release.wait(5)  # every check stays in flight until all 30 have tried
                attempt.failed()
        except Refused:
            return "rate_limited"
        return "qr_invalid"

    with ThreadPoolExecutor(30) as pool:
        futures = [pool.submit(wrong_code) for _ in range(30)]
        for _ in range(10):
            assert checking.acquire(timeout=5)
        pending = set(futures)
        while len(pending) > 10:  # the other twenty return while the ten are held
            done, pending = wait(pending, timeout=5, return_when=FIRST_COMPLETED)
            assert done, "twenty attempts should be refused without waiting"
        release.set()
        answers = sorted(f.result(5) for f in futures)
    assert answers.count("qr_invalid") == 10 and answers.count("rate_limited") == 20
    assert limiter.blocked("u1")


def test_a_check_that_succeeds_or_cannot_tell_gives_its_slot_back():
    from rollcall.core.ratelimit import Refused

    clock = Clock(100.0)
    limiter = FailureLimiter(2, 60, clock=clock)
    for _ in range(5):
        with limiter.attempt("u1"):
            pass  # a right code: no failure counted
    try:
        with limiter.attempt("u1"):
            raise ConnectionError("firestore down")  # cannot tell: no failure either
    except ConnectionError:
        pass
    assert not limiter.blocked("u1")
    for _ in range(2):
        with limiter.attempt("u1") as attempt:
            attempt.failed()
    try:
        with limiter.attempt("u1"):
            raise AssertionError("a third attempt within the window must be refused")
    except Refused:
        pass
    clock.t += 61
    assert not limiter.blocked("u1")


def test_held_rejections_are_written_when_the_quiet_time_ends():
    """A refusal repeated within the quiet time is not lost if no other follows: a timer
    writes it, with the latest device, at the end of that time."""
    import threading
    from datetime import UTC, datetime

    written: list[tuple[str, int, str]] = []
    flushed = threading.Event()

    class Recorded(RejectionLog):
        def _write(self, session_id, doc_id, fields, count):
            written.append((doc_id, count, fields["device_id"]))
            if len(written) == 2:
                flushed.set()

    log = Recorded(db=None, write_every=0.2)
    at = datetime.now(UTC)
    assert log.record("s1", "u1", "phone-a", "qr_expired", "expired", at) is True
    assert log.record("s1", "u1", "phone-b", "qr_expired", "expired", at) is False
    assert log.record("s1", "u1", "phone-c", "qr_expired", "expired", at) is False
    assert flushed.wait(5)
    assert written == [("u1__qr_expired", 1, "phone-a"), ("u1__qr_expired", 2, "phone-c")]
