"""Operations on the emulators: one broken service never takes the others down and
nothing is lost, and the operator's tools (`rollcall dead-letters`, `rollcall
status`, the logs) bring everything back.

* the notify function crashes in the middle of a 500-student lecture and stays down
  30 s: attendance and dashboard complete meanwhile; after it is back (and its dead
  letters are replayed) every student has exactly one inbox entry;
* a consumer that always fails (a bad deploy of the dashboard): all its messages reach
  its dead-letter subscription, the others complete; after the fix, replay brings every
  effect to exactly one;
* a poison event: logged with its reason, dead-lettered, never retried;
* FCM: dead device tokens are removed and not retried.

The stack's push subscriptions have no retry policy (the Pub/Sub emulator loses
messages that wait in retry backoff two or more at a time): a failed push is redelivered
after about 1 s, within the topology's max_delivery_attempts, then dead-lettered
(decision 0017). A crashed function that its supervisor restarts is in
test_recovery.py; here a function is down for good until the test starts it again.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from emulators.stack import Stack, _group_alive, port_free
from rollcall_ops import admin, deadletters, lecture, topology
from tests.conftest import local_stack
from tests.support import (
    inbox,
    log_lines,
    log_marks,
    new_course,
    new_session,
    new_student,
    publish,
    scan,
    tally,
    token_for,
    unique,
    wait_for,
)

pytestmark = pytest.mark.emulator
ROLLCALL = str(Path(sys.executable).parent / "rollcall")
LECTURE = 500
OUTAGE_SECONDS = 30


# -- helpers -------------------------------------------------------------------------


def running_stack() -> Stack:
    """The session fixture's stack (same state directory, ports and settings)."""
    return local_stack()


def crash(stack: Stack, name: str) -> None:
    """Take a function down for good: its process group, supervisor included, killed at
    once (no graceful shutdown, nobody restarts it)."""
    pid = stack._pid(name)
    assert pid is not None and _group_alive(pid), f"{name} is not running"
    os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):  # this process started the stack: reap
        os.waitpid(pid, 0)
    wait_for(lambda: port_free(stack.ports[name]), timeout=10)


