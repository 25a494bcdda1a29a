"""Start and stop the local stack: ``python -m emulators.stack up|down|restart|status|env``.

``up`` starts, detached and each in its own process group: the Pub/Sub and Firestore
emulators (gcloud), the Auth and Hosting emulators (firebase-tools), a Cloud Storage
emulator (gcp-storage-emulator, in memory: absence requests' documents; decision
0023), the FCM and Cloud Scheduler stand-ins, an SMTP sink (emulators/smtp.py, the mail
consumer's relay; decision 0027), and one functions-framework process per
function, each under a supervisor that starts it again when it dies
(``emulators/supervise.py``, as Cloud Run replaces a crashed instance). It waits on
readiness probes, creates the Pub/Sub topology (``emulators/pubsub.py``) and the
documents' bucket, and writes ``<state>/stack.env``. On a running stack, ``up``
starts again whatever of it is dead and leaves the rest. ``restart NAME`` stops one
process group and starts it again. ``down`` stops exactly the process groups ``up``
recorded, checks their ports are free again, and is safe to run twice. ``status``
says, per process, whether it runs and answers (and for a function: its child's pid,
its restarts, how the last one ended).

``ROLLCALL_PORT_OFFSET`` shifts every port (the tests run a second stack at +10000),
``ROLLCALL_STATE_DIR`` moves the pid, log and env files (default ``.local``),
``ROLLCALL_SCHEDULE_EVERY`` sets the scheduler stand-in's period in seconds (0: off).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import requests

from emulators import pubsub, supervise
from rollcall_ops import topology

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
DEFAULT_PROJECT = "demo-rollcall"

#: Base ports; ROLLCALL_PORT_OFFSET is added to each.
BASE_PORTS = {
    "pubsub": 8085,
    "firestore": 8080,
    "auth": 9099,
    "hosting": 5000,
    "fcm": 9199,
    "storage": 9023,
    "scan": 8081,
    "attendance": 8082,
    "notify": 8083,
    "dashboard": 8084,
    "mail": 8086,
    "smtp": 2525,
    "smtp_http": 9026,
    "firebase_hub": 4400,
    "firebase_logging": 4500,
}
HOST = "127.0.0.1"


#: Extra ports of a process besides the one named like it.
PROCESS_PORTS = {
    "firebase": ("auth", "hosting", "firebase_hub", "firebase_logging"),
    "smtp": ("smtp", "smtp_http"),
}
#: Signs the unsubscribe links locally (Secret Manager in the cloud; decision 0027).
LOCAL_MAIL_LINK_SECRET = "local-mail-link-secret"
SUPERVISOR = Path(__file__).resolve().parent / "supervise.py"


class StackError(Exception):
    """A one-line, actionable reason the stack cannot start."""


@dataclass(frozen=True)
class ServiceStatus:
    """One process of the stack, as ``status`` reports it."""

    name: str
    state: str  # up | starting | restarting | unsupervised | down
    pid: int | None = None
    ports: tuple[int, ...] = ()
    child: int | None = None  # supervised functions: the function process itself
    restarts: int | None = None
    last_exit: str | None = None
    last_exit_ago: float | None = None

    @property
    def running(self) -> bool:
        return self.state != "down"


def format_status(rows: list[ServiceStatus]) -> tuple[str, int]:
    """The report of ``python -m emulators.stack status`` and its exit code: 0 when
    everything is up (or nothing runs at all), 1 when part of the stack is missing or
    not answering."""
    up = [r for r in rows if r.state == "up"]
    running = [r for r in rows if r.running]
    if not running:
        return "stack not running: `make up` starts it", 0
    lines = [f"{len(up)} of {len(rows)} up: {', '.join(r.name for r in up) or '-'}"]
    width = max(len(r.name) for r in rows)
    for r in rows:
        cells = [f"  {r.name:<{width}}  {r.state:<12}", f"pid {r.pid or '-':<8}"]
        if r.ports:
            cells.append("ports " + ",".join(str(p) for p in r.ports))
        if r.restarts is not None:
            detail = f"child {r.child or '-'}, restarts {r.restarts}"
            if r.last_exit:
                ago = "" if r.last_exit_ago is None else f" {r.last_exit_ago:.0f} s ago"
                detail += f" (last: {r.last_exit}{ago})"
            cells.append(detail)
        lines.append("  ".join(cells).rstrip())
    broken = [r.name for r in rows if r.state != "up"]
    if broken:
        lines.append(
            f"not up: {', '.join(broken)}: `make up` starts what is dead, "
            "`make restart SERVICE=<name>` restarts one"
        )
    return "\n".join(lines), 1 if broken else 0


@dataclass
class Stack:
    state_dir: Path
    offset: int = 0
    project: str = DEFAULT_PROJECT
    #: Period of the Cloud Scheduler stand-in (None: topology.yaml's; 0: no ticks).
    schedule_every: float | None = None
    ports: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.ports = {name: port + self.offset for name, port in BASE_PORTS.items()}

    @classmethod
    def from_env(cls) -> Stack:
        state = Path(os.environ.get("ROLLCALL_STATE_DIR", ROOT / ".local"))
        offset = int(os.environ.get("ROLLCALL_PORT_OFFSET", "0"))
        project = os.environ.get("ROLLCALL_PROJECT", DEFAULT_PROJECT)
        every = os.environ.get("ROLLCALL_SCHEDULE_EVERY")
        if not project.startswith("demo-"):
            raise StackError(f"local project id must start with 'demo-', not {project!r}")
        return cls(
            state_dir=state,
            offset=offset,
            project=project,
            schedule_every=float(every) if every else None,
        )

    # -- where things are ------------------------------------------------------------

    @property
    def pid_dir(self) -> Path:
        return self.state_dir / "pids"

    @property
    def usage_dir(self) -> Path:
        return self.state_dir / "usage"

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def env_file(self) -> Path:
        return self.state_dir / "stack.env"

    def url(self, name: str) -> str:
        return f"http://{HOST}:{self.ports[name]}"

    def hostport(self, name: str) -> str:
        return f"{HOST}:{self.ports[name]}"

    def environment(self) -> dict[str, str]:
        """What a client of the stack needs (written to stack.env)."""
        return {
            "GOOGLE_CLOUD_PROJECT": self.project,
            "PUBSUB_EMULATOR_HOST": self.hostport("pubsub"),
            "FIRESTORE_EMULATOR_HOST": self.hostport("firestore"),
            "FIREBASE_AUTH_EMULATOR_HOST": self.hostport("auth"),
            "FCM_ENDPOINT": self.url("fcm"),
            "STORAGE_EMULATOR_HOST": self.url("storage"),
            "DOCUMENTS_BUCKET": self.documents_bucket,
            "MAIL_SINK_URL": self.url("smtp_http"),
            "MAIL_LINK_SECRET": LOCAL_MAIL_LINK_SECRET,
            "SCAN_URL": self.url("scan") + "/",
            "DASHBOARD_URL": self.url("hosting") + "/",
            "ROLLCALL_LOGS": str(self.log_dir),
        }

    # -- up --------------------------------------------------------------------------

    def up(self, log=print) -> dict[str, str]:
        """Start the stack, or on a running one, whatever of it is dead."""
        check_prerequisites()
        processes = self.processes()
        running = set(self.running())
        orphaned = [n for n in running if self.supervised(n) and not self._leader_alive(n)]
        for name in orphaned:  # its supervisor died: nothing would restart it
            self._stop_groups({name: self._pid(name)}, log)
            running.discard(name)
        dead = [n for n in processes if n not in running]
        if not dead:
            self.bootstrap()  # idempotent; corrects a topology an older stack created
            log(f"stack already running ({len(running)} processes); `make down` stops it")
            self.write_env()
            return self.environment()
        for name in dead:
            for port in self.ports_of(name):
                if not _wait_port_free(port, 5 if running else 0):
                    raise StackError(
                        f"port {port} ({name}) is busy: stop what uses it, or set "
                        f"ROLLCALL_PORT_OFFSET to move the whole stack"
                    )
        self.pid_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        (self.state_dir / "data" / "pubsub").mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        try:
            for name in dead:
                self.launch(name)
            for name in dead:
                self._wait_ready(name)
            for name in running:  # a supervised function may be between two lives
                self._wait_ready(name)
            self.bootstrap()
        except BaseException:
            if running:
                self._stop_groups({n: p for n in dead if (p := self._pid(n))}, lambda *_: None)
            else:
                self.down(log=lambda *_: None)
            raise
        self.write_env()
        took = time.monotonic() - started
        if running:
            log(
                f"started again: {', '.join(dead)} ({len(running)} were running) in "
                f"{took:.1f}s; environment in {self.env_file}"
            )
        else:
            log(f"stack up in {took:.1f}s; environment in {self.env_file}")
        return self.environment()

    def restart(self, name: str, log=print, **env: str) -> None:
        """Stop one process group of a running stack and start it again (``env`` on
        top of its environment: a test deploys a broken configuration this way)."""
        processes = self.processes()
        if name not in processes:
            raise StackError(
                f"no process {name!r} in the stack: name one of {', '.join(processes)} "
                f"(make restart SERVICE=<name>)"
            )
        if not self.running():
            raise StackError("the stack is not running: `make up` starts it")
        started = time.monotonic()
        pid = self._pid(name)
        if pid is not None and _group_alive(pid):
            self._stop_groups({name: pid}, log=lambda *_: None)
        for port in self.ports_of(name):
            if not _wait_port_free(port, 10):
                raise StackError(f"port {port} ({name}) is still busy after stopping {name}")
        self.launch(name, **env)
        self._wait_ready(name)
        self.bootstrap()  # a restarted Pub/Sub emulator starts empty
        log(f"{name} restarted in {time.monotonic() - started:.1f}s")

    @property
    def documents_bucket(self) -> str:
        """The bucket of absence requests' documents (as rollcall.config names it)."""
        return f"{self.project}-rollcall-documents"

    def bootstrap(self) -> None:
        """The topology on the Pub/Sub emulator, pushing to this stack's functions, and
        the documents' bucket on the storage emulator."""
        topo = topology.load()
        endpoints = {s.name: self.url(s.name) + "/" for s in topo.subscriptions}
        pubsub.bootstrap(self.hostport("pubsub"), self.project, topo, endpoints)
        self.create_bucket()

    def create_bucket(self) -> None:
        """The documents' bucket (idempotent: an existing bucket is kept)."""
        response = requests.post(
            f"{self.url('storage')}/storage/v1/b",
            params={"project": self.project},
            json={"name": self.documents_bucket},
            timeout=10,
        )
        if response.status_code not in (200, 409):
            raise StackError(
                f"could not create bucket {self.documents_bucket}: HTTP {response.status_code}"
            )

    def functions(self) -> list[str]:
        """The function processes: ``scan`` and one per subscription."""
        return ["scan", *(s.name for s in topology.load().subscriptions)]

    def supervised(self, name: str) -> bool:
        return name in self.functions()

    def ports_of(self, name: str) -> list[int]:
        names = PROCESS_PORTS.get(name, (name,))
        return [self.ports[n] for n in names if n in self.ports]

    def launch(self, name: str, **env: str) -> None:
        """Start one process of the stack, detached; a function under its supervisor."""
        argv, base_env, cwd = self.processes()[name]
        if self.supervised(name):
            self.supervisor_state(name).unlink(missing_ok=True)
            argv = [
                sys.executable,
                str(SUPERVISOR),
                "--name",
                name,
                "--state",
                str(self.supervisor_state(name)),
                "--",
                *argv,
            ]
        self._spawn(name, argv, {**base_env, **env}, cwd)

    def processes(self) -> dict[str, tuple[list[str], dict[str, str], Path]]:
        """name -> (argv, extra environment, working directory)."""
        gcloud = shutil.which("gcloud") or "gcloud"
        firebase = str(ROOT / "node_modules" / ".bin" / "firebase")
        data = self.state_dir / "data"
        # The gcloud emulators are JVMs. On 2 cores the C2 JIT compiler and parallel GC
        # threads took more CPU than the emulators' own work during a 500-scan burst
        # (Firestore emulator: 6.3 s CPU with defaults, 2.6 s with these flags).
        jvm = {"JAVA_TOOL_OPTIONS": "-XX:+UseSerialGC -XX:TieredStopAtLevel=1"}
        procs: dict[str, tuple[list[str], dict[str, str], Path]] = {
            "pubsub": (
                [
                    gcloud,
                    "beta",
                    "emulators",
                    "pubsub",
                    "start",
                    "--quiet",
                    f"--host-port={self.hostport('pubsub')}",
                    f"--project={self.project}",
                    f"--data-dir={data / 'pubsub'}",
                ],
                jvm,
                ROOT,
            ),
            "firestore": (
                [
                    gcloud,
                    "emulators",
                    "firestore",
                    "start",
                    "--quiet",
                    f"--host-port={self.hostport('firestore')}",
                    f"--rules={ROOT / 'firestore.rules'}",
                ],
                jvm,
                ROOT,
            ),
            "firebase": (
                [
                    firebase,
                    "emulators:start",
                    "--only",
                    "auth,hosting",
                    "--project",
                    self.project,
                    "--config",
                    str(self.firebase_config()),
                ],
                {"FIREBASE_CLI_DISABLE_UPDATE_CHECK": "true"},
                ROOT,
            ),
            "fcm": (
                [
                    sys.executable,
                    "-m",
                    "emulators.fcm",
                    "--host",
                    HOST,
                    "--port",
                    str(self.ports["fcm"]),
                ],
                {"PYTHONPATH": str(ROOT)},
                ROOT,
            ),
        }
        every = [] if self.schedule_every is None else ["--every", str(self.schedule_every)]
        procs["smtp"] = (
            [
                sys.executable,
                "-m",
                "emulators.smtp",
                "--host",
                HOST,
                "--port",
                str(self.ports["smtp"]),
                "--http-port",
                str(self.ports["smtp_http"]),
            ],
            {"PYTHONPATH": str(ROOT)},
            ROOT,
        )
        procs["storage"] = (
            [
                str(VENV_BIN / "gcp-storage-emulator"),
                "start",
                "--host",
                HOST,
                "--port",
                str(self.ports["storage"]),
                "--in-memory",
                "--quiet",
            ],
            {},
            ROOT,
        )
        procs["scheduler"] = (
            [
                sys.executable,
                "-m",
                "emulators.scheduler",
                "--pubsub",
                self.hostport("pubsub"),
                "--project",
                self.project,
                *every,
            ],
            {"PYTHONPATH": str(ROOT)},
            ROOT,
        )
        function_env = {
            "GOOGLE_CLOUD_PROJECT": self.project,
            "PUBSUB_EMULATOR_HOST": self.hostport("pubsub"),
            "FIRESTORE_EMULATOR_HOST": self.hostport("firestore"),
            "FIREBASE_AUTH_EMULATOR_HOST": self.hostport("auth"),
            "FCM_ENDPOINT": self.url("fcm"),
            "STORAGE_EMULATOR_HOST": self.url("storage"),
            "DOCUMENTS_BUCKET": self.documents_bucket,
            "CORS_ORIGINS": f"{self.url('hosting')},http://localhost:{self.ports['hosting']}",
            "SMTP_HOST": HOST,
            "SMTP_PORT": str(self.ports["smtp"]),
            "MAIL_LINK_SECRET": LOCAL_MAIL_LINK_SECRET,
            "MAIL_LINK_BASE": self.url("scan"),
            "PYTHONUNBUFFERED": "1",
            # Each function process counts its Firestore and Pub/Sub use there
            # (rollcall.usage), which `make bench` adds up.
            "ROLLCALL_USAGE_DIR": str(self.usage_dir),
        }
        targets = {"scan": "scan"}
        targets.update({s.name: s.function for s in topology.load().subscriptions})
        for name, target in targets.items():
            procs[name] = (
                [
                    *self.nice(name),
                    str(VENV_BIN / "functions-framework"),
                    "--source",
                    "main.py",
                    "--target",
                    target,
                    "--host",
                    HOST,
                    "--port",
                    str(self.ports[name]),
                ],
                {**function_env, **_server_env(name), "K_SERVICE": name},
                ROOT / "functions",
            )
        return procs

    def nice(self, name: str) -> list[str]:
        """In Cloud each function has its own instances; here all share two cores. The
        consumers run at a lower CPU priority so that, in a burst, the function the
        phones wait on answers first and the consumers use what is left (their work is
        asynchronous by design). ROLLCALL_CONSUMER_NICE=0 turns this off."""
        level = int(os.environ.get("ROLLCALL_CONSUMER_NICE", "10"))
        return ["nice", "-n", str(level)] if name != "scan" and level else []

    def firebase_config(self) -> Path:
        """firebase.json with this stack's ports (the repo file keeps the defaults)."""
        config = json.loads((ROOT / "firebase.json").read_text())
        config["emulators"]["auth"]["port"] = self.ports["auth"]
        config["emulators"]["hosting"]["port"] = self.ports["hosting"]
        # The emulator hub and its logging port are fixed by default: move them too, so
        # a test stack and a demo stack can run side by side.
        config["emulators"]["hub"] = {"host": HOST, "port": self.ports["firebase_hub"]}
        config["emulators"]["logging"] = {"host": HOST, "port": self.ports["firebase_logging"]}
        # Paths stay relative to the repo root, where this file lives: the Hosting
        # emulator serves nothing from an absolute "public" path.
        path = ROOT / f".firebase.{self.offset}.json"
        path.write_text(json.dumps(config, indent=2))
        return path

    def _spawn(self, name: str, argv: list[str], extra_env: dict[str, str], cwd: Path) -> None:
        env = {**os.environ, **extra_env}
        logfile = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 (kept by the child)
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        logfile.close()
        (self.pid_dir / f"{name}.pid").write_text(f"{proc.pid}\n")

    def probes(self) -> dict[str, list[str]]:
        """name -> URLs that must answer (any HTTP status) for it to be ready."""
        probes = {name: [self.url(name) + "/"] for name in self.ports}  # any answer will do
        probes["fcm"] = [self.url("fcm") + "/healthz"]
        probes["smtp"] = [self.url("smtp_http") + "/healthz"]
        probes["firebase"] = [self.url("auth") + "/", self.url("hosting") + "/"]
        probes["scheduler"] = []  # no port: ready once alive
        return probes

    def _wait_ready(self, name: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        log = self.log_dir / (name + ".log")
        state = self.supervisor_status(name)
        restarts = state.restarts if state else 0
        for url in self.probes()[name]:
            while True:
                if not self._alive(name):
                    raise StackError(f"{name} exited while starting; see {log}")
                state = self.supervisor_status(name)
                if state and state.restarts > restarts:
                    raise StackError(
                        f"{name} exited while starting ({state.last_exit}; its supervisor "
                        f"keeps restarting it); see {log}"
                    )
                try:
                    requests.get(url, timeout=2)
                    break
                except requests.RequestException:
                    if time.monotonic() > deadline:
                        raise StackError(
                            f"{name} not ready after {timeout:.0f}s; see {log}"
                        ) from None
                    time.sleep(0.1)

    def write_env(self) -> None:
        lines = [f"export {k}={v}" for k, v in self.environment().items()]
        self.env_file.parent.mkdir(parents=True, exist_ok=True)
        self.env_file.write_text("\n".join(lines) + "\n")

    # -- what runs, and down --------------------------------------------------------

    def _pid(self, name: str) -> int | None:
        try:
            return int((self.pid_dir / f"{name}.pid").read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def _alive(self, name: str) -> bool:
        pid = self._pid(name)
        return pid is not None and _group_alive(pid)

    def _leader_alive(self, name: str) -> bool:
        """The group's first process (a function's supervisor) itself, not its group."""
        pid = self._pid(name)
        return pid is not None and _process_alive(pid)

    def supervisor_state(self, name: str) -> Path:
        return self.pid_dir / f"{name}.json"

    def supervisor_status(self, name: str) -> supervise.State | None:
        """What a function's supervisor last wrote (None: not a supervised function,
        or not started)."""
        if not self.supervised(name):
            return None
        return supervise.read_state(self.supervisor_state(name))

    def child_pid(self, name: str) -> int | None:
        """The pid of a function process itself (its supervisor's child), if alive."""
        state = self.supervisor_status(name)
        if state is None or state.child is None or not _process_alive(state.child):
            return None
        return state.child

    def running(self) -> list[str]:
        if not self.pid_dir.exists():
            return []
        return [p.stem for p in self.pid_dir.glob("*.pid") if self._alive(p.stem)]

    def status(self) -> list[ServiceStatus]:
        """Each process of the stack: running, answering on its ports, restarted."""
        rows = []
        for name in self.processes():
            pid = self._pid(name)
            ports = tuple(self.ports_of(name))
            if pid is None or not _group_alive(pid):
                rows.append(ServiceStatus(name, "down", ports=ports))
                continue
            answering = all(_port_open(port) for port in ports)
            state = "up" if answering else "starting"
            sup = self.supervisor_status(name)
            if not self.supervised(name) or sup is None:
                rows.append(ServiceStatus(name, state, pid, ports))
                continue
            child = self.child_pid(name)
            if not _process_alive(pid):
                state = "unsupervised"
            elif child is None:
                state = "restarting"
            ago = time.time() - sup.last_exit_at if sup.last_exit_at else None
            rows.append(
                ServiceStatus(name, state, pid, ports, child, sup.restarts, sup.last_exit, ago)
            )
        return rows

    def down(self, log=print) -> None:
        pidfiles = sorted(self.pid_dir.glob("*.pid")) if self.pid_dir.exists() else []
        if not pidfiles:
            log("stack not running")
            return
        groups = {}
        for pidfile in pidfiles:
            pid = self._pid(pidfile.stem)
            if pid is not None and self._alive(pidfile.stem):
                groups[pidfile.stem] = pid
        self._stop_groups(groups, log=lambda *_: None)
        for pidfile in pidfiles:
            pidfile.unlink(missing_ok=True)
        for state in self.pid_dir.glob("*.json"):
            state.unlink(missing_ok=True)
        busy = [f"{n}:{p}" for n, p in self.ports.items() if not _wait_port_free(p, 10)]
        (ROOT / f".firebase.{self.offset}.json").unlink(missing_ok=True)
        if busy:
            raise StackError(f"stopped the stack, but ports are still busy: {', '.join(busy)}")
        log(f"stack stopped ({len(groups)} process groups)")

    def _stop_groups(self, groups: Mapping[str, int | None], log=print) -> None:
        """SIGTERM each process group, SIGKILL what is left after 15 s; forget them."""
        pids = {n: p for n, p in groups.items() if p is not None}
        for pid in pids.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_group_alive(p) for p in pids.values()):
            time.sleep(0.1)
        for pid in pids.values():
            if _group_alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_group_alive(p) for p in pids.values()):
            time.sleep(0.05)
        for name in groups:
            (self.pid_dir / f"{name}.pid").unlink(missing_ok=True)
        log(f"stopped {', '.join(groups) or 'nothing'}")


