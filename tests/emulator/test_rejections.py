"""Every kind of invalid scan gets its stable error, and publishes nothing: a probe
subscription on topic ``scans`` sees no message from any of them, and no document is
written."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import requests

from rollcall.clock import now
from rollcall.core import qr
from tests.support import (
    Probe,
    attendance,
    new_course,
    new_session,
    new_student,
    scan,
    token_for,
    unique,
)

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def world(stack):
    os.environ.update(stack)
    course = new_course()
    other_course = new_course()
    return {
        "course": course,
        "session": new_session(course),
        "other_session": new_session(other_course),
        "closed": new_session(course, status="closed"),
        "not_started": new_session(course, starts_at=now() + timedelta(minutes=30)),
        "ended": new_session(
            course, starts_at=now() - timedelta(minutes=120), ends_at=now() - timedelta(minutes=1)
        ),
        "student": new_student(course),
        "outsider": new_student(other_course),
    }


def _forged(w):
    v, sid, win, mac = token_for(w["session"]).split(".")
    return f"{v}.{sid}.{win}.{'A' * len(mac)}"


def _other_secret(w):
    s = w["session"]
    window = qr.window_at(now().timestamp(), s.rotation_seconds)
    return qr.mint(qr.decode_secret(qr.new_secret()), s.id, window)


def _future(w):
    s = w["session"]
    return qr.mint(s.secret, s.id, qr.window_at(now().timestamp(), s.rotation_seconds) + 1)


def _raw(body: bytes, content_type: str, student) -> requests.Response:
    return requests.post(
        os.environ["SCAN_URL"],
        data=body,
        headers={"Content-Type": content_type, "Authorization": f"Bearer {student.id_token}"},
        timeout=30,
    )


CASES = {
    "no token": (lambda w: scan(None, token_for(w["session"])), 401, "unauthenticated"),
    "garbage id token": (
        lambda w: requests.post(
            os.environ["SCAN_URL"],
            json={"qr": token_for(w["session"]), "device_id": "d"},
            headers={"Authorization": "Bearer not.a.jwt"},
            timeout=30,
        ),
        401,
        "unauthenticated",
    ),
    "GET": (lambda w: requests.get(os.environ["SCAN_URL"], timeout=30), 405, "method_not_allowed"),
    "not JSON media type": (
        lambda w: _raw(b"qr=1", "application/x-www-form-urlencoded", w["student"]),
        415,
        "unsupported_media_type",
    ),
    "body too large": (
        lambda w: _raw(b'{"qr": "' + b"x" * 10000 + b'"}', "application/json", w["student"]),
        413,
        "payload_too_large",
    ),
    "broken JSON": (
        lambda w: _raw(b'{"qr": ', "application/json", w["student"]),
        400,
        "bad_request",
    ),
    "JSON array": (lambda w: _raw(b"[]", "application/json", w["student"]), 400, "bad_request"),
    "missing qr": (lambda w: scan(w["student"], None), 400, "bad_request"),
    "missing device": (
        lambda w: scan(w["student"], token_for(w["session"]), device_id=None),
        400,
        "bad_request",
    ),
    "device id too long": (
        lambda w: scan(w["student"], token_for(w["session"]), device_id="d" * 129),
        400,
        "bad_request",
    ),
    "unknown field": (
        lambda w: _raw(
            b'{"qr": "x", "device_id": "d", "uid": "someone"}', "application/json", w["student"]
        ),
        400,
        "bad_request",
    ),
    "malformed qr": (lambda w: scan(w["student"], "hello"), 403, "qr_invalid"),
    "forged mac": (lambda w: scan(w["student"], _forged(w)), 403, "qr_invalid"),
    "another secret": (lambda w: scan(w["student"], _other_secret(w)), 403, "qr_invalid"),
    "unknown session": (
        lambda w: scan(w["student"], "1.snope1234567.1.AAAAAAAAAAAAAAAA"),
        403,
        "qr_invalid",
    ),
    "future window": (lambda w: scan(w["student"], _future(w)), 403, "qr_invalid"),
    "expired window": (
        lambda w: scan(w["student"], token_for(w["session"], windows_ago=2)),
        403,
        "qr_expired",
    ),
    "closed session": (lambda w: scan(w["student"], token_for(w["closed"])), 409, "session_closed"),
    "not started": (
        lambda w: scan(w["student"], token_for(w["not_started"])),
        409,
        "session_closed",
    ),
    "ended": (lambda w: scan(w["student"], token_for(w["ended"])), 409, "session_closed"),
    "not enrolled": (lambda w: scan(w["outsider"], token_for(w["session"])), 403, "not_enrolled"),
    "other course's session": (
        lambda w: scan(w["student"], token_for(w["other_session"])),
        403,
        "not_enrolled",
    ),
}


@pytest.fixture(scope="module")
def probe(world):
    p = Probe("scans")
    yield p
    p.close()


@pytest.mark.parametrize("case", list(CASES))
def test_invalid_scan_gets_its_error(world, probe, case):
    send, status, code = CASES[case]
    resp = send(world)
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


def test_no_invalid_scan_published_or_wrote_anything(world, probe):
    """Runs after the cases above (file order): the probe saw nothing of them."""
    assert probe.pull(wait=2) == []
    for key in ("session", "closed", "not_started", "ended", "other_session"):
        assert attendance(world[key].id, world["student"].uid) is None
    assert attendance(world["session"].id, world["outsider"].uid) is None


def test_probe_does_see_a_valid_scan(world):
    """The probe is not blind: a valid scan on a fresh probe is seen."""
    p = Probe("scans")
    try:
        student = new_student(world["course"])
        assert scan(student, token_for(world["session"]), device_id=unique("d")).status_code == 202
        assert len(p.pull(wait=2)) == 1
    finally:
        p.close()
