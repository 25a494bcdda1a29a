"""Firestore security rules (firestore.rules, loaded by the emulator), case by case, as
clients see them: the REST API with Firebase ID tokens from the Auth emulator."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

from rollcall import contracts
from rollcall.core import qr
from rollcall_ops import admin, auth_emulator
from tests.firestore_rest import Client
from tests.support import course_doc, unique

pytestmark = pytest.mark.emulator
OK, DENIED = 200, 403


def user() -> tuple[str, Client]:
    uid, token = auth_emulator.sign_up(f"{unique('r')}@rollcall.test", "password-123")
    return uid, Client(token)


ROLES = ("admin", "hod", "teacher_a", "ta_a", "teacher_b", "sam", "olga", "anonymous")


@pytest.fixture(scope="module")
def w(stack):
    """An institution: an admin; department D with its head; course A in D with a
    teacher and a TA, Sam enrolled; course B in department E with its teacher, Olga
    enrolled; a term, an admin's grant, an admin's import, a roster row of course A."""
    os.environ.update(stack)
    db = admin.db()
    ids = {}
    clients = {"anonymous": Client(None)}
    for who in ROLES[:-1]:
        ids[who], clients[who] = user()
    dept_d, dept_e = unique("D"), unique("E")
    course_a, course_b = unique("ca"), unique("cb")
    db.document(f"admins/{ids['admin']}").set({"uid": ids["admin"], "email": "a@x.test"})
    db.document(f"departments/{dept_d}").set({"code": dept_d, "head_uids": [ids["hod"]]})
    db.document(f"departments/{dept_e}").set({"code": dept_e, "head_uids": []})
    db.document(f"courses/{course_a}").set(
        {
            **course_doc("A", ids["teacher_a"], department_id=dept_d),
            **_staff(teacher=ids["teacher_a"], ta=ids["ta_a"]),
        }
    )
    db.document(f"courses/{course_b}").set(course_doc("B", ids["teacher_b"], department_id=dept_e))
    s_uid, o_uid = ids["sam"], ids["olga"]
    db.document(f"courses/{course_a}/enrollments/{s_uid}").set({"uid": s_uid})
    db.document(f"courses/{course_b}/enrollments/{o_uid}").set({"uid": o_uid})
    db.document(f"courses/{course_a}/roster/r1").set({"email": "sam@x.test", "uid": s_uid})
    db.document(f"courses/{course_a}/students/{s_uid}").set(
        {"uid": s_uid, "course_id": course_a, "percent": 100.0, "state": "ok"}
    )
    db.document("terms/t1").set({"name": "Term 1"})
    db.document("grants/g1").set({"email": "new@x.test", "role": "admin"})
    db.document("imports/i1").set({"kind": "roster", "by": ids["admin"]})
    db.document("requests/r1").set(
        {"course_id": course_a, "uid": s_uid, "status": "open", "kind": "medical"}
    )
    db.document("institution/settings").set({"document_required_after_days": 3})
    session = unique("s")
    now = datetime.now(UTC)
    db.document(f"sessions/{session}").set(
        {
            "course_id": course_a,
            "teacher_uid": ids["teacher_a"],
            "secret": qr.new_secret(),
            "rotation_seconds": 10,
            "late_after_minutes": 10,
            "starts_at": now,
            "ends_at": now + timedelta(hours=1),
            "status": "open",
        }
    )
    for path in (
        f"sessions/{session}/attendance/{s_uid}",
        f"sessions/{session}/tally/00",
        f"sessions/{session}/rejections/{o_uid}__not_enrolled",
        f"users/{s_uid}/inbox/{session}",
        f"users/{s_uid}",
    ):
        db.document(path).set({"status": "present", "read": False, "title": "t"})
    db.document(f"disputes/{session}__{s_uid}").set(
        {"uid": s_uid, "course_id": course_a, "session_id": session, "status": "open"}
    )
    db.document(f"guardian_consents/{s_uid}").set({"consent": True, "guardian_email": "g@x.test"})
    for path in ("mail/2026-W49-m1", "mail_optouts/m1", "mail_bounces/m1"):
        db.document(path).set({"email": "t@x.test", "status": "sent"})
    db.document("privacy_erasures/e1").set({"status": "done", "by": ids["admin"]})
    return {
        **clients,
        **{f"{who}_uid": uid for who, uid in ids.items()},
        "t_a": ids["teacher_a"],
        "t_b": ids["teacher_b"],
        "s_uid": s_uid,
        "o_uid": o_uid,
        "course_a": course_a,
        "course_b": course_b,
        "dept_d": dept_d,
        "session": session,
    }


def _staff(**roles: str) -> dict:
    from rollcall.core import schema, staff

    entries = {
        schema.email_key(f"{uid}@x.test"): {"email": f"{uid}@x.test", "role": role, "uid": uid}
        for role, uid in roles.items()
    }
    return staff.fields(entries)


def session_doc(w, **changes):
    now = datetime.now(UTC)
    doc = {
        "course_id": w["course_a"],
        "teacher_uid": w["t_a"],
        "secret": qr.new_secret(),
        "rotation_seconds": 10,
        "late_after_minutes": 10,
        "starts_at": now,
        "ends_at": now + timedelta(minutes=90),
        "status": "open",
    }
    doc.update(changes)
    return doc


#: Who may read what: every role against every kind of document (the matrix of
#: contracts.json's roles.actions, as the rules mirror it for reads).
VIEWERS = {"admin", "hod", "teacher_a", "ta_a"}
MATRIX = {
    # path: the roles that may read it (every other role is denied)
    "courses/{course_a}": VIEWERS | {"sam"},
    "courses/{course_a}/roster/r1": VIEWERS,
    "courses/{course_a}/enrollments/{s_uid}": VIEWERS | {"sam"},
    "courses/{course_a}/students/{s_uid}": VIEWERS | {"sam"},
    "sessions/{session}": VIEWERS,
    "sessions/{session}/attendance/{s_uid}": VIEWERS | {"sam"},
    "sessions/{session}/tally/00": VIEWERS,
    "sessions/{session}/rejections/{o_uid}__not_enrolled": VIEWERS,
    "disputes/{session}__{s_uid}": VIEWERS | {"sam"},
    "users/{s_uid}/inbox/{session}": {"sam"},
    "users/{s_uid}": {"sam"},
    "admins/{admin_uid}": {"admin"},
    "departments/{dept_d}": {"admin", "hod"},
    "terms/t1": set(ROLES) - {"anonymous"},
    "grants/g1": {"admin"},
    "imports/i1": {"admin"},
    # An absence request: the student who filed it and the course's viewers.
    "requests/r1": VIEWERS | {"sam"},
    "institution/settings": {"admin"},
    # The student's consent to guardian alerts: theirs alone; the mail collections: nobody.
    "guardian_consents/{s_uid}": {"sam"},
    "mail/2026-W49-m1": set(),
    "mail_optouts/m1": set(),
    "mail_bounces/m1": set(),
    # The record of an erasure (decision 0029): no client reads it, not even an admin.
    "privacy_erasures/e1": set(),
}
READS = [
    (who, path, OK if who in allowed else DENIED)
    for path, allowed in MATRIX.items()
    for who in ROLES
]


@pytest.mark.parametrize("who, path, expected", READS, ids=[f"{r[0]} reads {r[1]}" for r in READS])
def test_read(w, who, path, expected):
    assert w[who].get(path.format(**w)) == expected


@pytest.mark.parametrize("who", ROLES)
def test_staff_list_the_courses_they_teach_and_nobody_lists_anothers(w, who):
    """The dashboard's query, courses whose staff_uids contain me: allowed for anyone
    signed in (the answer holds only their own courses); the same query for another
    person's uid is an admin's only."""
    own = w["anonymous"].query("courses", "staff_uids", "x", op="ARRAY_CONTAINS")
    if who != "anonymous":
        own = w[who].query("courses", "staff_uids", w[f"{who}_uid"], op="ARRAY_CONTAINS")
    assert own == (DENIED if who == "anonymous" else OK)
    if who != "teacher_a":
        theirs = w[who].query("courses", "staff_uids", w["t_a"], op="ARRAY_CONTAINS")
        assert theirs == (OK if who == "admin" else DENIED)


@pytest.mark.parametrize("who", ROLES)
def test_heads_list_their_departments_courses_only(w, who):
    expected = OK if who in ("hod", "admin") else DENIED
    assert w[who].query("courses", "department_id", w["dept_d"]) == expected


def test_student_finds_own_course_figures_across_courses_only(w):
    assert w["sam"].query("students", "uid", w["s_uid"], group=True) == OK
    assert w["olga"].query("students", "uid", w["s_uid"], group=True) == DENIED
    assert w["anonymous"].query("students", "uid", w["s_uid"], group=True) == DENIED
    # The teacher lists the course's students (the at-risk list), not another course's.
    parent = f"courses/{w['course_a']}"
    assert w["teacher_a"].query("students", "state", "ok", parent=parent) == OK
    assert w["teacher_b"].query("students", "state", "ok", parent=parent) == DENIED


def test_nobody_writes_course_figures(w):
    path = f"courses/{w['course_a']}/students/{w['s_uid']}"
    for who in ("sam", "teacher_a"):
        assert w[who].commit(path, {"percent": 100.0}) == DENIED


@pytest.mark.parametrize("who", ROLES)
def test_requests_are_listed_by_their_student_and_the_courses_viewers_only(w, who):
    """The student page's query (requests where uid == me) and the staff's (requests
    where course_id == c); an institution admin may read every request."""
    mine = w[who].query("requests", "uid", w["s_uid"])
    assert mine == (OK if who in ("sam", "admin") else DENIED)
    course = w[who].query("requests", "course_id", w["course_a"])
    assert course == (OK if who in VIEWERS else DENIED)


@pytest.mark.parametrize("who", ROLES)
def test_viewers_list_the_courses_sessions(w, who):
    expected = OK if who in VIEWERS else DENIED
    assert w[who].query("sessions", "course_id", w["course_a"]) == expected


@pytest.mark.parametrize("who", ROLES)
def test_disputes_listed_by_their_student_and_the_courses_viewers_only(w, who):
    """The student's page lists their own disputes (uid == me); the course view lists
    the course's (course_id == c)."""
    if who in ("sam", "olga", "teacher_b", "anonymous"):
        assert w[who].query("disputes", "uid", w["s_uid"]) == (OK if who == "sam" else DENIED)
    assert w[who].query("disputes", "course_id", w["course_a"]) == (
        OK if who in VIEWERS else DENIED
    )