def rollcall(*args: str, ok: bool = True, stdin: str | None = None) -> str:
    out = subprocess.run(
        [ROLLCALL, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ,
        input=stdin,
    )
    if ok:
        assert out.returncode == 0, out.stderr + out.stdout
    return out.stdout + out.stderr


def dead_letters(session_id: str, subscription: str | None = None) -> list:
    letters = deadletters.collect(
        os.environ["GOOGLE_CLOUD_PROJECT"], deadletters.dead_letter_subscriptions(subscription)
    )
    return [d for d in letters if d.session_id == session_id]


def session_pushes(session_id: str) -> Counter:
    """FCM messages the stand-in accepted for the session, per device token."""
    resp = requests.get(f"{os.environ['FCM_ENDPOINT']}/messages", timeout=10)
    return Counter(
        m["message"]["token"]
        for m in resp.json()["messages"]
        if m["message"].get("data", {}).get("session_id") == session_id
    )


def session_times(session_id: str) -> dict:
    """Server timestamps of the session's effects: first scan, last of each kind."""
    db = admin.db()
    records = [
        s.to_dict()
        for s in db.collection("sessions")
        .document(session_id)
        .collection("attendance")
        .select(["scanned_at", "recorded_at"])
        .stream()
    ]
    return {
        "first_scan": min(r["scanned_at"] for r in records),
        "attendance_done": max(r["recorded_at"] for r in records),
        "dashboard_done": tally(session_id)["updated_at"],
    }


def last_inbox_created(session_id: str):
    from google.cloud.firestore_v1.base_query import FieldFilter

    entries = (
        admin.db()
        .collection_group("inbox")
        .where(filter=FieldFilter("session_id", "==", session_id))
        .select(["created_at"])
        .stream()
    )
    return max(s.get("created_at") for s in entries)


def status_json(session_id: str) -> dict:
    return json.loads(rollcall("status", "--session", session_id, "--json"))


def replayed(output: str) -> tuple[int, int]:
    line = next(x for x in output.splitlines() if x.startswith("replayed "))
    done, of = line.split()[1], line.split()[3]
    return int(done), int(of)


# -- notify down in the middle of a lecture ------------------------------------------


def test_notify_down_30s_mid_lecture_loses_nothing_and_duplicates_nothing(stack_env):
    stack = running_stack()
    course = admin.demo_course(unique("outage"))
    admin.seed(course, LECTURE)
    session_id = admin.open_session(course, rotation=30, late_after=10, duration=30)
    scanned = Counter()
    lock = threading.Lock()
    outage: dict[str, float] = {}

    def crash_notify_halfway() -> None:
        with lock:
            scanned["n"] += 1
            if scanned["n"] == LECTURE // 2:
                crash(stack, "notify")
                outage["down_at"] = time.time()

    try:
        result = lecture.run(session_id, LECTURE, on_scan=crash_notify_halfway, effects_timeout=0)
        assert result.accepted == LECTURE, result.rejected
        assert "down_at" in outage

        # Attendance and dashboard complete while notify is still down.
        wait_for(
            lambda: (
                admin.effects(session_id).attendance == LECTURE
                and tally(session_id)["total"] == LECTURE
            ),
            timeout=OUTAGE_SECONDS - 5,
            interval=0.5,
        )
        during = status_json(session_id)
        assert time.time() < outage["down_at"] + OUTAGE_SECONDS, "notify came back first"
        assert during["consumers"]["attendance"]["done"] == LECTURE
        assert during["consumers"]["dashboard"]["done"] == LECTURE
        assert during["consumers"]["notify"]["done"] < LECTURE
    finally:
        if "down_at" in outage:
            time.sleep(max(0.0, outage["down_at"] + OUTAGE_SECONDS - time.time()))
            notified_before = admin.effects(session_id).inbox
            stack.up(log=lambda *_: None)  # `make up`: starts again what is dead
            outage["back_at"] = time.time()

    # Every student now has an inbox entry or a dead letter on notify's subscription
    # (the failed pushes ran out of attempts during the outage).
    def accounted() -> bool:
        waiting = {d.event.uid for d in dead_letters(session_id, "notify")}
        return set(missing_entries(session_id, course)) <= waiting

    wait_for(accounted, timeout=30, interval=1)

    waiting = dead_letters(session_id, "notify")
    status_out = rollcall("status", "--session", session_id)
    assert "notify (inbox entries)" in status_out and "notify-dead-letter" in status_out
    without_replay = admin.effects(session_id).inbox - notified_before
    replay_started = time.monotonic()
    out = rollcall(
        "dead-letters", "replay", "--subscription", "notify", "--session", session_id, "--all"
    )
    replay_seconds = time.monotonic() - replay_started
    assert replayed(out) == (len(waiting), len(waiting)), out

    wait_for(lambda: admin.effects(session_id).inbox == LECTURE, timeout=60, interval=0.5)
    wait_for(lambda: admin.push_states(session_id) == {"sent": LECTURE}, timeout=30)
    drained_at = last_inbox_created(session_id).timestamp()

    # Exactly one of each effect per student: the replays reached attendance and
    # dashboard too, which found their effect done.
    assert admin.effects(session_id) == admin.Effects(LECTURE, LECTURE, LECTURE)
    assert not missing_entries(session_id, course)
    pushes = session_pushes(session_id)
    devices = {f"demo-device-{uid}" for uid in admin.roster(course)}
    assert set(pushes) == devices
    duplicates = sum(pushes.values()) - LECTURE
    # Only a push in flight when the process died can go out twice (the same tag
    # makes the phone show it once); the emulator keeps about 2 pushes in flight.
    assert duplicates <= 8, pushes.most_common(5)
    assert all(not dead_letters(session_id, s.name) for s in topology.load().subscriptions)
    for consumer in ("attendance", "dashboard"):
        failed = log_lines(consumer, session_id=session_id, severity="ERROR")
        assert not failed, failed[:2]

    times = session_times(session_id)
    first = times["first_scan"].timestamp()
    print(
        f"\noutage figures: notify down {outage['back_at'] - outage['down_at']:.1f} s "
        f"from {outage['down_at'] - first:.1f} s after the first scan; attendance complete "
        f"{times['attendance_done'].timestamp() - first:.1f} s and dashboard "
        f"{times['dashboard_done'].timestamp() - first:.1f} s after the first scan "
        f"(during the outage); {notified_before} students notified before the crash, "
        f"{without_replay} by redelivery after notify came back, {len(waiting)} dead-lettered "
        f"and replayed (`dead-letters replay` took {replay_seconds:.1f} s); all notifications "
        f"done {drained_at - outage['back_at']:.1f} s after notify came back; duplicate "
        f"pushes {duplicates}, duplicate inbox entries 0"
    )


def missing_entries(session_id: str, course: str) -> list[str]:
    """Enrolled students without an inbox entry for the session."""
    db = admin.db()
    refs = [
        db.collection("users").document(uid).collection("inbox").document(session_id)
        for uid in admin.roster(course)
    ]
    return [s.reference.parent.parent.id for s in db.get_all(refs) if not s.exists]


# -- a consumer that always fails ----------------------------------------------------


def test_consumer_that_always_fails_is_isolated_and_replay_completes_it(stack_env):
    stack = running_stack()
    students = 20
    course = admin.demo_course(unique("broken"))
    admin.seed(course, students)
    session_id = admin.open_session(course, rotation=30, late_after=10, duration=30)
    attempts = topology.load().subscription("dashboard").max_delivery_attempts

    # A bad deploy: the dashboard function with a configuration it cannot run with.
    try:
        stack.restart("dashboard", log=lambda *_: None, TALLY_SHARDS="0")
        result = lecture.run(session_id, students, effects_timeout=0)
        assert result.accepted == students, result.rejected

        wait_for(
            lambda: len(dead_letters(session_id, "dashboard")) == students,
            timeout=60,
            interval=1,
        )
        effects = admin.effects(session_id)
        assert (effects.attendance, effects.inbox, effects.dashboard) == (
            students,
            students,
            0,
        )
        broken = status_json(session_id)
        assert broken["consumers"]["dashboard"] == {
            "done": 0,
            "present": 0,
            "late": 0,
            "dead_letters": students,
        }
        assert broken["dead_letter_backlog"]["dashboard-dead-letter"]["this_session"] == (students)
    finally:
        stack.restart("dashboard", log=lambda *_: None)  # the fix: the right configuration

    # Each message was tried max_delivery_attempts times, then dead-lettered: no more.
    failures = Counter(
        line["scan_id"] for line in log_lines("dashboard", session_id=session_id, severity="ERROR")
    )
    assert len(failures) == students and set(failures.values()) == {attempts}
    listed = json.loads(
        rollcall("dead-letters", "list", "dashboard", "--session", session_id, "--json")
    )
    assert {d["delivery_count"] for d in listed} == {attempts}
    assert {d["kind"] for d in listed} == {"retries exhausted"}
    assert {d["source_subscription"] for d in listed} == {"dashboard"}

    # Replay two by id (a dead-letter message id, a scan id), then the rest.
    first, second = listed[0], listed[1]
    out = rollcall(
        "dead-letters", "replay", "dashboard", "--ids", first["message_id"], second["scan_id"]
    )
    assert replayed(out) == (2, 2), out
    out = rollcall(
        "dead-letters", "replay", "--subscription", "dashboard", "--session", session_id, "--all"
    )
    assert replayed(out) == (students - 2, students - 2), out

    wait_for(lambda: tally(session_id)["total"] == students, timeout=30, interval=0.5)
    # The replays reached attendance and notify as well, which found their effect done.
    wait_for(
        lambda: all(
            len(log_lines(c, message="consumer effect already applied", session_id=session_id))
            == students
            for c in ("attendance", "notify")
        ),
        timeout=30,
        interval=0.5,
    )
    assert admin.effects(session_id) == admin.Effects(students, students, students)
    pushes = session_pushes(session_id)
    assert len(pushes) == students and set(pushes.values()) == {1}
    assert not dead_letters(session_id)

    # The logs tell the story: one line per accepted scan, per effect, per replay.
    accepted = log_lines("scan", message="scan accepted", session_id=session_id)
    assert len({line["scan_id"] for line in accepted}) == len(accepted) == students
    for consumer in ("attendance", "notify"):
        applied = log_lines(consumer, message="consumer effect applied", session_id=session_id)
        again = log_lines(
            consumer, message="consumer effect already applied", session_id=session_id
        )
        assert (len(applied), len(again)) == (students, students), consumer
    applied = log_lines("dashboard", message="consumer effect applied", session_id=session_id)
    assert len(applied) == students
    for line in accepted + applied:
        assert line["severity"] == "INFO" and line["time"]


def test_rejected_scan_is_logged_with_its_reason(stack_env):
    course = new_course()
    session = new_session(course)
    student = new_student(course)
    since = log_marks()

    resp = scan(student, token_for(session, windows_ago=3))

    assert resp.status_code == 403 and resp.json()["error"]["code"] == "qr_expired"
    lines = wait_for(
        lambda: log_lines("scan", since, message="scan rejected", reason="qr_expired"),
        timeout=5,
    )
    assert len(lines) == 1 and lines[0]["severity"] == "WARNING"


# -- poison --------------------------------------------------------------------------


def test_poison_event_is_logged_dead_lettered_and_never_retried(stack_env):
    marker = unique("poison-")
    since = log_marks()
    message_id = publish(
        "scans", b"\xff\xfe not a scan event", type="scan", schema="1", session_id=marker
    )
    # The consumers that take scans; the others acknowledge it unread (decision 0032).
    subs = [s.name for s in topology.load().subscriptions if "scan" in s.types]

    wait_for(lambda: len(dead_letters(marker)) == len(subs), timeout=15, interval=0.5)
    time.sleep(3)  # a retried delivery would arrive within this (retries start at 1 s)

    for sub in subs:
        [line] = log_lines(sub, since, message="poison event dead-lettered", message_id=message_id)
        assert line["severity"] == "ERROR" and line["subscription"] == sub
        assert line["reason"].startswith("data is not JSON")
        assert not log_lines(sub, since, message_id=message_id, severity="ERROR")[1:]
    listed = json.loads(rollcall("dead-letters", "list", "--session", marker, "--json"))
    assert sorted(d["source_subscription"] for d in listed) == sorted(subs)
    for d in listed:
        assert d["kind"] == "poison" and d["delivery_count"] is None
        assert d["reason"].startswith("data is not JSON")
        assert d["attributes"]["rollcall_source_message_id"] == message_id

    # A bulk replay leaves poison alone; a purge asks first, then removes it.
    out = rollcall("dead-letters", "replay", "--session", marker, "--all")
    assert replayed(out) == (0, 0) and f"skipped {len(subs)} poison" in out
    refused = subprocess.run(
        [ROLLCALL, "dead-letters", "purge", "--session", marker],
        capture_output=True,
        text=True,
        env=os.environ,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert len(dead_letters(marker)) == len(subs)
    out = rollcall("dead-letters", "purge", "--session", marker, "--yes")
    assert f"purged {len(subs)} dead letters" in out
    assert not dead_letters(marker)


# -- FCM -----------------------------------------------------------------------------


def test_dead_device_tokens_are_removed_and_not_retried(stack_env):
    course = new_course()
    session = new_session(course)
    good = unique("tok-")
    dead = [unique("unregistered-"), unique("invalid-"), unique("mismatch-")]
    student = new_student(course, tokens=(good, *dead))
    since = log_marks()

    resp = scan(student, token_for(session))

    assert resp.status_code == 202
    scan_id = resp.json()["scan_id"]
    entry = wait_for(
        lambda: (
            (inbox(student.uid, session.id) or {}).get("push", {}).get("status") == "sent"
            and inbox(student.uid, session.id)
        )
    )
    assert entry["push"]["delivered"] == [good]
    user = admin.db().collection("users").document(student.uid).get().to_dict()
    assert set(user["fcm_tokens"]) == {good}
    fcm = os.environ["FCM_ENDPOINT"]
    for tok in [good, *dead]:
        attempts = requests.get(f"{fcm}/attempts", params={"token": tok}, timeout=5).json()
        assert attempts["attempts"] == 1, tok
    [line] = log_lines("notify", since, scan_id=scan_id)
    assert line["message"] == "consumer effect applied"
    assert (line["pushed"], line["removed_tokens"]) == (1, 3)


def test_stand_in_answers_each_fcm_error_kind(stack_env):
    """The stand-in speaks FCM v1's error format for each kind the consumer handles."""
    url = f"{os.environ['FCM_ENDPOINT']}/v1/projects/{os.environ['GOOGLE_CLOUD_PROJECT']}"
    expected = {
        "tok-": (200, None),
        "unregistered-": (404, "UNREGISTERED"),
        "invalid-": (400, "INVALID_ARGUMENT"),
        "mismatch-": (403, "SENDER_ID_MISMATCH"),
        "quota-": (429, "QUOTA_EXCEEDED"),
        "unavailable-": (503, "UNAVAILABLE"),
        "internal-": (500, "INTERNAL"),
    }
    for prefix, (status, code) in expected.items():
        resp = requests.post(
            f"{url}/messages:send", json={"message": {"token": unique(prefix)}}, timeout=5
        )
        assert resp.status_code == status, prefix
        if code:
            [detail] = resp.json()["error"]["details"]
            assert detail["errorCode"] == code
        else:
            assert resp.json()["name"].startswith("projects/")
