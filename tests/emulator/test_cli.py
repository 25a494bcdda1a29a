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

from rollcall_ops import admin
from tests.support import all_effects, csv_rows, unique, wait_for

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
    """A scan as a newcomer sends it by hand (docs/api.md, "A scan by hand")."""
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
    code = unique("cli")
    course = admin.demo_course(code)
    assert f"course {course}:" in rollcall("seed", "--course", code, "--students", "3")
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
    code = unique("sim")
    course = admin.demo_course(code)
    rollcall("seed", "--course", code, "--students", "20")
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


def test_course_rules_close_standing_and_export_from_the_cli(stack_env, tmp_path):

    code = unique("std")
    course = admin.demo_course(code)
    rollcall("seed", "--course", code, "--students", "3")
    settings = ["--planned-sessions", "8", "--min-percent", "75", "--late-weight", "0.5"]
    settings += ["--absence-alert-run", "2", "--alerts-after-sessions", "0"]
    settings += ["--min-percent-practical", "80"]
    rules = json.loads(rollcall("course", "settings", "--course", course, *settings))
    assert rules == {
        "absence_alert_run": 2,
        "excused_policy": "not_counted",
        "late_weight": 0.5,
        "min_attendance_percent": 75.0,
        "min_attendance_percent_theory": None,
        "min_attendance_percent_practical": 80.0,
        "min_attendance_percent_tutorial": None,
        "planned_sessions": 8,
        "alerts_after_sessions": 0,
        "auto_open": False,
        "dispute_window_days": 7,
        "request_window_days": 7,
    }
    cleared = rollcall("course", "settings", "--course", course, "--min-percent-practical", "none")
    assert json.loads(cleared)["min_attendance_percent_practical"] is None
    out = subprocess.run(
        [ROLLCALL, "course", "settings", "--course", course, "--min-percent", "140"],
        capture_output=True, text=True, env=os.environ,
    )  # fmt: skip
    assert out.returncode != 0 and "must be a number from 0 to 100, not 140" in out.stderr

    session = rollcall("session", "open", "--course", course).strip()
    token = rollcall("qr", "--session", session).strip()
    from rollcall_ops import auth_emulator

    id_token = auth_emulator.sign_in("student001@rollcall.test", "rollcall-demo")
    assert curl_scan(id_token, token)[0] == 202
    wait_for(lambda: all_effects(session, "student-001"))
    out = rollcall("session", "close", "--session", session)
    assert "marking absences of the 3 enrolled students" in out

    def settled() -> list[dict] | None:
        rows = json.loads(rollcall("standing", "--course", course, "--json"))
        return rows if all(r.get("held") == 1 for r in rows) else None

    standing = wait_for(settled, timeout=20)
    _quiet_after_close(session, course)
    again = rollcall("session", "close", "--session", session)
    assert "absences were marked by the first close" in again
    by_uid = {r["uid"]: r for r in standing}
    assert (by_uid["student-001"]["percent"], by_uid["student-001"]["state"]) == (100.0, "ok")
    assert by_uid["student-002"]["percent"] == 0.0
    assert (by_uid["student-002"]["state"], by_uid["student-002"]["needed"]) == ("below", 3)
    at_risk = json.loads(rollcall("standing", "--course", course, "--at-risk", "--json"))
    assert sorted(r["uid"] for r in at_risk) == ["student-002", "student-003"]
    table = rollcall("standing", "--course", course)
    assert "Student 002 (student-002)" in table and "below" in table

    target = tmp_path / "course.csv"
    rollcall("export", "course", course, "-o", str(target))
    rows = list(csv_rows(target.read_text(encoding="utf-8")))
    assert [(r["uid"], r["percent"], r["state"]) for r in rows] == [
        ("student-001", "100", "ok"),
        ("student-002", "0", "below"),
        ("student-003", "0", "below"),
    ]
    column = next(k for k in rows[0] if k.endswith(session))
    assert [r[column] for r in rows] == ["present", "absent", "absent"]


def test_sweep_from_the_cli_closes_ended_sessions(stack_env):
    from datetime import timedelta

    from rollcall.clock import now
    from rollcall_ops import admin

    code = unique("swp")
    course = admin.demo_course(code)
    rollcall("seed", "--course", code, "--students", "2")
    out = subprocess.run(
        [ROLLCALL, "session", "open", "--course", course, "--duration", "5"],
        capture_output=True, text=True, env=os.environ,
    )  # fmt: skip
    assert out.returncode == 2 and out.stderr.startswith("error: late threshold"), out.stderr
    session = rollcall(
        "session", "open", "--course", course, "--duration", "5", "--late-after", "1"
    ).strip()
    ref = admin.db().collection("sessions").document(session)
    ref.update({"ends_at": now() - timedelta(seconds=1)})  # the lecture ran out
    assert "sweep published" in rollcall("sweep")
    wait_for(lambda: (ref.get().to_dict() or {}).get("absences_marked_at"), timeout=20)
    doc = ref.get().to_dict()
    assert (doc["status"], doc["closed_by"], doc["absences_marked"]) == ("closed", "schedule", 2)
    _quiet_after_close(session, course)


def _quiet_after_close(session: str, course: str) -> None:
    """Everything the close publishes (per-student events, alerts) has been published
    and handled, so nothing of it reaches a later test's probe subscription."""
    from rollcall_ops import admin

    wait_for(lambda: admin.absences_done(session, course), timeout=30)
    wait_for(lambda: admin.everyone_counted(session, course), timeout=30)