WRITES = [
    # (who, path, fields, expected): no client writes what the functions write.
    ("sam", "sessions/{session}/attendance/{s_uid}", {"status": "present"}, DENIED),
    ("teacher_a", "sessions/{session}/attendance/{o_uid}", {"status": "present"}, DENIED),
    ("teacher_a", "sessions/{session}/tally/01", {"present": 999}, DENIED),
    ("sam", "sessions/{session}/rejections/x", {"code": "x"}, DENIED),
    ("sam", "users/{s_uid}/inbox/fake", {"title": "you are present"}, DENIED),
    ("teacher_a", "courses/{course_a}/enrollments/new", {"uid": "new"}, DENIED),
    ("teacher_a", "courses/{course_a}", {"name": "renamed"}, DENIED),
    ("admin", "courses/{course_a}", {"name": "renamed"}, DENIED),
    ("hod", "courses/{course_a}/roster/r2", {"email": "x@x.test"}, DENIED),
    ("admin", "courses/{course_a}/roster/r2", {"email": "x@x.test"}, DENIED),
    ("admin", "admins/{sam_uid}", {"uid": "{sam_uid}"}, DENIED),
    ("sam", "admins/{sam_uid}", {"uid": "{sam_uid}"}, DENIED),
    ("hod", "departments/{dept_d}", {"head_uids": ["{sam_uid}"]}, DENIED),
    ("admin", "terms/t2", {"name": "T2"}, DENIED),
    ("admin", "imports/i2", {"by": "{admin_uid}"}, DENIED),
    ("olga", "users/{s_uid}", {"fcm_tokens": {"olgas-token": {"platform": "web"}}}, DENIED),
    ("sam", "disputes/{session}__{s_uid}", {"status": "accepted"}, DENIED),
    ("sam", "disputes/x__{sam_uid}", {"uid": "{sam_uid}", "status": "open"}, DENIED),
    ("teacher_a", "disputes/{session}__{s_uid}", {"status": "accepted"}, DENIED),
    ("admin", "disputes/{session}__{s_uid}", {"status": "declined"}, DENIED),
    ("sam", "requests/r1", {"status": "approved"}, DENIED),
    ("sam", "requests/r2", {"uid": "{sam_uid}", "course_id": "{course_a}"}, DENIED),
    ("teacher_a", "requests/r1", {"status": "approved"}, DENIED),
    ("admin", "institution/settings", {"document_required_after_days": 1}, DENIED),
    ("sam", "guardian_consents/{s_uid}", {"consent": False}, DENIED),
    ("sam", "guardian_consents/{sam_uid}", {"consent": True}, DENIED),
    ("admin", "guardian_consents/{s_uid}", {"consent": True}, DENIED),
    ("teacher_a", "mail_optouts/m2", {"email": "x@x.test"}, DENIED),
    ("admin", "mail_bounces/m1", {"email": "x@x.test"}, DENIED),
    ("admin", "mail/2026-W49-m1", {"status": "sending"}, DENIED),
    ("admin", "privacy_erasures/e1", {"status": "running"}, DENIED),
    ("admin", "privacy_erasures/e2", {"status": "done"}, DENIED),
]


