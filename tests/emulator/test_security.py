"""Anti-proxy rules on the emulators: one device per student per session, typed codes
under the same rules with guessing limited, and rejected scans recorded for the teacher
(one record per student and reason, not one per attempt)."""

from __future__ import annotations

import base64
import json
import os
from concurrent.futures import ThreadPoolExecutor
from itertools import islice

import pytest
import requests

from rollcall.clock import now
from rollcall.core import qr, sessions
from rollcall.core.devices import device_key
from rollcall.http.scan import CODE_LOOKBACK_SECONDS
from rollcall_ops import admin
from tests.support import (
    Probe,
    attendance,
    new_course,
    new_session,
    new_student,
    scan,
    token_for,
    unique,
    wait_for,
)

pytestmark = pytest.mark.emulator


def rejections(session_id: str) -> dict[str, dict]:
    col = admin.db().collection("sessions").document(session_id).collection("rejections")
    return {snap.id: snap.to_dict() for snap in col.stream()}


def typed(session, windows_ago: int = 0) -> str:
    window = qr.window_at(now().timestamp(), session.rotation_seconds) - windows_ago
    return qr.typed_code(session.secret, session.id, window)


def scan_code(student, code, device_id="phone-1"):
    import os

    import requests

    return requests.post(
        os.environ["SCAN_URL"],
        json={"code": code, "device_id": device_id},
        headers={"Authorization": f"Bearer {student.id_token}"},
        timeout=30,
    )


def test_one_device_cannot_mark_a_second_student(stack_env):
    course = new_course()
    session = new_session(course)
    alice, bob = new_student(course), new_student(course)
    device = unique("shared-phone-")
    probe = Probe("scans")

    assert scan(alice, token_for(session), device_id=device).status_code == 202
    refused = scan(bob, token_for(session), device_id=device)
    again = scan(alice, token_for(session), device_id=device)
    own = scan(bob, token_for(session), device_id=unique("bobs-phone-"))

    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "device_in_use")
    assert again.status_code == 202 and own.status_code == 202
    published = probe.pull(wait=2)
    probe.close()
    assert sorted(m.attributes["session_id"] for m in published) == [session.id] * 3
    record = rejections(session.id)[f"{bob.uid}__device_in_use"]
    assert record["device_id"] == device and record["count"] == 1 and record["last_at"]
    wait_for(lambda: attendance(session.id, bob.uid))


def test_concurrent_scans_bind_each_device_once(stack_env):
    """The bindings of scans arriving together are written together (group commit):
    each student's own phone binds to them, and of two students racing on one phone
    exactly one gets it."""
    course = new_course()
    session = new_session(course)
    students = [new_student(course) for _ in range(24)]
    shared = unique("shared-phone-")
    own = {s.uid: unique("phone-") for s in students[:-2]}
    calls = [(s, own[s.uid]) for s in students[:-2]] + [(s, shared) for s in students[-2:]]
    with ThreadPoolExecutor(len(calls)) as pool:
        answers = list(pool.map(lambda c: scan(c[0], token_for(session), device_id=c[1]), calls))

    codes = {
        s.uid: a.json().get("error", {}).get("code", a.status_code)
        for (s, _), a in zip(calls, answers, strict=True)
    }
    assert all(codes[uid] == 202 for uid in own)
    racers = sorted((codes[s.uid] for s in students[-2:]), key=str)
    assert racers == [202, "device_in_use"], racers
    bound = admin.db().collection("sessions").document(session.id).collection("devices")
    owners = {snap.id: snap.get("uid") for snap in bound.stream()}
    winner = next(s.uid for s in students[-2:] if codes[s.uid] == 202)
    assert owners == {device_key(d): uid for uid, d in own.items()} | {device_key(shared): winner}


def test_a_flood_of_rejections_leaves_one_counted_record(stack_env):
    course = new_course()
    session = new_session(course)
    outsider = new_student(new_course())
    for _ in range(20):
        assert scan(outsider, token_for(session)).json()["error"]["code"] == "not_enrolled"
    records = rejections(session.id)
    assert list(records) == [f"{outsider.uid}__not_enrolled"]
    # Written once, the next 19 held back for the next write (at most one per 10 s).
    assert records[f"{outsider.uid}__not_enrolled"]["count"] == 1


