"""Sessions held through the real doors, for the report tests (tests/emulator/
test_reports.py, tests/browser/test_department.py): a teacher opens a session, students
scan its current code, the teacher closes it, and the figures consumer counts it for
everyone; then ``move_back`` shifts sessions into the past of the stored history, so a
term held in a minute reads as one held over days."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

import requests

from rollcall.clock import now
from rollcall.core import qr, retention, schema
from rollcall_ops import admin, institution
from tests.support import call, unique, wait_for


def figure_doc(course_id: str, uid: str) -> dict:
    snap = admin.db().document(f"{schema.COURSES}/{course_id}/students/{uid}").get()
    return (snap.to_dict() or {}) if snap.exists else {}


def all_recorded(sid: str, uids: Iterable[str]) -> bool:
    """Every one of ``uids`` has a record of session ``sid``: one batched read."""
    db = admin.db()
    refs = [db.document(f"sessions/{sid}/attendance/{uid}") for uid in uids]
    return all(snap.exists for snap in db.get_all(refs))


def all_counted(course_id: str, uids: Iterable[str], sid: str) -> bool:
    """The course's figures count session ``sid`` for every one of ``uids``: one
    batched read."""
    db = admin.db()
    refs = [db.document(f"{schema.COURSES}/{course_id}/students/{uid}") for uid in uids]
    return all(
        sid in ((snap.to_dict() or {}).get("sessions") or {}) if snap.exists else False
        for snap in db.get_all(refs)
    )


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

    def scan(id_token: str) -> requests.Response:
        return requests.post(
            os.environ["SCAN_URL"],
            json={"qr": token, "device_id": unique("phone")},
            headers={"Authorization": f"Bearer {id_token}"},
            timeout=30,
        )

    # The class scans as a class does, several at once (each its own request).
    with ThreadPoolExecutor(8) as pool:
        for answer in pool.map(scan, present.values()):
            assert answer.status_code == 202, answer.text
    everyone = list(everyone)
    wait_for(lambda: all_recorded(sid, present), timeout=60)
    closed = call(teacher, "POST", "sessions/close", body={"session_id": sid})
    assert closed.status_code == 202, closed.text
    wait_for(lambda: all_counted(course_id, everyone, sid), timeout=90)
    return sid


def move_back(course_ids: Iterable[str], sids: Iterable[str], split: datetime, days: int) -> None:
    """Move the sessions ``sids``, and what was recorded of them before ``split`` (scans,
    closes, overrides), ``days`` back in the stored history; what came later stays.
    (Setup, not under test: read a session's records and their audit entries in one
    query, write in batches.)"""
    db, shift = admin.db(), timedelta(days=days)
    course_ids = list(course_ids)
    updates: list[tuple[object, dict]] = []
    for sid in sids:
        ref = db.document(f"sessions/{sid}")
        doc = ref.get().to_dict()
        updates.append(
            (ref, {k: doc[k] - shift for k in ("starts_at", "ends_at", "closed_at") if doc.get(k)})
        )
        # its device bindings and rejected scans expire some days after its end
        # (rollcall.core.retention): they move with it
        for kept in (schema.DEVICES, schema.REJECTIONS):
            for snap in ref.collection(kept).stream():
                expire_at = (snap.to_dict() or {}).get(retention.FIELD)
                if expire_at:
                    updates.append((snap.reference, {retention.FIELD: expire_at - shift}))
        base = f"sessions/{sid}/attendance/"
        for snap in ref.collection("attendance").recursive().stream():
            data, path = snap.to_dict() or {}, snap.reference.path
            parts = path.removeprefix(base).split("/")
            # an audit entry of a record ("at"), or a record ("status_at")
            field = {3: "at", 1: "status_at"}.get(len(parts))
            if len(parts) == 3 and parts[1] != "audit":
                field = None
            if field and data.get(field) and data[field] < split:
                updates.append((snap.reference, {field: data[field] - shift}))
        for course_id in course_ids:
            for student in db.collection(f"{schema.COURSES}/{course_id}/students").stream():
                entry = (student.to_dict().get("sessions") or {}).get(sid)
                if entry:
                    updates.append(
                        (
                            student.reference,
                            {f"sessions.`{sid}`.starts_at": entry["starts_at"] - shift},
                        )
                    )
    for start in range(0, len(updates), 400):
        batch = db.batch()
        for ref, fields in updates[start : start + 400]:
            batch.update(ref, fields)
        batch.commit()


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


def department_term(prefix: str, names: list[str], in_a: int, tz: tzinfo) -> dict[str, Any]:
    """A department (code ``prefix`` + a tag) with its head, and a term of two courses,
    CS301 and CS302, taught by one teacher, whose roster is ``names`` (the first
    ``in_a`` in division A, the rest in B), each student with an account and signed in.
    -> head, teacher, dept, courses, uids, tokens (uid -> ID token) and staff (the
    teacher's token)."""
    from rollcall_ops import auth_emulator

    t = uuid.uuid4().hex[:6]
    dept, term_id = f"{prefix}{t.upper()}", f"{prefix.lower()}{t}"
    door = institution.admin_door()
    head, teacher = department_with_head(door.token, t, dept)
    today = now().astimezone(tz).date()
    people = [(f"s{i}-{t}", f"s{i}-{t}@rollcall.test", n) for i, n in enumerate(names, 1)]
    institution.ensure_accounts(people)
    rows = ["Roll No,Name,Email,Division"] + [
        f"{i},{name},{email},{'A' if i <= in_a else 'B'}"
        for i, (_, email, name) in enumerate(people, start=1)
    ]
    courses = term_with_courses(
        door.token,
        dept=dept,
        term_id=term_id,
        teacher=teacher,
        courses={"CS301": "Distributed Systems", "CS302": "Compilers"},
        span=(today - timedelta(days=30), today + timedelta(days=30)),
        roster=rows,
    )
    return {
        "head": head,
        "teacher": teacher,
        "dept": dept,
        "courses": courses,
        "uids": [uid for uid, _, _ in people],
        "tokens": {
            uid: auth_emulator.sign_in(email, institution.PASSWORD) for uid, email, _ in people
        },
        "staff": auth_emulator.sign_in(teacher, institution.PASSWORD),
    }
