"""Where the CLI finds the stack: the environment, or else ``.local/stack.env``
written by ``make up`` (so ``rollcall ...`` works in any shell after ``make up``).
``rollcall --project P`` targets a real Google Cloud project instead, with Application
Default Credentials (``gcloud auth application-default login``)."""

from __future__ import annotations

import os
import shlex
import socket
from pathlib import Path

from rollcall_ops.topology import ROOT

REQUIRED = ("GOOGLE_CLOUD_PROJECT", "FIRESTORE_EMULATOR_HOST", "FIREBASE_AUTH_EMULATOR_HOST")
EMULATOR_HOSTS = (
    "PUBSUB_EMULATOR_HOST",
    "FIRESTORE_EMULATOR_HOST",
    "FIREBASE_AUTH_EMULATOR_HOST",
    "FCM_ENDPOINT",
)


def load_stack_env() -> None:
    if not all(os.environ.get(k) for k in REQUIRED):
        _read_env_file()
    _check_reachable(os.environ.get("FIRESTORE_EMULATOR_HOST"))


def use_project(project: str) -> None:
    """Point every client at a real project (never at an emulator)."""
    if project.startswith("demo-"):
        raise SystemExit(f"error: {project!r} is a local demo project: leave out --project")
    emulators = [k for k in EMULATOR_HOSTS if os.environ.get(k)]
    if emulators:
        raise SystemExit(
            f"error: --project {project} with {', '.join(emulators)} set: unset them, so "
            "nothing mixes the emulators with a real project"
        )
    os.environ["GOOGLE_CLOUD_PROJECT"] = project


def _check_reachable(hostport: str | None) -> None:
    """Fail in a second, not after the client library's 5-minute retry."""
    if not hostport:
        return
    host, _, port = hostport.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except OSError:
        raise SystemExit(
            f"error: the Firestore emulator at {hostport} does not answer: run `make up`"
        ) from None


def _read_env_file() -> None:
    state = Path(os.environ.get("ROLLCALL_STATE_DIR", ROOT / ".local"))
    path = state / "stack.env"
    if not path.exists():
        raise SystemExit(
            "error: no local stack found: run `make up` (or pass --project for a real project)"
        )
    for line in path.read_text().splitlines():
        parts = shlex.split(line)
        if len(parts) == 2 and parts[0] == "export" and "=" in parts[1]:
            key, value = parts[1].split("=", 1)
            os.environ.setdefault(key, value)
