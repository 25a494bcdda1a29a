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
from tests.support import unique

pytestmark = pytest.mark.emulator
OK, DENIED = 200, 403


def user() -> tuple[str, Client]:
    uid, token = auth_emulator.sign_up(f"{unique('r')}@rollcall.test", "password-123")
    return uid, Client(token)


@pytest.fixture(scope="module")
def w(stack):
    """Two courses with a teacher each; Sam enrolled in course A, Olga in course B."""
    os.environ.update(stack)
    db = admin.db()
    t_a, teacher_a = user()
    t_b, teacher_b = user()
    s_uid, sam = user()
    o_uid, olga = user()
    course_a, course_b = unique("ca"), unique("cb")
    db.collection("courses").document(course_a).set({"name": "A", "teacher_uid": t_a})
    db.collection("courses").document(course_b).set({"name": "B", "teacher_uid": t_b})
    db.document(f"courses/{course_a}/enrollments/{s_uid}").set({"uid": s_uid})
    db.document(f"courses/{course_b}/enrollments/{o_uid}").set({"uid": o_uid})
    db.document(f"courses/{course_a}/students/{s_uid}").set(
        {"uid": s_uid, "course_id": course_a, "percent": 100.0, "state": "ok"}
    )
    session = unique("s")
    now = datetime.now(UTC)
    db.document(f"sessions/{session}").set(
        {
            "course_id": course_a,
            "teacher_uid": t_a,
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
    return {
        "teacher_a": teacher_a,
        "teacher_b": teacher_b,
        "sam": sam,
        "olga": olga,
        "anonymous": Client(None),
        "t_a": t_a,
        "t_b": t_b,
        "s_uid": s_uid,
        "o_uid": o_uid,
        "course_a": course_a,
        "course_b": course_b,
        "session": session,
    }


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


READS = [
    # (who, path, expected)
    ("teacher_a", "sessions/{session}", OK),
    ("teacher_b", "sessions/{session}", DENIED),
    ("sam", "sessions/{session}", DENIED),
    ("anonymous", "sessions/{session}", DENIED),
    ("teacher_a", "sessions/{session}/attendance/{s_uid}", OK),
    ("teacher_b", "sessions/{session}/attendance/{s_uid}", DENIED),
    ("sam", "sessions/{session}/attendance/{s_uid}", OK),
    ("olga", "sessions/{session}/attendance/{s_uid}", DENIED),
    ("teacher_a", "sessions/{session}/tally/00", OK),
    ("sam", "sessions/{session}/tally/00", DENIED),
    ("teacher_a", "sessions/{session}/rejections/{o_uid}__not_enrolled", OK),
    ("teacher_b", "sessions/{session}/rejections/{o_uid}__not_enrolled", DENIED),
    ("olga", "sessions/{session}/rejections/{o_uid}__not_enrolled", DENIED),
    ("sam", "users/{s_uid}/inbox/{session}", OK),
    ("olga", "users/{s_uid}/inbox/{session}", DENIED),
    ("teacher_a", "users/{s_uid}/inbox/{session}", DENIED),
    ("sam", "courses/{course_a}", OK),
    ("olga", "courses/{course_a}", DENIED),
    ("teacher_b", "courses/{course_a}", DENIED),
    ("sam", "courses/{course_a}/enrollments/{s_uid}", OK),
    ("teacher_a", "courses/{course_a}/enrollments/{s_uid}", OK),
    ("olga", "courses/{course_a}/enrollments/{s_uid}", DENIED),
    ("sam", "users/{s_uid}", OK),
    ("olga", "users/{s_uid}", DENIED),
    ("sam", "courses/{course_a}/students/{s_uid}", OK),
    ("teacher_a", "courses/{course_a}/students/{s_uid}", OK),
    ("olga", "courses/{course_a}/students/{s_uid}", DENIED),
    ("teacher_b", "courses/{course_a}/students/{s_uid}", DENIED),
    ("anonymous", "courses/{course_a}/students/{s_uid}", DENIED),
]


@pytest.mark.parametrize("who, path, expected", READS, ids=[f"{r[0]} reads {r[1]}" for r in READS])
def test_read(w, who, path, expected):
    assert w[who].get(path.format(**w)) == expected


def test_teacher_lists_own_courses_only(w):
    assert w["teacher_a"].query("courses", "teacher_uid", w["t_a"]) == OK
    assert w["teacher_b"].query("courses", "teacher_uid", w["t_a"]) == DENIED
    assert w["sam"].query("courses", "teacher_uid", w["t_a"]) == DENIED


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


def test_teacher_lists_sessions_of_own_course_only(w):
    assert w["teacher_a"].query("sessions", "course_id", w["course_a"]) == OK
    assert w["teacher_b"].query("sessions", "course_id", w["course_a"]) == DENIED


WRITES = [
    # (who, path, fields, expected): no client writes what the functions write.
    ("sam", "sessions/{session}/attendance/{s_uid}", {"status": "present"}, DENIED),
    ("teacher_a", "sessions/{session}/attendance/{o_uid}", {"status": "present"}, DENIED),
    ("teacher_a", "sessions/{session}/tally/01", {"present": 999}, DENIED),
    ("sam", "sessions/{session}/rejections/x", {"code": "x"}, DENIED),
    ("sam", "users/{s_uid}/inbox/fake", {"title": "you are present"}, DENIED),
    ("teacher_a", "courses/{course_a}/enrollments/new", {"uid": "new"}, DENIED),
    ("teacher_a", "courses/{course_a}", {"name": "renamed", "teacher_uid": "{t_a}"}, DENIED),
    ("olga", "users/{s_uid}", {"fcm_tokens": {"olgas-token": {"platform": "web"}}}, DENIED),
]


@pytest.mark.parametrize(
    "who, path, fields, expected", WRITES, ids=[f"{r[0]} writes {r[1]}" for r in WRITES]
)
def test_write(w, who, path, fields, expected):
    fields = {k: (v.format(**w) if isinstance(v, str) else v) for k, v in fields.items()}
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


def test_teacher_opens_a_session_of_own_course(w):
    path = f"sessions/{unique('s')}"
    assert (
        w["teacher_a"].commit(path, session_doc(w), exists=False, server_time=("opened_at",)) == OK
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"course_id": "other-course"},
        {"teacher_uid": "someone-else"},
        {"rotation_seconds": 1},
        {"rotation_seconds": 10.5},
        {"status": "closed"},
        {"secret": "short"},
        {"late_after_minutes": 500},
        {"extra": "field"},
    ],
    ids=lambda c: "+".join(c),
)
def test_invalid_new_sessions_are_refused(w, changes):
    doc = session_doc(w, **changes)
    assert w["teacher_a"].commit(f"sessions/{unique('s')}", doc, exists=False) == DENIED


