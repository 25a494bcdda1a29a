"""Every endpoint authorises by role, the same way (rollcall.core.access, the matrix of
contracts.json's roles.actions): each role tried on each endpoint through HTTP, allowed
or refused with ``forbidden``; a refused request changes nothing."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
import requests

from rollcall import contracts
from rollcall.core import schema, staff
from rollcall_ops import admin, auth_emulator
from tests.support import new_session, unique

pytestmark = pytest.mark.emulator
ROLES = ("admin", "hod", "teacher", "ta", "other_teacher", "student")
ACTIONS = contracts.data()["roles"]["actions"]


@pytest.fixture(scope="module")
def inst(stack):
    os.environ.update(stack)
    db = admin.db()
    ids, tokens, emails = {}, {}, {}
    for role in ROLES:
        emails[role] = f"{unique(role)}@rollcall.test"
        ids[role], tokens[role] = auth_emulator.sign_up(emails[role], "pw-123456")
    dept, other_dept = unique("D"), unique("E")
    course, other = unique("c"), unique("c")
    db.document(f"admins/{ids['admin']}").set({"uid": ids["admin"], "email": "admin@rollcall.test"})
    db.document(f"departments/{dept}").set(
        {"code": dept, "name": "D", "head_uids": [ids["hod"]], "head_emails": []}
    )
    db.document(f"departments/{other_dept}").set(
        {"code": other_dept, "name": "E", "head_uids": [], "head_emails": []}
    )

    def staffed(**roles: str) -> dict:
        return staff.fields(
            {
                schema.email_key(f"{uid}@rollcall.test"): {
                    "email": f"{uid}@rollcall.test",
                    "role": role,
                    "uid": uid,
                }
                for role, uid in roles.items()
            }
        )

    today = datetime.now(UTC).date()
    plan_term = unique("t")
    db.document(f"terms/{plan_term}").set(
        {
            "name": "Now",
            "starts_on": (today - timedelta(days=30)).isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat(),
        }
    )
    db.document(f"courses/{course}").set(
        {
            "name": "C",
            "department_id": dept,
            "term_id": plan_term,
            **staffed(teacher=ids["teacher"], ta=ids["ta"]),
        }
    )
    db.document(f"courses/{other}").set(
        {"name": "O", "department_id": other_dept, **staffed(teacher=ids["other_teacher"])}
    )
    db.document(f"courses/{course}/enrollments/{ids['student']}").set({"uid": ids["student"]})
    db.document("terms/t-access").set(
        {"name": "T", "starts_on": "2026-07-01", "ends_on": "2026-11-30"}
    )
    return {"ids": ids, "tokens": tokens, "emails": emails, "course": course, "dept": dept}


def call(inst, role: str, method: str, path: str, **kw) -> requests.Response:
    headers = {"Authorization": f"Bearer {inst['tokens'][role]}", **kw.pop("headers", {})}
    return requests.request(
        method, os.environ["SCAN_URL"] + path, headers=headers, timeout=60, **kw
    )


ROSTER = "roll,name,email\n1,Asha,asha@college.example\n"


def attempt(inst, role: str, action: str) -> requests.Response:
    """One request that needs ``action``, made as ``role``."""
    course, student = inst["course"], inst["ids"]["student"]
    if action in ("run_sessions", "override"):
        session = new_session(course)
        if action == "run_sessions":
            return call(inst, role, "POST", "sessions/close", json={"session_id": session.id})
        body = {"session_id": session.id, "uid": student, "status": "excused", "reason": "test"}
        return call(inst, role, "POST", "overrides", json=body)
    if action == "plan_sessions":
        tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
        body = {
            "course_id": course,
            "kind": "tutorial",
            "date": tomorrow,
            "start": f"{len(role):02d}:00",  # one planned session per role
            "end": f"{len(role):02d}:30",
        }
        return call(inst, role, "POST", "planned/add", json=body)
    if action == "change_rules":
        return call(inst, role, "POST", "courses/settings", json={"course_id": course})
    if action == "export":
        return call(inst, role, "GET", f"exports/courses/{course}.csv")
    if action == "import_roster":
        return call(
            inst,
            role,
            "POST",
            "imports/roster",
            params={"course_id": course, "dry_run": "true"},
            data=ROSTER,
            headers={"Content-Type": "text/csv"},
        )
    if action == "manage_courses":
        courses = f"code,name,department,term\nX1,X,{inst['dept']},t-access\n"
        return call(
            inst,
            role,
            "POST",
            "imports/courses",
            params={"dry_run": "true"},
            data=courses,
            headers={"Content-Type": "text/csv"},
        )
    if action == "manage_institution":
        return call(
            inst,
            role,
            "POST",
            "admin/terms",
            json={
                "id": "t-access",
                "name": "T",
                "starts_on": "2026-07-01",
                "ends_on": "2026-11-30",
            },
        )
    if action == "data_requests":
        # A student's data, exported (an erase is tested in test_privacy.py).
        email = inst["emails"]["student"]
        return call(inst, role, "POST", "admin/privacy/export", json={"email": email})
    if action == "report_department":
        today = datetime.now(UTC).date().isoformat()
        params = {"department": inst["dept"], "as_of": today}
        return call(inst, role, "GET", "reports/defaulters.csv", params=params)
    raise AssertionError(f"no request for {action}")


ALLOWED = {
    # role -> the actions it may take on the course (ta: not change_rules nor export)
    "admin": {
        *("change_rules", "export", "import_roster", "manage_courses", "manage_institution"),
        *("plan_sessions", "report_department", "data_requests"),
    },
    "hod": {
        *("change_rules", "export", "import_roster", "manage_courses", "plan_sessions"),
        "report_department",
    },
    "teacher": {"run_sessions", "override", "change_rules", "export", "plan_sessions"},
    "ta": {"run_sessions", "override"},
    "other_teacher": set(),
    "student": set(),
}
CASES = [
    (role, action)
    for role in ROLES
    for action in ACTIONS
    if not action.startswith("$") and action != "view_course"
]


def test_the_tested_matrix_is_the_contracts():
    """What this file expects of each role is what contracts.json says (the roles
    admin/hod/teacher/ta; other_teacher and student hold none on this course)."""
    for action, roles in ACTIONS.items():
        if action.startswith("$") or action == "view_course":
            continue
        expected = {r for r in ("admin", "hod", "teacher", "ta") if action in ALLOWED[r]}
        assert expected == set(roles), action


@pytest.mark.parametrize("role, action", CASES, ids=[f"{r}-{a}" for r, a in CASES])
def test_each_role_on_each_endpoint(inst, role, action):
    resp = attempt(inst, role, action)
    if action in ALLOWED[role]:
        assert resp.status_code in (200, 201, 202), resp.text
    else:
        assert (resp.status_code, resp.json()["error"]["code"]) == (403, "forbidden"), resp.text


def test_a_role_change_takes_effect_at_the_next_request(inst):
    """Roles are read fresh on every request: revoke the TA, and their next close is
    refused; make them a teacher, and their next export is allowed."""
    db, course, ta = admin.db(), inst["course"], inst["ids"]["ta"]
    ref = db.document(f"courses/{course}")
    entries = dict(ref.get().get("staff"))
    key = schema.email_key(f"{ta}@rollcall.test")
    try:
        ref.update(staff.fields({k: v for k, v in entries.items() if k != key}))
        assert attempt(inst, "ta", "run_sessions").status_code == 403
        ref.update(staff.fields({**entries, key: {**entries[key], "role": "teacher"}}))
        assert attempt(inst, "ta", "export").status_code == 200
    finally:
        ref.update(staff.fields(entries))


def test_an_unknown_course_is_not_found_for_an_admin_and_forbidden_for_anyone_else(inst):
    for role, expected in (("admin", (404, "not_found")), ("hod", (403, "forbidden"))):
        resp = call(
            inst,
            role,
            "POST",
            "imports/roster",
            params={"course_id": "no-such-course", "dry_run": "true"},
            data=ROSTER,
            headers={"Content-Type": "text/csv"},
        )
        assert (resp.status_code, resp.json()["error"]["code"]) == expected


@pytest.mark.parametrize("role", ROLES)
def test_only_the_courses_staff_open_a_session_on_the_servers_clock(inst, role):
    before = datetime.now(UTC)
    resp = call(
        inst, role, "POST", "sessions", json={"course_id": inst["course"], "duration_minutes": 30}
    )
    if role in ("teacher", "ta"):
        assert resp.status_code == 201, resp.text
        body = resp.json()
        starts = datetime.fromisoformat(body["starts_at"].replace("Z", "+00:00"))
        assert abs((starts - before).total_seconds()) < 5
        doc = admin.db().document(f"sessions/{body['session_id']}").get().to_dict()
        assert doc["teacher_uid"] == inst["ids"][role] and doc["status"] == "open"
    else:
        assert (resp.status_code, resp.json()["error"]["code"]) == (403, "forbidden")
