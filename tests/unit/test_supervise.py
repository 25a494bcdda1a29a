"""The supervisor of a function process (emulators/supervise.py): its pure parts, and its
behaviour with small stand-in children (real processes, a second or two, no emulator):
a killed child is started again and nothing of it is left over; a child that keeps
dying is started with growing delays; SIGTERM to the group stops everything and frees
the port; the stack's status report says what runs."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emulators import supervise
from emulators.stack import ServiceStatus, format_status
from tests.support import wait_for

SUPERVISOR = Path(supervise.__file__)


# -- pure parts ------------------------------------------------------------------------


def test_restart_is_at_once_after_a_healthy_run_and_backs_off_while_it_keeps_dying():
    assert supervise.restart_delay(0) == supervise.FIRST_DELAY == 0.2
    delays = [supervise.restart_delay(n) for n in range(1, 9)]
    assert delays[:4] == [0.4, 0.8, 1.6, 3.2]
    assert delays == sorted(delays) and max(delays) == supervise.MAX_DELAY == 10.0


def test_exit_statuses_are_described_in_words():
    assert supervise.describe_exit(signal.SIGKILL) == "killed by SIGKILL"
    assert supervise.describe_exit(signal.SIGSEGV | 0x80) == "killed by SIGSEGV"  # core
    assert supervise.describe_exit(1 << 8) == "exited with status 1"
    assert supervise.describe_exit(0) == "exited with status 0"


def test_process_group_is_read_after_the_command_name_whatever_it_holds():
    stat = "4242 (odd) name (x)) S 4200 4100 4100 0 -1 4194560 100"
    assert supervise.process_group_of(stat) == (4242, 4100)
    own = Path(f"/proc/{os.getpid()}/stat").read_text()
    assert supervise.process_group_of(own) == (os.getpid(), os.getpgid(0))


def test_state_file_round_trip_and_unreadable_state(tmp_path):
    state = supervise.State(name="dashboard", supervisor=10, child=11, restarts=2)
    state.write(tmp_path / "dashboard.json")
    assert supervise.read_state(tmp_path / "dashboard.json") == state
    (tmp_path / "broken.json").write_text("{not json")
    assert supervise.read_state(tmp_path / "broken.json") is None
    assert supervise.read_state(tmp_path / "missing.json") is None


def test_status_report_says_what_is_up_and_what_to_do_about_the_rest():
    rows = [
        ServiceStatus("pubsub", "up", 100, (8085,)),
        ServiceStatus("scheduler", "down"),
        ServiceStatus("dashboard", "restarting", 200, (8084,), None, 3, "killed by SIGKILL", 2),
    ]
    report, code = format_status(rows)
    lines = report.splitlines()
    assert code == 1
    assert lines[0] == "1 of 3 up: pubsub"
    assert "scheduler" in lines[2] and "down" in lines[2]
    assert "child -, restarts 3 (last: killed by SIGKILL 2 s ago)" in lines[3]
    assert lines[-1].startswith("not up: scheduler, dashboard: `make up` starts what is dead")
    everything = [ServiceStatus("pubsub", "up", 100, (8085,))]
    assert format_status(everything)[1] == 0
    assert format_status([ServiceStatus("pubsub", "down")]) == (
        "stack not running: `make up` starts it",
        0,
    )


# -- behaviour, with stand-in children -------------------------------------------------

#: A child like gunicorn: a master that forks a worker; both serve nothing but sleep,
#: and the master listens on PORT (so a test can see the port freed).
CHILD = """
import os, socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
if os.fork() == 0:
    time.sleep(300)  # the worker keeps the listening socket, as gunicorn's does
    os._exit(0)
time.sleep(300)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def group(pgid: int) -> list[int]:
    return supervise.group_members(pgid, exclude=-1)


