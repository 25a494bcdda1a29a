"""Hostile input: schemathesis generates requests from the OpenAPI description
(docs/openapi.yaml) against the running scan function: valid and invalid bodies,
headers, media types, methods, missing auth, on every endpoint the description lists
(tests/unit/test_contracts.py holds it to the router). No request may get a 5xx, and
none may publish anything (checked on a probe subscription), write an attendance record
or close the session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from rollcall_ops import admin
from tests.paths import ROOT
from tests.support import Probe, attendance, new_course, new_session, new_student

pytestmark = pytest.mark.emulator
SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")
MAX_EXAMPLES = 120  # per operation and phase: about 2,500 requests in all
MIN_REQUESTS = 2000  # the junk run: at least 2,000 requests, none a 5xx
#: The scan function's log line for each request it answered (accepted or rejected).
ANSWERS = (
    "request ",  # a path no endpoint has
    "scan ",
    "override ",
    "close ",
    "export ",
    "settings ",
    "claim ",
    "import ",
    "department ",
    "term ",
    "dispute ",
    "decide ",
    "evidence ",
    "document ",
    "absence ",
    "institution settings",
    "open ",
    "today ",
    "report ",
    "planned ",
    "privacy ",
    "session opened",
    "planned session",
    "session closed",
    "data taken",
    "course settings changed",
    "account claimed",
    "import previewed",
    "import applied",
    "department set",
    "term set",
    "dispute filed",
    "dispute decided",
)
#: Answers that are right for any signed-in user, the fuzzer's student included.
ANYONE_MAY = ("account claimed",)


def scan_log_lines() -> list[dict]:
    """The scan function's log: one line per scan or override request it answered."""
    path = Path(os.environ["ROLLCALL_LOGS"]) / "scan.log"
    lines = []
    for raw in path.read_text().splitlines():
        if raw.startswith("{"):
            line = json.loads(raw)
            if line["message"].startswith(ANSWERS):
                lines.append(line)
    return lines


def test_fuzzing_the_scan_api_finds_no_server_error_and_publishes_nothing(stack_env, tmp_path):
    course = new_course()
    session = new_session(course)
    student = new_student(course)
    probe = Probe("scans")
    before = len(scan_log_lines())

    run = subprocess.run(
        [
            SCHEMATHESIS,
            "--config-file",
            str(ROOT / "docs" / "schemathesis.toml"),
            "run",
            str(ROOT / "docs" / "openapi.yaml"),
            "--url",
            os.environ["SCAN_URL"].rstrip("/"),
            "-H",
            f"Authorization: Bearer {student.id_token}",
            "--checks",
            "all",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--no-color",
            # Two operations at a time: one generates its next case while the scan
            # function answers the other's (the same cases per operation as one worker).
            "--workers",
            "2",
            # CORS preflight answers 204 to anything by design (tests/unit covers it).
            "--exclude-operation-id",
            "scanPreflight",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )

    summary = "\n".join(run.stdout.splitlines()[-25:])
    # On failure, show schemathesis' whole report: each failing case with its curl.
    assert run.returncode == 0, run.stdout[-20000:]
    seen = scan_log_lines()[before:]
    claims = [line for line in seen if line["message"] in ANYONE_MAY]
    seen = [line for line in seen if line["message"] not in ANYONE_MAY]
    reasons = Counter(line.get("reason", "accepted") for line in seen)
    severities = Counter(line["severity"] for line in seen)
    print(
        f"\nfuzz: {len(seen)} requests logged (and {len(claims)} claims), "
        f"reasons {dict(reasons)}\n{summary}"
    )
    assert len(seen) >= MIN_REQUESTS
    assert "unavailable" not in reasons and "ERROR" not in severities
    assert set(severities) == {"WARNING"}  # every request a 4xx rejection
    assert reasons.get("accepted", 0) == 0
    assert probe.pull(wait=2) == []
    probe.close()
    assert attendance(session.id, student.uid) is None
    assert admin.db().collection("sessions").document(session.id).get().get("status") == "open"
