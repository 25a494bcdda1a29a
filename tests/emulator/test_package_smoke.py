"""Deploy smoke test: the archive Terraform uploads, and nothing else, serves the four
entry points. ``build/functions.zip`` (rollcall_ops.package, what ``make package``
writes) is unpacked into an empty folder, a venv is made from its own
``requirements.txt`` only, and functions-framework serves ``scan`` and the three
consumers from there, with the environment the local stack gives its functions but no
PYTHONPATH and no development venv. The test stack's push subscriptions point at these
consumers for the test, so one scan sent to the packaged ``scan`` reaches all three
effects through the packaged code alone. An archive missing a module (or its contracts
file) fails to serve."""

from __future__ import annotations

import json
import os
import subprocess
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from emulators.stack import HOST, port_free
from rollcall_ops import package, topology
from tests.conftest import local_stack
from tests.support import (
    all_effects,
    new_course,
    new_session,
    new_student,
    scan,
    token_for,
    unique,
    wait_for,
)

pytestmark = pytest.mark.emulator

TARGETS = {"scan": "scan", **{s.name: s.function for s in topology.load().subscriptions}}


class SmokeError(Exception):
    """The archive does not serve."""


@dataclass
class Served:
    urls: dict[str, str]
    logs: Path
    procs: list[subprocess.Popen[bytes]]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, 15)
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait(5)


def make_venv(requirements: Path, where: Path) -> Path:
    """A venv with the archive's requirements.txt and nothing else."""
    subprocess.run(["python3", "-m", "venv", str(where)], check=True)
    pip = [str(where / "bin" / "pip"), "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(requirements)], check=True, timeout=600)
    return where


def _free_ports(count: int, start: int) -> list[int]:
    ports, port = [], start
    while len(ports) < count:
        if port_free(port):
            ports.append(port)
        port += 1
    return ports


def serve(archive: Path, venv: Path, where: Path, stack_env: dict[str, str]) -> Served:
    """Unpack ``archive`` into an empty folder and serve its four entry points."""
    source = where / "source"
    source.mkdir()
    with zipfile.ZipFile(archive) as z:
        z.extractall(source)
    logs = where / "logs"
    logs.mkdir()
    base = int(stack_env["SCAN_URL"].rsplit(":", 1)[1].strip("/")) + 200
    ports = dict(zip(TARGETS, _free_ports(len(TARGETS), base), strict=True))
    clean = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(where),
        "GOOGLE_CLOUD_PROJECT": stack_env["GOOGLE_CLOUD_PROJECT"],
        "PUBSUB_EMULATOR_HOST": stack_env["PUBSUB_EMULATOR_HOST"],
        "FIRESTORE_EMULATOR_HOST": stack_env["FIRESTORE_EMULATOR_HOST"],
        "FIREBASE_AUTH_EMULATOR_HOST": stack_env["FIREBASE_AUTH_EMULATOR_HOST"],
        "FCM_ENDPOINT": stack_env["FCM_ENDPOINT"],
        "PYTHONUNBUFFERED": "1",
        "THREADS": "8",
    }
    served = Served({n: f"http://{HOST}:{p}/" for n, p in ports.items()}, logs, [])
    for name, target in TARGETS.items():
        log = open(logs / f"{name}.log", "wb")  # noqa: SIM115 (kept by the child)
        proc = subprocess.Popen(
            [
                str(venv / "bin" / "functions-framework"),
                *("--source", "main.py", "--target", target, "--host", HOST),
                *("--port", str(ports[name])),
            ],
            cwd=source,
            env={**clean, "K_SERVICE": name, "FUNCTION_TARGET": target},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        served.procs.append(proc)
    deadline = time.monotonic() + 120
    try:
        for name, proc in zip(TARGETS, served.procs, strict=True):
            while True:
                if proc.poll() is not None:
                    tail = (logs / f"{name}.log").read_text()[-1500:]
                    raise SmokeError(f"{name} exited ({proc.returncode}) while starting:\n{tail}")
                try:
                    requests.get(served.urls[name], timeout=2)
                    break
                except requests.RequestException:
                    if time.monotonic() > deadline:
                        raise SmokeError(f"{name} not serving after 120 s") from None
                    time.sleep(0.2)
    except BaseException:
        served.stop()
        raise
    return served


@pytest.fixture(scope="module")
def archive() -> Path:
    return package.build()  # build/functions.zip, as `make package` writes it


@pytest.fixture(scope="module")
def venv(archive, tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("archive-venv")
    with zipfile.ZipFile(archive) as z:
        (where / "requirements.txt").write_bytes(z.read("requirements.txt"))
    return make_venv(where / "requirements.txt", where / "venv")


@pytest.fixture
def repointed(stack, venv, archive, tmp_path) -> Iterator[Served]:
    """The packaged functions, with the stack's push subscriptions pointing at them."""
    served = serve(archive, venv, tmp_path, stack)
    pubsub = f"http://{stack['PUBSUB_EMULATOR_HOST']}/v1/projects/{stack['GOOGLE_CLOUD_PROJECT']}"
    try:
        for sub in topology.load().subscriptions:
            resp = requests.post(
                f"{pubsub}/subscriptions/{sub.name}:modifyPushConfig",
                json={"pushConfig": {"pushEndpoint": served.urls[sub.name]}},
                timeout=10,
            )
            resp.raise_for_status()
        yield served
    finally:
        local_stack().bootstrap()  # the stack's own endpoints again
        served.stop()


def test_one_scan_through_the_packaged_functions_reaches_all_three_effects(stack_env, repointed):
    course = new_course()
    session = new_session(course)
    student = new_student(course, tokens=(unique("tok-"),))
    os.environ["SCAN_URL"] = repointed.urls["scan"]

    resp = scan(student, token_for(session))

    assert resp.status_code == 202, resp.text
    scan_id = resp.json()["scan_id"]
    wait_for(lambda: all_effects(session.id, student.uid), timeout=60)

    def applied(consumer: str) -> bool:
        """The packaged consumer logged the effect (after it: notify's push, too)."""
        log = (repointed.logs / f"{consumer}.log").read_text()
        return any(
            json.loads(line).get("scan_id") == scan_id
            and json.loads(line)["message"] == "consumer effect applied"
            for line in log.splitlines()
            if line.startswith("{")
        )

    for consumer in ("attendance", "notify", "dashboard"):
        wait_for(lambda c=consumer: applied(c), timeout=30)