@contextlib.contextmanager
def supervised(tmp_path: Path, *argv: str):
    """A supervisor leading its own process group, as the stack starts it."""
    state, log = tmp_path / "svc.json", tmp_path / "svc.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, str(SUPERVISOR), "--name", "svc", "--state", str(state), "--", *argv],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield proc, state, log
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def log_lines(log: Path, message: str | None = None) -> list[dict]:
    lines = [json.loads(x) for x in log.read_text().splitlines() if x.startswith("{")]
    return [x for x in lines if message in (None, x["message"])]


def child_of(state: Path, not_pid: int | None = None) -> int:
    def ready() -> int | None:
        s = supervise.read_state(state)
        return s.child if s and s.child and s.child != not_pid else None

    return wait_for(ready, timeout=10, interval=0.02)


def test_a_killed_child_is_started_again_and_nothing_of_it_is_left(tmp_path):
    port = free_port()
    with supervised(tmp_path, sys.executable, "-c", CHILD, str(port)) as (proc, state, log):
        first = child_of(state)
        wait_for(lambda: port_open(port) and len(group(proc.pid)) == 3, timeout=10)
        worker = next(p for p in group(proc.pid) if p not in (proc.pid, first))

        os.kill(first, signal.SIGKILL)

        second = child_of(state, not_pid=first)
        wait_for(lambda: not Path(f"/proc/{worker}").exists(), timeout=5)  # orphan killed
        wait_for(lambda: len(group(proc.pid)) == 3, timeout=10)  # new master and worker
        assert first not in group(proc.pid) and worker not in group(proc.pid)
        s = supervise.read_state(state)
        assert s is not None and (s.restarts, s.last_exit) == (1, "killed by SIGKILL")
        assert s.child == second and s.supervisor == proc.pid
        exited = [
            x for x in log_lines(log) if x["message"] == "function process exited, restarting"
        ]
        assert [(x["pid"], x["exit"], x["restart_in_seconds"]) for x in exited] == [
            (first, "killed by SIGKILL", supervise.FIRST_DELAY)
        ]
        started = [x["pid"] for x in log_lines(log, "function process started")]
        assert started == [first, second]


def test_a_child_that_keeps_dying_is_restarted_with_growing_delays(tmp_path):
    with supervised(tmp_path, sys.executable, "-c", "raise SystemExit(3)") as (_, state, log):
        wait_for(lambda: (supervise.read_state(state) or supervise.State("", 0)).restarts >= 3)
        exited = [
            x for x in log_lines(log) if x["message"] == "function process exited, restarting"
        ]
        assert {x["exit"] for x in exited} == {"exited with status 3"}
        delays = [x["restart_in_seconds"] for x in exited[:3]]
        assert delays == [0.2, 0.4, 0.8]


def test_sigterm_to_the_group_stops_supervisor_and_child_and_frees_the_port(tmp_path):
    port = free_port()
    with supervised(tmp_path, sys.executable, "-c", CHILD, str(port)) as (proc, state, log):
        child_of(state)
        wait_for(lambda: port_open(port) and len(group(proc.pid)) == 3, timeout=10)
        started = time.monotonic()

        os.killpg(proc.pid, signal.SIGTERM)  # what `make down` does

        assert proc.wait(10) == 0
        wait_for(lambda: not group(proc.pid), timeout=5)
        assert not port_open(port)
        assert time.monotonic() - started < 5
        assert log_lines(log)[-1]["message"] == "function process stopped"
        assert not log_lines(log, "function process exited, restarting")
        s = supervise.read_state(state)
        assert s is not None and s.stopping and s.child is None and s.restarts == 0


def test_sigterm_to_the_supervisor_alone_stops_its_child(tmp_path):
    with supervised(tmp_path, sys.executable, "-c", "import time; time.sleep(300)") as (
        proc,
        state,
        _,
    ):
        child = child_of(state)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        wait_for(lambda: not Path(f"/proc/{child}").exists(), timeout=5)


@pytest.mark.parametrize("argv", [[], ["--"]])
def test_nothing_to_supervise_is_refused(argv, tmp_path):
    out = subprocess.run(
        [sys.executable, str(SUPERVISOR), "--name", "x", "--state", str(tmp_path / "s"), *argv],
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert out.returncode == 2 and "no command to supervise" in out.stderr