ROTATION, LATE, DURATION = (
    contracts.ROTATION_SECONDS,
    contracts.LATE_AFTER_MINUTES,
    contracts.DURATION_MINUTES,
)


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("rotation_seconds", ROTATION.min, OK),
        ("rotation_seconds", ROTATION.max, OK),
        ("rotation_seconds", ROTATION.min - 1, DENIED),
        ("rotation_seconds", ROTATION.max + 1, DENIED),
        ("late_after_minutes", LATE.min, OK),
        ("late_after_minutes", LATE.min - 1, DENIED),
        ("duration", DURATION.max, OK),
        ("duration", DURATION.max + 1, DENIED),
    ],
    ids=lambda v: str(v),
)
def test_the_rules_hold_the_contracts_session_limits(w, field, value, expected):
    """Each bound of contracts.json's session limits, tried on the rules themselves."""
    if field == "duration":
        now = datetime.now(UTC)
        doc = session_doc(w, starts_at=now, ends_at=now + timedelta(minutes=value))
    else:
        doc = session_doc(w, **{field: value})
    assert w["teacher_a"].commit(f"sessions/{unique('s')}", doc, exists=False) == expected


def test_session_that_ends_before_it_starts_is_refused(w):
    now = datetime.now(UTC)
    doc = session_doc(w, starts_at=now, ends_at=now - timedelta(minutes=1))
    assert w["teacher_a"].commit(f"sessions/{unique('s')}", doc, exists=False) == DENIED


def test_other_teacher_or_student_cannot_open_a_session_of_the_course(w):
    doc_b = session_doc(w, teacher_uid=w["t_b"])
    assert w["teacher_b"].commit(f"sessions/{unique('s')}", doc_b, exists=False) == DENIED
    doc_s = session_doc(w, teacher_uid=w["s_uid"])
    assert w["sam"].commit(f"sessions/{unique('s')}", doc_s, exists=False) == DENIED


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