#: gunicorn threads of each function process: as in Cloud, one per request an instance
#: may be sent at once (infra/variables.tf, function_settings.*.concurrency, which
#: Terraform passes as THREADS; tests/infra checks the two agree).
THREADS = {"scan": 80, "attendance": 20, "notify": 20, "dashboard": 20, "mail": 4}


def _server_env(function: str) -> dict[str, str]:
    """gunicorn settings of a function process (functions-framework reads WORKERS and
    THREADS); ROLLCALL_<NAME>_WORKERS and ROLLCALL_<NAME>_THREADS override, for tuning
    runs."""
    env = {"THREADS": str(THREADS[function])}
    for setting in ("WORKERS", "THREADS"):
        value = os.environ.get(f"ROLLCALL_{function.upper()}_{setting}")
        if value:
            env[setting] = value
    return env


def _process_alive(pid: int) -> bool:
    """The process itself (reaped first if it is our own zombie child)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _proc_state(pid) != "Z"


def _proc_state(pid: int) -> str | None:
    """The state letter of /proc/<pid>/stat (Z: a zombie nobody reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()[0]


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((HOST, port)) == 0


def _group_alive(pgid: int) -> bool:
    # A leader that is our own child (the tests start the stack in-process) lingers as
    # a zombie until reaped, and killpg(…, 0) would still see it.
    try:
        os.waitpid(pgid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        return s.connect_ex((HOST, port)) != 0


def _wait_port_free(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not port_free(port):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def check_prerequisites() -> None:
    """Fail with one actionable line when something the stack needs is missing."""
    if not shutil.which("java"):
        raise StackError(
            "java not found: the gcloud emulators need it (apt-get install -y "
            "openjdk-17-jre-headless)"
        )
    gcloud = shutil.which("gcloud")
    if not gcloud:
        raise StackError(
            "gcloud not found: install the Google Cloud CLI (apt-get install -y google-cloud-cli)"
        )
    platform = Path(os.path.realpath(gcloud)).parents[1] / "platform"
    for component, package in (
        ("pubsub-emulator", "google-cloud-cli-pubsub-emulator"),
        ("cloud-firestore-emulator", "google-cloud-cli-firestore-emulator"),
    ):
        if not (platform / component).exists():
            raise StackError(f"gcloud component {component} missing: apt-get install -y {package}")
    if not shutil.which("node"):
        raise StackError("node not found: `make install` brings it (Firebase emulators need it)")
    if not (ROOT / "node_modules" / ".bin" / "firebase").exists():
        raise StackError("firebase-tools not installed: run `npm ci` (or `make install`)")
    if not (ROOT / "web" / "dist" / "index.html").exists():
        raise StackError("the web app is not built: run `make web`")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulators.stack", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "restart", "env", "status"])
    parser.add_argument("service", nargs="?", help="restart: the process to restart")
    args = parser.parse_args(argv)
    try:
        stack = Stack.from_env()
        if args.command == "up":
            stack.up()
            for key, value in stack.environment().items():
                print(f"  {key}={value}")
        elif args.command == "down":
            stack.down()
        elif args.command == "restart":
            if not args.service:
                raise StackError(
                    "name the process to restart: make restart SERVICE=<one of "
                    f"{', '.join(stack.processes())}>"
                )
            stack.restart(args.service)
        elif args.command == "env":
            if not stack.env_file.exists():
                raise StackError(f"no {stack.env_file}: `make up` writes it")
            print(stack.env_file.read_text(), end="")
        else:
            report, code = format_status(stack.status())
            print(report)
            return code
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
