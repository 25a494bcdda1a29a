"""Privacy on a term's data (docs/privacy.md, decision 0029), through the doors people
use: a department with two courses, five students, sessions held (scans, a refused
scan of a course not theirs, a phone lent to a friend), an override, an absence request
with its document, a dispute, the students' inbox.

* Retention: every document of every expiring collection carries ``expire_at`` with
  the value its period gives (the emulator applies no TTL; Firestore will).
* Export: an institution admin gets one zip of everything held about a student, the
  CSVs and the request's document; the access trail has the line; nobody else may.
* Erase, interrupted half way, then run again with the CLI: no document names the
  student any more (every collection searched for their uid, email and name), their
  account is gone, and everyone else's figures, the defaulter list's other rows and the
  sessions' tallies are what they were; the erasure is recorded without the email.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests
from firebase_admin import auth

from rollcall import clients
from rollcall.clock import now
from rollcall.core import privacy, qr, retention, schema
from rollcall_ops import admin, auth_emulator, institution
from tests import held
from tests.support import call, csv_rows, log_lines, log_marks, unique, wait_for

pytestmark = pytest.mark.emulator
ROLLCALL = str(Path(sys.executable).parent / "rollcall")
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def scan(id_token: str, sid: str, device: str) -> requests.Response:
    doc = admin.db().document(f"sessions/{sid}").get().to_dict()
    token = qr.mint(
        qr.decode_secret(doc["secret"]),
        sid,
        qr.window_at(now().timestamp(), doc["rotation_seconds"]),
    )
    return requests.post(
        os.environ["SCAN_URL"],
        json={"qr": token, "device_id": device},
        headers={"Authorization": f"Bearer {id_token}"},
        timeout=30,
    )


@pytest.fixture(scope="module")
def term(stack):
    os.environ.update(stack)
    tag = unique("pv")
    door = institution.admin_door()
    today = now().date()
    teacher = f"{tag}.teacher@rollcall.test"
    institution.ensure_accounts([(f"{tag}-t", teacher, "Teacher")])
    dept, term_id = unique("PD").upper(), unique("PT")
    assert call(door.token, "POST", "admin/departments", body={"code": dept, "name": "D"}).ok
    starts_on, ends_on = today - timedelta(days=20), today + timedelta(days=60)
    students, rows = [], ["Roll No,PRN,Name,Email,Division,Batch"]
    for i in range(1, 6):
        email, uid, name = f"{tag}.s{i}@rollcall.test", f"{tag}-s{i}", f"Pupil{tag}N{i}"
        institution.ensure_accounts([(uid, email, name)])
        rows.append(f"{i},P{tag}{i},{name},{email},A,A1")
        students.append(uid)
    courses = held.term_with_courses(
        door.token,
        dept=dept,
        term_id=term_id,
        teacher=teacher,
        courses={"K1": "Course K1", "K2": "Course K2"},
        span=(starts_on, ends_on),
        roster=rows,
    )
    t_token = auth_emulator.sign_in(teacher, institution.PASSWORD)
    tokens = {
        uid: auth_emulator.sign_in(f"{tag}.s{i}@rollcall.test", institution.PASSWORD)
        for i, uid in enumerate(students, start=1)
    }
    s1, s2, s3, s4, s5 = students
    # A student of neither course, refused at a K1 session (not_enrolled).
    stranger = f"{tag}.x@rollcall.test"
    institution.ensure_accounts([(f"{tag}-x", stranger, "Stranger")])
    x_token = auth_emulator.sign_in(stranger, institution.PASSWORD)

    sessions = []
    for course, present in (("K1", [s1, s2, s3]), ("K1", [s2, s3, s4, s5]), ("K2", [s1, s5])):
        cid = courses[course]
        chosen = {uid: tokens[uid] for uid in present}
        if course == "K1" and len(sessions) == 0:
            # Before the close: a refused stranger, and s1's phone lent to s4 (refused).
            opened_hook = {"stranger": x_token, "lent": tokens[s4]}
        else:
            opened_hook = None
        sid = hold_with(t_token, cid, chosen, students, opened_hook)
        sessions.append(sid)
    held.override(t_token, courses["K1"], sessions[1], s1, "excused")
    # s1 files an absence request with a document, and disputes an absence.
    form = [
        ("kind", (None, "medical")),
        ("reason", (None, f"Fever {tag}")),
        ("course_id", (None, courses["K1"])),
        ("session_ids", (None, sessions[1])),
        ("document", ("note.pdf", PDF, "application/pdf")),
    ]
    filed = requests.post(
        os.environ["SCAN_URL"] + "requests",
        files=form,
        headers={"Authorization": f"Bearer {tokens[s1]}"},
        timeout=60,
    )
    assert filed.status_code == 201, filed.text
    disputed = call(
        tokens[s4], "POST", "disputes", body={"session_id": sessions[0], "note": "I was there"}
    )
    assert disputed.status_code == 201, disputed.text
    wait_for(lambda: len(inbox(s1)) >= 2, timeout=60)
    return {
        "tag": tag,
        "admin": door.token,
        "teacher": t_token,
        "tokens": tokens,
        "students": students,
        "courses": courses,
        "sessions": sessions,
        "dept": dept,
        "term_end": ends_on,
        "stranger": f"{tag}-x",
        "email": f"{tag}.s1@rollcall.test",
        "name": f"Pupil{tag}N1",
    }


def hold_with(teacher, course_id, present, everyone, hook) -> str:
    """held.hold, with the refused scans of ``hook`` made while the session is open."""
    if hook is None:
        return held.hold(teacher, course_id, "theory", present, everyone)
    opened = call(teacher, "POST", "sessions", body={"course_id": course_id, "kind": "theory"})
    assert opened.status_code == 201, opened.text
    sid = opened.json()["session_id"]
    phones = {uid: unique("phone") for uid in present}
    for uid, id_token in present.items():
        assert scan(id_token, sid, phones[uid]).status_code == 202
    assert scan(hook["stranger"], sid, unique("phone")).json()["error"]["code"] == "not_enrolled"
    lent = scan(hook["lent"], sid, phones[next(iter(present))])
    assert lent.json()["error"]["code"] == "device_in_use"
    wait_for(lambda: held.all_recorded(sid, present), timeout=60)
    assert call(teacher, "POST", "sessions/close", body={"session_id": sid}).status_code == 202
    wait_for(lambda: held.all_counted(course_id, everyone, sid), timeout=90)
    return sid


def inbox(uid: str) -> list:
    return list(schema.user(admin.db(), uid).collection(schema.INBOX).stream())


def ends_at(sid: str) -> datetime:
    return admin.db().document(f"sessions/{sid}").get().to_dict()["ends_at"]


def test_every_expiring_document_carries_its_expiry(term):
    db = admin.db()
    wait_for(
        lambda: len(list(db.collection_group("rejections").stream())) >= 2, timeout=30
    )  # held rejections are written within rejections.WRITE_EVERY
    checked = dict.fromkeys(retention.EXPIRING, 0)
    term_end = datetime.combine(term["term_end"] + timedelta(days=1), datetime.min.time(), UTC)
    for group in retention.EXPIRING:
        for snap in db.collection_group(group).stream():
            doc = snap.to_dict()
            expire_at = doc.get(retention.FIELD)
            assert isinstance(expire_at, datetime), (snap.reference.path, doc)
            if group in ("devices", "rejections"):
                sid = snap.reference.parent.parent.id
                days = 7 if group == "devices" else 30
                assert expire_at == ends_at(sid) + timedelta(days=days), snap.reference.path
            elif group == "inbox":
                if doc.get("course_id") in term["courses"].values():
                    assert expire_at == term_end + timedelta(days=30), snap.reference.path
            elif group == "requests":
                assert expire_at == doc["filed_at"] + timedelta(days=365)
            elif group == "mail":
                assert expire_at == doc["created_at"] + timedelta(days=90)
            checked[group] += 1
    # A binding per scan, both refusals, an entry per scan and override, the request.
    assert checked["devices"] >= 9 and checked["rejections"] >= 2, checked
    assert checked["inbox"] >= 9 and checked["requests"] >= 1, checked


def read_zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_an_admin_exports_everything_held_about_a_student(term):
    s1 = term["students"][0]
    marks = log_marks()
    answer = call(term["admin"], "POST", "admin/privacy/export", body={"email": term["email"]})
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "application/zip"
    files = read_zip(answer.content)
    person = json.loads(files["person.json"])
    assert person["accounts"][0]["uid"] == s1
    paths = set(person["documents"])
    k1, k2 = term["courses"]["K1"], term["courses"]["K2"]
    s_a, s_b, s_c = term["sessions"]
    assert {
        f"courses/{k1}/enrollments/{s1}",
        f"courses/{k2}/enrollments/{s1}",
        f"courses/{k1}/students/{s1}",
        f"sessions/{s_a}/attendance/{s1}",
        f"sessions/{s_b}/attendance/{s1}",
        f"sessions/{s_c}/attendance/{s1}",
        f"sessions/{s_a}/tally_marks/{s1}",
    } <= paths
    assert any(p.startswith(f"sessions/{s_b}/attendance/{s1}/audit/") for p in paths)
    assert any(p.startswith(f"sessions/{s_a}/devices/") for p in paths)
    assert any(p.startswith(f"users/{s1}/inbox/") for p in paths)
    assert any(p.startswith("requests/") for p in paths)
    attendance = list(csv.DictReader(io.StringIO(files["attendance.csv"].decode("utf-8-sig"))))
    assert sorted(r["status"] for r in attendance) == ["excused", "present", "present"]
    assert [r["status"] for r in csv.DictReader(io.StringIO(files["overrides.csv"].decode()))]
    (doc,) = [name for name in files if name.startswith("files/requests/")]
    assert files[doc] == PDF
    # the function writes its log lines from a thread: wait for it
    (line,) = wait_for(
        lambda: log_lines("scan", marks, message="data taken", what="privacy_export"), 10
    )
    assert line["trail"] == "access" and line["role"] == "admin" and line["rows"] > 10
    assert term["email"] not in json.dumps(line)


def test_a_course_export_leaves_its_line_in_the_access_trail(term):
    marks = log_marks()
    k1 = term["courses"]["K1"]
    answer = call(term["teacher"], "GET", f"exports/courses/{k1}.csv")
    assert answer.status_code == 200
    (line,) = wait_for(
        lambda: log_lines("scan", marks, message="data taken", what="course_csv"), 10
    )
    assert line["course_id"] == k1 and line["role"] == "teacher" and line["rows"] == 5
    assert line["by"] == f"{term['tag']}-t" and line["trail"] == "access"


def everything() -> dict[str, dict]:
    """Every document of the database, by path (every collection, every depth): one
    query of no collection id over all descendants of the root, the query Firestore's
    recursive delete is built on. (A walk document by document, to find the collection
    ids first, took 100 to 270 s of the suite on the shared stack's data.)"""
    from google.cloud.firestore_v1.collection import CollectionReference
    from google.cloud.firestore_v1.query import Query

    root = CollectionReference("", client=admin.db())
    return {
        snap.reference.path: snap.to_dict() or {}
        for snap in Query(root, all_descendants=True).stream()
    }


def naming(docs: dict[str, dict], *needles: str) -> list[str]:
    return [
        path
        for path, doc in docs.items()
        if any(n.lower() in (path + json.dumps(doc, default=str)).lower() for n in needles)
    ]


def test_nobody_but_an_institution_admin_may_export_or_erase(term):
    db = admin.db()
    before = len(everything())
    for who in (term["teacher"], term["tokens"][term["students"][1]]):
        for action in ("export", "erase"):
            answer = call(who, "POST", f"admin/privacy/{action}", body={"email": term["email"]})
            assert answer.status_code == 403, answer.text
            assert answer.json()["error"]["code"] == "forbidden"
    unknown = call(term["admin"], "POST", "admin/privacy/erase", body={"email": "no@one.test"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    assert "holds nothing" in unknown.json()["error"]["message"]
    bad = call(term["admin"], "POST", "admin/privacy/export", body={"email": 42})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_request"
    staff = call(
        term["admin"],
        "POST",
        "admin/privacy/erase",
        body={"email": f"{term['tag']}.teacher@rollcall.test"},
    )
    assert staff.status_code == 409 and staff.json()["error"]["code"] == "conflict"
    assert len(everything()) == before  # nothing written, nothing deleted
    assert not list(db.collection(privacy.ERASURES).stream()) or all(
        s.id != schema.email_key("no@one.test") for s in db.collection(privacy.ERASURES).stream()
    )


def figures_of_others(term) -> dict:
    db, s1 = admin.db(), term["students"][0]
    out = {}
    for cid in term["courses"].values():
        for snap in schema.course_students(db, cid).stream():
            if snap.id != s1:
                out[snap.reference.path] = snap.to_dict()
    for sid in term["sessions"]:
        out[f"tally/{sid}"] = held_tally(sid)
    return out


def held_tally(sid: str) -> dict:
    from rollcall.consumers.dashboard import read_tally

    tally = read_tally(admin.db(), sid)
    return {k: tally[k] for k in ("total", "present", "late", "excused", "absent")}


def defaulters_of_others(term) -> list[dict]:
    answer = call(
        term["admin"],
        "GET",
        "reports/defaulters.csv",
        department=term["dept"],
        as_of=date.today().isoformat(),
    )
    assert answer.status_code == 200, answer.text
    rows = csv_rows(answer.text)
    return [r for r in rows if r["name"] != term["name"]]


def test_an_erasure_stopped_half_way_is_finished_by_running_it_again(term, monkeypatch):
    s1, email, name = term["students"][0], term["email"], term["name"]
    others, listed = figures_of_others(term), defaulters_of_others(term)
    assert naming(everything(), s1, email, name)
    # The first run stops after its first batch of deletions (a crash, a timeout).
    db = clients.firestore_client()
    monkeypatch.setattr(privacy, "BATCH", 5)
    real_batch, commits = db.batch, []

    def failing_batch():
        batch = real_batch()
        commit = batch.commit

        def once():
            commits.append(1)
            if len(commits) > 1:
                raise RuntimeError("stopped half way")
            return commit()

        batch.commit = once
        return batch

    monkeypatch.setattr(db, "batch", failing_batch)
    with pytest.raises(RuntimeError, match="half way"):
        privacy.erase(db, email, "test-admin", now())
    left = naming(everything(), s1, email, name)
    assert left, "the first run was to stop half way"
    record = db.collection(privacy.ERASURES).document(schema.email_key(email)).get().to_dict()
    assert record["status"] == "running"
    monkeypatch.undo()

    # The CLI, as the admin, finishes it.
    env = {**os.environ, "ROLLCALL_PASSWORD": institution.PASSWORD}
    out = subprocess.run(
        [ROLLCALL, "privacy", "erase", "--email", email, "--as", institution.ADMIN, "--yes"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert out.returncode == 0, out.stderr + out.stdout
    assert "erased" in out.stdout

    docs = everything()
    assert naming(docs, s1, email, name) == []
    with pytest.raises(auth.UserNotFoundError):
        auth.get_user(s1, app=clients.firebase_app())
    assert figures_of_others(term) == others
    assert defaulters_of_others(term) == listed
    record = docs[f"{privacy.ERASURES}/{schema.email_key(email)}"]
    assert record["status"] == "done" and record["attempts"] == 2 and "uids" not in record
    assert record["by"] == "demo-admin"  # the admin the CLI signed in as (admin_door)
    again = call(term["admin"], "POST", "admin/privacy/erase", body={"email": email})
    assert again.status_code == 404 and "erased already" in again.json()["error"]["message"]
