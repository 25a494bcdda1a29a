"""The scan pipeline end to end on the emulators, through its real contracts: HTTP to
the scan function, Pub/Sub push to the consumers, documents in Firestore, FCM calls
to the stand-in."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from rollcall.clock import now
from rollcall.core.events import AttendanceEvent, decode
from tests.support import (
    CONSUMERS,
    Probe,
    all_effects,
    attendance,
    consumer_url,
    fcm_attempts,
    fcm_messages,
    fcm_release,
    handled,
    inbox,
    new_course,
    new_session,
    new_student,
    publish,
    push_body,
    scan,
    tally,
    token_for,
    unique,
    wait_for,
)

pytestmark = pytest.mark.emulator


@pytest.fixture
def lecture(stack_env):
    course = new_course()
    return course, new_session(course)


def test_scan_reaches_all_three_effects(lecture):
    course, session = lecture
    device_token = unique("tok-")
    student = new_student(course, tokens=(device_token,))
    probe = Probe("scans")

    resp = scan(student, token_for(session), device_id="pixel-7")

    assert resp.status_code == 202, resp.text
    body = resp.json()
    assert body["status"] == "present" and len(body["scan_id"]) == 32
    wait_for(lambda: all_effects(session.id, student.uid))
    record = attendance(session.id, student.uid)
    assert record["status"] == "present" and record["scan_id"] == body["scan_id"]
    assert record["device_id"] == "pixel-7" and record["course_id"] == course
    entry = wait_for(
        lambda: (
            (inbox(student.uid, session.id) or {}).get("push", {}).get("status") == "sent"
            and inbox(student.uid, session.id)
        )
    )
    assert entry["push"]["delivered"] == [device_token]
    assert tally(session.id)["present"] == 1 and tally(session.id)["late"] == 0
    [push] = fcm_messages(device_token)
    assert push["message"]["data"]["session_id"] == session.id

    [message] = probe.pull(wait=1)
    probe.close()
    event = decode(message.data)
    assert (event.uid, event.session_id, event.course_id) == (student.uid, session.id, course)
    assert dict(message.attributes) == {
        "type": "scan",
        "schema": "1",
        "session_id": session.id,
        "course_id": course,
    }


def test_previous_window_token_is_still_accepted(lecture):
    course, session = lecture
    student = new_student(course)
    assert scan(student, token_for(session, windows_ago=1)).status_code == 202


def test_scan_after_late_threshold_is_late(stack_env):
    course = new_course()
    from datetime import timedelta

    session = new_session(course, starts_at=now() - timedelta(minutes=20), late_after_minutes=10)
    student = new_student(course)
    resp = scan(student, token_for(session))
    assert resp.json()["status"] == "late"
    wait_for(lambda: attendance(session.id, student.uid))
    assert attendance(session.id, student.uid)["status"] == "late"
    wait_for(lambda: tally(session.id)["late"] == 1)


def test_same_student_scanning_twice_counts_once(lecture):
    course, session = lecture
    student = new_student(course, tokens=(unique("tok-"),))
    first = scan(student, token_for(session))
    second = scan(student, token_for(session), device_id="phone-1")
    assert first.status_code == second.status_code == 202
    wait_for(lambda: all_effects(session.id, student.uid))
    wait_for(lambda: (inbox(student.uid, session.id) or {}).get("push", {}).get("status") == "sent")
    # Both events handled by every consumer (their logs say so), then nothing doubled.
    # Pub/Sub does not keep order: either scan may be the one recorded.
    ids = {first.json()["scan_id"], second.json()["scan_id"]}
    wait_for(lambda: all(handled(name, i) for name in CONSUMERS for i in ids))
    assert attendance(session.id, student.uid)["scan_id"] in ids
    assert tally(session.id)["total"] == 1
    token = next(iter(_tokens(student.uid)))
    assert len(fcm_messages(token)) == 1


def _tokens(uid):
    from rollcall_ops import admin

    return (admin.db().collection("users").document(uid).get().to_dict() or {})["fcm_tokens"]


def _event(course, session, student) -> AttendanceEvent:
    return AttendanceEvent(
        event_id=unique("scan"),
        session_id=session.id,
        course_id=course,
        uid=student.uid,
        status="present",
        at=now(),
        device_id="phone-1",
    )


@pytest.mark.parametrize("subscription", ["attendance", "notify", "dashboard"])
def test_same_event_delivered_three_times_changes_nothing_more(lecture, subscription):
    course, session = lecture
    token = unique("tok-")
    student = new_student(course, tokens=(token,))
    data, attributes = _event(course, session, student).encode()
    body = push_body(data, attributes)
    for _ in range(3):
        resp = requests.post(consumer_url(subscription), json=body, timeout=10)
        assert resp.status_code == 200, resp.text
    if subscription == "attendance":
        assert attendance(session.id, student.uid)["status"] == "present"
    elif subscription == "notify":
        push = inbox(student.uid, session.id)["push"]
        assert (push["status"], push["delivered"]) == ("sent", [token])
        assert len(fcm_messages(token)) == 1
    else:
        assert tally(session.id)["total"] == 1 and tally(session.id)["present"] == 1


@pytest.mark.parametrize("same_message", [True, False], ids=["redelivered copy", "duplicate"])
def test_overlapping_deliveries_push_once_per_device(lecture, same_message):
    """A second delivery arrives while the first one's push is in flight (held by the FCM
    stand-in): a copy of the same message must not push, nor be acknowledged (were the
    first attempt to crash, the push would be lost); another message of the same event
    is acknowledged without pushing. Either way the device gets exactly one push."""
    course, session = lecture
    token = unique("hold-")
    student = new_student(course, tokens=(token,))
    data, attributes = _event(course, session, student).encode()
    first_body = push_body(data, attributes)
    second_body = first_body if same_message else push_body(data, attributes)
    url = consumer_url("notify")

    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(requests.post, url, json=first_body, timeout=60)
        wait_for(lambda: fcm_attempts(token) == 1)  # the first push is in flight
        second = requests.post(url, json=second_body, timeout=30)
        fcm_release(token)
        assert first.result().status_code == 200

    assert second.status_code == (500 if same_message else 200)
    retried = requests.post(url, json=second_body, timeout=30)  # Pub/Sub's next try
    assert retried.status_code == 200
    assert fcm_attempts(token) == 1 and len(fcm_messages(token)) == 1
    assert inbox(student.uid, session.id)["push"]["status"] == "sent"


def test_consumers_accept_eventarc_style_binary_cloudevents(lecture):
    course, session = lecture
    student = new_student(course)
    data, attributes = _event(course, session, student).encode()
    headers = {
        "ce-id": unique("ce"),
        "ce-specversion": "1.0",
        "ce-source": "//pubsub.googleapis.com/projects/demo-rollcall/topics/scans",
        "ce-type": "google.cloud.pubsub.topic.v1.messagePublished",
        "Content-Type": "application/json",
    }
    body = push_body(data, attributes)
    for subscription in ("attendance", "notify", "dashboard"):
        resp = requests.post(consumer_url(subscription), data=json.dumps(body), headers=headers)
        assert resp.status_code == 200, resp.text
    assert all_effects(session.id, student.uid)


def test_duplicate_publishes_of_one_event_leave_one_of_each_effect(lecture):
    course, session = lecture
    token = unique("tok-")
    student = new_student(course, tokens=(token,))
    event = _event(course, session, student)
    data, attributes = event.encode()
    published = {publish("scans", data, **attributes) for _ in range(3)}
    # Every consumer has finished all three messages: nothing more will come of them.
    wait_for(lambda: all(published <= handled(name, event.event_id) for name in CONSUMERS))
    assert all_effects(session.id, student.uid)
    assert tally(session.id)["total"] == 1
    assert len(fcm_messages(token)) == 1
