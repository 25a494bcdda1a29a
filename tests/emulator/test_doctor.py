"""`rollcall doctor` on the local stack: it passes on the stack as `make up` leaves it,
and each thing broken on the Pub/Sub emulator (a subscription deleted, a push endpoint
moved, a dead-letter policy removed, a retry policy the emulator must not have) fails
its own line with the fix, which `make up`'s bootstrap then carries out."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from tests.conftest import local_stack

pytestmark = pytest.mark.emulator

ROLLCALL = Path(sys.executable).parent / "rollcall"


def doctor() -> tuple[int, list[str]]:
    proc = subprocess.run(
        [str(ROLLCALL), "doctor"], capture_output=True, text=True, timeout=120, env=os.environ
    )
    return proc.returncode, proc.stdout.splitlines()


def _subs() -> str:
    return (
        f"http://{os.environ['PUBSUB_EMULATOR_HOST']}/v1/projects/"
        f"{os.environ['GOOGLE_CLOUD_PROJECT']}/subscriptions"
    )


def delete_subscription() -> None:
    requests.delete(f"{_subs()}/notify", timeout=10).raise_for_status()


def move_endpoint() -> None:
    requests.post(
        f"{_subs()}/dashboard:modifyPushConfig",
        json={"pushConfig": {"pushEndpoint": "http://127.0.0.1:9/"}},
        timeout=10,
    ).raise_for_status()


def drop_dead_letter_policy() -> None:
    requests.patch(
        f"{_subs()}/attendance",
        json={"subscription": {"deadLetterPolicy": None}, "updateMask": "deadLetterPolicy"},
        timeout=10,
    ).raise_for_status()


def add_retry_policy() -> None:
    requests.patch(
        f"{_subs()}/notify",
        json={
            "subscription": {"retryPolicy": {"minimumBackoff": "1s", "maximumBackoff": "60s"}},
            "updateMask": "retryPolicy",
        },
        timeout=10,
    ).raise_for_status()


def test_doctor_passes_on_the_local_stack(stack_env):
    code, lines = doctor()

    assert code == 0, "\n".join(lines)
    assert not [ln for ln in lines if ln.startswith("FAIL")]
    for check in (
        "topic scans",
        "push subscription notify endpoint",
        "push subscription notify dead-letter policy",
        "dead-letter subscription notify-dead-letter",
        "Firestore rules",
        "hosting config",
        "scan endpoint",
    ):
        assert any(ln.split(":", 1)[0].endswith(check) for ln in lines), check
    assert any(ln.startswith("skip  consumer invoker grants") for ln in lines)
    assert lines[-1].endswith("a working deploy")


@pytest.mark.parametrize(
    ("breakage", "line"),
    [
        (delete_subscription, "FAIL  push subscription notify: HTTP 404"),
        (move_endpoint, "FAIL  push subscription dashboard endpoint: http://127.0.0.1:9/, not"),
        (
            drop_dead_letter_policy,
            "FAIL  push subscription attendance dead-letter policy: to nowhere",
        ),
        (add_retry_policy, "FAIL  push subscription notify retry policy:"),
    ],
    ids=["subscription deleted", "endpoint moved", "dead-letter policy removed", "retry policy"],
)
def test_doctor_names_the_fix_and_the_fix_works(stack_env, breakage: Callable[[], None], line):
    breakage()
    try:
        code, lines = doctor()
        failed = [ln for ln in lines if ln.startswith("FAIL")]
        assert code == 1
        assert len(failed) == 1 and failed[0].startswith(line), "\n".join(lines)
        assert failed[0].endswith(
            "-> fix: `make up` (the bootstrap puts the topology back as infra/topology.yaml says)"
        )
    finally:
        local_stack().bootstrap()  # what `make up` does on a running stack

    code, lines = doctor()
    assert code == 0, "\n".join(lines)
