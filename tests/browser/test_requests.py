"""Absence requests in the browser, on the real pipeline: a student who missed three
sessions files a medical request with a real PDF on the phone; the teacher opens the
document from the course's Requests tab (through the endpoint, with the ID token) and
approves; the three sessions become excused in the student's and the teacher's views
and the figures follow. A declined request reaches the student's inbox with the
teacher's comment. Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from rollcall.clock import now
from rollcall.core import absences, schema
from rollcall_ops import admin, auth_emulator
from tests.browser.conftest import PHONE
from tests.support import attendance, course_doc, new_session, wait_for

pytestmark = pytest.mark.emulator

PASSWORD = admin.DEMO_PASSWORD
SLOW = 30_000


def api(path: str, token: str, **kw: Any) -> requests.Response:
    url = os.environ["SCAN_URL"].rstrip("/") + path
    return requests.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=30, **kw)


def figures(course_id: str, uid: str) -> dict:
    snap = schema.student(admin.db(), course_id, uid).get()
    return snap.to_dict() if snap.exists else {}


def real_pdf(path: Path) -> Path:
    """A medical certificate as a real PDF (matplotlib's PDF backend)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    fig = pyplot.figure(figsize=(5, 3))
    fig.text(0.1, 0.6, "Medical certificate", fontsize=16)
    fig.text(0.1, 0.4, "Unfit to attend for three days. Dr. Rao", fontsize=10)
    fig.savefig(path, format="pdf")
    pyplot.close(fig)
    return path


@pytest.fixture
def missed(stack_env) -> dict[str, Any]:
    """A course whose student Sam missed three sessions today (closed through the
    pipeline), and its teacher."""
    tag = uuid.uuid4().hex[:6]
    course_id = f"rq{tag}"
    teacher_uid, sam_uid = f"teacher-{course_id}", f"sam-{course_id}"
    teacher_email, sam_email = f"{teacher_uid}@rollcall.test", f"sam-{tag}@rollcall.test"
    admin.ensure_user(teacher_uid, teacher_email, PASSWORD, "Meera Rao")
    admin.ensure_user(sam_uid, sam_email, PASSWORD, "Sam Patil")
    admin.db().document(f"courses/{course_id}").set(course_doc("Biology", teacher_uid))
    admin.db().document(f"courses/{course_id}/enrollments/{sam_uid}").set(
        {"uid": sam_uid, "name": "Sam Patil", "roll_no": "17", "email": sam_email}
    )
    teacher = auth_emulator.sign_in(teacher_email, PASSWORD)
    sessions = [
        new_session(course_id, starts_at=now() - timedelta(hours=h), ends_at=now())
        for h in (3, 2, 1)
    ]
    for s in sessions:
        assert api("/sessions/close", teacher, json={"session_id": s.id}).status_code == 202
    wait_for(lambda: figures(course_id, sam_uid).get("absent") == 3, timeout=60)
    return {
        "course": course_id,
        "teacher_email": teacher_email,
        "teacher": teacher,
        "sam": sam_uid,
        "sam_email": sam_email,
        "sessions": sessions,
    }


def student_page(web, m: dict[str, Any]):
    page = web.page("/scan.html", device=PHONE)
    page.set_default_timeout(SLOW)
    web.sign_in(page, m["sam_email"], PASSWORD)
    page.wait_for_selector("#typed-code")
    page.click("#tab-requests")
    page.wait_for_selector("#request-form")
    return page


def teacher_requests(web, m: dict[str, Any]):
    page = web.page(f"/#/course/{m['course']}")
    page.set_default_timeout(SLOW)
    web.sign_in(page, m["teacher_email"], PASSWORD)
    page.click("#course-tab-requests")
    page.wait_for_selector("#course-request-list")
    return page


def test_a_medical_request_with_a_pdf_is_approved_and_three_sessions_are_excused(
    web, missed, tmp_path
):
    m = missed
    pdf = real_pdf(tmp_path / "certificate.pdf")
    first, last = (
        absences.local_day(s.starts_at).isoformat() for s in (m["sessions"][0], m["sessions"][-1])
    )

    # The student files on the phone.
    page = student_page(web, m)
    page.select_option("#request-kind", "medical")
    page.select_option("#request-course", m["course"])
    page.fill("#request-from", first)
    page.fill("#request-to", last)
    # Two lines, as people write them: the form sends the line break as CRLF.
    page.fill("#request-reason", "Fever since Monday.\nThe doctor's certificate is attached.")
    page.set_input_files("#request-document", str(pdf))
    web.shot(page, "01-student-form", full_page=True)
    page.click("#request-submit")
    page.wait_for_function(
        "() => document.querySelector('#request-message').textContent.startsWith('Sent')"
    )
    item = page.locator(f'#request-list li.request-item[data-course="{m["course"]}"]')
    item.wait_for()
    assert item.get_attribute("data-status") == "open"
    assert "3 sessions" in item.inner_text()
    assert "Waiting for a decision" in item.inner_text()
    web.shot(page, "02-student-filed", full_page=True)
    (req,) = [r for r in admin.db().collection("requests").stream() if r.get("uid") == m["sam"]]
    assert req.get("reason") == "Fever since Monday.\nThe doctor's certificate is attached."

    # The teacher opens the document and approves.
    teacher = teacher_requests(web, m)
    row = teacher.locator(f'li.request-item[data-request="{req.id}"]')
    row.wait_for()
    assert "17 · Sam Patil" in row.inner_text()
    assert "Medical" in row.inner_text() and "3 sessions held" in row.inner_text()
    with teacher.expect_response(lambda r: r.url.endswith(f"/requests/{req.id}/document")) as got:
        row.locator('[data-action="document"]').click()
    assert got.value.status == 200
    assert got.value.headers["content-type"] == "application/pdf"
    assert int(got.value.headers["content-length"]) == len(pdf.read_bytes())
    assert 'filename="certificate.pdf"' in got.value.headers["content-disposition"]
    web.shot(teacher, "03-teacher-requests", full_page=True)
    row.locator("input.request-comment-input").fill("Get well soon")
    row.locator('[data-action="approve"]').click()
    row.locator("text=3 sessions excused now").wait_for()
    teacher.wait_for_function(
        "id => document.querySelector(`li.request-item[data-request='${id}']`)"
        ".dataset.status === 'approved'",
        arg=req.id,
    )
    web.shot(teacher, "04-teacher-approved", full_page=True)

    # Every session excused, and the figures follow.
    for s in m["sessions"]:
        wait_for(lambda s=s: (attendance(s.id, m["sam"]) or {}).get("status") == "excused")
    wait_for(lambda: figures(m["course"], m["sam"]).get("excused") == 3, timeout=60)
    assert figures(m["course"], m["sam"])["absent"] == 0

    teacher.click("#course-tab-attendance")
    cell = f'#standing-body tr[data-uid="{m["sam"]}"]'
    teacher.wait_for_selector(cell)
    # The figures' cells: percent, held, present, late, excused, absent, ...
    teacher.wait_for_function(
        "sel => { const t = [...document.querySelectorAll(`${sel} td:not(.who)`)]"
        ".map(c => c.textContent.trim()); return t[1] === '3' && t[4] === '3' && t[5] === '0'; }",
        arg=cell,
    )
    web.shot(teacher, "05-teacher-course-view", full_page=True)

    # The student sees the decision, the comment and the excused sessions.
    item.locator("text=Approved").wait_for()
    assert "Get well soon" in item.inner_text()
    web.shot(page, "06-student-approved", full_page=True)
    page.click("#tab-attendance")
    card = page.locator(f'article.my-course[data-course="{m["course"]}"]')
    card.wait_for()
    page.wait_for_function(
        "c => document.querySelectorAll("
        "`article.my-course[data-course='${c}'] .my-strip li.strip-excused`).length === 3",
        arg=m["course"],
    )
    web.shot(page, "07-student-attendance", full_page=True)


def test_a_declined_request_reaches_the_students_inbox(web, missed):
    m = missed
    last = m["sessions"][-1]
    page = student_page(web, m)
    page.select_option("#request-kind", "leave")
    # Chosen sessions this time: the course's closed sessions, from Sam's own figures.
    page.check("#request-mode-sessions")
    page.select_option("#request-course", m["course"])
    boxes = page.locator('#request-sessions input[name="session_ids"]')
    boxes.first.wait_for()
    assert boxes.count() == 3
    assert "absent" in page.locator("#request-sessions li").first.inner_text()
    page.check(f'#request-sessions input[value="{last.id}"]')
    page.fill("#request-reason", "Family wedding")
    web.shot(page, "00-student-chooses-sessions", full_page=True)
    page.click("#request-submit")
    page.wait_for_function(
        "() => document.querySelector('#request-message').textContent.startsWith('Sent')"
    )

    teacher = teacher_requests(web, m)
    opened = teacher.locator("li.request-item[data-status='open']").first
    opened.wait_for()
    row = teacher.locator(f'li.request-item[data-request="{opened.get_attribute("data-request")}"]')
    row.locator("input.request-comment-input").fill("Leave must be asked for in advance")
    row.locator('[data-action="decline"]').click()
    row.locator("text=Declined. The student is told.").wait_for()

    page.click("#tab-inbox")
    entry = page.locator("#inbox-list li.inbox-item", has_text="Request declined")
    entry.wait_for()
    assert "Leave must be asked for in advance" in entry.inner_text()
    web.shot(page, "01-student-inbox-declined")
    assert attendance(last.id, m["sam"])["status"] == "absent"
    (request,) = [
        r.to_dict() for r in admin.db().collection("requests").stream() if r.get("uid") == m["sam"]
    ]
    assert (request["mode"], request["session_ids"], request["status"]) == (
        "sessions",
        [last.id],
        "declined",
    )
