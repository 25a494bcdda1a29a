"""Crash recovery on the stack `make up` starts (decision 0017).

* A consumer process killed with SIGKILL in the middle of a lecture is started again by
  its supervisor; every event it had not acknowledged is then processed, or waits on its
  dead-letter subscription where `rollcall status` shows it, and after `rollcall
  dead-letters replay` (when there is anything to replay) every count is exact: one
  record, one inbox entry, one tally count and one push per student (but for a push in
  flight at the kill, which is counted).
* `make up` on a running stack starts again what is dead of it and leaves the rest;
  `make restart SERVICE=...` restarts one process; `python -m emulators.stack status`
  says what is down.
* Firestore stalls (its process group stopped) for a few seconds: scans answer 503
  ``unavailable`` within the scan path's Firestore deadline instead of hanging, are
  accepted when sent again afterwards, and nothing is counted twice.

The tests wait on events and log lines; they sleep only for an outage's own length.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from emulators.stack import Stack
from rollcall.core import schema
from rollcall.core.sessions import DEADLINE_SECONDS
from rollcall_ops import admin, lecture
from tests.conftest import ROOT, local_stack
from tests.emulator.test_operations import (
    dead_letters,
    replayed,
    rollcall,
    session_pushes,
    status_json,
)
from tests.support import (
    CONSUMERS,
    attendance,
    log_lines,
    log_marks,
    new_course,
    new_session,
    new_student,
    scan,
    tally,
    token_for,
    unique,
    wait_for,
)

pytestmark = pytest.mark.emulator
LECTURE = 200
#: The consumer is killed once it has applied this many of the lecture's events.
KILL_AFTER = 10


def answers(stack: Stack, name: str) -> bool:
    try:
        requests.get(stack.url(name) + "/", timeout=1)
    except requests.RequestException:
        return False
    return True


def done_uids(consumer: str, session_id: str) -> set[str]:
    """The students whose event ``consumer`` has applied: records, inbox entries, tally
    markers (each keyed by the student, so a count of them cannot hold a duplicate)."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    db = admin.db()
    if consumer == "attendance":
        return {s.id for s in schema.attendance(db, session_id).select([]).stream()}
    if consumer == "dashboard":
        marks = db.collection("sessions").document(session_id).collection("tally_marks")
        return {s.id for s in marks.select([]).stream()}
    entries = db.collection_group(schema.INBOX).where(
        filter=FieldFilter("session_id", "==", session_id)
    )
    return {s.reference.parent.parent.id for s in entries.select([]).stream()}


