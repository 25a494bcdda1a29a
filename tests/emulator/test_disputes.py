"""Disputes on the real stack: a student refused at the door ("the code had already
changed") and marked absent at the close disputes it; the staff see the refused scans,
the phone they came from and since when the student has checked in with it; accepting
turns the absence into present through the override path, whose audit entry names the
dispute. Every kind of bad input gets its stable code and changes nothing."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import requests

from rollcall.clock import now
from rollcall_ops import admin, auth_emulator
from tests.support import (
    Probe,
    attendance,
    course_doc,
    inbox,
    new_session,
    new_student,
    scan,
    token_for,
    unique,
    wait_for,
)

pytestmark = pytest.mark.emulator


def api(path: str, token: str, method: str = "POST", **kw) -> requests.Response:
    url = os.environ["SCAN_URL"].rstrip("/") + path
    return requests.request(
        method, url, headers={"Authorization": f"Bearer {token}"}, timeout=30, **kw
    )


def file(student, session_id: str, note: str = "I was there; the code would not scan"):
    return api("/disputes", student.id_token, json={"session_id": session_id, "note": note})


def decide(
    token: str, dispute_id: str, decision: str, status=None, comment=""
) -> requests.Response:
    body = {"dispute_id": dispute_id, "decision": decision, "comment": comment}
    if status is not None:
        body["status"] = status
    return api("/disputes/decide", token, json=body)


def dispute(dispute_id: str) -> dict | None:
    snap = admin.db().collection("disputes").document(dispute_id).get()
    return snap.to_dict() if snap.exists else None


def audit(session_id: str, uid: str) -> list[dict]:
    ref = admin.db().document(f"sessions/{session_id}/attendance/{uid}")
    return [s.to_dict() for s in ref.collection("audit").stream()]


def code(resp: requests.Response) -> tuple[int, str]:
    return resp.status_code, resp.json()["error"]["code"]


@pytest.fixture(scope="module")
def world(stack):
    os.environ.update(stack)
    db = admin.db()
    teacher_uid, teacher = auth_emulator.sign_up(f"{unique('t')}@rollcall.test", "pw-123456")
    other_uid, other_teacher = auth_emulator.sign_up(f"{unique('t')}@rollcall.test", "pw-123456")
    course, other_course = unique("c"), unique("c")
    db.document(f"courses/{course}").set(course_doc("Disputes", teacher_uid))
    db.document(f"courses/{other_course}").set(course_doc("Other", other_uid))
    ana = new_student(course)
    db.document(f"courses/{course}/enrollments/{ana.uid}").set(
        {"uid": ana.uid, "name": "Ana Rao", "roll_no": "7", "email": "ana@rollcall.test"}
    )
    return {
        "db": db,
        "course": course,
        "other_course": other_course,
        "teacher": teacher,
        "teacher_uid": teacher_uid,
        "other_teacher": other_teacher,
        "ana": ana,
        "bea": new_student(course),
        "outsider": new_student(other_course),
    }


def test_a_refused_student_disputes_the_absence_and_the_staff_accept_it(world):
    w = world
    ana, teacher = w["ana"], w["teacher"]
    # An earlier session: Ana checked in with her phone.
    earlier = new_session(w["course"], starts_at=now() - timedelta(days=2, minutes=5))
    assert scan(ana, token_for(earlier), device_id="ana-phone").status_code == 202
    wait_for(lambda: attendance(earlier.id, ana.uid))
    # Today: the same phone is refused twice, the code having changed, then the close.
    session = new_session(w["course"])
    for _ in range(2):
        refused = scan(ana, token_for(session, windows_ago=3), device_id="ana-phone")
        assert code(refused) == (403, "qr_expired")
    assert api("/sessions/close", teacher, json={"session_id": session.id}).status_code == 202
    wait_for(lambda: (attendance(session.id, ana.uid) or {}).get("status") == "absent")

    filed = file(ana, session.id)

    assert filed.status_code == 201, filed.text
    ident = f"{session.id}__{ana.uid}"
    body = filed.json()
    assert (body["dispute_id"], body["status"], body["disputed"]) == (ident, "open", "absent")
    stored = dispute(ident)
    assert (stored["name"], stored["roll_no"], stored["course_id"]) == ("Ana Rao", "7", w["course"])
    assert stored["note"] == "I was there; the code would not scan"

    # The evidence: both refusals (one record, its count), from the phone she has
    # checked in with since the earlier session; no scan accepted today.
    def evidence():
        resp = api(f"/disputes/{ident}/evidence", teacher, method="GET")
        assert resp.status_code == 200, resp.text
        return resp.json()

    # The second refusal came within the rejection log's quiet time: it is written when
    # that is over (rollcall.core.rejections), and counted.
    found = wait_for(lambda: (e := evidence())["rejections"][0]["count"] == 2 and e)
    (rejection,) = found["rejections"]
    assert (rejection["code"], rejection["device_id"]) == ("qr_expired", "ana-phone")
    assert rejection["first_at"] <= rejection["last_at"]
    assert rejection["device_used_since"] == found["devices"][0]["first_used_at"]
    (phone,) = found["devices"]
    assert (phone["device_id"], phone["sessions"], phone["bound_here"]) == ("ana-phone", 1, False)
    assert found["record"]["status"] == "absent" and found["record"]["source"] == "close"
    assert found["history"] == []
    # Only the course's staff see it.
    for token in (ana.id_token, w["other_teacher"]):
        assert code(api(f"/disputes/{ident}/evidence", token, method="GET")) == (403, "forbidden")

    accepted = decide(teacher, ident, "accept", "present", "Seen in the room")

    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    wait_for(lambda: (attendance(session.id, ana.uid) or {}).get("status") == "present")
    record = attendance(session.id, ana.uid)
    assert (record["source"], record["previous_status"]) == ("override", "absent")
    (entry,) = wait_for(lambda: audit(session.id, ana.uid))
    assert (entry["basis"], entry["by"], entry["reason"]) == (
        f"dispute/{ident}",
        w["teacher_uid"],
        "Seen in the room",
    )
    decided = dispute(ident)
    assert (decided["status"], decided["set_status"], decided["decided_by"]) == (
        "accepted",
        "present",
        w["teacher_uid"],
    )
    assert decided["override_id"] == entry["override_id"]
    # The course figures follow the record.
    figures = w["db"].document(f"courses/{w['course']}/students/{ana.uid}")
    wait_for(
        lambda: (
            ((figures.get().to_dict() or {}).get("sessions") or {})
            .get(session.id, {})
            .get("status")
            == "present"
        )
    )
    # The evidence now shows the record's history.
    history = api(f"/disputes/{ident}/evidence", teacher, method="GET").json()["history"]
    assert [(h["previous_status"], h["status"], h["basis"]) for h in history] == [
        ("absent", "present", f"dispute/{ident}")
    ]


def test_a_declined_dispute_says_why_and_changes_no_record(world):
    w = world
    bea = w["bea"]
    session = new_session(w["course"], starts_at=now() - timedelta(minutes=30))
    assert scan(bea, token_for(session), device_id="bea-phone").status_code == 202
    wait_for(lambda: (attendance(session.id, bea.uid) or {}).get("status") == "late")
    assert file(bea, session.id, "Bus was late").status_code == 201
    ident = f"{session.id}__{bea.uid}"
    # To decline, say why.
    assert code(decide(w["teacher"], ident, "decline")) == (400, "bad_request")

    declined = decide(w["teacher"], ident, "decline", comment="Late is late")

    assert declined.status_code == 200, declined.text
    assert dispute(ident)["status"] == "declined"
    assert dispute(ident)["comment"] == "Late is late"
    assert attendance(session.id, bea.uid)["status"] == "late"
    # The student is told, with the staff's reason (inbox; the push goes the same way).
    told = wait_for(lambda: inbox(bea.uid, f"dispute-{ident}"), timeout=30)
    assert (told["kind"], told["dispute_id"]) == ("dispute_declined", ident)
    assert told["title"].startswith("Dispute declined: ")
    assert "late mark" in told["body"] and "Late is late" in told["body"]
    evidence = api(f"/disputes/{ident}/evidence", w["teacher"], method="GET").json()
    assert evidence["record"]["device_id"] == "bea-phone"
    assert evidence["devices"][0]["bound_here"] is True


def test_bad_disputes_get_their_stable_code_and_change_nothing(world):
    w = world
    db, ana, bea = w["db"], w["ana"], w["bea"]
    long_ago = now() - timedelta(days=10)
    old = new_session(
        w["course"],
        starts_at=long_ago,
        ends_at=long_ago + timedelta(hours=1),
        status="closed",
        closed_at=long_ago + timedelta(hours=1),
    )
    present = new_session(w["course"])
    other = new_session(w["other_course"])
    bea_only = new_session(w["course"])
    for sid, uid, status in (
        (old.id, ana.uid, "absent"),
        (present.id, ana.uid, "present"),
        (other.id, w["outsider"].uid, "absent"),
        (bea_only.id, bea.uid, "absent"),
    ):
        db.document(f"sessions/{sid}/attendance/{uid}").set({"uid": uid, "status": status})

    attempts = {
        "outside the window": (file(ana, old.id), (409, "dispute_window_closed")),
        "a present record": (file(ana, present.id), (409, "not_disputable")),
        "another course's session": (file(ana, other.id), (403, "not_enrolled")),
        "another student's session": (file(ana, bea_only.id), (409, "not_disputable")),
        "no such session": (file(ana, "snosuch"), (404, "not_found")),
        "an empty note": (file(ana, old.id, "  "), (400, "bad_request")),
        "a control character": (file(ana, old.id, "a\x07b"), (400, "bad_request")),
        "a note too long": (file(ana, old.id, "x" * 501), (400, "bad_request")),
    }

    for what, (resp, expected) in attempts.items():
        assert code(resp) == expected, what
    for sid in (old.id, present.id, other.id, bea_only.id):
        assert dispute(f"{sid}__{ana.uid}") is None

    # A longer window (a course setting) lets the old session be disputed.
    settings = api(
        "/courses/settings",
        w["teacher"],
        json={"course_id": w["course"], "dispute_window_days": 14},
    )
    assert settings.status_code == 200, settings.text
    assert settings.json()["rules"]["dispute_window_days"] == 14
    for bad in (0, 61, 2.5, "7", True):
        refused = api(
            "/courses/settings",
            w["teacher"],
            json={"course_id": w["course"], "dispute_window_days": bad},
        )
        assert code(refused) == (400, "bad_request"), bad
    assert file(ana, old.id).status_code == 201
    assert code(file(ana, old.id, "again")) == (409, "already_disputed")
    ident = f"{old.id}__{ana.uid}"

    probe = Probe("scans")
    try:
        refusals = {
            "the student": (decide(ana.id_token, ident, "accept", "present"), "forbidden"),
            "another course's teacher": (
                decide(w["other_teacher"], ident, "accept", "present"),
                "forbidden",
            ),
            "no status": (decide(w["teacher"], ident, "accept"), "bad_request"),
            "excused is not a dispute's": (
                decide(w["teacher"], ident, "accept", "excused"),
                "bad_request",
            ),
            "an unknown decision": (decide(w["teacher"], ident, "maybe"), "bad_request"),
            "no such dispute": (decide(w["teacher"], "nosuch", "accept", "present"), "not_found"),
        }
        for what, (resp, expected) in refusals.items():
            assert code(resp)[1] == expected, what
        assert dispute(ident)["status"] == "open"
        assert decide(w["teacher"], ident, "accept", "late").status_code == 200
        second = decide(w["teacher"], ident, "decline", comment="changed my mind")
        assert code(second) == (409, "already_decided")
        messages = probe.pull(wait=3)
    finally:
        probe.close()
    # One override, the acceptance's; the second decision published nothing.
    assert [m.attributes["type"] for m in messages] == ["override"]
    assert (dispute(ident)["status"], dispute(ident)["set_status"]) == ("accepted", "late")


def test_a_scan_the_phone_held_keeps_when_it_was_queued_and_a_bad_hold_is_refused(world):
    """A hold that is not a whole number of ms within a day is refused; one that goes
    back to before the session opened (the phone's clock jumped) is not believed: the
    scan counts, without a queued_at."""
    w = world
    session = new_session(w["course"], starts_at=now() - timedelta(minutes=20))
    student = new_student(w["course"])

    def send(queued_ms):
        body = {"qr": token_for(session), "device_id": "held-phone", "queued_ms": queued_ms}
        return requests.post(
            os.environ["SCAN_URL"],
            json=body,
            headers={"Authorization": f"Bearer {student.id_token}"},
            timeout=30,
        )

    probe = Probe("scans")
    try:
        for bad in (
            -1,
            True,
            "5000",
            1.5,
            86_400_001,
        ):
            assert code(send(bad)) == (400, "bad_request"), bad
        assert probe.pull(wait=2) == []
    finally:
        probe.close()
    assert attendance(session.id, student.uid) is None

    accepted = send(90_000)

    assert accepted.status_code == 202, accepted.text
    record = wait_for(lambda: attendance(session.id, student.uid))
    held = record["scanned_at"] - record["queued_at"]
    assert held == timedelta(seconds=90)

    # Held since before the session opened, by the phone's count: its clock jumped.
    jumped = new_student(w["course"])
    body = {"qr": token_for(session), "device_id": "jumped-phone", "queued_ms": 30 * 60 * 1000}
    answer = requests.post(
        os.environ["SCAN_URL"],
        json=body,
        headers={"Authorization": f"Bearer {jumped.id_token}"},
        timeout=30,
    )
    assert answer.status_code == 202, answer.text
    record = wait_for(lambda: attendance(session.id, jumped.uid))
    assert record["status"] in ("present", "late") and record.get("queued_at") is None