@pytest.mark.parametrize(
    "who, path, fields, expected", WRITES, ids=[f"{r[0]} writes {r[1]}" for r in WRITES]
)
def test_write(w, who, path, fields, expected):
    def filled(v):
        if isinstance(v, list):
            return [filled(x) for x in v]
        return v.format(**w) if isinstance(v, str) else v

    fields = {k: filled(v) for k, v in fields.items()}
    assert w[who].commit(path.format(**w), fields) == expected


def test_student_marks_own_inbox_entry_read_but_changes_nothing_else(w):
    path = f"users/{w['s_uid']}/inbox/{w['session']}"
    assert w["sam"].commit(path, {"read": True}, mask=["read"]) == OK
    assert w["sam"].commit(path, {"title": "changed"}, mask=["title"]) == DENIED
    assert w["olga"].commit(path, {"read": True}, mask=["read"]) == DENIED


def test_student_registers_own_device_token(w):
    path = f"users/{w['s_uid']}"
    tokens = {"fcm_tokens": {"sams-phone": {"platform": "web"}}}
    assert w["sam"].commit(path, tokens, mask=["fcm_tokens"]) == OK
    assert w["sam"].commit(path, {"role": "teacher"}, mask=["role"]) == DENIED


def test_user_stores_own_language_one_of_the_catalogs(w):
    """users/{uid}.language: the notifications follow it (decision 0031)."""
    path = f"users/{w['s_uid']}"
    for code in contracts.LANGUAGES:
        assert w["sam"].commit(path, {"language": code}, mask=["language"]) == OK
    assert w["sam"].commit(path, {"language": "fr"}, mask=["language"]) == DENIED
    assert w["sam"].commit(path, {"language": 1}, mask=["language"]) == DENIED
    assert w["olga"].commit(path, {"language": "hi"}, mask=["language"]) == DENIED
    assert w["anonymous"].commit(path, {"language": "hi"}, mask=["language"]) == DENIED
    assert w["teacher_a"].commit(path, {"language": "hi"}, mask=["language"]) == DENIED
    assert w["admin"].commit(path, {"language": "hi"}, mask=["language"]) == DENIED