def pending_pushes(session_id: str) -> set[str]:
    """Students whose inbox entry's push is claimed but not done (in flight)."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    entries = (
        admin.db()
        .collection_group(schema.INBOX)
        .where(filter=FieldFilter("session_id", "==", session_id))
        .select(["push.status"])
    )
    return {
        s.reference.parent.parent.id
        for s in entries.stream()
        if ((s.to_dict() or {}).get("push") or {}).get("status") == "pending"
    }


# -- a consumer killed mid-lecture ---------------------------------------------------


@pytest.mark.parametrize("consumer", CONSUMERS)
def test_consumer_killed_mid_lecture_is_restarted_and_every_count_ends_exact(stack_env, consumer):
    stack = local_stack()
    course = admin.demo_course(unique(f"kill{consumer}"))
    admin.seed(course, LECTURE)
    roster = set(admin.roster(course))
    session_id = admin.open_session(course, rotation=30, late_after=10, duration=30)
    since = log_marks()
    killed: dict = {}

    def kill_when_busy() -> None:
        """SIGKILL the consumer's function process once it is working on the lecture."""
        try:
            wait_for(
                lambda: (
                    len(
                        log_lines(
                            consumer,
                            since,
                            message="consumer effect applied",
                            session_id=session_id,
                        )
                    )
                    >= KILL_AFTER
                ),
                timeout=60,
                interval=0.02,
            )
            killed["pid"] = pid = stack.child_pid(consumer)
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
            killed["at"] = time.time()
            killed["done"] = len(done_uids(consumer, session_id))
            if consumer == "notify":  # claimed pushes that were in flight
                killed["in_flight"] = pending_pushes(session_id)
        except BaseException as exc:
            killed["error"] = exc

    killer = threading.Thread(target=kill_when_busy)
    killer.start()
    result = lecture.run(session_id, LECTURE, effects_timeout=0)
    killer.join(90)
    assert "error" not in killed, killed.get("error")
    assert result.accepted == LECTURE, result.rejected
    assert killed["done"] < LECTURE, "the consumer finished before the kill: nothing to lose"

    # The supervisor starts it again (a new process), and it answers.
    wait_for(
        lambda: stack.child_pid(consumer) not in (None, killed["pid"]) and answers(stack, consumer),
        timeout=60,
        interval=0.05,
    )
    back_at = time.time()
    [exited] = log_lines(consumer, since, message="function process exited, restarting")
    assert (exited["pid"], exited["exit"]) == (killed["pid"], "killed by SIGKILL")

    # Every event is processed or waits on the consumer's dead-letter subscription.
    def accounted() -> bool:
        waiting = {d.event.uid for d in dead_letters(session_id, consumer)}
        return done_uids(consumer, session_id) | waiting == roster

    wait_for(accounted, timeout=60, interval=0.5)
    accounted_at = time.time()

    # `rollcall status` tells it as it is (read between two identical looks at what
    # the consumer has done and what waits, so nothing moved meanwhile).
    def look() -> tuple[int, int]:
        return len(done_uids(consumer, session_id)), len(dead_letters(session_id, consumer))

    def consistent() -> tuple[dict, int, int] | None:
        before = look()
        status = status_json(session_id)
        return (status, *before) if look() == before else None

    status, done, waiting = wait_for(consistent, timeout=30, interval=0.5)
    assert status["consumers"][consumer]["done"] == done
    assert status["consumers"][consumer]["dead_letters"] == waiting
    assert status["dead_letter_backlog"][f"{consumer}-dead-letter"]["this_session"] == waiting
    replay_seconds = 0.0
    if waiting:
        started = time.monotonic()
        out = rollcall(
            "dead-letters", "replay", "--subscription", consumer, "--session", session_id, "--all"
        )
        replay_seconds = time.monotonic() - started
        done_, of = replayed(out)
        assert done_ == of >= waiting, out

    wait_for(
        lambda: admin.effects(session_id) == admin.Effects(LECTURE, LECTURE, LECTURE),
        timeout=60,
        interval=0.5,
    )

    # A delivery the process had applied but not yet acknowledged when it died is
    # redelivered; were the restart slower than its attempts it lands on the
    # dead-letter subscription late, effect done. For notify that includes a push the
    # dead attempt had claimed: its redeliveries wait for the claim (CLAIM_LEASE) and
    # may run out of attempts first, so the push waits for the replay, which releases
    # the claim. Wait until every unsent push is sent or dead-lettered, then replay.
    def pushes_settled() -> bool:
        unsent = pending_pushes(session_id)
        return not unsent or unsent <= {d.event.uid for d in dead_letters(session_id)}

    wait_for(pushes_settled, timeout=150, interval=0.5)
    late = dead_letters(session_id)
    assert {d.event.uid for d in late} <= done_uids(consumer, session_id)
    if late:
        rollcall("dead-letters", "replay", "--session", session_id, "--all")
        wait_for(lambda: not dead_letters(session_id), timeout=30, interval=0.5)
    wait_for(lambda: admin.push_states(session_id) == {"sent": LECTURE}, timeout=60)
    exact_at = time.time()

    # Exact: one of each effect per student, nothing waiting, each scan accepted once.
    assert admin.effects(session_id) == admin.Effects(LECTURE, LECTURE, LECTURE)
    assert done_uids("attendance", session_id) == roster
    assert done_uids("notify", session_id) == roster
    assert done_uids("dashboard", session_id) == roster
    counts = tally(session_id)
    assert counts["total"] == counts["present"] + counts["late"] == LECTURE
    assert sum(counts["arrivals"].values()) == LECTURE
    accepted = log_lines("scan", since, message="scan accepted", session_id=session_id)
    assert len({line["uid"] for line in accepted}) == len(accepted) == LECTURE
    applied = log_lines(consumer, since, message="consumer effect applied", session_id=session_id)
    assert len({line["uid"] for line in applied}) == len(applied) <= LECTURE

    # One push per device, but for one in flight when the process died.
    pushes = session_pushes(session_id)
    assert set(pushes) == {f"demo-device-{uid}" for uid in roster}
    twice = {token for token, n in pushes.items() if n > 1}
    in_flight = {f"demo-device-{uid}" for uid in killed.get("in_flight", ())}
    assert twice <= in_flight and max(pushes.values()) <= 2, pushes.most_common(3)

    after = status_json(session_id)
    assert after["consumers"][consumer]["done"] == LECTURE
    assert after["consumers"][consumer]["dead_letters"] == 0
    print(
        f"\n{consumer} killed (SIGKILL) after {killed['done']} of {LECTURE} effects; "
        f"answering again {back_at - killed['at']:.1f} s later; everything processed or "
        f"dead-lettered {accounted_at - killed['at']:.1f} s after the kill: "
        f"{done - killed['done']} by redelivery, {waiting} dead-lettered "
        f"(replay {replay_seconds:.1f} s), {len(late)} dead-lettered late (effect done); "
        f"counts exact {exact_at - killed['at']:.1f} s "
        f"after the kill; pushes in flight at the kill {len(in_flight)}, sent twice "
        f"{len(twice)}"
    )