def test_expired_and_forged_codes_are_recorded_with_their_reason(stack_env):
    course = new_course()
    session = new_session(course)
    student = new_student(course)
    assert scan(student, token_for(session, windows_ago=3)).status_code == 403
    v, sid, w, mac = token_for(session).split(".")
    assert scan(student, f"{v}.{sid}.{w}.{'B' * len(mac)}").status_code == 403
    records = rejections(session.id)
    assert set(records) == {f"{student.uid}__qr_expired", f"{student.uid}__qr_invalid"}
    assert records[f"{student.uid}__qr_expired"]["device_id"] == "phone-1"


def test_unauthenticated_and_unattributable_rejections_write_nothing(stack_env):
    course = new_course()
    session = new_session(course)
    scan(None, token_for(session))
    scan(new_student(course), "1.snosuchsession.1.AAAAAAAAAAAAAAAA")
    assert rejections(session.id) == {}


def test_typed_code_checks_in_like_a_scan(stack_env):
    course = new_course()
    session = new_session(course)
    student = new_student(course)
    resp = scan_code(student, typed(session))
    assert resp.status_code == 202, resp.text
    assert resp.json()["status"] == "present"
    assert resp.json()["session_id"] == session.id
    wait_for(lambda: attendance(session.id, student.uid))
    assert attendance(session.id, student.uid)["scan_id"] == resp.json()["scan_id"]


def test_typed_code_of_the_previous_window_is_accepted_older_is_not(stack_env):
    course = new_course()
    session = new_session(course)
    assert scan_code(new_student(course), typed(session, 1)).status_code == 202
    old = scan_code(new_student(course), typed(session, 2))
    assert (old.status_code, old.json()["error"]["code"]) == (403, "qr_expired")


def test_typed_code_only_checks_in_to_the_students_own_courses(stack_env):
    other = new_session(new_course())
    student = new_student(new_course())
    resp = scan_code(student, typed(other))
    assert (resp.status_code, resp.json()["error"]["code"]) == (403, "not_enrolled")
    assert attendance(other.id, student.uid) is None


def test_typed_codes_are_refused_as_scanned_ones_and_only_wrong_ones_count(stack_env):
    """A real code refused for another reason says so, is recorded in its session's
    rejected list, and does not count toward the lockout: not enrolled (the code of
    another course's session), closed (a session closed just now), expired (shown a few
    windows ago). Only a code no session showed is a wrong one."""
    course, other = new_course(), new_course()
    session, elsewhere = new_session(course), new_session(other)
    closed = new_session(course)
    admin.close_session(closed.id, by="test")
    student = new_student(course)
    for _ in range(4):  # more than the lockout's ten, together
        answers = {
            "not enrolled": scan_code(student, typed(elsewhere)),
            "closed": scan_code(student, typed(closed)),
            "expired": scan_code(student, typed(session, 4)),
        }
        got = {what: (r.status_code, r.json()["error"]["code"]) for what, r in answers.items()}
        assert got == {
            "not enrolled": (403, "not_enrolled"),
            "closed": (409, "session_closed"),
            "expired": (403, "qr_expired"),
        }
    assert f"{student.uid}__not_enrolled" in rejections(elsewhere.id)
    assert f"{student.uid}__session_closed" in rejections(closed.id)
    assert f"{student.uid}__qr_expired" in rejections(session.id)
    accepted = scan_code(student, typed(session))  # 12 refusals, none counted: no lockout
    assert accepted.status_code == 202, accepted.text


