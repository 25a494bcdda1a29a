"""A simulated lecture: N enrolled students sign in, then all scan at once.

Measures what a lecture feels like: how many scans were accepted, the acknowledgement
latency each student saw, and the time from the first scan until all three effects
(attendance record, inbox entry, dashboard count) exist for every student.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from rollcall_ops import admin, auth_emulator


@dataclass
class LectureResult:
    students: int
    accepted: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    ack_ms: list[float] = field(default_factory=list)
    effects: admin.Effects | None = None
    all_effects_ms: float | None = None

    def percentile(self, p: float) -> float:
        if not self.ack_ms:
            return float("nan")
        ordered = sorted(self.ack_ms)
        k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
        return ordered[k]

    @property
    def complete(self) -> bool:
        n = self.students
        return self.accepted == n and self.effects is not None and self.effects.all_at_least(n)

    def summary(self) -> str:
        e = self.effects or admin.Effects(0, 0, 0)
        effects = "n/a" if self.all_effects_ms is None else f"{self.all_effects_ms:.0f}"
        return (
            f"lecture: {self.students} scanned, {self.accepted} accepted, "
            f"{e.attendance} recorded, {e.inbox} inbox, dashboard {e.dashboard}, "
            f"ack p50 {self.percentile(50):.0f} ms, ack p99 {self.percentile(99):.0f} ms, "
            f"all effects {effects} ms"
        )


def sign_in_students(course_id: str, n: int, progress=None) -> list[tuple[str, str]]:
    """(uid, ID token) of the first n enrolled students."""
    uids = admin.roster(course_id)[:n]
    if len(uids) < n:
        raise SystemExit(f"error: course {course_id!r} has {len(uids)} students, not {n}")

    def one(uid: str) -> tuple[str, str]:
        i = int(uid.rsplit("-", 1)[1])
        token = auth_emulator.sign_in(admin.student_email(i), admin.DEMO_PASSWORD)
        if progress:
            progress()
        return uid, token

    with ThreadPoolExecutor(32) as pool:
        return list(pool.map(one, uids))


@dataclass
class Burst:
    """Every student's scan sent at the same instant: what each one saw."""

    first_scan: float  # unix time the starting gun fired
    ack_ms: list[float] = field(default_factory=list)
    accepted: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    #: uid -> error code of each scan not accepted
    refused: dict[str, str] = field(default_factory=dict)


def burst(scan_url: str, session: Any, tokens: list[tuple[str, str]], on_scan=None) -> Burst:
    """POST one scan per (uid, ID token), all at once, each on its own new connection
    (as phones would), with the token the teacher's screen shows at that moment.

    http.client rather than requests: the simulated phones share the machine's CPU
    with the system under test, and requests costs several times more per call."""
    url = urlsplit(scan_url)
    lock = threading.Lock()
    go = threading.Event()
    result = Burst(first_scan=0.0)

    def scan(item: tuple[str, str]) -> None:
        uid, id_token = item
        go.wait()
        body = json.dumps({"qr": admin.current_qr_for(session), "device_id": f"phone-{uid}"})
        headers = {"Authorization": f"Bearer {id_token}", "Content-Type": "application/json"}
        started = time.perf_counter()
        conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60)
        try:
            conn.request("POST", url.path or "/", body=body, headers=headers)
            resp = conn.getresponse()
            answer = resp.read()
        finally:
            conn.close()
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            result.ack_ms.append(elapsed)
            if resp.status == 202:
                result.accepted += 1
            else:
                try:
                    code = json.loads(answer).get("error", {}).get("code", str(resp.status))
                except ValueError:  # not Rollcall's JSON error: a server's own 5xx page
                    code = str(resp.status)
                result.rejected[code] = result.rejected.get(code, 0) + 1
                result.refused[uid] = code
        if on_scan:
            on_scan()

    with ThreadPoolExecutor(max(1, len(tokens))) as pool:
        futures = [pool.submit(scan, item) for item in tokens]
        time.sleep(0.2)  # let every thread reach the start line
        result.first_scan = time.time()
        go.set()
        for f in futures:
            f.result()
    return result


def wait_for_effects(session_id: str, expected: int, first_scan: float, timeout: float = 60):
    """(effects, ms from the first scan until the last effect, or None if incomplete).

    Polling only tells when everything is done; the time it was done comes from the
    effects' own server timestamps, so a slow poll costs the emulator less CPU without
    making the figure less exact."""
    deadline = time.monotonic() + timeout
    effects = None
    while True:
        effects = admin.effects(session_id, effects, expected)
        if effects.all_at_least(expected) or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    last = admin.last_effect_at(session_id)
    if effects.all_at_least(expected) and last is not None:
        return effects, (last.timestamp() - first_scan) * 1000
    return effects, None


def run(
    session_id: str,
    students: int,
    scan_url: str | None = None,
    on_signed_in=None,
    on_scan=None,
    effects_timeout: float = 60,
) -> LectureResult:
    session = admin.load_session(session_id)
    tokens = sign_in_students(session.course_id, students, on_signed_in)
    sent = burst(scan_url or os.environ["SCAN_URL"], session, tokens, on_scan)
    result = LectureResult(
        students=students, accepted=sent.accepted, rejected=sent.rejected, ack_ms=sent.ack_ms
    )
    result.effects, result.all_effects_ms = wait_for_effects(
        session_id, result.accepted, sent.first_scan, effects_timeout
    )
    return result
