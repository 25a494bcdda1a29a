"""Sessions held through the real doors, for the report tests (tests/emulator/
test_reports.py, tests/browser/test_department.py): a teacher opens a session, students
scan its current code, the teacher closes it, and the figures consumer counts it for
everyone; then ``move_back`` shifts sessions into the past of the stored history, so a
term held in a minute reads as one held over days."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

import requests

from rollcall.clock import now
from rollcall.core import qr, schema
from rollcall_ops import admin, institution
from tests.support import call, unique, wait_for


def record(sid: str, uid: str) -> dict | None:
    snap = admin.db().document(f"sessions/{sid}/attendance/{uid}").get()
    return snap.to_dict() if snap.exists else None


def figure_doc(course_id: str, uid: str) -> dict:
    snap = admin.db().document(f"{schema.COURSES}/{course_id}/students/{uid}").get()
    return (snap.to_dict() or {}) if snap.exists else {}


def counted(course_id: str, uid: str, sid: str) -> bool:
    return sid in (figure_doc(course_id, uid).get("sessions") or {})


def hold(
    teacher: str,
    course_id: str,
    kind: str,
    present: Mapping[str, str],
    everyone: Iterable[str],
) -> str:
    """Open a session of ``course_id`` (``kind``) as ``teacher`` (an ID token), have
    ``present`` (uid -> ID token) scan it, close it, and wait until the course's figures
    count it for ``everyone``; the session's id."""
    opened = call(teacher, "POST", "sessions", body={"course_id": course_id, "kind": kind})
    assert opened.status_code == 201, opened.text
    sid = opened.json()["session_id"]
    doc = admin.db().document(f"sessions/{sid}").get().to_dict()
    token = qr.mint(
        qr.decode_secret(doc["secret"]),
        sid,
        qr.window_at(now().timestamp(), doc["rotation_seconds"]),
    )
    for id_token in present.values():
        answer = requests.post(
            os.environ["SCAN_URL"],
            json={"qr": token, "device_id": unique("phone")},
            headers={"Authorization": f"Bearer {id_token}"},
            timeout=30,
        )
        assert answer.status_code == 202, answer.text
    wait_for(lambda: all(record(sid, uid) for uid in present), timeout=60)
    closed = call(teacher, "POST", "sessions/close", body={"session_id": sid})
    assert closed.status_code == 202, closed.text
    wait_for(lambda: all(counted(course_id, uid, sid) for uid in everyone), timeout=90)
    return sid


def move_back(course_ids: Iterable[str], sids: Iterable[str], split: datetime, days: int) -> None:
    """Move the sessions ``sids``, and what was recorded of them before ``split`` (scans,
    closes, overrides), ``days`` back in the stored history; what came later stays."""
    db, shift = admin.db(), timedelta(days=days)
    course_ids = list(course_ids)
    for sid in sids:
        ref = db.document(f"sessions/{sid}")
        doc = ref.get().to_dict()
        ref.update({k: doc[k] - shift for k in ("starts_at", "ends_at", "closed_at") if doc.get(k)})
        for rec in ref.collection("attendance").stream():
            data = rec.to_dict()
            for entry in rec.reference.collection("audit").stream():
                if entry.to_dict()["at"] < split:
                    entry.reference.update({"at": entry.to_dict()["at"] - shift})
            if data.get("status_at") and data["status_at"] < split:
                rec.reference.update({"status_at": data["status_at"] - shift})
        for course_id in course_ids:
            for student in db.collection(f"{schema.COURSES}/{course_id}/students").stream():
                entry = (student.to_dict().get("sessions") or {}).get(sid)
                if entry:
                    student.reference.update(
                        {f"sessions.`{sid}`.starts_at": entry["starts_at"] - shift}
                    )


def term_with_courses(
    token: str,
    *,
    dept: str,
    term_id: str,
    teacher: str,
    courses: Mapping[str, str],
    span: tuple[date, date],
    roster: list[str],
) -> dict[str, str]:
    """As an admin (``token``): the term ``term_id`` over ``span``, the department's
    ``courses`` (code -> name) for divisions A and B taught by ``teacher``, each with the
    roster ``roster`` (CSV lines, the header first). Code -> course id."""
    body = {"id": term_id, "name": "Odd term", "starts_on": str(span[0]), "ends_on": str(span[1])}
    assert call(token, "POST", "admin/terms", body=body).ok
    courses_csv = "code,name,department,term,divisions,teachers\n" + "".join(
        f"{code},{name},{dept},{term_id},A B,{teacher}\n" for code, name in courses.items()
    )
    assert call(token, "POST", "imports/courses", csv_text=courses_csv).ok
    ids = {code: f"{code}_{term_id}" for code in courses}
    for course_id in ids.values():
        text = "\n".join(roster) + "\n"
        answer = call(token, "POST", "imports/roster", csv_text=text, course_id=course_id)
        assert answer.ok, answer.text
    return ids


def override(teacher: str, course_id: str, sid: str, uid: str, status: str) -> None:
    """The teacher (an ID token) sets ``uid``'s status in session ``sid``; wait until the
    course's figures have it."""
    body = {"session_id": sid, "uid": uid, "status": status, "reason": "note from the office"}
    answer = call(teacher, "POST", "overrides", body=body)
    assert answer.status_code == 202, answer.text
    wait_for(
        lambda: (
            (figure_doc(course_id, uid).get("sessions") or {}).get(sid, {}).get("status") == status
        ),
        timeout=60,
    )


def department_with_head(token: str, tag: str, dept: str) -> tuple[str, str]:
    """As an admin (``token``): accounts for a head and a teacher (``tag`` in their
    emails) and the department ``dept`` ("Computer Engineering") that the head heads;
    (head's email, teacher's email)."""
    head, teacher = f"hod-{tag}@rollcall.test", f"teacher-{tag}@rollcall.test"
    institution.ensure_accounts(
        [(f"hod-{tag}", head, "Head"), (f"teacher-{tag}", teacher, "Teacher")]
    )
    body = {"code": dept, "name": "Computer Engineering", "heads": [head]}
    assert call(token, "POST", "admin/departments", body=body).ok
    return head, teacher
