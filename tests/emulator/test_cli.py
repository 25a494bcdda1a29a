"""The operator CLI and the newcomer's path: seed, open a session, take the token from
`rollcall qr`, scan with curl, see the effects with `rollcall status`, close."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import all_effects, unique, wait_for

pytestmark = pytest.mark.emulator
ROLLCALL = str(Path(sys.executable).parent / "rollcall")


def rollcall(*args: str) -> str:
    out = subprocess.run(
        [ROLLCALL, *args], capture_output=True, text=True, timeout=300, env=os.environ
    )
    assert out.returncode == 0, out.stderr + out.stdout
    return out.stdout


def curl(*args: str) -> tuple[int, dict]:
    out = subprocess.run(
        ["curl", "-s", "-w", "\n%{http_code}", *args], capture_output=True, text=True, timeout=30
    )
    body, status = out.stdout.rsplit("\n", 1)
    return int(status), json.loads(body)


def curl_scan(id_token: str, token: str) -> tuple[int, dict]:
    """A scan as a newcomer sends it by hand (README, "A scan by hand")."""
    return curl(
        "-H",
        f"Authorization: Bearer {id_token}",
        "-H",
        "Content-Type: application/json",
        "-d",
        json.dumps({"qr": token, "device_id": "curl"}),
        os.environ["SCAN_URL"],
    )


def test_curl_scan_with_token_from_rollcall_qr(stack_env):
    course = unique("cli")
    assert f"course {course}:" in rollcall("seed", "--course", course, "--students", "3")
    session = rollcall("session", "open", "--course", course, "--rotation", "10").strip()
    assert re.fullmatch(r"s[0-9a-f]{12}", session)
    token = rollcall("qr", "--session", session).strip()
    assert token.startswith(f"1.{session}.")

    auth = os.environ["FIREBASE_AUTH_EMULATOR_HOST"]
    status, signed_in = curl(
        "-H",
        "Content-Type: application/json",
        "-d",
        json.dumps(
            {
                "email": "student002@rollcall.test",
                "password": "rollcall-demo",
                "returnSecureToken": True,
            }
        ),
        f"http://{auth}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=k",
    )
    assert status == 200
    status, body = curl_scan(signed_in["idToken"], token)
    assert status == 202, body
    assert body["status"] == "present"
    wait_for(lambda: all_effects(session, "student-002"))

    status_out = rollcall("status", "--session", session)
    assert re.search(r"attendance \(records\)\s*│\s*1\b", status_out), status_out
    assert re.search(r"notify \(inbox entries\)\s*│\s*1\b", status_out), status_out
    assert "notify-dead-letter" in status_out

    rollcall("session", "close", "--session", session)
    # The ingest caches a session for 5 s: within that, closing takes effect.
    wait_for(
        lambda: (
            curl_scan(signed_in["idToken"], token)[1].get("error", {}).get("code")
            == "session_closed"
        ),
        timeout=10,
        interval=0.5,
    )


def test_simulate_prints_the_lecture_summary(stack_env):
    course = unique("sim")
    rollcall("seed", "--course", course, "--students", "20")
    session = rollcall("session", "open", "--course", course).strip()
    out = rollcall("simulate", "--session", session, "--students", "20")
    last = out.strip().splitlines()[-1]
    m = re.fullmatch(
        r"lecture: (\d+) scanned, (\d+) accepted, (\d+) recorded, (\d+) inbox, dashboard (\d+), "
        r"ack p50 (\d+) ms, ack p99 (\d+) ms, all effects (\d+) ms",
        last,
    )
    assert m, last
    assert [int(x) for x in m.groups()[:5]] == [20] * 5