def test_user_acknowledges_the_notice_version_at_the_servers_time(w):
    """users/{uid}.notice = {version, at}: the current version, at request.time; a
    first write creates the document (a teacher's, or a student without push)."""
    fresh, client = user()
    path = f"users/{fresh}"
    good = {"notice": {"version": contracts.NOTICE_VERSION}}
    assert w["sam"].commit(path, good, mask=["notice"], server_time=("notice.at",)) == DENIED
    assert client.commit(path, good, mask=["notice"]) == DENIED  # no time
    assert (
        client.commit(
            path, {"notice": {"version": contracts.NOTICE_VERSION, "at": "2020-01-01T00:00:00Z"}}
        )
        == DENIED
    )  # a time of the client's choosing (a string here, not the request's time)
    for bad in (0, contracts.NOTICE_VERSION + 1, "1"):
        assert (
            client.commit(path, {"notice": {"version": bad}}, server_time=("notice.at",)) == DENIED
        )
    assert (
        client.commit(path, {"notice": {**good["notice"], "by": "x"}}, server_time=("notice.at",))
        == DENIED
    )
    assert client.commit(path, good, mask=["notice"], server_time=("notice.at",)) == OK
    assert client.commit(path, {"language": "mr"}, mask=["language"]) == OK  # notice kept as is
    assert client.get(path) == OK


@pytest.mark.parametrize("who", ROLES)
def test_no_client_creates_a_session_not_even_its_teacher(w, who):
    """Sessions are opened by POST /sessions, on the server's clock (a laptop ten
    minutes off would refuse or mark late every scan): every role is denied a write,
    however valid the document, with or without a server timestamp."""
    doc = session_doc(w, teacher_uid=w.get(f"{who}_uid", "nobody"))
    path = f"sessions/{unique('s')}"
    assert w[who].commit(path, doc, exists=False) == DENIED
    assert w[who].commit(path, doc, exists=False, server_time=("opened_at",)) == DENIED
    assert not admin.db().document(path).get().exists


def test_no_client_changes_a_session_not_even_its_teacher_closing_it(w):
    # Closing goes through POST /sessions/close, which marks the absences too; a direct
    # write would close without them (the sweep would catch up within a minute).
    path = f"sessions/{unique('s')}"
    admin.db().document(path).set(session_doc(w))
    close = {"status": "closed"}
    for who in ("teacher_a", "teacher_b", "sam"):
        assert (
            w[who].commit(path, close, mask=["status", "closed_at"], server_time=("closed_at",))
            == DENIED
        )
    assert w["teacher_a"].commit(path, {"secret": qr.new_secret()}, mask=["secret"]) == DENIED
    assert admin.db().document(path).get().get("status") == "open"


def test_nobody_deletes_attendance(w):
    path = f"sessions/{w['session']}/attendance/{w['s_uid']}"
    assert w["teacher_a"].delete(path) == DENIED
    assert w["sam"].delete(path) == DENIED
