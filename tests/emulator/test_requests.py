"""Absence requests on the real emulators: a student files (with a document, kept on
the storage emulator), the course's staff decide once, an approval excuses the covered
sessions through the override path (audit entries naming the request), a session still
to come is excused when it closes, the student is told; and every bad input gets its
stable code and leaves nothing behind (no request, no file, no event)."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import requests
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore, storage
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall.clock import now
from rollcall.core import absences, schema
from rollcall_ops import admin, auth_emulator
from tests.support import (
    Probe,
    attendance,
    course_doc,
    new_session,
    new_student,
    unique,
    wait_for,
)

pytestmark = pytest.mark.emulator

#: A small but real PDF (what a phone's "print to PDF" makes, cut down).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x00\x00\x00\x00\x00,"


def api(path: str, token: str | None, method: str = "POST", **kw) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = os.environ["SCAN_URL"].rstrip("/") + path
    return requests.request(method, url, headers=headers, timeout=60, **kw)


def file_request(token: str, files=None, **fields) -> requests.Response:
    form = {"kind": "medical", "reason": "Fever, doctor's certificate attached", **fields}
    parts = [(k, (None, v)) for k, v in form.items() if not isinstance(v, list)]
    parts += [(k, (None, x)) for k, v in form.items() if isinstance(v, list) for x in v]
    parts += list((files or {}).items())
    return api("/requests", token, files=parts)


def decide(token: str, request_id: str, decision: str, comment: str = "") -> requests.Response:
    body = {"request_id": request_id, "decision": decision, "comment": comment}
    return api("/requests/decide", token, json=body)


def blobs() -> list[str]:
    client = storage.Client(
        project=os.environ["GOOGLE_CLOUD_PROJECT"], credentials=AnonymousCredentials()
    )
    return sorted(b.name for b in client.list_blobs(os.environ["DOCUMENTS_BUCKET"]))


def requests_of(uid: str) -> list[dict]:
    query = admin.db().collection("requests").where(filter=FieldFilter("uid", "==", uid))
    found = query.stream()
    return [{"id": s.id, **(s.to_dict() or {})} for s in found]


def audit(session_id: str, uid: str) -> list[dict]:
    ref = schema.record(admin.db(), session_id, uid).collection("audit")
    return [s.to_dict() for s in ref.stream()]


def inbox_entry(uid: str, entry_id: str) -> dict | None:
    snap = schema.inbox(admin.db(), uid, entry_id).get()
    return snap.to_dict() if snap.exists else None


def figures(course_id: str, uid: str) -> dict:
    snap = schema.student(admin.db(), course_id, uid).get()
    return snap.to_dict() if snap.exists else {}


@pytest.fixture
def course(stack_env):
    """A course with a teacher and a TA (real accounts), Sam enrolled in division A."""
    teacher, teacher_token = auth_emulator.sign_up(f"{unique('t')}@rollcall.test", "pw-123456")
    course_id = unique("c")
    admin.db().collection("courses").document(course_id).set(course_doc("Biology", teacher))
    sam = new_student(course_id)
    schema.enrollments(admin.db(), course_id).document(sam.uid).set(
        {"uid": sam.uid, "name": "Sam Patil", "roll_no": "17", "division": "A"}
    )
    return {"id": course_id, "teacher": teacher, "teacher_token": teacher_token, "sam": sam}


def closed_session(course_id: str, days_ago: float, **fields):
    start = now() - timedelta(days=days_ago)
    return new_session(
        course_id,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        status="closed",
        closed_at=start + timedelta(hours=1),
        **fields,
    )


def close(token: str, session_id: str) -> None:
    resp = api("/sessions/close", token, json={"session_id": session_id})
    assert resp.status_code == 202, resp.text


def test_every_bad_input_gets_its_code_and_leaves_nothing(course):
    sam, token = course["sam"], course["sam"].id_token
    recent = closed_session(course["id"], 1)
    old = closed_session(course["id"], 10)
    other_course = unique("c")
    admin.db().collection("courses").document(other_course).set(course_doc("Other", unique("t")))
    foreign = closed_session(other_course, 1)
    division_b = closed_session(course["id"], 1, audience={"type": "division", "value": "B"})
    cid = course["id"]
    before = blobs()
    probe = Probe("scans")
    big = PDF + b"0" * (5 * 1024 * 1024)
    cases = [
        ({"course_id": cid, "session_ids": [old.id]}, None, 409, "outside_window"),
        ({"course_id": cid, "session_ids": [foreign.id]}, None, 404, "not_found"),
        ({"course_id": cid, "session_ids": [division_b.id]}, None, 403, "not_in_audience"),
        ({"course_id": other_course, "session_ids": [foreign.id]}, None, 403, "not_enrolled"),
        (
            {"course_id": cid, "session_ids": [recent.id]},
            {"document": ("note.pdf", b"I was ill, trust me", "application/pdf")},
            415,
            "unsupported_document",
        ),
        (
            {"course_id": cid, "session_ids": [recent.id]},
            {"document": ("scan.png", GIF, "image/png")},
            415,
            "unsupported_document",
        ),
        (
            {"course_id": cid, "session_ids": [recent.id]},
            {"document": ("big.pdf", big, "application/pdf")},
            413,
            "payload_too_large",
        ),
        (
            {"course_id": cid, "session_ids": [recent.id], "kind": "holiday"},
            None,
            400,
            "bad_request",
        ),
        ({"from": "2020-01-01", "to": "2020-01-02"}, None, 400, "bad_request"),
    ]
    for fields, files, status, code in cases:
        resp = file_request(token, files, **fields)
        assert (resp.status_code, resp.json()["error"]["code"]) == (status, code), (
            fields,
            resp.text,
        )

    # The institution requires a document beyond 1 day: two sessions on two days without one.
    settings = schema.institution_settings(admin.db())
    settings.set({"document_required_after_days": 1}, merge=True)
    try:
        two_days = closed_session(course["id"], 2)
        resp = file_request(token, course_id=cid, session_ids=[recent.id, two_days.id])
        assert (resp.status_code, resp.json()["error"]["code"]) == (422, "document_required")
    finally:
        settings.update({"document_required_after_days": firestore.DELETE_FIELD})

    assert requests_of(sam.uid) == []
    assert blobs() == before
    assert probe.pull(wait=1) == []

    # A valid request, then a decision by someone who is not the course's staff, then two.
    filed = file_request(token, course_id=cid, session_ids=[recent.id])
    assert filed.status_code == 201, filed.text
    request_id = filed.json()["requests"][0]["request_id"]
    olga = new_student(other_course)
    for who in (olga.id_token, token):
        resp = decide(who, request_id, "approve")
        assert (resp.status_code, resp.json()["error"]["code"]) == (403, "forbidden")
    assert decide(course["teacher_token"], request_id, "decline", "No proof").status_code == 200
    probe.pull(wait=1)
    again = decide(course["teacher_token"], request_id, "approve")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_decided")
    assert requests_of(sam.uid)[0]["status"] == "declined"
    assert probe.pull(wait=1) == []
    probe.close()


def test_a_pdf_request_approved_excuses_three_sessions_and_tells_the_student(course):
    sam, cid, teacher = course["sam"], course["id"], course["teacher_token"]
    sessions = [new_session(cid, starts_at=now() - timedelta(hours=h)) for h in (3, 2, 1)]
    for s in sessions:
        close(teacher, s.id)
    wait_for(lambda: figures(cid, sam.uid).get("held") == 3, timeout=30)
    assert (figures(cid, sam.uid)["absent"], figures(cid, sam.uid)["state"]) == (3, "below")

    filed = file_request(
        sam.id_token,
        {"document": ("certificate.PDF", PDF, "application/octet-stream")},
        course_id=cid,
        session_ids=[s.id for s in sessions],
    )
    assert filed.status_code == 201, filed.text
    (req,) = filed.json()["requests"]
    stored = requests_of(sam.uid)[0]
    assert stored["document"] == {
        "content_type": "application/pdf",
        "size": len(PDF),
        "filename": "certificate.pdf",
    }
    assert (stored["name"], stored["roll_no"], stored["status"]) == ("Sam Patil", "17", "open")
    assert f"requests/{stored['filing_id']}" in blobs()

    # The document: the student and the course's staff; nobody else.
    for who in (sam.id_token, teacher):
        got = api(f"/requests/{req['request_id']}/document", who, "GET")
        assert got.status_code == 200 and got.content == PDF
        assert got.headers["Content-Type"] == "application/pdf"
        assert 'filename="certificate.pdf"' in got.headers["Content-Disposition"]
    stranger = new_student(unique("c"))
    refused = api(f"/requests/{req['request_id']}/document", stranger.id_token, "GET")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    assert api(f"/requests/{req['request_id']}/document", None, "GET").status_code == 401
    assert api("/requests/nosuch/document", sam.id_token, "GET").status_code == 404

    resp = decide(teacher, req["request_id"], "approve", "Get well soon")
    assert resp.json() == {"request_id": req["request_id"], "status": "approved", "excused": 3}
    for s in sessions:
        wait_for(lambda s=s: (attendance(s.id, sam.uid) or {}).get("status") == "excused")
        (entry,) = audit(s.id, sam.uid)
        assert entry["basis"] == f"request/{req['request_id']}"
        assert entry["override_id"] == absences.override_id(req["request_id"], s.id)
        assert entry["previous_status"] == "absent"
    wait_for(lambda: figures(cid, sam.uid).get("excused") == 3, timeout=30)
    after = figures(cid, sam.uid)
    assert (after["absent"], after["absence_run"]) == (0, 0)
    assert after["state"] != "below", after  # excused sessions are not counted: no longer below
    notice = wait_for(lambda: inbox_entry(sam.uid, f"request-{req['request_id']}"))
    assert (notice["type"], notice["kind"], notice["request_id"]) == (
        "notice",
        "request_approved",
        req["request_id"],
    )
    assert "Get well soon" in notice["body"]

    # The course's export lists the request and its outcome.
    csv = api(f"/exports/requests/{cid}.csv", teacher, "GET")
    assert csv.status_code == 200
    assert req["request_id"] in csv.text and "approved" in csv.text and "Get well soon" in csv.text


def test_a_declined_request_reaches_the_students_inbox_and_excuses_nothing(course):
    sam, cid, teacher = course["sam"], course["id"], course["teacher_token"]
    session = new_session(cid, starts_at=now() - timedelta(hours=1))
    close(teacher, session.id)
    wait_for(lambda: (attendance(session.id, sam.uid) or {}).get("status") == "absent")
    filed = file_request(sam.id_token, kind="leave", course_id=cid, session_ids=[session.id])
    request_id = filed.json()["requests"][0]["request_id"]
    resp = decide(teacher, request_id, "decline", "Leave must be asked for in advance")
    assert resp.json() == {"request_id": request_id, "status": "declined", "excused": 0}
    notice = wait_for(lambda: inbox_entry(sam.uid, f"request-{request_id}"))
    assert notice["kind"] == "request_declined"
    assert "Leave must be asked for in advance" in notice["body"]
    assert attendance(session.id, sam.uid)["status"] == "absent"
    assert audit(session.id, sam.uid) == []


def test_a_session_still_to_come_is_excused_when_it_closes(course):
    sam, cid, teacher = course["sam"], course["id"], course["teacher_token"]
    ben = new_student(cid)
    starts = now() + timedelta(hours=2)
    planned_id = unique("p")
    schema.planned(admin.db(), planned_id).set(
        {
            "course_id": cid,
            "kind": "theory",
            "audience": {"type": "course", "value": None},
            "date": absences.local_day(starts).isoformat(),
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=1),
            "status": "planned",
        }
    )
    filed = file_request(sam.id_token, course_id=cid, session_ids=[planned_id])
    assert filed.status_code == 201, filed.text
    req = filed.json()["requests"][0]
    assert (req["session_ids"], req["planned_ids"]) == ([], [planned_id])
    assert decide(teacher, req["request_id"], "approve").json()["excused"] == 0

    # The planned session is started (later) and closed: Sam is excused, Ben absent.
    session = new_session(cid, planned_id=planned_id)
    close(teacher, session.id)
    wait_for(lambda: (attendance(session.id, sam.uid) or {}).get("status") == "excused")
    wait_for(lambda: (attendance(session.id, ben.uid) or {}).get("status") == "absent")
    (entry,) = audit(session.id, sam.uid)
    assert entry["basis"] == f"request/{req['request_id']}"
    # A redelivered close changes nothing: the override's id is the request's.
    close(teacher, session.id)
    assert len(audit(session.id, sam.uid)) == 1


def test_a_range_over_two_courses_files_one_request_each_with_one_document(course):
    sam, cid = course["sam"], course["id"]
    second = unique("c")
    admin.db().collection("courses").document(second).set(course_doc("Chemistry", unique("t")))
    schema.enrollments(admin.db(), second).document(sam.uid).set({"uid": sam.uid, "name": "Sam"})
    a = closed_session(cid, 1)
    b = closed_session(second, 1)
    day = absences.local_day(a.starts_at).isoformat()
    filed = file_request(
        sam.id_token,
        {"document": ("x-ray.pdf", PNG, "application/pdf")},  # a PNG named .pdf
        **{"from": day, "to": absences.local_day(b.starts_at).isoformat()},
    )
    assert filed.status_code == 201, filed.text
    by_course = {r["course_id"]: r for r in filed.json()["requests"]}
    assert set(by_course) == {cid, second}
    assert a.id in by_course[cid]["session_ids"] and b.id in by_course[second]["session_ids"]
    docs = requests_of(sam.uid)
    assert len({d["filing_id"] for d in docs}) == 1
    assert blobs().count(f"requests/{docs[0]['filing_id']}") == 1
    assert docs[0]["document"] == {
        "content_type": "image/png",
        "size": len(PNG),
        "filename": "x-ray.png",
    }
    got = api(f"/requests/{by_course[second]['request_id']}/document", sam.id_token, "GET")
    assert got.content == PNG and got.headers["Content-Type"] == "image/png"


def test_only_an_institution_admin_sets_the_document_requirement(course):
    boss, boss_token = auth_emulator.sign_up(f"{unique('a')}@rollcall.test", "pw-123456")
    admin.db().collection("admins").document(boss).set({"uid": boss})
    refused = api(
        "/admin/settings", course["teacher_token"], json={"document_required_after_days": 2}
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    bad = api("/admin/settings", boss_token, json={"document_required_after_days": 0})
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "bad_request")
    try:
        ok = api("/admin/settings", boss_token, json={"document_required_after_days": 2})
        # Every setting as it now is (guardian_alerts too, which other tests may set).
        assert ok.json()["document_required_after_days"] == 2
        assert set(ok.json()) == {"document_required_after_days", "guardian_alerts"}
    finally:
        cleared = api("/admin/settings", boss_token, json={"document_required_after_days": None})
        assert cleared.json()["document_required_after_days"] is None
