"""`make bench`: the lecture pipeline measured side by side with what bounds it.

In one run, on one machine (the local stack; started here unless one is running):

1. bare baseline: a function that only publishes one message per request, served like
   the ingest (same functions-framework/gunicorn server, workers, threads, publisher);
2. throughput at 50 concurrent connections (wrk), ingest against bare. The ingest
   instance for this phase publishes to a topic without subscribers, like bare, so
   the figure is the HTTP function's own and not the consumers' CPU;
3. the lecture burst: 500 students scan at once (one connection each): accepted, ack
   p50/p99, the same burst against bare, and the time from the first scan until all
   three effects exist for every student. The course has ``ENROLLED`` students (556:
   a tenth of them do not scan); then the session's teacher closes it
   (``POST /sessions/close``) and ``close`` measures what the close asked of each
   service and the CPU of each process, until every enrolled student's record, course
   figures, the dashboard's count and the alerts are there (``measure_close``);
4. the synchronous design (bench-only ``scan_sync``): the same checks, then the three
   effects inside the request; ack p50/p99 for the same burst;
5. cold start: process launch to first accepted scan, ingest against bare.

And, in the same run, what bounds the lecture's figures on this machine:

* the same burst against an ingest whose topic has no consumers (``ingest_alone_*``):
  the ingest's own answer times, without consumers competing for the CPU;
* the consumers alone (``consumers_alone_effects_ms``): the burst's events published
  straight to topic ``scans``, and the time until every effect exists;
* the CPU every stack process (and the bench itself: phones and polling) used from the
  first scan until the last effect (``burst_cpu_s``, ``burst_cpu_s_by_process``):
  divided by the cores, the least ``all_effects_ms`` can be here; per scan
  (``cpu_ms_per_scan``) against the bare function's CPU per request in its throughput
  run (``bare_cpu_ms_per_request``);
* what the burst asked of Firestore and Pub/Sub, as each function process counted it
  (rollcall.usage): ``firestore_ops_per_scan``, ``usage_per_scan``.

Then how cost grows: the lecture at each size of ``BENCH_SCALE`` (100, 500, 1,000 and
2,000 students; ``scale``), and what it costs in Google Cloud and what a 9:00 peak
needs, priced from ``bench/prices.yaml`` (rollcall_ops.cost: ``cost``, ``capacity``),
the scans and the close.

Each path is warmed up first with a smaller burst (``BENCH_WARM_UP`` students, 100),
as the demo does: the first burst on a fresh stack also measures the JVMs' JIT.

Prints a table, writes ``bench/results.json``, a latency plot ``bench/latency.png`` and
a plot of all effects and CPU per scan against the lecture's size, ``bench/scale.png``.
A benchmark, not a test: nothing here asserts a timing.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from rich.console import Console
from rich.table import Table

from emulators.stack import HOST, ROOT, Stack, _group_alive, port_free
from rollcall import pubsub, usage
from rollcall.clock import now
from rollcall.consumers.dashboard import read_tally
from rollcall.core import schema
from rollcall.core.events import AttendanceEvent
from rollcall_ops import admin, auth_emulator, cost, institution, lecture, topology
from rollcall_ops.cli import _progress
from rollcall_ops.env import load_stack_env

BENCH_DIR = ROOT / "bench"
COURSE = admin.demo_course("bench")
STUDENTS = int(os.environ.get("BENCH_STUDENTS", "500"))
#: The share of the burst's enrolled students who do not scan: the close marks them
#: absent (and counts the session in every enrolled student's course figures).
ABSENT = float(os.environ.get("BENCH_ABSENT", "0.1"))
ENROLLED = math.ceil(round(STUDENTS / (1 - ABSENT), 6))
CONNECTIONS = 50
THROUGHPUT_SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
WARM_UP = int(os.environ.get("BENCH_WARM_UP", "100"))
#: Lecture sizes of the scale phase ("" skips it).
SCALE = [int(n) for n in os.environ.get("BENCH_SCALE", "100,500,1000,2000").split(",") if n]
#: Rows of the roster the bench imports (the limit of one file).
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "5000"))
#: Ports of the bench-only processes, added to the stack's offset.
BENCH_PORTS = {
    "bare": 8091,
    "scan_sync": 8092,
    "scan_tp": 8093,
    "cold_scan": 8094,
    "cold_bare": 8095,
}
TOPICS = ("bench-bare", "bench-scans")

console = Console(stderr=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def stop(self) -> None:
        if _group_alive(self.proc.pid):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)


class Bench:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.servers: list[Server] = []
        self.logs = stack.log_dir
        scan_argv, self.env, self.cwd = stack.processes()["scan"]
        self.functions_framework = scan_argv[0]

    def port(self, name: str) -> int:
        return BENCH_PORTS[name] + self.stack.offset

    def start(self, name: str, target: str, source: Path, **env: str) -> Server:
        """A functions-framework process served exactly like the stack's ingest."""
        port = self.port(name)
        if not port_free(port):
            raise SystemExit(f"error: port {port} ({name}) is busy")
        argv = [
            self.functions_framework,
            "--source",
            str(source),
            "--target",
            target,
            "--host",
            HOST,
            "--port",
            str(port),
        ]
        log = open(self.logs / f"bench-{name}.log", "ab")  # noqa: SIM115 (kept by the child)
        proc = subprocess.Popen(
            argv,
            cwd=self.cwd,
            # Its own K_SERVICE: it counts its use apart from the stack's (rollcall.usage).
            env={**os.environ, **self.env, "K_SERVICE": f"bench-{name}", **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        server = Server(name, port, proc)
        self.servers.append(server)
        return server

    def stop_all(self) -> None:
        for server in self.servers:
            server.stop()
        self.servers.clear()


def ensure_topics(project: str) -> None:
    host = os.environ["PUBSUB_EMULATOR_HOST"]
    for topic in TOPICS:
        resp = requests.put(
            f"http://{host}/v1/projects/{project}/topics/{topic}", json={}, timeout=10
        )
        if resp.status_code not in (200, 409):
            raise SystemExit(f"error: cannot create topic {topic}: {resp.text}")


def wait_until_accepting(url: str, body: dict, headers: dict, timeout: float = 60) -> float:
    """Seconds until ``url`` first answers 202 to ``body``."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if requests.post(url, json=body, headers=headers, timeout=5).status_code == 202:
                return time.perf_counter() - started
        except requests.ConnectionError:
            pass
        time.sleep(0.01)
    raise SystemExit(f"error: {url} did not accept a scan within {timeout:.0f}s")


def cpu_seconds(stack: Stack) -> dict[str, float]:
    """CPU time (user + system) used so far by each of the stack's process groups, and
    by this process (``bench``: the simulated phones and the polling)."""
    groups = {}
    for pid_file in stack.pid_dir.glob("*.pid"):
        groups[int(pid_file.read_text())] = pid_file.stem
    used = group_cpu_seconds(groups)
    own = os.times()
    used["bench"] = own.user + own.system
    return used


def group_cpu_seconds(groups: dict[int, str]) -> dict[str, float]:
    """CPU time (user + system) used so far by the processes of each process group."""
    tick = os.sysconf("SC_CLK_TCK")
    used = dict.fromkeys(groups.values(), 0.0)
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # exited meanwhile
            continue
        name = groups.get(int(fields[2]))  # process group
        if name:
            used[name] += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return used


def usage_by_service(stack: Stack) -> dict[str, dict[str, int]]:
    """What each service of the stack (and each bench server) counted so far, summed
    over its processes (rollcall.usage: one file per process, a restarted one's stays)."""
    out: dict[str, dict[str, int]] = {}
    for stem, counts in usage.read_all(stack.usage_dir).items():
        service = stem.rsplit("-", 1)[0]
        total = out.setdefault(service, dict.fromkeys(usage.KEYS, 0))
        for key in usage.KEYS:
            total[key] += int(counts.get(key, 0))
    return out


def settled_usage(stack: Stack, timeout: float = 15) -> dict[str, dict[str, int]]:
    """The counts once no process has counted more for a while (the last effects'
    follow-up writes, a consumer's trailing deliveries)."""
    last = usage_by_service(stack)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(usage.FLUSH_SECONDS * 4)
        current = usage_by_service(stack)
        if current == last:
            break
        last = current
    return last


def usage_diff(
    after: dict[str, dict[str, int]], before: dict[str, dict[str, int]]
) -> dict[str, dict[str, int]]:
    """Per service of the stack (not the bench's own servers): after - before."""
    return {
        name: {k: v - before.get(name, {}).get(k, 0) for k, v in counts.items()}
        for name, counts in after.items()
        if not name.startswith("bench-")
    }


def firestore_ops(used: dict[str, dict[str, int]]) -> int:
    return sum(
        c["firestore_reads"] + c["firestore_writes"] + c["firestore_deletes"] for c in used.values()
    )


@dataclass
class Lecture:
    """One measured burst: what the phones saw, the effects, the CPU and the usage."""

    students: int
    sent: lecture.Burst
    all_effects_ms: float | None
    effects: Any
    cpu_by_process: dict[str, float]
    used: dict[str, dict[str, int]]

    @property
    def cpu_s(self) -> float:
        return sum(self.cpu_by_process.values())

    def per_scan(self, value: float) -> float:
        return value / max(self.sent.accepted, 1)

    def row(self) -> dict[str, float | int]:
        """One size of ``scale`` in results.json."""
        return {
            "students": self.students,
            "accepted": self.sent.accepted,
            "ack_p50_ms": round(percentile(self.sent.ack_ms, 50), 1),
            "ack_p99_ms": round(percentile(self.sent.ack_ms, 99), 1),
            "all_effects_ms": round(self.all_effects_ms or float("nan"), 1),
            "cpu_ms_per_scan": round(self.per_scan(self.cpu_s * 1000), 2),
            "ingest_cpu_ms_per_scan": round(
                self.per_scan(self.cpu_by_process.get("scan", 0.0) * 1000), 2
            ),
            "firestore_ops_per_scan": round(self.per_scan(firestore_ops(self.used)), 2),
        }

    def firestore_by_process(self) -> dict[str, float]:
        """Firestore operations per scan of each process that did any."""
        return {
            name: round(self.per_scan(firestore_ops({name: counts})), 2)
            for name, counts in sorted(self.used.items())
            if firestore_ops({name: counts})
        }


def measure_lecture(
    stack: Stack, scan_url: str, session: Any, tokens: list[tuple[str, str]]
) -> Lecture:
    """A burst of ``tokens`` on the stack's ingest, until every effect exists."""
    used_before = settled_usage(stack)
    before = cpu_seconds(stack)
    sent = lecture.burst(scan_url, session, tokens)
    timeout = max(60.0, len(tokens) * 0.15)
    effects, all_ms = lecture.wait_for_effects(session.id, sent.accepted, sent.first_scan, timeout)
    after = cpu_seconds(stack)
    used = usage_diff(settled_usage(stack), used_before)
    cpu = {k: round(after[k] - before.get(k, 0.0), 2) for k in after}
    return Lecture(len(tokens), sent, all_ms, effects, cpu, used)


def per_scan_usage(burst: Lecture) -> cost.PerScan:
    """What one scan asks of Cloud, from the burst's counts, with the subscriptions'
    filters applied: only the consumers that take a scan are billed for it (locally
    the emulator pushes every message to every subscription, decision 0032)."""
    topo = topology.load()
    takers = [s for s in topo.subscriptions if "scan" in s.types]
    ingest = burst.used.get("scan", dict.fromkeys(usage.KEYS, 0))
    messages = burst.per_scan(ingest["pubsub_messages"])
    size = ingest["pubsub_bytes"] / max(ingest["pubsub_messages"], 1)
    requests = {"scan": burst.per_scan(ingest["function_requests"])}
    cpu = {"scan": burst.per_scan(burst.cpu_by_process.get("scan", 0.0))}
    for sub in takers:
        requests[sub.function] = messages
        cpu[sub.function] = burst.per_scan(burst.cpu_by_process.get(sub.name, 0.0))
    totals = {k: sum(c[k] for c in burst.used.values()) for k in usage.KEYS}
    return cost.PerScan(
        firestore_reads=burst.per_scan(totals["firestore_reads"]),
        firestore_writes=burst.per_scan(totals["firestore_writes"]),
        firestore_deletes=burst.per_scan(totals["firestore_deletes"]),
        messages=messages,
        message_bytes=size,
        deliveries=messages * len(takers),
        requests=requests,
        cpu_s=cpu,
    )


@dataclass
class Close:
    """One measured close of the burst's session: the teacher's request until its last
    effect, the CPU of each process and what each service was asked, as for a burst."""

    students: int  # enrolled: one close event each
    absent: int
    request_ms: float
    close_ms: float | None  # the close request to the last effect (server timestamps)
    cpu_by_process: dict[str, float]
    used: dict[str, dict[str, int]]

    @property
    def cpu_s(self) -> float:
        return sum(self.cpu_by_process.values())

    def totals(self) -> dict[str, int]:
        return {k: sum(c.get(k, 0) for c in self.used.values()) for k in usage.KEYS}

    def report(self) -> dict[str, Any]:
        """results.json's ``close``."""
        totals = self.totals()
        per_student = {k: round(v / self.students, 3) for k, v in totals.items() if v}
        return {
            "students": self.students,
            "absent": self.absent,
            "request_ms": round(self.request_ms, 1),
            "close_ms": round(self.close_ms or float("nan"), 1),
            "cpu_s": round(self.cpu_s, 2),
            "cpu_ms_per_student": round(self.cpu_s * 1000 / self.students, 2),
            "cpu_s_by_process": self.cpu_by_process,
            "per_close": {k: v for k, v in totals.items() if v},
            "per_student": per_student,
            "usage_by_process": {
                name: {k: v for k, v in counts.items() if v}
                for name, counts in self.used.items()
                if any(counts.values())
            },
            "alerts": close_messages(self)["alert"],
        }


def close_settled(session_id: str, course_id: str, enrolled: int) -> bool:
    """The close's effects are all there: the session's absences marked, a record and
    the session in the course figures of every enrolled student, the dashboard counting
    each, and no alert waiting in a student's outbox (rollcall.core.closing)."""
    snap = schema.session(admin.db(), session_id).get()
    if not (snap.to_dict() or {}).get("absences_marked_at"):
        return False
    tally = read_tally(admin.db(), session_id)
    if tally["total"] + tally["excused"] + tally["absent"] < enrolled:
        return False
    return admin.absences_done(session_id, course_id)


def last_close_effect_at(session_id: str, course_id: str) -> Any:
    """Server time of the close's latest effect: a record, an inbox entry (the alerts),
    the tally, a student's course figures."""
    client = admin.db()
    latest = [admin.last_effect_at(session_id)]
    newest = firestore.Query.DESCENDING
    figures = schema.course_students(client, course_id).order_by("updated_at", direction=newest)
    latest += [snap.get("updated_at") for snap in figures.limit(1).stream()]
    alerts = (
        client.collection_group(schema.INBOX)
        .where(filter=FieldFilter("course_id", "==", course_id))
        .where(filter=FieldFilter("type", "==", "alert"))
        .order_by("created_at", direction=newest)
    )
    latest += [snap.get("created_at") for snap in alerts.limit(1).stream()]
    found = [t for t in latest if t is not None]
    return max(found) if found else None


def measure_close(stack: Stack, session_id: str, teacher: institution.Door, scanned: int) -> Close:
    """The teacher closes the session (``POST /sessions/close``, the real endpoint);
    wait until every effect of the close exists, then for the counts to settle (notify's
    alerts)."""
    used_before = settled_usage(stack)
    before = cpu_seconds(stack)
    started = time.time()
    teacher.post("sessions/close", body={"session_id": session_id})
    request_ms = (time.time() - started) * 1000
    deadline = time.monotonic() + max(60.0, ENROLLED * 0.3)
    while not close_settled(session_id, COURSE, ENROLLED):
        if time.monotonic() > deadline:
            console.print("[red]the close's effects are incomplete[/]")
            break
        time.sleep(0.5)
    settled = close_settled(session_id, COURSE, ENROLLED)
    used = usage_diff(settled_usage(stack), used_before)
    after = cpu_seconds(stack)
    cpu = {k: round(after[k] - before.get(k, 0.0), 2) for k in after}
    last = last_close_effect_at(session_id, COURSE)
    close_ms = (last.timestamp() - started) * 1000 if settled and last is not None else None
    return Close(ENROLLED, ENROLLED - scanned, request_ms, close_ms, cpu, used)


def close_messages(close: Close) -> dict[str, int]:
    """The messages a close published, by type: the teacher's ``close_session``, one
    ``close`` per enrolled student, and the alerts the figures fired (the rest of what
    attendance published; the bench's students have no approved absence requests)."""
    published = close.totals()["pubsub_messages"]
    return {
        "close_session": 1,
        "close": close.students,
        "alert": max(0, published - 1 - close.students),
    }


def close_usage(close: Close) -> cost.PerScan:
    """What one close asks of Cloud, with the subscriptions' filters applied: each
    message type is pushed to the subscriptions that take it (decision 0032)."""
    topo = topology.load()
    by_type = close_messages(close)
    totals = close.totals()
    ingest = close.used.get("scan", dict.fromkeys(usage.KEYS, 0))
    requests = {"scan": float(ingest["function_requests"])}
    cpu = {"scan": close.cpu_by_process.get("scan", 0.0)}
    deliveries = 0
    for sub in topo.subscriptions:
        pushed = sum(n for kind, n in by_type.items() if kind in sub.types)
        if pushed:
            deliveries += pushed
            requests[sub.function] = float(pushed)
            cpu[sub.function] = close.cpu_by_process.get(sub.name, 0.0)
    return cost.PerScan(
        firestore_reads=totals["firestore_reads"],
        firestore_writes=totals["firestore_writes"],
        firestore_deletes=totals["firestore_deletes"],
        messages=sum(by_type.values()),
        message_bytes=totals["pubsub_bytes"] / max(totals["pubsub_messages"], 1),
        deliveries=deliveries,
        requests=requests,
        cpu_s=cpu,
    )


def filtered_cpu_ms_per_scan(burst: Lecture) -> float:
    """CPU per scan of the consumers whose filter refuses a scan: spent here only
    because the emulator does not apply filters; Cloud Pub/Sub never pushes them."""
    refused = [s.name for s in topology.load().subscriptions if "scan" not in s.types]
    return burst.per_scan(sum(burst.cpu_by_process.get(n, 0.0) for n in refused) * 1000)


#: The fewest Firestore requests a scan's effects can take: a write per effect
#: (record, inbox entry, tally) and notify's read of the student's devices and language.
LEAST_FIRESTORE_REQUESTS = 4


def design_floor(cpu_by_process: dict[str, float], used: dict, accepted: int) -> dict:
    """What a scan costs before any consumer does its own work (decision 0033), in ms of
    CPU per scan from this burst: the ingest, one push per subscription at the cost of a
    push its consumer refuses at once (the emulator does not filter), the Pub/Sub
    emulator, LEAST_FIRESTORE_REQUESTS at the Firestore emulator's cost per request,
    and the phones. ``consumers_own`` is what the consumers taking scans spend beyond
    their pushes."""
    subs = topology.load().subscriptions
    refused = [s.name for s in subs if "scan" not in s.types]
    takers = [s.name for s in subs if "scan" in s.types]
    n = max(accepted, 1)

    def per_scan(names: list[str]) -> float:
        return sum(cpu_by_process.get(name, 0.0) for name in names) * 1000 / n

    requests = sum(c.get("firestore_requests", 0) for c in used.values()) / n
    push = per_scan(refused) / max(len(refused), 1)
    per_request = per_scan(["firestore"]) / requests if requests else 0.0
    floor = {
        "ingest": per_scan(["scan"]),
        "pushes": push * len(subs),
        "pubsub": per_scan(["pubsub"]),
        "firestore": per_request * LEAST_FIRESTORE_REQUESTS,
        "phones": per_scan(["bench"]),
    }
    return {
        "cpu_ms_per_scan": round(sum(floor.values()), 2),
        "parts_ms": {k: round(v, 2) for k, v in floor.items()},
        "push_cpu_ms": round(push, 2),
        "firestore_cpu_ms_per_request": round(per_request, 2),
        "consumers_own_cpu_ms_per_scan": round(per_scan(takers) - push * len(takers), 2),
    }


def roster_import(advance: Callable[[], object]) -> dict[str, float]:
    """A roster of IMPORT_ROWS students imported through the endpoint as an admin does
    it: the preview, the apply, and the same file again (which changes nothing)."""
    from rollcall_ops import institution

    door = institution.admin_door()
    courses = (
        "code,name,department,term,divisions\n"
        f"IMPORT,Bench import,{institution.DEPARTMENT},{institution.TERM},A B\n"
    )
    door.post("imports/courses", csv_text=courses)
    course = institution.demo_course("IMPORT")
    rows = [
        f"{i};Student {i};bench.import{i}@rollcall.test;{'AB'[i % 2]};B{i % 4}"
        for i in range(1, IMPORT_ROWS + 1)
    ]
    text = "Roll No;Name;Email;Division;Batch\r\n" + "\r\n".join(rows) + "\r\n"
    figures = {}
    for key, params in (
        ("import_preview_ms", {"dry_run": "true"}),
        ("import_apply_ms", {}),
        ("import_again_ms", {}),
    ):
        started = time.perf_counter()
        door.post("imports/roster", csv_text=text, course_id=course, **params)
        figures[key] = (time.perf_counter() - started) * 1000
        advance()
    figures["import_rows"] = IMPORT_ROWS
    return figures


def account_lookups(log: Path, since: int) -> list[int]:
    """The accounts:lookup calls the scan function made since ``since`` (a byte offset
    of its log): how many accounts each looked up (rollcall.http.accounts)."""
    from rollcall.http.accounts import LOOKED_UP

    with log.open("rb") as f:
        f.seek(since)
        lines = f.read().decode(errors="replace").splitlines()
    sizes = []
    for raw in lines:
        if raw.startswith("{") and LOOKED_UP in raw:
            entry = json.loads(raw)
            if entry.get("message") == LOOKED_UP:
                sizes.append(int(entry.get("accounts", 0)))
    return sizes


def account_check_cpu_ms(uids: list[str], lookups: list[int], scans: int) -> float:
    """CPU per scan of the account check: the burst's lookups (their sizes, from the
    scan function's log), each one's client-side CPU measured here by repeating
    lookups of the same sizes (the same code; the Auth server's share is in its own
    process's CPU, ``firebase``)."""
    from rollcall.http import accounts

    if not lookups or not scans:
        return 0.0
    started = time.process_time()
    for size in lookups:
        accounts.fetch(uids[:size])
    return (time.process_time() - started) * 1000 / scans


def publish_straight(session, uids: list[str]) -> float:
    """One scan event per student published straight to topic ``scans`` (no phones,
    no ingest), as fast as the publisher batches them. Returns when the first went out
    (epoch seconds)."""
    at = now()
    first = time.time()
    pubsub.publish(
        AttendanceEvent(
            event_id=uuid.uuid4().hex,
            session_id=session.id,
            course_id=session.course_id,
            uid=uid,
            status="present",
            at=at,
            device_id=f"phone-{uid}",
        )
        for uid in uids
    )
    return first


def wrk_throughput(url: str, requests_lua: list[tuple[str, str]], seconds: int) -> float:
    """Requests/s at CONNECTIONS connections (wrk), all of which must be 202."""
    script = BENCH_DIR / ".wrk-requests.lua"
    entries = ",\n".join(
        f"{{{json.dumps(auth)}, {json.dumps(body)}}}" for auth, body in requests_lua
    )
    script.write_text(
        "local reqs = {\n" + entries + "\n}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #reqs + 1\n"
        "  local r = reqs[i]\n"
        "  return wrk.format('POST', nil, {['Authorization'] = r[1],"
        " ['Content-Type'] = 'application/json'}, r[2])\n"
        "end\n"
        "local bad = 0\n"
        "response = function(status) if status ~= 202 then bad = bad + 1 end end\n"
        "done = function() io.write(string.format('non202 %d\\n', bad)) end\n"
    )
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    script.unlink(missing_ok=True)
    rps_found = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    non202_found = re.search(r"non202 (\d+)", out)
    if rps_found is None or non202_found is None:
        raise SystemExit(f"error: wrk printed no throughput:\n{out}")
    rps = float(rps_found.group(1))
    non202 = int(non202_found.group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non202 or errors:
        console.print(f"[yellow]warning: {non202} answers were not 202 at {url}[/]")
    return rps


def main() -> int:
    if not shutil.which("wrk"):
        raise SystemExit("error: wrk not found: apt-get install -y wrk (make bench does)")
    load_stack_env()
    stack = Stack.from_env()
    project = os.environ["GOOGLE_CLOUD_PROJECT"]
    ensure_topics(project)
    bench = Bench(stack)
    results: dict[str, float | int] = {}
    latencies: dict[str, list[float]] = {}
    cpu_by_process: dict[str, float] = {}
    scan_url = os.environ["SCAN_URL"]

    def new_session(rotation: int = 10):
        return admin.load_session(
            admin.open_session(COURSE, rotation=rotation, late_after=10, duration=60)
        )

    everyone = max([STUDENTS, *SCALE])
    try:
        with _progress() as progress:
            setup = progress.add_task("set-up: course, sign-ins, servers", total=4)
            # The burst's course: STUDENTS scan, the other ENROLLED - STUDENTS do not
            # (the close marks them absent); the scale phase's students join it after.
            seeded = admin.seed(COURSE, ENROLLED, course_name="Bench")
            teacher = institution.Door(
                auth_emulator.sign_in(seeded.teacher_email, institution.PASSWORD)
            )
            teacher.post("me/claim")
            progress.advance(setup)
            tokens = lecture.sign_in_students(COURSE, STUDENTS)
            progress.advance(setup)
            bare = bench.start("bare", "bare", BENCH_DIR / "functions" / "main.py")
            sync = bench.start("scan_sync", "scan_sync", BENCH_DIR / "functions" / "main.py")
            tp = bench.start("scan_tp", "scan", Path("main.py"), SCAN_TOPIC="bench-scans")
            progress.advance(setup)
            long_session = new_session(rotation=300)
            probe_uid, probe_token = tokens[0]
            body = {"qr": admin.current_qr_for(long_session), "device_id": f"phone-{probe_uid}"}
            auth = {"Authorization": f"Bearer {probe_token}"}
            for server in (bare, sync, tp):
                wait_until_accepting(server.url, body, auth)
            progress.advance(setup)

            phase = progress.add_task("throughput (wrk, 50 connections)", total=2)
            qr_token = admin.current_qr_for(long_session)
            reqs = [
                (f"Bearer {tok}", json.dumps({"qr": qr_token, "device_id": f"phone-{uid}"}))
                for uid, tok in tokens[:CONNECTIONS]
            ]
            bare_group = {bare.proc.pid: "bare"}
            bare_before = group_cpu_seconds(bare_group)["bare"]
            results["bare_rps"] = wrk_throughput(bare.url, reqs, THROUGHPUT_SECONDS)
            bare_cpu = group_cpu_seconds(bare_group)["bare"] - bare_before
            results["bare_cpu_ms_per_request"] = (
                bare_cpu * 1000 / max(results["bare_rps"] * THROUGHPUT_SECONDS, 1)
            )
            progress.advance(phase)
            results["ingest_rps"] = wrk_throughput(tp.url, reqs, THROUGHPUT_SECONDS)
            progress.advance(phase)

            warm = progress.add_task(f"warm-up bursts ({WARM_UP} students)", total=2)
            warm_session = new_session()
            sent = lecture.burst(scan_url, warm_session, tokens[:WARM_UP])
            lecture.wait_for_effects(warm_session.id, sent.accepted, sent.first_scan)
            progress.advance(warm)
            lecture.burst(sync.url, new_session(), tokens[:WARM_UP])
            progress.advance(warm)

            lecture_task = progress.add_task(
                f"lecture burst ({STUDENTS} of {ENROLLED} students) and its close", total=4
            )
            session = new_session()
            scan_log = stack.log_dir / "scan.log"
            log_mark = scan_log.stat().st_size
            burst = measure_lecture(stack, scan_url, session, tokens)
            sent, effects, all_ms = burst.sent, burst.effects, burst.all_effects_ms
            cpu_by_process = burst.cpu_by_process
            lookups = account_lookups(scan_log, log_mark)
            latencies["ingest (async)"] = sent.ack_ms
            results.update(
                burst_students=STUDENTS,
                burst_accepted=sent.accepted,
                burst_ack_p50_ms=percentile(sent.ack_ms, 50),
                burst_ack_p99_ms=percentile(sent.ack_ms, 99),
                all_effects_ms=all_ms if all_ms is not None else float("nan"),
                async_ack_p50_ms=percentile(sent.ack_ms, 50),
                burst_cpu_s=sum(cpu_by_process.values()),
                cores=os.cpu_count() or 1,
                ingest_cpu_ms_per_scan=cpu_by_process.get("scan", 0.0)
                * 1000
                / max(sent.accepted, 1),
                cpu_ms_per_scan=burst.per_scan(burst.cpu_s * 1000),
                firestore_ops_per_scan=burst.per_scan(firestore_ops(burst.used)),
                filtered_cpu_ms_per_scan=filtered_cpu_ms_per_scan(burst),
                burst_account_lookups=len(lookups),
                account_check_cpu_ms_per_scan=account_check_cpu_ms(
                    [uid for uid, _ in tokens], lookups, sent.accepted
                ),
            )
            progress.advance(lecture_task)
            closed = measure_close(stack, session.id, teacher, sent.accepted)
            progress.advance(lecture_task)
            if everyone > ENROLLED:  # the scale phase's students (after the close)
                admin.seed(COURSE, everyone, course_name="Bench")
            all_tokens = (
                tokens if everyone <= STUDENTS else lecture.sign_in_students(COURSE, everyone)
            )
            bare_burst = lecture.burst(bare.url, session, tokens)
            latencies["bare"] = bare_burst.ack_ms
            results["bare_burst_ack_p50_ms"] = percentile(bare_burst.ack_ms, 50)
            results["bare_burst_ack_p99_ms"] = percentile(bare_burst.ack_ms, 99)
            progress.advance(lecture_task)
            sync_burst = lecture.burst(sync.url, new_session(), tokens)
            latencies["synchronous effects"] = sync_burst.ack_ms
            results["sync_accepted"] = sync_burst.accepted
            results["sync_ack_p50_ms"] = percentile(sync_burst.ack_ms, 50)
            results["sync_ack_p99_ms"] = percentile(sync_burst.ack_ms, 99)
            progress.advance(lecture_task)

            bounds = progress.add_task("bounds: ingest alone, consumers alone", total=2)
            alone = lecture.burst(tp.url, new_session(), tokens)
            latencies["ingest without consumers"] = alone.ack_ms
            results["ingest_alone_ack_p50_ms"] = percentile(alone.ack_ms, 50)
            results["ingest_alone_ack_p99_ms"] = percentile(alone.ack_ms, 99)
            progress.advance(bounds)
            straight = new_session()
            first = publish_straight(straight, [uid for uid, _ in tokens])
            done, consumers_ms = lecture.wait_for_effects(straight.id, STUDENTS, first)
            results["consumers_alone_effects_ms"] = (
                consumers_ms if consumers_ms is not None else float("nan")
            )
            progress.advance(bounds)

            grow = progress.add_task(
                f"scale: {', '.join(map(str, SCALE))} students", total=len(SCALE)
            )
            scale = []
            for size in SCALE:
                scale.append(measure_lecture(stack, scan_url, new_session(), all_tokens[:size]))
                progress.advance(grow)
            bench.stop_all()

            cold = progress.add_task("cold start", total=2)
            body = {"qr": admin.current_qr_for(long_session), "device_id": f"phone-{probe_uid}"}
            started = time.perf_counter()
            server = bench.start("cold_scan", "scan", Path("main.py"))
            wait_until_accepting(server.url, body, auth)
            results["cold_start_ms"] = (time.perf_counter() - started) * 1000
            progress.advance(cold)
            started = time.perf_counter()
            server = bench.start("cold_bare", "bare", BENCH_DIR / "functions" / "main.py")
            wait_until_accepting(server.url, body, auth)
            results["bare_cold_start_ms"] = (time.perf_counter() - started) * 1000
            progress.advance(cold)

            imports = progress.add_task(f"roster import ({IMPORT_ROWS:,} rows)", total=3)
            results.update(roster_import(lambda: progress.advance(imports)))
    finally:
        bench.stop_all()

    if effects is not None and not effects.all_at_least(sent.accepted):
        console.print(f"[red]effects incomplete after the burst: {effects}[/]")
    if not done.all_at_least(STUDENTS):
        console.print(f"[red]consumers alone: effects incomplete: {done}[/]")
    for measured in scale:
        if not measured.effects.all_at_least(measured.sent.accepted):
            console.print(
                f"[red]scale {measured.students}: effects incomplete: {measured.effects}[/]"
            )
    results = {k: round(v, 2) if isinstance(v, float) else v for k, v in results.items()}
    prices = cost.load_prices()
    functions = cost.function_settings()
    scan_usage = per_scan_usage(burst)
    one_close = close_usage(closed)
    rows = [m.row() for m in scale]
    by_process = {m.students: m.firestore_by_process() for m in scale}
    report: dict[str, Any] = {
        **results,
        "burst_cpu_s_by_process": cpu_by_process,
        "usage_per_scan": {
            name: {k: round(burst.per_scan(v), 3) for k, v in counts.items() if v}
            for name, counts in burst.used.items()
        },
        "scale": rows,
        "scale_firestore_ops_per_scan_by_process": by_process,
        "close": closed.report(),
        "design_floor": design_floor(cpu_by_process, burst.used, burst.sent.accepted),
        "cost": cost.summary(scan_usage, prices, functions, one_close, closed.students),
        "capacity": cost.capacity(
            scan_usage, prices, functions, one_close.scaled(1 / closed.students)
        ),
    }
    BENCH_DIR.mkdir(exist_ok=True)
    (BENCH_DIR / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    plot(latencies, BENCH_DIR / "latency.png")
    if rows:
        plot_scale(rows, BENCH_DIR / "scale.png")
    print_table(results, cpu_by_process)
    print_growth(report)
    return 0


def cpu_floor_ms(r: dict) -> float:
    """The least all_effects_ms can be here: the burst's CPU over the cores."""
    return r["burst_cpu_s"] / r["cores"] * 1000


def growth(scale: list[dict], key: str, start: int = 500) -> float | None:
    """``key`` at the largest size over ``key`` at ``start`` students (None: not run)."""
    rows = {row["students"]: row for row in scale}
    if start not in rows or len(rows) < 2 or max(rows) <= start:
        return None
    return float(rows[max(rows)][key] / rows[start][key]) if rows[start][key] else None


#: The targets of issue 22, ratios to what the same run measured (a benchmark, not a
#: test): (figure, target, the measured ratio, the bound it must not pass, and whether
#: it must stay below (True) or above (False) it). ``r`` is results.json's content.
TARGETS: list[tuple[str, str, Callable[[dict], float | None], float, bool]] = [
    (
        "cpu_ms_per_scan",
        "≤ 16 × bare_cpu_ms_per_request",
        lambda r: r["cpu_ms_per_scan"] / r["bare_cpu_ms_per_request"],
        16,
        True,
    ),
    (
        "all_effects_ms",
        "≤ 1.1 × max(consumers alone, CPU ÷ cores)",
        lambda r: r["all_effects_ms"] / max(r["consumers_alone_effects_ms"], cpu_floor_ms(r)),
        1.1,
        True,
    ),
    (
        "ingest_alone_ack_p99_ms",
        "≤ 1.4 × bare_burst_ack_p99_ms",
        lambda r: r["ingest_alone_ack_p99_ms"] / r["bare_burst_ack_p99_ms"],
        1.4,
        True,
    ),
    (
        "ingest_alone_ack_p50_ms",
        "≤ ⅓ × sync_ack_p50_ms",
        lambda r: r["ingest_alone_ack_p50_ms"] / r["sync_ack_p50_ms"],
        1 / 3,
        True,
    ),
    (
        "async_ack_p50_ms",
        "≤ ⅓ × sync_ack_p50_ms",
        lambda r: r["async_ack_p50_ms"] / r["sync_ack_p50_ms"],
        1 / 3,
        True,
    ),
    (
        "burst_accepted",
        "= burst_students (all accepted)",
        lambda r: r["burst_accepted"] / r["burst_students"],
        1,
        False,
    ),
    ("ingest_rps", "≥ 0.75 × bare_rps", lambda r: r["ingest_rps"] / r["bare_rps"], 0.75, False),
    (
        "cold_start_ms",
        "≤ 1.5 × bare_cold_start_ms",
        lambda r: r["cold_start_ms"] / r["bare_cold_start_ms"],
        1.5,
        True,
    ),
    (
        "scale cpu_ms_per_scan",
        "largest size ≤ 1.1 × 500 students",
        lambda r: growth(r.get("scale", []), "cpu_ms_per_scan"),
        1.1,
        True,
    ),
    (
        "scale ingest_cpu_ms_per_scan",
        "largest size ≤ 1.1 × 500 students",
        lambda r: growth(r.get("scale", []), "ingest_cpu_ms_per_scan"),
        1.1,
        True,
    ),
]


def verdicts(r: dict) -> list[tuple[str, str, str, str]]:
    """(figure, target, measured ratio, met: yes / NO / not run) of each target."""
    rows = []
    for key, target, ratio, bound, below in TARGETS:
        value = ratio(r)
        if value is None or value != value:  # not run, or nan (effects incomplete)
            rows.append((key, target, "n/a", "not run"))
            continue
        met = value <= bound if below else value >= bound
        rows.append((key, target, f"{value:.2f}", "yes" if met else "NO"))
    return rows


def print_table(results: dict, cpu_by_process: dict[str, float]) -> None:
    table = Table(title="Rollcall bench (this machine, one run)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in results.items():
        table.add_row(key, f"{value}")
    Console().print(table)
    busiest = sorted(cpu_by_process.items(), key=lambda kv: -kv[1])
    Console().print(
        "CPU from the first scan to the last effect: "
        + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in busiest if seconds >= 0.01)
    )


def print_growth(report: dict) -> None:
    """The scale table, the cost, the capacity sheet and the targets' verdicts."""
    console_out = Console()
    if report["scale"]:
        table = Table(title="how cost grows with the lecture (each size one burst)")
        for column in report["scale"][0]:
            table.add_column(column, justify="right")
        for row in report["scale"]:
            table.add_row(*(f"{v:,}" if isinstance(v, int) else f"{v:,.1f}" for v in row.values()))
        console_out.print(table)
    close = report["close"]
    each = close["per_student"]
    console_out.print(
        f"close of the {close['students']}-student session ({close['absent']} absent, "
        f"{close['alerts']} alerts): request {close['request_ms']:,.0f} ms, last effect "
        f"{close['close_ms']:,.0f} ms after it; CPU {close['cpu_s']:.2f} s "
        f"({close['cpu_ms_per_student']:.2f} ms per student); per student: "
        + ", ".join(f"{k} {v}" for k, v in each.items())
    )
    priced = report["cost"]
    parts = priced["per_1000_scans_by_service_usd"]
    console_out.print(
        f"cost in Google Cloud (prices of {priced['price_table_date']}, bench/prices.yaml): "
        f"${priced['per_1000_scans_usd']:.4f} per 1,000 scans "
        f"({', '.join(f'{k} ${v:.4f}' for k, v in parts.items())}); "
        f"${priced['per_close_usd']:.5f} per close of {priced['close_students']} students "
        f"(${priced['per_student_close_usd']:.7f} per student); "
        f"${priced['per_student_term_usd']:.4f} per student-term "
        f"({priced['scans_per_student_term']} scans ${priced['per_student_term_scans_usd']:.4f}"
        f" + {priced['closes_per_student_term']} closes "
        f"${priced['per_student_term_closes_usd']:.4f})"
    )
    cap = report["capacity"]
    sheet = Table(
        title=f"9:00 peak: {cap['scans_per_s']:,.0f} scans/s and "
        f"{cap['closing_students_per_s']:,.0f} students' closes/s"
    )
    for column in (
        "function",
        "requests/s",
        "instances by CPU",
        "by concurrency",
        "max_instances",
        "fits",
        f"with {cap['headroom']:.0%} to spare",
    ):
        sheet.add_column(column, justify="right")
    for name, row in cap["functions"].items():
        sheet.add_row(
            name,
            f"{row['requests_per_s']:,}",
            str(row["instances_by_cpu"]),
            str(row["instances_by_concurrency"]),
            str(row["max_instances"]),
            "yes" if row["fits"] else "NO",
            "yes" if row["fits_with_headroom"] else "NO",
        )
    console_out.print(sheet)
    console_out.print(
        f"Firestore {cap['firestore_writes_per_s']:,} writes/s (limit "
        f"{cap['firestore_writes_limit_per_s']:,}/s; new traffic starts at "
        f"{cap['firestore_ramp_up_start_ops_per_s']:,} ops/s, +50 % every 5 min) and "
        f"{cap['firestore_reads_per_s']:,} reads/s; Pub/Sub publishes "
        f"{cap['pubsub_publish_bytes_per_s'] / 1e6:.2f} MB/s (limit "
        f"{cap['pubsub_publish_limit_bytes_per_s'] / 1e6:,.0f} MB/s) and pushes "
        f"{cap['pubsub_pushes_per_s']:,}/s"
    )
    table = Table(title="targets (issue 22): ratios within this run")
    for column in ("figure", "target", "measured ratio", "met"):
        table.add_column(column)
    for row in verdicts(report):
        table.add_row(*row)
    console_out.print(table)
    floor = report.get("design_floor")
    if floor:
        bare = report["bare_cpu_ms_per_request"]
        console_out.print(
            f"the design's floor (decision 0033): {floor['cpu_ms_per_scan']:.1f} ms of CPU "
            f"per scan before any consumer's own work ({floor['cpu_ms_per_scan'] / bare:.1f} "
            "× bare; "
            + ", ".join(f"{k} {v:.2f}" for k, v in floor["parts_ms"].items())
            + f"); the consumers' own work {floor['consumers_own_cpu_ms_per_scan']:.1f} ms"
        )
    print(
        f"results: {BENCH_DIR / 'results.json'}  plots: {BENCH_DIR / 'latency.png'}, "
        f"{BENCH_DIR / 'scale.png'}"
    )


def plot_scale(scale: list[dict], path: Path) -> None:
    """All effects (ms) and CPU per scan against the lecture's size, side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [row["students"] for row in scale]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2), dpi=110)
    left.plot(sizes, [row["all_effects_ms"] / 1000 for row in scale], marker="o")
    left.set_xlabel("students scanning at once")
    left.set_ylabel("first scan to last effect (s)")
    left.set_title("all effects")
    right.plot(sizes, [row["cpu_ms_per_scan"] for row in scale], marker="o", label="all processes")
    right.plot(sizes, [row["ingest_cpu_ms_per_scan"] for row in scale], marker="o", label="ingest")
    right.set_xlabel("students scanning at once")
    right.set_ylabel("CPU ms per scan")
    right.set_ylim(bottom=0)
    right.set_title("CPU per scan")
    right.legend(loc="center right")
    for ax in (left, right):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot(latencies: dict[str, list[float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    for label, values in latencies.items():
        ordered = sorted(values)
        n = len(ordered)
        ax.plot(
            ordered,
            [(i + 1) / n * 100 for i in range(n)],
            label=f"{label} (p50 {statistics.median(ordered):.0f} ms)",
        )
    ax.set_xlabel("acknowledgement latency seen by the phone (ms)")
    ax.set_ylabel(f"% of the {STUDENTS} scans answered")
    ax.set_title(f"{STUDENTS} students scan at once: answer times (CDF)")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