# -- make up, make restart, status ---------------------------------------------------


def stack_status(stack: Stack) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "ROLLCALL_STATE_DIR": str(stack.state_dir),
        "ROLLCALL_PORT_OFFSET": str(stack.offset),
    }
    return subprocess.run(
        [sys.executable, "-m", "emulators.stack", "status"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def kill_group(stack: Stack, name: str) -> None:
    """Down for good: the process group, supervisor and all."""
    pid = stack._pid(name)
    assert pid is not None
    os.killpg(pid, signal.SIGKILL)
    try:
        os.waitpid(pid, 0)  # the test session started the stack: its leaders are ours
    except ChildProcessError:
        pass
    wait_for(lambda: name not in stack.running(), timeout=10)


def test_make_up_starts_again_only_what_is_dead_and_status_says_what_was(stack_env):
    stack = local_stack()
    before = {name: stack._pid(name) for name in stack.processes()}
    for name in ("scheduler", "attendance"):
        kill_group(stack, name)

    down = stack_status(stack)
    assert down.returncode == 1, down.stdout
    rows = {line.split()[0]: line.split()[1] for line in down.stdout.splitlines()[1:-1]}
    assert rows["scheduler"] == rows["attendance"] == "down"
    assert {n for n, state in rows.items() if state == "up"} == set(before) - {
        "scheduler",
        "attendance",
    }
    assert down.stdout.splitlines()[-1].startswith("not up: scheduler, attendance: `make up`")

    lines: list[str] = []
    stack.up(log=lines.append)

    after = {name: stack._pid(name) for name in stack.processes()}
    assert {n for n in after if after[n] != before[n]} == {"scheduler", "attendance"}
    running = len(before) - 2
    assert lines and lines[0].startswith(
        f"started again: scheduler, attendance ({running} were running)"
    )
    up = stack_status(stack)
    assert up.returncode == 0, up.stdout
    assert up.stdout.splitlines()[0].startswith(f"{len(before)} of {len(before)} up")
    # The restarted consumer works: a scan reaches it.
    course = new_course()
    session = new_session(course)
    student = new_student(course)
    assert scan(student, token_for(session)).status_code == 202
    wait_for(lambda: attendance(session.id, student.uid), timeout=20)


def test_restart_of_one_process_leaves_the_others_running(stack_env):
    stack = local_stack()
    before = {name: stack._pid(name) for name in stack.processes()}
    child = stack.child_pid("scan")

    stack.restart("scan", log=lambda *_: None)

    after = {name: stack._pid(name) for name in stack.processes()}
    assert {n for n in after if after[n] != before[n]} == {"scan"}
    assert stack.child_pid("scan") not in (None, child)
    state = stack.supervisor_status("scan")
    assert state is not None and state.restarts == 0  # a new supervisor, not a crash
    with pytest.raises(Exception, match="no process 'nope' in the stack: name one of"):
        stack.restart("nope")
    course = new_course()
    session = new_session(course)
    assert scan(new_student(course), token_for(session)).status_code == 202


# -- Firestore stalls ----------------------------------------------------------------

#: How long Firestore stays stopped: longer than the scan path's deadline, so that the
#: scans sent at its start time out within it.
STALL_SECONDS = DEADLINE_SECONDS + 3


def test_scans_during_a_firestore_stall_are_503_then_accepted_once_each(stack_env):
    stack = local_stack()
    course = new_course()
    warm, cold = new_session(course), new_session(course)
    students = [new_student(course) for _ in range(11)]
    # The first scan warms the scan function's caches for one session (session, roster):
    # its stalled call is then the device binding, as in the middle of a lecture. The
    # other session is not cached yet: its scans stall on loading it, one load for all.
    assert scan(students[0], token_for(warm), device_id="phone-0").status_code == 202
    wait_for(lambda: admin.effects(warm.id) == admin.Effects(1, 1, 1), timeout=20)
    sessions_of = {i: warm if i <= 5 else cold for i in range(1, 11)}
    since = log_marks()
    firestore = stack._pid("firestore")
    assert firestore is not None

    def timed_scan(i: int) -> tuple[int, str, float]:
        started = time.monotonic()
        resp = scan(students[i], token_for(sessions_of[i]), device_id=f"phone-{i}")
        code = resp.json().get("error", {}).get("code", "") if resp.status_code != 202 else ""
        return resp.status_code, code, time.monotonic() - started

    os.killpg(firestore, signal.SIGSTOP)
    stopped = time.monotonic()
    try:
        with ThreadPoolExecutor(10) as pool:
            during = list(pool.map(timed_scan, range(1, 11)))
        time.sleep(max(0.0, stopped + STALL_SECONDS - time.monotonic()))  # the outage
    finally:
        os.killpg(firestore, signal.SIGCONT)
    resumed = time.monotonic()

    assert [(status, code) for status, code, _ in during] == [(503, "unavailable")] * 10
    # Within the deadline, also those queued behind another scan's stalled call.
    assert max(took for _, _, took in during) < DEADLINE_SECONDS + 2, during

    # The phones send them again (their outbox does): each is accepted.
    first_accepted: list[float] = []

    def sent_again(i: int) -> None:
        def accepted() -> bool:
            status, code, _ = timed_scan(i)
            assert status in (202, 503), (status, code)
            return status == 202

        wait_for(accepted, timeout=30, interval=0.5)
        first_accepted.append(time.monotonic())

    with ThreadPoolExecutor(10) as pool:
        list(pool.map(sent_again, range(1, 11)))
    wait_for(
        lambda: (
            admin.effects(warm.id) == admin.Effects(6, 6, 6)
            and admin.effects(cold.id) == admin.Effects(5, 5, 5)
        ),
        timeout=30,
        interval=0.5,
    )

    # Nothing counted twice: each student accepted once, each effect applied once.
    for session, uids in (
        (warm, {s.uid for s in students[1:6]}),
        (cold, {s.uid for s in students[6:]}),
    ):
        accepted = log_lines("scan", since, message="scan accepted", session_id=session.id)
        assert sorted(line["uid"] for line in accepted) == sorted(uids)
        refused = log_lines("scan", since, message="scan rejected", reason="unavailable")
        assert uids <= {line["uid"] for line in refused}
        for consumer in CONSUMERS:
            applied = log_lines(consumer, since, message="consumer effect applied")
            mine = [
                line["uid"]
                for line in applied
                if line.get("session_id") == session.id and line["uid"] in uids
            ]
            assert sorted(mine) == sorted(uids), consumer
    assert tally(warm.id)["total"] == 6 and tally(cold.id)["total"] == 5
    took = sorted(t for *_, t in during)
    print(
        f"\nFirestore stopped {resumed - stopped:.1f} s: 10 scans answered 503 in "
        f"{took[0]:.1f} to {took[-1]:.1f} s; sent again, all accepted "
        f"{max(first_accepted) - resumed:.1f} s after Firestore came back"
    )
