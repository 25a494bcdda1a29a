"""Profile every function of the running stack during one lecture burst (py-spy).

``python -m rollcall_ops.profile TAG [STUDENTS]``: seeds the bench course, warms the
stack up with a 100-student and a STUDENTS burst (500), then records each function
process (ingest and consumers) with ``py-spy record --gil`` (only the thread holding
the GIL: Python's CPU, not its threads' waits) during one more burst, writes
``bench/profiles/TAG-<function>.txt`` (collapsed stacks) and prints, per function,
where its CPU went by library and its top frames. Decision 0032 has such profiles
before and after a change.
"""

from __future__ import annotations

import collections
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from emulators.stack import ROOT, Stack
from rollcall_ops import admin, lecture
from rollcall_ops.env import load_stack_env

OUT = ROOT / "bench" / "profiles"
FUNCTIONS = ("scan", "attendance", "notify", "dashboard", "mail")
#: Library of a frame, by a piece of its file path (the innermost match wins).
LIBRARIES = (
    ("rollcall", "rollcall/"),
    ("firestore client", "google/cloud/firestore"),
    ("proto-plus/protobuf", "proto/"),
    ("grpc", "grpc/"),
    ("firebase_admin", "firebase_admin/"),
    ("google.auth/requests/urllib3", ("google/auth/", "requests/", "urllib3/")),
    ("pubsub client", "google/cloud/pubsub"),
    ("functions_framework/cloudevents", ("functions_framework/", "cloudevents/")),
    ("flask/werkzeug", ("flask/", "werkzeug/")),
    ("gunicorn", "gunicorn/"),
)
_FRAME = re.compile(r"(.*) \((.*?):\d+\)$")


def short(frame: str) -> str:
    """'fn (site-packages/pkg/mod.py:12)' -> 'fn (pkg/mod.py)'."""
    found = _FRAME.match(frame)
    if not found:
        return frame
    name, path = found.groups()
    path = re.sub(r".*site-packages/", "", path)
    path = re.sub(r".*/functions/", "", path)
    return f"{name} ({re.sub(r'.*/python3[.0-9]*/', 'std:', path)})"


def library(frames: list[str]) -> str:
    for frame in reversed(frames):
        for name, pieces in LIBRARIES:
            if any(p in frame for p in ((pieces,) if isinstance(pieces, str) else pieces)):
                return name
    return "standard library"


def summarise(
    lines: list[str], top: int = 8
) -> tuple[int, dict[str, float], list[tuple[str, float]]]:
    """(samples, share of each library, top self frames with their share) of a
    collapsed-stack profile (``frame;frame;frame count`` per line)."""
    total = 0
    libraries: collections.Counter[str] = collections.Counter()
    leaves: collections.Counter[str] = collections.Counter()
    for line in lines:
        stack, _, count = line.rstrip().rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        total += n
        libraries[library(frames)] += n
        leaves[short(frames[-1])] += n
    if not total:
        return 0, {}, []
    shares = {k: v / total for k, v in libraries.most_common()}
    return total, shares, [(k, v / total) for k, v in leaves.most_common(top)]


def main() -> int:
    tag = sys.argv[1] if len(sys.argv) > 1 else "profile"
    students = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    load_stack_env()
    stack = Stack.from_env()
    course = admin.demo_course("bench")
    admin.seed(course, students, course_name="Bench")
    tokens = lecture.sign_in_students(course, students)
    url = os.environ["SCAN_URL"]

    def burst(size: int) -> lecture.Burst:
        session = admin.load_session(
            admin.open_session(course, rotation=10, late_after=10, duration=60)
        )
        sent = lecture.burst(url, session, tokens[:size])
        lecture.wait_for_effects(session.id, sent.accepted, sent.first_scan)
        return sent

    for size in (100, students):  # warm-up
        burst(size)
    OUT.mkdir(parents=True, exist_ok=True)
    spies = []
    for name in FUNCTIONS:
        pid = (stack.pid_dir / f"{name}.pid").read_text().strip()
        argv = [str(Path(sys.executable).parent / "py-spy"), "record", "-p", pid]
        argv += ["--subprocesses", "--gil", "-r", "100", "-f", "raw", "--nonblocking"]
        argv += ["-o", str(OUT / f"{tag}-{name}.txt")]
        spies.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(2)  # py-spy attached
    sent = burst(students)
    time.sleep(1.5)  # the last deliveries
    for spy in spies:
        spy.send_signal(signal.SIGINT)
    for spy in spies:
        spy.wait(60)
    print(f"{tag}: {sent.accepted} of {students} accepted")
    for name in FUNCTIONS:
        path = OUT / f"{tag}-{name}.txt"
        if not path.exists():
            print(f"{name}: no profile (py-spy could not attach?)")
            continue
        total, shares, leaves = summarise(path.read_text().splitlines())
        print(f"{name}: {total} samples holding the GIL")
        print("  by library: " + ", ".join(f"{k} {v:.0%}" for k, v in shares.items()))
        for frame, share in leaves:
            print(f"  {share:6.1%}  {frame}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
