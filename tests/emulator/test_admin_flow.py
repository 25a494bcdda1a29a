"""From a fresh deploy to a running course, through the doors people use: the CLI grants
the first admin; the admin sets a department and a term and imports the courses file
and a 120-student roster over HTTP (a roster with four errors shows exactly those, and
applies nothing; fixed, it applies); a rostered student signs up, verifies their email,
claims the course and checks in; the course's second teacher runs a session; a
re-import without one student keeps that student's history."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from rollcall.core import qr, schema
from rollcall.core.imports.roster import COLUMNS  # noqa: F401 (the columns documented)
from rollcall_ops import admin, auth_emulator
from tests.support import attendance, unique, wait_for

pytestmark = pytest.mark.emulator
ROLLCALL = str(Path(sys.executable).parent / "rollcall")
PASSWORD = "password-123"


def rollcall(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([ROLLCALL, *args], capture_output=True, text=True, timeout=120)


def person(email: str, verified: bool = True) -> tuple[str, str]:
    """Sign up (as the web page does) and verify the email: (uid, ID token)."""
    uid, token = auth_emulator.sign_up(email, PASSWORD)
    if verified:
        token = auth_emulator.verify_email(email, PASSWORD)
    return uid, token


def call(token: str, path: str, *, json=None, csv_text: str | None = None, **params):
    headers = {"Authorization": f"Bearer {token}"}
    if csv_text is not None:
        headers["Content-Type"] = "text/csv"
        return requests.post(
            os.environ["SCAN_URL"] + path,
            data=csv_text.encode(),
            params=params,
            headers=headers,
            timeout=120,
        )
    return requests.post(
        os.environ["SCAN_URL"] + path, json=json, params=params, headers=headers, timeout=60
    )


def roster_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Roll No", "PRN", "Student Name", "E-mail", "Division", "Batch"])
    for r in rows:
        writer.writerow([r["roll"], r["prn"], r["name"], r["email"], r["division"], r["batch"]])
    return "\ufeff" + out.getvalue()  # as Excel saves "CSV UTF-8"


NAMES = ["अमित पाटील", "Asha Sharma", "नेहा कुलकर्णी", "Rahul Deshpande", "Priya Iyer"]


def students(tag: str, n: int) -> list[dict[str, str]]:
    return [
        {
            "roll": str(i),
            "prn": f"72{i:06d}",
            "name": f"{NAMES[i % len(NAMES)]} {i}",
            "email": f"  {tag}.Student{i:03d}@College.Example ",
            "division": "A" if i <= n // 2 else "B",
            "batch": f"{'A' if i <= n // 2 else 'B'}{1 + i % 3}",
        }
        for i in range(1, n + 1)
    ]


def test_from_a_fresh_deploy_to_a_running_course(stack_env):
    tag = unique("u")
    admin_email = f"{tag}.admin@college.example"

    # 1. The first admin: granted on the CLI before they have an account, active at
    #    their first verified sign-in.
    granted = rollcall("admin", "grant", admin_email)
    assert granted.returncode == 0 and "first verified sign-in" in granted.stdout
    admin_uid, admin_token = person(admin_email)
    claimed = call(admin_token, "me/claim").json()
    assert claimed["admin"] is True and claimed["email_verified"] is True
    listed = json.loads(rollcall("admin", "list", "--json").stdout)
    assert {(a["email"], a["uid"]) for a in listed} >= {(admin_email, admin_uid)}

    # 2. A department (with its head, who has no account yet) and a term.
    dept = unique("CS")
    head_email = f"{tag}.hod@college.example"
    resp = call(
        admin_token,
        "admin/departments",
        json={"code": dept, "name": "Computer Science", "heads": [head_email]},
    )
    assert resp.status_code == 200, resp.text
    term = unique("2026-odd-")
    resp = call(
        admin_token,
        "admin/terms",
        json={
            "id": term,
            "name": "2026-27 odd",
            "starts_on": "2026-07-01",
            "ends_on": "2026-11-30",
            "holidays": [{"date": "2026-08-15", "name": "Independence Day"}],
        },
    )
    assert resp.status_code == 200, resp.text

    # 3. The courses file: three courses, two teachers for the first, a TA.
    t1, t2, ta = (f"{tag}.{who}@college.example" for who in ("anita", "vikram", "ravi"))
    courses_csv = (
        "Course Code,Course Name,Dept,Term,Divisions,Teachers,TAs\n"
        f'CS301,Distributed Systems,{dept},{term},"A, B","{t1}; {t2}",{ta}\n'
        f"CS302,Databases,{dept},{term},A,{t1},\n"
        f"CS303,Networks,{dept},{term},A B,{t2},\n"
    )
    preview = call(admin_token, "imports/courses", csv_text=courses_csv, dry_run="true").json()
    assert preview["counts"] == {
        "added": 3,
        "changed": 0,
        "removed": 0,
        "unchanged": 0,
        "errors": 0,
    }
    assert {w["code"] for w in preview["warnings"]} == {"pending_account"}  # nobody signed up
    applied = call(admin_token, "imports/courses", csv_text=courses_csv, base=str(preview["base"]))
    assert applied.status_code == 200 and applied.json()["applied"] is True, applied.text
    course = f"CS301_{term}"
    assert admin.db().document(f"courses/{course}").get().get("divisions") == ["A", "B"]
    again = call(admin_token, "imports/courses", csv_text=courses_csv).json()
    assert again["counts"]["unchanged"] == 3 and again["counts"]["added"] == 0

    # 4. A 120-student roster with four errors: exactly those, and nothing applied.
    rows = students(tag, 120)
    rows[9]["email"] = "not an email"  # line 11
    rows[20]["roll"] = rows[19]["roll"]  # line 22: roll number of line 21
    rows[40]["division"] = "C"  # line 42: no division C
    rows[80]["email"] = rows[79]["email"].upper()  # line 82: email of line 81
    bad = roster_csv(rows)
    preview = call(
        admin_token, "imports/roster", csv_text=bad, course_id=course, dry_run="true"
    ).json()
    errors = sorted((e["line"], e["column"], e["code"]) for e in preview["errors"])
    assert errors == [
        (11, "E-mail", "invalid_email"),
        (22, "Roll No", "duplicate_roll_no"),
        (42, "Division", "unknown_division"),
        (82, "E-mail", "duplicate_email"),
    ]
    refused = call(admin_token, "imports/roster", csv_text=bad, course_id=course)
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "import_invalid")
    assert len(refused.json()["report"]["errors"]) == 4
    assert not list(schema.roster(admin.db(), course).limit(1).stream())

    good_rows = students(tag, 120)
    good = roster_csv(good_rows)
    applied = call(admin_token, "imports/roster", csv_text=good, course_id=course)
    assert applied.status_code == 200, applied.text
    assert applied.json()["counts"]["added"] == 120
    assert (
        call(admin_token, "imports/roster", csv_text=good, course_id=course).json()["counts"][
            "unchanged"
        ]
        == 120
    )

    # 5. A rostered student signs up, verifies, claims the course, checks in.
    student_email = f"{tag}.student007@college.example"
    student_uid, student_token = person(student_email)
    claim = call(student_token, "me/claim").json()
    assert claim["enrolled"] == [course]
    enrollment = admin.db().document(f"courses/{course}/enrollments/{student_uid}").get().to_dict()
    assert enrollment["roll_no"] == "7" and enrollment["division"] == "A"
    # An unverified account with a rostered email claims nothing.
    sly_uid, sly_token = person(f"{tag}.student008@college.example", verified=False)
    assert call(sly_token, "me/claim").json()["enrolled"] == []

    # 6. The course's second teacher signs up, sees the course, runs a session.
    _, t2_token = person(t2)
    assert call(t2_token, "me/claim").json()["staff"] == {
        course: "teacher",
        f"CS303_{term}": "teacher",
    }
    session_id = _open_session(t2_token, course)
    token = qr.mint(*_secret_of(session_id), qr.window_at(_now_ts(), 10))
    scanned = requests.post(
        os.environ["SCAN_URL"],
        json={"qr": token, "device_id": unique("phone")},
        headers={"Authorization": f"Bearer {student_token}"},
        timeout=30,
    )
    assert scanned.status_code == 202, scanned.text
    wait_for(lambda: attendance(session_id, student_uid))
    closed = call(t2_token, "sessions/close", json={"session_id": session_id})
    assert closed.status_code == 202, closed.text
    wait_for(
        lambda: (
            (
                admin.db().document(f"courses/{course}/students/{student_uid}").get().to_dict()
                or {}
            ).get("held")
            == 1
        )
    )

    # 7. A re-import without that student: they lose the course, keep their history.
    without = roster_csv([r for r in good_rows if r["roll"] != "7"])
    report = call(admin_token, "imports/roster", csv_text=without, course_id=course).json()
    assert report["counts"]["removed"] == 1 and report["counts"]["unchanged"] == 119
    assert not admin.db().document(f"courses/{course}/enrollments/{student_uid}").get().exists
    assert attendance(session_id, student_uid)["status"] == "present"
    assert admin.db().document(f"courses/{course}/students/{student_uid}").get().exists
    export = requests.get(
        os.environ["SCAN_URL"] + f"exports/courses/{course}.csv",
        headers={"Authorization": f"Bearer {t2_token}"},
        timeout=30,
    )
    assert export.status_code == 200 and student_email in export.text
    session2 = _open_session(t2_token, course)

    def scan_again() -> str:
        token = qr.mint(*_secret_of(session2), qr.window_at(_now_ts(), 10))
        resp = requests.post(
            os.environ["SCAN_URL"],
            json={"qr": token, "device_id": unique("phone")},
            headers={"Authorization": f"Bearer {student_token}"},
            timeout=30,
        )
        return resp.json().get("error", {}).get("code", "accepted")

    # The scan function caches a roster for ROSTER_CACHE_SECONDS (10 s by default).
    wait_for(lambda: scan_again() == "not_enrolled", timeout=20, interval=1)


def _now_ts() -> float:
    from rollcall.clock import now

    return now().timestamp()


def _secret_of(session_id: str) -> tuple[bytes, str]:
    doc = admin.db().document(f"sessions/{session_id}").get().to_dict()
    return qr.decode_secret(doc["secret"]), session_id


def _open_session(token: str, course_id: str) -> str:
    """As the dashboard opens one: POST /sessions, on the server's clock."""
    resp = call(token, "sessions", json={"course_id": course_id, "rotation_seconds": 10})
    assert resp.status_code == 201, resp.text
    return resp.json()["session_id"]