def never_shown(after: str, n: int) -> list[str]:
    """``n`` codes after ``after`` that no session of the institution showed lately nor
    shows in the next minutes: wrong codes. (Near a right one a guess can be another
    session's real code, refused for what it is; with the suite's hundreds of sessions
    left open, one in ten guesses was, now and then.)"""
    at = now()
    shown = set()
    for session in sessions.Directory(admin.db(), 0, 0).sessions_of_lately(at):
        current = qr.window_at(at.timestamp(), session.rotation_seconds)
        back = CODE_LOOKBACK_SECONDS // session.rotation_seconds
        windows = range(current - back - 1, current + 600 // session.rotation_seconds + 1)
        shown |= {qr.typed_code(session.secret, session.id, w) for w in windows}
    codes = (f"{(int(after) + i) % 10**6:06d}" for i in range(1, 10**6))
    return list(islice((code for code in codes if code not in shown), n))


def test_guessing_typed_codes_is_rate_limited(stack_env):
    course = new_course()
    session = new_session(course)
    student = new_student(course)
    right = typed(session)
    wrong = never_shown(right, 10)
    codes = [scan_code(student, c).json()["error"]["code"] for c in wrong]
    assert codes == ["qr_invalid"] * 10
    blocked = scan_code(student, right)
    assert (blocked.status_code, blocked.json()["error"]["code"]) == (429, "rate_limited")
    assert attendance(session.id, student.uid) is None


def test_typed_code_of_a_session_opened_after_the_cache_was_filled(stack_env):
    course = new_course()
    first = new_session(course)
    student = new_student(course)
    assert scan_code(student, typed(first)).status_code == 202  # caches the open sessions
    second = new_session(course)  # opened now: not in the cached list yet
    resp = scan_code(student, typed(second), device_id="phone-2")
    assert resp.status_code == 202, resp.text
    assert resp.json()["session_id"] == second.id


def test_a_google_account_checks_in_like_a_password_account(stack_env):
    # The dashboard and scan page offer "Continue with Google"; its Firebase ID token
    # (provider google.com) must pass the scan function's check like any other.
    from rollcall_ops import auth_emulator
    from tests.support import Student

    course = new_course()
    session = new_session(course)
    uid, id_token = auth_emulator.sign_in_with_google(f"{unique('g')}@gmail.test", unique("sub"))
    admin.db().collection("courses").document(course).collection("enrollments").document(uid).set(
        {"uid": uid}
    )
    resp = scan(Student(uid, id_token), token_for(session), device_id="pixel-g")
    assert resp.status_code == 202, resp.text
    wait_for(lambda: attendance(session.id, uid))
    assert attendance(session.id, uid)["status"] == "present"


def _revoke_sessions_since(uid: str, seconds: int) -> None:
    """Revoke the user's sessions as of ``seconds`` (what ``revoke_refresh_tokens``
    does with the current second; set explicitly so the test need not wait for the
    clock to tick past the token's issue time)."""
    host = os.environ["FIREBASE_AUTH_EMULATOR_HOST"]
    project = os.environ["GOOGLE_CLOUD_PROJECT"]
    resp = requests.post(
        f"http://{host}/identitytoolkit.googleapis.com/v1/projects/{project}/accounts:update",
        json={"localId": uid, "validSince": str(seconds)},
        headers={"Authorization": "Bearer owner"},
        timeout=10,
    )
    resp.raise_for_status()


def _issued_at(id_token: str) -> int:
    payload = id_token.split(".")[1]
    return int(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["iat"])


@pytest.mark.parametrize("how", ["disabled", "deleted", "revoked"])
def test_a_valid_token_of_a_disabled_deleted_or_revoked_account_is_refused(stack_env, how):
    """Every endpoint authenticates the same way; the scan stands for them all."""
    from firebase_admin import auth

    from rollcall import clients

    course = new_course()
    session = new_session(course)
    student = new_student(course)
    assert scan(student, token_for(session), device_id=unique("d")).status_code == 202
    probe = Probe("scans")
    app = clients.firebase_app()
    if how == "disabled":
        auth.update_user(student.uid, disabled=True, app=app)
    elif how == "deleted":
        auth.delete_user(student.uid, app=app)
    else:
        _revoke_sessions_since(student.uid, _issued_at(student.id_token) + 1)

    resp = scan(student, token_for(session), device_id=unique("d"))

    assert (resp.status_code, resp.json()["error"]["code"]) == (401, "unauthenticated")
    assert probe.pull(wait=2) == []
    probe.close()
