"""Student success through the real pipeline: closing a session marks absences, each
student's course figures and projection follow every change, and each alert reaches the
student (inbox and push) exactly once per crossing. The course is the worked
example: 75 %, a late counts half, 8 planned sessions, an alert at 2 absences in a row."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from rollcall.clock import now
from rollcall.core import closing
from rollcall.core.events import TYPE_SCAN, AttendanceEvent, CloseSession, Sweep
from rollcall_ops import admin, auth_emulator
from tests.support import (
    WORKED_EXAMPLE_RULES,
    Probe,
    attendance,
    consumer_url,
    course_doc,
    csv_rows,
    event_json,
    fcm_messages,
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
ROLLCALL = str(Path(sys.executable).parent / "rollcall")
RULES = WORKED_EXAMPLE_RULES


def api(path: str, token: str, method: str = "POST", **kw) -> requests.Response:
    url = os.environ["SCAN_URL"].rstrip("/") + path
    return requests.request(
        method, url, headers={"Authorization": f"Bearer {token}"}, timeout=30, **kw
    )


def close(token: str, session_id: str) -> requests.Response:
    return api("/sessions/close", token, json={"session_id": session_id})


def override(token: str, session_id: str, uid: str, status: str, reason: str) -> None:
    resp = api(
        "/overrides",
        token,
        json={"session_id": session_id, "uid": uid, "status": status, "reason": reason},
    )
    assert resp.status_code == 202, resp.text


def figures(course_id: str, uid: str) -> dict:
    snap = admin.db().collection("courses").document(course_id).collection("students").document(uid)
    doc = snap.get()
    return doc.to_dict() if doc.exists else {}


def alerts(uid: str) -> dict[str, dict]:
    inbox = admin.db().collection("users").document(uid).collection("inbox").stream()
    return {s.id: s.to_dict() for s in inbox if (s.to_dict() or {}).get("type") == "alert"}


def settled(course_id: str, uids: list[str], held: int) -> bool:
    docs = [figures(course_id, uid) for uid in uids]
    return all(d.get("held") == held and not d.get("pending_alerts") for d in docs)


SHOWN = ("held", "percent", "absence_run", "remaining", "can_miss", "needed", "reachable", "state")


def shown(doc: dict) -> tuple:
    return tuple(doc.get(k) for k in SHOWN)


@pytest.fixture
def course(stack_env):
    teacher_uid, teacher_token = auth_emulator.sign_up(f"{unique('t')}@rollcall.test", "pw-123456")
    course_id = unique("c")
    admin.db().collection("courses").document(course_id).set(
        course_doc("Distributed Systems", teacher_uid, **RULES)
    )
    students = {
        name: new_student(course_id, tokens=(f"tok-{name}-{unique('')}",))
        for name in ("ana", "ben", "cem")
    }
    for name, s in students.items():
        admin.db().collection("courses").document(course_id).collection("enrollments").document(
            s.uid
        ).set({"uid": s.uid, "name": name.title(), "email": f"{name}@rollcall.test"})
    return {"id": course_id, "teacher": teacher_token, **students}


def test_a_term_of_mixed_attendance_gives_exact_figures_and_each_alert_once(course):
    c, teacher = course["id"], course["teacher"]
    ana, ben, cem = course["ana"], course["ben"], course["cem"]
    uids = [ana.uid, ben.uid, cem.uid]
    start = now() - timedelta(hours=2)
    held = 0
    sessions = []

    def lecture(scanners: list, late: bool = False, excused: list = ()) -> str:
        """One session: who scans, who the teacher excuses, then the teacher closes."""
        nonlocal held
        held += 1
        session = new_session(
            c,
            starts_at=start + timedelta(minutes=held),
            ends_at=now() + timedelta(hours=1),
            late_after_minutes=0 if late else 600,
        )
        sessions.append(session.id)
        for student in scanners:
            assert scan(student, token_for(session), f"phone-{student.uid}").status_code == 202
        for student in excused:
            override(teacher, session.id, student.uid, "excused", "medical certificate")
        wait_for(lambda: all(attendance(session.id, s.uid) for s in [*scanners, *excused]))
        resp = close(teacher, session.id)
        assert resp.status_code == 202, resp.text
        assert resp.json()["absences"] == "marking"
        wait_for(lambda: settled(c, uids, held), timeout=30)
        return session.id

    lecture([ana, ben])
    assert shown(figures(c, ana.uid)) == (1, 100.0, 0, 7, 2, 0, True, "ok")
    assert shown(figures(c, cem.uid)) == (1, 0.0, 1, 7, 1, 3, True, "below")
    lecture([ana, ben], late=True)
    assert shown(figures(c, ana.uid)) == (2, 75.0, 0, 6, 1, 0, True, "at_risk")
    s3 = lecture([ben])
    assert shown(figures(c, ana.uid)) == (3, 50.0, 1, 5, 0, 3, True, "below")
    lecture([ben])
    assert shown(figures(c, ana.uid)) == (4, 37.5, 2, 4, None, 6, False, "below")

    # An absence, then the teacher's late override to present: every figure follows.
    assert attendance(s3, ana.uid)["status"] == "absent"
    assert attendance(s3, ana.uid)["source"] == "close"
    before = tally(s3)
    override(teacher, s3, ana.uid, "present", "was in the lab, scanner broke")
    wait_for(lambda: figures(c, ana.uid).get("percent") == 62.5)
    assert shown(figures(c, ana.uid)) == (4, 62.5, 1, 4, 0, 2, True, "below")
    assert figures(c, ana.uid)["sessions"][s3]["status"] == "present"
    assert attendance(s3, ana.uid)["status"] == "present"
    wait_for(lambda: tally(s3)["present"] == before["present"] + 1)
    after = tally(s3)
    assert (after["absent"], after["total"]) == (before["absent"] - 1, before["total"] + 1)

    lecture([ana, ben])
    assert shown(figures(c, ana.uid)) == (5, 70.0, 0, 3, 0, 1, True, "below")
    lecture([ben], excused=[ana])
    assert shown(figures(c, ana.uid)) == (6, 70.0, 0, 2, 0, 1, True, "below")
    s7 = lecture([ana, ben])

    final = {name: figures(c, course[name].uid) for name in ("ana", "ben", "cem")}
    assert shown(final["ana"]) == (7, 75.0, 0, 1, 0, 0, True, "at_risk")
    assert shown(final["ben"]) == (7, 92.9, 0, 1, 1, 0, True, "ok")
    assert shown(final["cem"]) == (7, 0.0, 7, 1, None, 21, False, "below")
    assert [final["ana"][k] for k in ("present", "late", "excused", "absent")] == [4, 1, 1, 1]
    assert [final["ben"][k] for k in ("present", "late", "excused", "absent")] == [6, 1, 0, 0]
    assert [final["cem"][k] for k in ("present", "late", "excused", "absent")] == [0, 0, 0, 7]

    # Each alert exactly once, in the inbox and as one push to the student's phone.
    expected = {
        ana.uid: ["last_chance-1", "below_threshold-1", "absence_run-1", "last_chance-2"],
        ben.uid: ["last_chance-1"],
        cem.uid: ["below_threshold-1", "absence_run-1"],
    }
    for uid, ids in expected.items():
        want = {f"alert-{c}-{i}" for i in ids}
        wait_for(lambda uid=uid, want=want: set(alerts(uid)) == want, timeout=20)
    # Closing the last session again (HTTP, and a re-published close) changes nothing.
    counts = tally(s7)
    again = close(teacher, s7)
    assert again.status_code == 202 and again.json()["absences"] == "marked"
    publish_close(s7, c)
    wait_for(lambda: _close_events_handled(s7) == (6, 6), timeout=20)
    assert tally(s7) == counts
    assert {name: shown(figures(c, course[name].uid)) for name in final} == {
        name: shown(doc) for name, doc in final.items()
    }
    for uid, ids in expected.items():
        assert set(alerts(uid)) == {f"alert-{c}-{i}" for i in ids}
        entry = alerts(uid)[f"alert-{c}-{ids[0]}"]
        assert entry["push"]["status"] == "sent"
        token = next(iter(_tokens(uid)))
        tags = [m["message"]["android"]["collapse_key"] for m in fcm_messages(token)]
        pushed = [t for t in tags if t.startswith("rollcall-alert-")]
        assert sorted(pushed) == sorted(f"rollcall-alert-{c}-{i}" for i in ids)
    body = alerts(ana.uid)[f"alert-{c}-below_threshold-1"]["body"]
    assert body == (
        "Your attendance in Distributed Systems is 50 %, below the required 75 %. "
        "Attend the next 3 sessions to get back to 75 %."
    )


def publish_close(session_id: str, course_id: str) -> None:
    snap = admin.db().collection("sessions").document(session_id).get()
    event = CloseSession(
        session_id=session_id, course_id=course_id, closed_at=snap.get("closed_at"), by="test"
    )
    data, attributes = event.encode()
    publish("scans", data, **attributes)


def _close_events_handled(session_id: str) -> tuple[int, int]:
    """How many per-student close events the attendance and dashboard consumers have
    handled for the session (from their logs: 3 students, so 3 per expansion)."""
    counts = []
    for name in ("attendance", "dashboard"):
        log = Path(os.environ["ROLLCALL_LOGS"]) / f"{name}.log"
        counts.append(
            sum(
                session_id in line and '"type": "close"' in line
                for line in log.read_text().splitlines()
            )
        )
    return counts[0], counts[1]


def _tokens(uid: str) -> dict:
    return admin.db().collection("users").document(uid).get().to_dict()["fcm_tokens"]


def test_close_marks_only_students_without_a_record_and_a_late_scan_wins(course):
    c, teacher = course["id"], course["teacher"]
    ana, ben, cem = course["ana"], course["ben"], course["cem"]
    session = new_session(c, ends_at=now() + timedelta(hours=1))
    assert scan(ana, token_for(session), "phone-ana").status_code == 202
    wait_for(lambda: attendance(session.id, ana.uid))
    probe = Probe("scans")
    try:
        assert close(teacher, session.id).status_code == 202
        wait_for(lambda: attendance(session.id, ben.uid) and attendance(session.id, cem.uid))
        messages = probe.pull(wait=2)
    finally:
        probe.close()
    closes = [event_json(m) for m in messages if m.attributes.get("type") == "close"]
    assert sorted(e["uid"] for e in closes) == sorted([ana.uid, ben.uid, cem.uid])
    assert attendance(session.id, ana.uid)["status"] == "present"
    assert attendance(session.id, ben.uid)["status"] == "absent"
    wait_for(lambda: tally(session.id)["absent"] == 2)
    assert (tally(session.id)["present"], tally(session.id)["total"]) == (1, 1)
    wait_for(lambda: settled(c, [ana.uid, ben.uid, cem.uid], 1))
    # A scan accepted just before the close, delivered after it: the scan counts.
    scanned_at = now() - timedelta(seconds=5)
    event = AttendanceEvent(
        event_id=unique("late-delivery-"),
        session_id=session.id,
        course_id=c,
        uid=ben.uid,
        status="present",
        at=scanned_at,
        device_id="phone-ben",
        type=TYPE_SCAN,
    )
    data, attributes = event.encode()
    for sub in ("attendance", "dashboard"):
        resp = requests.post(
            consumer_url(sub),
            json=push_body(data, attributes),
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        assert resp.status_code < 300, resp.text
    record = attendance(session.id, ben.uid)
    assert (record["status"], record["source"], record["previous_status"]) == (
        "present",
        "scan",
        "absent",
    )
    wait_for(lambda: figures(c, ben.uid)["sessions"][session.id]["status"] == "present")
    assert figures(c, ben.uid)["percent"] == 100.0
    counts = tally(session.id)
    assert (counts["present"], counts["absent"], counts["total"]) == (2, 1, 2)


def test_the_schedule_closes_ended_sessions(course):
    c = course["id"]
    ended = new_session(
        c, starts_at=now() - timedelta(hours=2), ends_at=now() - timedelta(minutes=1)
    )
    data, attributes = Sweep().encode()
    publish("scans", data, **attributes)
    wait_for(lambda: _session(ended.id).get("absences_marked_at"), timeout=30)
    doc = _session(ended.id)
    assert (doc["status"], doc["closed_by"]) == ("closed", closing.SCHEDULE)
    assert doc["closed_at"] == doc["ends_at"]
    wait_for(lambda: settled(c, [course[n].uid for n in ("ana", "ben", "cem")], 1))
    assert figures(c, course["ana"].uid)["absent"] == 1


def _session(session_id: str) -> dict:
    return admin.db().collection("sessions").document(session_id).get().to_dict()


def test_only_the_course_teacher_closes_and_exports(course):
    c = course["id"]
    session = new_session(c)
    _, other_teacher = auth_emulator.sign_up(f"{unique('t')}@rollcall.test", "pw-123456")
    for token in (course["ana"].id_token, other_teacher):
        resp = close(token, session.id)
        assert (resp.status_code, resp.json()["error"]["code"]) == (403, "forbidden")
        for path in (f"/exports/sessions/{session.id}.csv", f"/exports/courses/{c}.csv"):
            resp = api(path, token, method="GET")
            assert (resp.status_code, resp.json()["error"]["code"]) == (403, "forbidden")
    assert _session(session.id)["status"] == "open"
    resp = requests.post(os.environ["SCAN_URL"] + "sessions/close", json={"session_id": session.id})
    assert resp.json()["error"]["code"] == "unauthenticated"
    bad = api("/sessions/close", course["teacher"], json={"session_id": "../x"})
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "bad_request")
    gone = api("/exports/courses/nope.csv", course["teacher"], method="GET")
    assert gone.status_code == 403  # a course that does not exist has no teacher
    assert _session(session.id)["status"] == "open"


def test_exports_from_the_cli_and_the_dashboard_endpoint_are_the_same_csv(course):
    c, teacher = course["id"], course["teacher"]
    ana, ben = course["ana"], course["ben"]
    session = new_session(c)
    assert scan(ana, token_for(session), "phone-ana").status_code == 202
    wait_for(lambda: attendance(session.id, ana.uid))
    override(teacher, session.id, ben.uid, "excused", '=HYPERLINK("http://evil")')
    wait_for(lambda: (attendance(session.id, ben.uid) or {}).get("status") == "excused")
    close(teacher, session.id)
    wait_for(lambda: settled(c, [course[n].uid for n in ("ana", "ben", "cem")], 1))

    http = api(f"/exports/sessions/{session.id}.csv", teacher, method="GET")
    assert http.status_code == 200
    assert http.headers["Content-Type"].startswith("text/csv")
    assert f'filename="rollcall-session-{session.id}.csv"' in http.headers["Content-Disposition"]
    cli = subprocess.run(
        [ROLLCALL, "export", "session", session.id], capture_output=True, env=os.environ
    )
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.decode() == http.text  # byte for byte, CRLF rows (RFC 4180)
    rows = {r["uid"]: r for r in csv_rows(http.text)}
    assert set(rows) == {course[n].uid for n in ("ana", "ben", "cem")}
    assert (rows[ana.uid]["name"], rows[ana.uid]["status"], rows[ana.uid]["source"]) == (
        "Ana",
        "present",
        "scan",
    )
    assert rows[ben.uid]["status"] == "excused"
    assert rows[ben.uid]["reason"] == '\'=HYPERLINK("http://evil")'  # not a formula
    assert (rows[course["cem"].uid]["status"], rows[course["cem"].uid]["source"]) == (
        "absent",
        "close",
    )
    assert rows[course["cem"].uid]["course_state"] == "below"

    course_csv = api(f"/exports/courses/{c}.csv", teacher, method="GET").text
    reader = csv_rows(course_csv)
    by_uid = {r["uid"]: r for r in reader}
    column = next(h for h in reader.fieldnames if h.endswith(session.id))
    assert by_uid[ana.uid]["percent"] == "100" and by_uid[ana.uid][column] == "present"
    assert by_uid[ben.uid]["percent"] == "" and by_uid[ben.uid][column] == "excused"
    assert by_uid[course["cem"].uid]["needed"] == "3"


def test_the_teacher_sets_the_course_rules_and_the_next_change_uses_them(course):
    c, teacher, ana = course["id"], course["teacher"], course["ana"]
    refused = api(
        "/courses/settings", teacher, json={"course_id": c, "min_attendance_percent": 140}
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "bad_request")
    assert "from 0 to 100" in refused.json()["error"]["message"]
    student = api("/courses/settings", ana.id_token, json={"course_id": c, "planned_sessions": 2})
    assert (student.status_code, student.json()["error"]["code"]) == (403, "forbidden")
    course_doc = admin.db().collection("courses").document(c).get().to_dict()
    assert course_doc["planned_sessions"] == 8  # unchanged by either

    resp = api(
        "/courses/settings",
        teacher,
        json={"course_id": c, "min_attendance_percent": 50, "planned_sessions": None},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["rules"] == {
        "min_attendance_percent": 50.0,
        "late_weight": 0.5,
        "excused_policy": "not_counted",
        "absence_alert_run": 2,
        "planned_sessions": None,
        "alerts_after_sessions": 0,
        "auto_open": False,
        "dispute_window_days": 7,
        "request_window_days": 7,
        "min_attendance_percent_theory": None,
        "min_attendance_percent_practical": None,
        "min_attendance_percent_tutorial": None,
    }
    # The consumers cache a course for up to 60 s: wait for a change to use the rules.
    session = new_session(c)
    assert scan(ana, token_for(session), "phone-ana").status_code == 202
    wait_for(lambda: attendance(session.id, ana.uid))
    close(teacher, session.id)
    wait_for(lambda: figures(c, ana.uid).get("held") == 1)
    wait_for(lambda: figures(c, ana.uid)["rules"]["min_attendance_percent"] == 50.0, timeout=70)