def test_two_admins_importing_one_course_at_once_never_interleave(stack_env):
    """Two rosters of 1,500 students sent to one course at the same moment: each is
    applied whole or refused with ``conflict``; the course ends with exactly one file's
    students, never a mix."""
    from concurrent.futures import ThreadPoolExecutor

    tag = unique("x")
    email = f"{tag}.admin@college.example"
    uid, token = person(email)
    from rollcall.clock import now
    from rollcall.core import people

    people.grant_admin(admin.db(), email, "test", now())
    dept, term = unique("D"), unique("T")
    call(token, "admin/departments", json={"code": dept, "name": "D", "heads": []})
    call(
        token,
        "admin/terms",
        json={"id": term, "name": "T", "starts_on": "2026-07-01", "ends_on": "2026-11-30"},
    )
    courses_csv = f"code,name,department,term,divisions\nX1,X,{dept},{term},A B\n"
    assert call(token, "imports/courses", csv_text=courses_csv).status_code == 200
    course = f"X1_{term}"
    files = {name: roster_csv(students(f"{tag}{name}", 1500)) for name in ("first", "second")}

    with ThreadPoolExecutor(2) as pool:
        answers = dict(
            zip(
                files,
                pool.map(
                    lambda text: call(token, "imports/roster", csv_text=text, course_id=course),
                    files.values(),
                ),
                strict=True,
            )
        )

    codes = sorted(a.status_code for a in answers.values())
    assert codes in ([200, 200], [200, 409]), [a.text[:200] for a in answers.values()]
    for answer in answers.values():
        if answer.status_code == 409:
            assert answer.json()["error"]["code"] == "conflict"
    active = {
        (snap.to_dict() or {})["email"]
        for snap in schema.roster(admin.db(), course).stream()
        if (snap.to_dict() or {}).get("status") == "active"
    }
    expected = [
        {r["email"].strip().lower() for r in students(f"{tag}{name}", 1500)} for name in files
    ]
    assert active in expected  # one file's students, whole
