"""A function process kept running as Cloud Run keeps an instance: started again when
it dies.

``python emulators/supervise.py --name NAME --state FILE -- ARGV...`` runs ARGV as its
child and starts it again whenever it exits without being asked to: 0.2 s later, and
with delays doubling up to 10 s while it keeps dying within ``STABLE_SECONDS`` of its
start. The stack starts the supervisor as the leader of
a new process group and the child stays in that group, so ``make down`` stops both by
the group's id and nothing outlives it.

When the child dies, whatever is left of it (gunicorn's worker, orphaned by a killed
master) is killed too before the new one starts, as a crashed container goes whole: the
port is free again and no half of the old instance keeps serving. The supervisor is the
"child subreaper" of the group, so those orphans are its own to reap.

``FILE`` (JSON, replaced atomically) says what runs: the child's pid (for ``python -m
emulators.stack status`` and for the tests that kill it), how many restarts, and how
the last child ended. Each start and each exit is one JSON line on standard output (the
service's log), in the functions' log shape: ``function process started`` (INFO),
``function process exited, restarting`` (ERROR), ``function process stopped`` (INFO).

SIGTERM, SIGINT or SIGHUP stop it: the child gets SIGTERM (unless the whole group got
it already), is waited for, and the supervisor exits; nothing is restarted after that.

Standard library only, and no import of the rest of ``emulators``: it starts in about
50 ms and runs as a script.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

#: A child that lived this long was healthy: its exit restarts it at once.
STABLE_SECONDS = 10.0
FIRST_DELAY = 0.2
MAX_DELAY = 10.0
#: How long leftovers of a dead child may take to go after SIGKILL.
LEFTOVER_SECONDS = 5.0
PR_SET_CHILD_SUBREAPER = 36


def restart_delay(quick_exits: int) -> float:
    """Seconds to wait before the next start: FIRST_DELAY after a child that had been
    up a while, doubling for each earlier exit in a row that came within STABLE_SECONDS
    of its start (``quick_exits``)."""
    if quick_exits <= 0:
        return FIRST_DELAY
    return min(MAX_DELAY, FIRST_DELAY * 2**quick_exits)


def describe_exit(status: int) -> str:
    """A wait status as words: ``killed by SIGKILL``, ``exited with status 1``."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        return f"killed by {name}"
    if os.WIFEXITED(status):
        return f"exited with status {os.WEXITSTATUS(status)}"
    return f"ended (wait status {status})"


def process_group_of(stat: str) -> tuple[int, int]:
    """(pid, process group) from the text of ``/proc/<pid>/stat``. The command name
    (field 2, in parentheses) may itself hold spaces and parentheses: the fields after
    it start after the last ')'."""
    pid = int(stat.split(" ", 1)[0])
    rest = stat[stat.rindex(")") + 2 :].split()
    return pid, int(rest[2])  # state, ppid, pgrp


def group_members(pgid: int, exclude: int) -> list[int]:
    """The live processes of process group ``pgid`` but ``exclude``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            pid, group = process_group_of((entry / "stat").read_text())
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile, or not readable
        if group == pgid and pid != exclude:
            members.append(pid)
    return members


@dataclass
class State:
    """What the state file says."""

    name: str
    supervisor: int
    child: int | None = None
    started_at: float | None = None  # unix time the current child started
    restarts: int = 0
    last_exit: str | None = None
    last_exit_at: float | None = None
    stopping: bool = False

    def write(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.__dict__) + "\n")
        tmp.replace(path)


def read_state(path: Path) -> State | None:
    try:
        return State(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def log(severity: str, message: str, **fields: object) -> None:
    """One JSON line, in one write (the child appends to the same file)."""
    line = {
        "severity": severity,
        "message": message,
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        **fields,
    }
    os.write(sys.stdout.fileno(), (json.dumps(line) + "\n").encode())


class Supervisor:
    def __init__(self, name: str, argv: list[str], state_file: Path) -> None:
        self.argv = argv
        self.state_file = state_file
        self.state = State(name=name, supervisor=os.getpid())
        self.child: subprocess.Popen | None = None
        #: Set by a signal handler: a plain flag (a handler that took a lock could
        #: deadlock against the code it interrupted).
        self.stopping = False

    def request_stop(self, signum: int, _frame: object = None) -> None:
        self.stopping = self.state.stopping = True
        self._terminate_child()

    def _terminate_child(self) -> None:
        child = self.child
        if child is not None and child.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGTERM)

    def pause(self, seconds: float) -> None:
        """Sleep, but return as soon as a stop is requested."""
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))

    def run(self) -> int:
        _become_subreaper()
        quick_exits = 0
        while not self.stopping:
            started = time.monotonic()
            self._start()
            status = self._wait_child()
            self._kill_leftovers()
            uptime = time.monotonic() - started
            self.state.child = None
            self.state.last_exit = describe_exit(status)
            self.state.last_exit_at = time.time()
            if self.stopping:
                break
            if uptime >= STABLE_SECONDS:
                quick_exits = 0
            delay = restart_delay(quick_exits)
            quick_exits += 1
            self.state.restarts += 1
            self.state.write(self.state_file)
            log(
                "ERROR",
                "function process exited, restarting",
                service=self.state.name,
                pid=status_pid(self.child),
                exit=self.state.last_exit,
                uptime_seconds=round(uptime, 1),
                restart_in_seconds=delay,
                restarts=self.state.restarts,
            )
            # Interrupted at once by a stop: `make down` signals the whole group, and
            # the child may die of it a moment before this process hears of it.
            self.pause(delay)
        self.state.write(self.state_file)
        log("INFO", "function process stopped", service=self.state.name, exit=self.state.last_exit)
        return 0

    def _start(self) -> None:
        self.child = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL)
        if self.stopping:  # asked to stop while it was being started
            self._terminate_child()
        self.state.child = self.child.pid
        self.state.started_at = time.time()
        self.state.write(self.state_file)
        log(
            "INFO",
            "function process started",
            service=self.state.name,
            pid=self.child.pid,
            restarts=self.state.restarts,
        )

    def _wait_child(self) -> int:
        """Reap until the child is among the dead; its wait status."""
        assert self.child is not None
        while True:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:  # reaped elsewhere: cannot happen, but never spin
                return 0
            if pid == self.child.pid:
                self.child.returncode = status
                return status

    def _kill_leftovers(self) -> None:
        me = os.getpid()
        if os.getpgid(0) != me:
            return  # not a group of our own (started by hand?): kill nothing else
        deadline = time.monotonic() + LEFTOVER_SECONDS
        while True:
            left = group_members(os.getpgid(0), exclude=me)
            for pid in left:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            _reap_all()
            if not left or time.monotonic() > deadline:
                return
            time.sleep(0.02)


def status_pid(child: subprocess.Popen | None) -> int | None:
    return child.pid if child is not None else None


def _reap_all() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _become_subreaper() -> None:
    """Orphans of the child (a killed gunicorn master's worker) become ours to reap."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: leftovers are still killed, init reaps them


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True, help="the service (for the log lines)")
    parser.add_argument("--state", required=True, type=Path, help="the state file (JSON)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- ARGV of the child")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to supervise (after --)")
    supervisor = Supervisor(args.name, command, args.state)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, supervisor.request_stop)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
