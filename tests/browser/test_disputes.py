"""Disputes and "tried but refused" in the browser, against the whole local stack.

(a) Before the close: the projector shows how many tried and were refused without
    checking in, per reason and without names; the teacher's panel names them; a
    student who then checks in leaves both.
(b) A student refused at the door and marked absent at the close disputes it from the
    phone; the teacher sees the refused scans and the phone beside the dispute in the
    course view and accepts; the student's page shows the dispute accepted and the
    session present.
Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import os
import uuid

import pytest
import requests

from rollcall.clock import now
from rollcall.core import qr
from rollcall_ops import admin, auth_emulator
from tests.browser.conftest import PHONE
from tests.support import attendance, wait_for

pytestmark = pytest.mark.emulator

COURSE = admin.demo_course("disputes")
COURSE_NAME = "Computer Networks"
TEACHER = f"teacher-{COURSE}@rollcall.test".lower()
PASSWORD = admin.DEMO_PASSWORD
SLOW = 30_000


@pytest.fixture(scope="module")
def course(stack) -> str:
    admin.seed(COURSE, 2, course_name=COURSE_NAME)
    return COURSE


def new_student(name: str) -> tuple[str, str, str]:
    tag = uuid.uuid4().hex[:8]
    uid, email = f"dsp-{tag}", f"dsp-{tag}@rollcall.test"
    admin.ensure_user(uid, email, PASSWORD, name)
    admin.db().document(f"courses/{COURSE}/enrollments/{uid}").set(
        {"uid": uid, "name": name, "email": email, "roll_no": str(int(tag[:4], 16) % 90 + 10)}
    )
    return uid, email, name


def token(session_id: str, windows_ago: int = 0) -> str:
    s = admin.load_session(session_id)
    window = qr.window_at(now().timestamp(), s.rotation_seconds) - windows_ago
    return qr.mint(s.secret, s.id, window)


def api_scan(email: str, qr_token: str, device: str) -> requests.Response:
    id_token = auth_emulator.sign_in(email, PASSWORD)
    return requests.post(
        os.environ["SCAN_URL"],
        json={"qr": qr_token, "device_id": device},
        headers={"Authorization": f"Bearer {id_token}"},
        timeout=15,
    )


def refused(email: str, session_id: str, device: str) -> None:
    resp = api_scan(email, token(session_id, windows_ago=3), device)
    assert resp.json()["error"]["code"] == "qr_expired", resp.text


def teacher(web, path: str):
    page = web.page(path)
    page.set_default_timeout(SLOW)
    web.sign_in(page, TEACHER, PASSWORD)
    return page


def test_projector_counts_who_tried_and_the_panel_names_them_until_they_check_in(web, course):
    session_id = admin.open_session(COURSE, rotation=30, late_after=10, duration=60)
    ana = new_student("Ana Tried")
    bo = new_student("Bo Tried")
    cy = new_student("Cy Wrongcode")
    projector = teacher(web, f"/#/session/{session_id}")
    projector.wait_for_selector("#qr[data-token] svg")
    panel = teacher(web, f"/#/session/{session_id}/panel")
    panel.wait_for_selector("#tried")

    refused(ana[1], session_id, "ana-phone")
    refused(bo[1], session_id, "bo-phone")
    forged = token(session_id).rsplit(".", 1)[0] + ".AAAAAAAAAAAAAAAA"
    assert api_scan(cy[1], forged, "cy-phone").json()["error"]["code"] == "qr_invalid"

    projector.wait_for_selector('#tried-counts li[data-code="qr_expired"][data-count="2"]')
    projector.wait_for_selector('#tried-counts li[data-code="qr_invalid"][data-count="1"]')
    counts = projector.locator("#tried-counts li").all_inner_texts()
    assert counts == ["2 tried: code expired", "1 tried: code not recognised"]
    room = projector.locator("#projector").inner_text()
    for _, _, name in (ana, bo, cy):
        assert name not in room  # the room's screen shows counts, never names
    web.shot(projector, "01-projector-tried")

    panel.wait_for_function("() => document.querySelectorAll('#tried-list li').length === 3")
    # The names come from each student's enrollment, looked up after the list appears.
    panel.wait_for_function(
        "() => [...document.querySelectorAll('#tried-list .student-name')]"
        ".every(n => n.textContent !== 'Unknown account')"
    )
    names = panel.locator("#tried-list .student-name").all_inner_texts()
    assert sorted(names) == ["Ana Tried", "Bo Tried", "Cy Wrongcode"]
    ana_row = panel.locator(f'#tried-list li[data-uid="{ana[0]}"]')
    assert "Code had already changed" in ana_row.inner_text()
    assert ana_row.get_by_role("button", name="Change attendance of Ana Tried").is_visible()
    web.shot(panel, "02-panel-tried")

    # Ana checks in after all: she leaves the list and the count.
    assert api_scan(ana[1], token(session_id), "ana-phone").status_code == 202
    projector.wait_for_selector('#tried-counts li[data-code="qr_expired"][data-count="1"]')
    panel.wait_for_function("() => document.querySelectorAll('#tried-list li').length === 2")
    assert panel.locator(f'#tried-list li[data-uid="{ana[0]}"]').count() == 0
    web.shot(projector, "03-projector-after-check-in")
    web.shot(panel, "04-panel-after-check-in")

    # Closed: the room's counts go (the session is over; the absences are marked).
    admin.close_session(session_id)
    projector.wait_for_selector("#tried-counts", state="detached")
    # The close has read the class list it marks absent: a student the next test
    # enrolls is not in it (else they would be absent here too, once the close gets to it).
    session = admin.db().document(f"sessions/{session_id}")
    wait_for(lambda: (session.get().to_dict() or {}).get("absences_marked_at"), timeout=60)
    assert web.errors == []


def test_a_student_disputes_from_the_phone_and_the_teacher_accepts_on_the_evidence(web, course):
    uid, email, name = new_student("Dee Disputes")
    # An earlier session: Dee checked in with her phone.
    earlier = admin.open_session(COURSE, rotation=30, late_after=10, duration=60)
    assert api_scan(email, token(earlier), "dee-phone").status_code == 202
    wait_for(lambda: attendance(earlier, uid))
    admin.close_session(earlier)
    # Today the same phone is refused twice ("the code had already changed"); the close
    # marks her absent.
    session_id = admin.open_session(COURSE, rotation=30, late_after=10, duration=60)
    refused(email, session_id, "dee-phone")
    refused(email, session_id, "dee-phone")
    rejection = admin.db().document(f"sessions/{session_id}/rejections/{uid}__qr_expired")
    wait_for(lambda: (rejection.get().to_dict() or {}).get("count") == 2)  # the held one too
    admin.close_session(session_id)
    wait_for(lambda: (attendance(session_id, uid) or {}).get("status") == "absent")
    figures = admin.db().document(f"courses/{COURSE}/students/{uid}")
    wait_for(lambda: session_id in ((figures.get().to_dict() or {}).get("sessions") or {}), 30)

    # The student disputes from the phone.
    phone = web.page("/scan.html", device=PHONE)
    phone.set_default_timeout(SLOW)
    web.sign_in(phone, email, PASSWORD)
    phone.wait_for_selector("#typed-code")
    phone.click("#tab-attendance")
    row = phone.locator(f'li.my-dispute[data-session="{session_id}"]')
    row.locator(".dispute-open").click()
    row.locator("textarea.dispute-note").fill("I was in the room; the code kept saying expired.")
    web.shot(phone, "05-student-writes-dispute", full_page=True)
    row.locator(".dispute-send").click()
    phone.wait_for_selector(f'li.my-dispute[data-session="{session_id}"][data-dispute="open"]')
    assert row.locator(".dispute-state").inner_text() == "Dispute sent: waiting for your teacher"
    web.shot(phone, "06-student-dispute-sent", full_page=True)

    # The teacher sees it with the evidence, and accepts.
    ident = f"{session_id}__{uid}"
    view = teacher(web, f"/#/course/{COURSE}")
    item = view.locator(f'#dispute-list li[data-dispute="{ident}"]')
    item.locator(".evidence-rejection").first.wait_for()
    text = item.inner_text()
    assert "Dee Disputes" in text and "I was in the room" in text
    assert "Refused twice" in text and "Code had already changed" in text
    assert "Same phone as this student's check-ins since" in text
    assert "Marked absent at the close." in text
    assert view.locator("#disputes-count").inner_text() == "1"
    item.scroll_into_view_if_needed()
    web.shot(view, "07-teacher-dispute-evidence")
    item.locator(".dispute-comment").fill("Seen in the room")
    item.locator(".dispute-accept-present").click()
    view.wait_for_selector(f'#dispute-list li[data-dispute="{ident}"][data-status="accepted"]')
    assert "Accepted: now present" in item.inner_text()
    web.shot(view, "08-teacher-dispute-accepted")

    # The record follows through the override path; the student's page shows it live.
    wait_for(lambda: (attendance(session_id, uid) or {}).get("status") == "present")
    phone.wait_for_selector(f'li.my-dispute[data-session="{session_id}"][data-dispute="accepted"]')
    assert row.locator(".dispute-state").inner_text() == "Dispute accepted: now present"
    card = phone.locator(f'article.my-course[data-course="{COURSE}"]')
    absent = f'article.my-course[data-course="{COURSE}"] .my-count.count-absent dd'
    phone.wait_for_function("s => document.querySelector(s)?.textContent === '0'", arg=absent)
    assert card.locator(".my-count.count-present dd").inner_text() == "2"
    web.shot(phone, "09-student-dispute-accepted", full_page=True)
    assert web.errors == []
