"""A teacher's override: authorised, audited, and carried by the same topic to every
consumer, idempotently and in the order the overrides were made."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import requests

from rollcall.clock import now
from rollcall.core.events import TYPE_OVERRIDE, AttendanceEvent
from rollcall_ops import admin, auth_emulator
from tests.support import (
    CONSUMERS,
    Probe,
    attendance,
    consumer_url,
    course_doc,
    fcm_messages,
    handled,
    inbox,
    new_session,
    new_student,
    push_body,
    scan,
    tally,
    token_for,
    unique,
    wait_for,
)

pytestmark = pytest.mark.emulator


@pytest.fixture
def course(stack_env):
    """A course whose teacher is a real Auth user."""
    teacher_uid, teacher_token = auth_emulator.sign_up(f"{unique('t')}@rollcall.test", "pw-123456")
    course_id = unique("c")
    admin.db().collection("courses").document(course_id).set(course_doc("Overrides", teacher_uid))
    return {"id": course_id, "teacher_uid": teacher_uid, "teacher_token": teacher_token}


def override(token, session_id, uid, status, reason="doctor's note"):
    return requests.post(
        os.environ["SCAN_URL"].rstrip("/") + "/overrides",
        json={"session_id": session_id, "uid": uid, "status": status, "reason": reason},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def audit(session_id, uid):
    col = (
        admin.db()
        .collection("sessions")
        .document(session_id)
        .collection("attendance")
        .document(uid)
        .collection("audit")
    )
    return [snap.to_dict() for snap in col.stream()]


def test_override_present_to_excused_updates_every_effect(course):
    session = new_session(course["id"])
    device = unique("tok-")
    student = new_student(course["id"], tokens=(device,))
    assert scan(student, token_for(session)).status_code == 202
    wait_for(lambda: tally(session.id)["present"] == 1)

    resp = override(course["teacher_token"], session.id, student.uid, "excused")

    assert resp.status_code == 202, resp.text
    override_id = resp.json()["override_id"]
    wait_for(lambda: (attendance(session.id, student.uid) or {}).get("status") == "excused")
    record = attendance(session.id, student.uid)
    assert (record["previous_status"], record["by"], record["reason"]) == (
        "present",
        course["teacher_uid"],
        "doctor's note",
    )
    [entry] = audit(session.id, student.uid)
    assert (entry["override_id"], entry["previous_status"], entry["status"]) == (
        override_id,
        "present",
        "excused",
    )
    assert entry["applied"] is True and entry["by"] == course["teacher_uid"]
    assert entry["basis"] == ""  # the teacher's own override settles no request or dispute
    wait_for(lambda: tally(session.id)["excused"] == 1)
    counts = tally(session.id)
    assert (counts["present"], counts["excused"], counts["total"]) == (0, 1, 0)
    note = wait_for(lambda: inbox(student.uid, f"{session.id}-override-{override_id}"))
    assert note["type"] == TYPE_OVERRIDE and "excused" in note["title"]
    assert "doctor's note" in note["body"]
    wait_for(lambda: len(fcm_messages(device)) == 2)


def test_override_of_a_student_who_never_scanned(course):
    session = new_session(course["id"])
    student = new_student(course["id"])
    assert override(course["teacher_token"], session.id, student.uid, "present").status_code == 202
    wait_for(lambda: (attendance(session.id, student.uid) or {}).get("status") == "present")
    assert attendance(session.id, student.uid)["previous_status"] is None
    wait_for(lambda: tally(session.id)["total"] == 1)
    # A scan arriving afterwards changes nothing: the teacher's decision stands.
    later = scan(student, token_for(session))
    assert later.status_code == 202
    wait_for(lambda: all(handled(name, later.json()["scan_id"]) for name in CONSUMERS))
    assert attendance(session.id, student.uid)["source"] == "override"
    assert tally(session.id)["present"] == 1 and tally(session.id)["total"] == 1


def test_only_the_course_teacher_may_override_and_nothing_is_published(course):
    session = new_session(course["id"])
    student = new_student(course["id"])
    other_uid, other_teacher = auth_emulator.sign_up(f"{unique('t')}@rollcall.test", "pw-123456")
    admin.db().collection("courses").document(unique("c")).set(course_doc("Other", other_uid))
    outsider = new_student()
    probe = Probe("scans")

    attempts = {
        "student": override(student.id_token, session.id, student.uid, "present"),
        "other teacher": override(other_teacher, session.id, student.uid, "present"),
        "unknown session": override(course["teacher_token"], "snosuch", student.uid, "present"),
        "not enrolled": override(course["teacher_token"], session.id, outsider.uid, "present"),
        "bad status": override(course["teacher_token"], session.id, student.uid, "vanished"),
        "no reason": override(course["teacher_token"], session.id, student.uid, "absent", " "),
        "no token": requests.post(os.environ["SCAN_URL"] + "overrides", json={}, timeout=30),
    }

    codes = {k: (r.status_code, r.json()["error"]["code"]) for k, r in attempts.items()}
    assert codes == {
        "student": (403, "forbidden"),
        "other teacher": (403, "forbidden"),
        "unknown session": (403, "forbidden"),
        "not enrolled": (403, "not_enrolled"),
        "bad status": (400, "bad_request"),
        "no reason": (400, "bad_request"),
        "no token": (401, "unauthenticated"),
    }
    assert probe.pull(wait=2) == []
    probe.close()
    assert attendance(session.id, student.uid) is None


def _override_event(course, session, uid, status, at, override_id=None):
    return AttendanceEvent(
        event_id=override_id or unique("ov"),
        session_id=session.id,
        course_id=course["id"],
        uid=uid,
        status=status,
        at=at,
        device_id="",
        type=TYPE_OVERRIDE,
        reason="test",
        by=course["teacher_uid"],
    )


def test_override_redelivered_twice_moves_the_count_once(course):
    session = new_session(course["id"])
    student = new_student(course["id"])
    data, attributes = _override_event(course, session, student.uid, "late", now()).encode()
    body = push_body(data, attributes)
    for subscription in ("attendance", "dashboard", "attendance", "dashboard"):
        assert requests.post(consumer_url(subscription), json=body, timeout=10).status_code == 200
    assert tally(session.id)["late"] == 1 and tally(session.id)["total"] == 1
    assert len(audit(session.id, student.uid)) == 1


def test_an_older_override_delivered_late_changes_nothing(course):
    session = new_session(course["id"])
    student = new_student(course["id"])
    t = now()
    newer = _override_event(course, session, student.uid, "absent", t)
    older = _override_event(course, session, student.uid, "present", t - timedelta(minutes=1))
    for event in (newer, older):
        data, attributes = event.encode()
        for subscription in ("attendance", "dashboard"):
            resp = requests.post(consumer_url(subscription), json=push_body(data, attributes))
            assert resp.status_code == 200
    assert attendance(session.id, student.uid)["status"] == "absent"
    counts = tally(session.id)
    assert (counts["absent"], counts["present"], counts["total"]) == (1, 0, 0)
    superseded = [e for e in audit(session.id, student.uid) if not e["applied"]]
    assert [e["override_id"] for e in superseded] == [older.event_id]
