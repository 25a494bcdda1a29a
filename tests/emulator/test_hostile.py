"""Hostile input against the running scan function, by class rather than by example:
bodies of any shape on every POST endpoint, every place a client names a document with
an id Firestore reserves, and a student's concurrent guesses at the typed code. Each
answer is a 4xx with a stable code; nothing is published, nothing written, and the
function logs no ERROR (which would page the on-call through the 5xx alert)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from rollcall.clock import now
from rollcall.core import qr
from rollcall_ops import admin
from tests.hostile import BODIES, RESERVED_IDS
from tests.support import (
    Probe,
    attendance,
    log_lines,
    log_marks,
    new_course,
    new_session,
    new_student,
    scan,
    unique,
)

pytestmark = pytest.mark.emulator
POST_ENDPOINTS = [
    "",
    "overrides",
    "sessions/close",
    "courses/settings",
    "disputes",
    "disputes/decide",
]


def post(path: str, token: str, body: bytes) -> requests.Response:
    return requests.post(
        os.environ["SCAN_URL"] + path,
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        timeout=30,
    )


def no_errors_logged(since: dict[str, int]) -> bool:
    return not log_lines("scan", since, severity="ERROR")


def test_bodies_of_any_shape_are_bad_requests_on_every_endpoint(stack_env):
    course = new_course()
    session = new_session(course)
    student = new_student(course)
    probe = Probe("scans")
    since = log_marks()

    answers = {
        (path or "/", name): post(path, student.id_token, body)
        for path in POST_ENDPOINTS
        for name, body in BODIES.items()
    }

    wrong = {k: (r.status_code, r.text[:80]) for k, r in answers.items() if r.status_code != 400}
    assert not wrong
    assert {r.json()["error"]["code"] for r in answers.values()} == {"bad_request"}
    assert no_errors_logged(since)
    assert probe.pull(wait=2) == []
    probe.close()
    assert attendance(session.id, student.uid) is None
    assert admin.db().collection("sessions").document(session.id).get().get("status") == "open"


@pytest.mark.parametrize("reserved", RESERVED_IDS)
def test_ids_firestore_reserves_are_refused_wherever_a_client_names_a_document(stack_env, reserved):
    course = new_course()
    session = new_session(course)
    student = new_student(course)
    since = log_marks()
    base = os.environ["SCAN_URL"]
    auth = {"Authorization": f"Bearer {student.id_token}"}
    token = f"{qr.VERSION}.{reserved}.{qr.window_at(0, 10)}.{'A' * 16}"

    answers = {
        "qr token": scan(student, token),
        "override session": requests.post(
            base + "overrides",
            json={"session_id": reserved, "uid": student.uid, "status": "late", "reason": "x"},
            headers=auth,
        ),
        "override uid": requests.post(
            base + "overrides",
            json={"session_id": session.id, "uid": reserved, "status": "late", "reason": "x"},
            headers=auth,
        ),
        "close": requests.post(
            base + "sessions/close", json={"session_id": reserved}, headers=auth
        ),
        "settings": requests.post(
            base + "courses/settings", json={"course_id": reserved}, headers=auth
        ),
        "dispute": requests.post(
            base + "disputes", json={"session_id": reserved, "note": "x"}, headers=auth
        ),
        "decision": requests.post(
            base + "disputes/decide",
            json={"dispute_id": reserved, "decision": "accept", "status": "present"},
            headers=auth,
        ),
        "evidence": requests.get(base + f"disputes/{reserved}/evidence", headers=auth),
        "session export": requests.get(base + f"exports/sessions/{reserved}.csv", headers=auth),
        "course export": requests.get(base + f"exports/courses/{reserved}.csv", headers=auth),
    }

    codes = {what: (r.status_code, r.json()["error"]["code"]) for what, r in answers.items()}
    assert codes == {
        "qr token": (403, "qr_invalid"),
        "override session": (400, "bad_request"),
        "override uid": (400, "bad_request"),
        "close": (400, "bad_request"),
        "settings": (400, "bad_request"),
        "dispute": (400, "bad_request"),
        "decision": (400, "bad_request"),
        "evidence": (404, "not_found"),
        "session export": (404, "not_found"),
        "course export": (404, "not_found"),
    }
    assert no_errors_logged(since)


def test_concurrent_wrong_codes_are_checked_at_most_the_limit(stack_env):
    """Thirty wrong typed codes at once from one student: exactly ten are checked (and
    answered qr_invalid); the other twenty are rate_limited without a check."""
    course = new_course()
    session = new_session(course)
    student = new_student(course)
    window = qr.window_at(now().timestamp(), session.rotation_seconds)
    valid = {qr.typed_code(session.secret, session.id, w) for w in range(window - 1, window + 2)}
    wrong = [c for c in (f"{i:06d}" for i in range(100_000, 100_040)) if c not in valid][:30]
    url = os.environ["SCAN_URL"]

    def guess(code: str) -> str:
        resp = requests.post(
            url,
            json={"code": code, "device_id": unique("d")},
            headers={"Authorization": f"Bearer {student.id_token}"},
            timeout=30,
        )
        return resp.json()["error"]["code"]

    with ThreadPoolExecutor(30) as pool:
        answers = list(pool.map(guess, wrong))

    assert sorted(answers) == ["qr_invalid"] * 10 + ["rate_limited"] * 20
