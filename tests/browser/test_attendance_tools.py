"""The web app's attendance tools against the whole local stack: the typed fallback
code (projector and student), the student's offline queue and inbox, the teacher's
rejected-scans list, overrides, and opening/closing a session from the dashboard.
Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import os
import time
import uuid

import pytest
import requests

from rollcall.clock import now
from rollcall.core import qr
from rollcall_ops import admin, auth_emulator
from tests.browser.conftest import PHONE, close_page, token_of_link
from tests.support import wait_for

pytestmark = pytest.mark.emulator

COURSE = admin.demo_course("webtools")
COURSE_NAME = "Software Project"
STUDENTS = 6
TEACHER = f"teacher-{COURSE}@rollcall.test".lower()
PASSWORD = admin.DEMO_PASSWORD
LIVE_UPDATE_SECONDS = 2.0


@pytest.fixture(scope="module")
def course(stack) -> str:
    admin.seed(COURSE, STUDENTS, course_name=COURSE_NAME)
    return COURSE


def open_session(rotation: int = 30) -> str:
    """A session opened now (by the admin path). Its typed code is accepted at once: the
    scan function re-reads the open sessions before it calls a code wrong."""
    return admin.open_session(COURSE, rotation=rotation, late_after=10, duration=60)


def has_record(session_id: str, uid: str) -> bool:
    return admin.db().document(f"sessions/{session_id}/attendance/{uid}").get().exists


def codes_now(session_id: str) -> set[str]:
    """The typed codes the backend accepts now (current and previous window)."""
    s = admin.load_session(session_id)
    w = qr.window_at(now().timestamp(), s.rotation_seconds)
    return {qr.typed_code(s.secret, s.id, w), qr.typed_code(s.secret, s.id, w - 1)}


def code_now(session_id: str) -> str:
    """The current window's code (valid for this window and the next)."""
    s = admin.load_session(session_id)
    return qr.typed_code(s.secret, s.id, qr.window_at(now().timestamp(), s.rotation_seconds))


def token_now(session_id: str) -> str:
    s = admin.load_session(session_id)
    return qr.mint(s.secret, s.id, qr.window_at(now().timestamp(), s.rotation_seconds))


def api_scan(email: str, device: str, *, token: str | None = None, code: str | None = None):
    id_token = auth_emulator.sign_in(email, PASSWORD)
    body = {"qr": token} if token is not None else {"code": code}
    return requests.post(
        os.environ["SCAN_URL"],
        json={**body, "device_id": device},
        headers={"Authorization": f"Bearer {id_token}"},
        timeout=15,
    )


def new_student(enrolled: bool = True, name: str | None = None) -> tuple[str, str, str]:
    """A fresh student (uid, email, name), enrolled in the course unless told not."""
    tag = uuid.uuid4().hex[:8]
    uid, email, name = f"web-{tag}", f"web-{tag}@rollcall.test", name or f"Guest {tag[:4]}"
    admin.ensure_user(uid, email, PASSWORD, name)
    if enrolled:
        admin.db().document(f"courses/{COURSE}/enrollments/{uid}").set(
            {"uid": uid, "name": name, "email": email}
        )
    return uid, email, name


def device() -> str:
    return f"test-device-{uuid.uuid4().hex[:12]}"


def teacher_projector(web, session_id: str):
    """The projector view: the QR code and the typed code, nothing personal."""
    page = web.page(f"/#/session/{session_id}")
    web.sign_in(page, TEACHER, PASSWORD)
    page.wait_for_selector("#qr[data-token] svg")
    page.wait_for_selector("#typed-code[data-code]")
    return page


def teacher_panel(web, session_id: str, roster: int | None = None):
    """The teacher's panel: counts, rejected scans, class list, overrides, close."""
    page = web.page(f"/#/session/{session_id}/panel")
    web.sign_in(page, TEACHER, PASSWORD)
    page.wait_for_selector("#roster-body")
    if roster:
        page.wait_for_function(
            "n => document.querySelectorAll('#roster-body tr').length >= n", arg=roster
        )
    return page


def student_page(web, email: str, device_id: str | None = None, clock: bool = False):
    page = web.page("/scan.html", device=PHONE, clock=clock)
    web.sign_in(page, email, PASSWORD)
    page.wait_for_selector("#typed-code")
    if device_id:
        page.evaluate("id => localStorage.setItem('rollcall.device_id', id)", device_id)
    return page


def type_code(page, code: str) -> None:
    page.fill("#typed-code", code)
    page.click("#typed-submit")


def live(page, script: str, arg=None) -> float:
    """Wait (at most LIVE_UPDATE_SECONDS) for a condition in the page; the seconds taken."""
    start = time.monotonic()
    page.wait_for_function(script, arg=arg, timeout=LIVE_UPDATE_SECONDS * 1000)
    return time.monotonic() - start


# ---- typed code ----------------------------------------------------------------------


def test_projector_shows_a_typed_code_a_student_types_and_is_accepted(web, course):
    session_id = open_session(rotation=30)
    teacher = teacher_projector(web, session_id)
    shown = teacher.get_attribute("#typed-code", "data-code")
    window = int(teacher.get_attribute("#typed-code", "data-window"))
    s = admin.load_session(session_id)
    assert shown == qr.typed_code(s.secret, s.id, window), "page and backend disagree"
    assert teacher.locator("#typed-code").inner_text() == f"{shown[:3]} {shown[3:]}"
    assert window == int(teacher.get_attribute("#qr", "data-window")), "code and QR rotate together"
    web.shot(teacher, "01-projector")

    student = student_page(web, admin.student_email(1))
    web.shot(student, "02-student-form")
    code = teacher.get_attribute("#typed-code", "data-code")  # the one on screen now
    assert code in codes_now(session_id)
    type_code(student, code)
    student.wait_for_selector("#result[data-state=accepted]")
    assert student.get_attribute("#result", "data-kind") == "code"
    assert student.locator("#result-title").inner_text() == "Checked in — present"
    assert teacher.locator("#count-total").inner_text() in ("0", "1")
    panel = teacher_panel(web, session_id, roster=STUDENTS)
    live(
        panel,
        """uid => document.querySelector(`#roster-body tr[data-uid="${uid}"]`)
            ?.dataset.status === 'present'
            && document.querySelector('#count-present').textContent === '1'""",
        admin.student_uid(1),
    )
    # A typed code names no session: the page learns it from the inbox entry, then
    # confirms the attendance record.
    student.wait_for_selector("#result-recorded[data-recorded=true]", timeout=15_000)
    web.shot(student, "03-student-accepted")
    teacher.wait_for_function("() => document.querySelector('#count-total').textContent === '1'")
    web.shot(teacher, "04-projector")
    web.shot(panel, "05-panel", full_page=True)


def test_wrong_and_too_many_wrong_codes_say_so(web, course):
    session_id = open_session(rotation=30)
    _, email, _ = new_student()
    student = student_page(web, email)
    wrong = next(c for c in ("000000", "111111", "222222") if c not in codes_now(session_id))

    # letters or too few digits: the page asks for six digits, nothing is sent
    type_code(student, "12a4")
    assert "6 digits" in student.locator("#typed-error").inner_text()
    assert student.locator("#result").count() == 0

    type_code(student, wrong)
    student.wait_for_selector("#result[data-state=rejected]")
    assert student.get_attribute("#result", "data-code") == "qr_invalid"
    assert student.locator("#result-title").inner_text() == "Wrong code"
    assert "six digits" in student.locator("#result-detail").inner_text()
    web.shot(student, "01-wrong-code")

    # Ten wrong codes in five minutes: the server refuses even to compare (429).
    for _ in range(10):
        r = api_scan(email, device(), code=wrong)
        if r.status_code == 429:
            break
        assert r.json()["error"]["code"] == "qr_invalid", r.text
    student.click("#scan-again")
    type_code(student, wrong)
    student.wait_for_selector("#result[data-state=rejected][data-code=rate_limited]")
    assert student.locator("#result-title").inner_text() == "Too many wrong codes"
    assert "Wait a few minutes" in student.locator("#result-detail").inner_text()
    web.shot(student, "02-rate-limited")


# ---- teacher: rejected scans and overrides ----------------------------------------------


def test_rejected_scans_appear_for_the_teacher(web, course):
    session_id = open_session(rotation=60)
    teacher = teacher_panel(web, session_id, roster=STUDENTS)
    assert teacher.locator("#rejections-count").inner_text() == "0"
    assert "No rejected scans" in teacher.locator("#rejections-body").inner_text()

    # Student 2 checks in from a phone; student 3 then tries from the same phone.
    shared = device()
    assert api_scan(admin.student_email(2), shared, token=token_now(session_id)).status_code == 202
    student = student_page(web, admin.student_email(3), device_id=shared)
    student.click("#paste summary")
    student.fill("#code", token_now(session_id))
    student.click("#code-submit")
    student.wait_for_selector("#result[data-state=rejected]")
    refused = time.monotonic()
    assert student.get_attribute("#result", "data-code") == "device_in_use"
    assert student.locator("#result-title").inner_text() == "Device already used"
    web.shot(student, "01-device-in-use")

    row = f'#rejections-body tr[data-uid="{admin.student_uid(3)}"][data-code="device_in_use"]'
    teacher.wait_for_selector(row, timeout=LIVE_UPDATE_SECONDS * 1000)
    assert time.monotonic() - refused <= LIVE_UPDATE_SECONDS
    text = teacher.locator(row).inner_text()
    assert "Student 003" in text
    assert f"{shared[:4]}…{shared[-4:]}" in text
    # whose phone it was: looked up in the session's device bindings
    teacher.wait_for_function(
        "sel => document.querySelector(sel)?.textContent.includes('Student 002')", arg=row
    )

    # Someone not on the class list scans the code on the screen.
    outsider = f"outsider-{uuid.uuid4().hex[:8]}@rollcall.test"
    outsider_uid, _ = auth_emulator.sign_up(outsider, PASSWORD)
    r = api_scan(outsider, device(), token=token_now(session_id))
    assert r.json()["error"]["code"] == "not_enrolled"
    live(
        teacher,
        'uid => !!document.querySelector(`#rejections-body tr[data-uid="${uid}"]`)',
        outsider_uid,
    )
    outsider_row = teacher.locator(f'#rejections-body tr[data-uid="{outsider_uid}"]')
    assert "Not on the class list" in outsider_row.inner_text()
    # known by the email of their sign-in, never by the account id alone
    assert outsider in outsider_row.inner_text()
    assert outsider_uid not in outsider_row.inner_text()
    assert "Not enrolled in this course" in outsider_row.inner_text()
    assert outsider_row.locator("button.copy-email").count() == 1
    assert teacher.locator("#rejections-count").inner_text() == "2"
    teacher.locator("section.rejections").scroll_into_view_if_needed()
    web.shot(teacher, "02-teacher-rejections", full_page=True)


def test_override_with_a_reason_changes_status_and_counts(web, course):
    session_id = open_session(rotation=60)
    teacher = teacher_panel(web, session_id, roster=STUDENTS)
    uid = admin.student_uid(4)
    for i in (4, 5):
        r = api_scan(admin.student_email(i), device(), token=token_now(session_id))
        assert r.status_code == 202, r.text
    row = f'#roster-body tr[data-uid="{uid}"]'
    teacher.wait_for_function(
        """() => document.querySelector('#count-present').textContent === '2'""", timeout=10_000
    )
    # The counts come from the dashboard consumer, the row from the attendance consumer:
    # independent, so the row may follow the counts by a moment.
    teacher.wait_for_function(
        f"""() => document.querySelector('{row}')?.dataset.status === 'present'""",
        timeout=10_000,
    )
    # a rejected scan too, so the live panel shows both tools
    outsider = f"outsider-{uuid.uuid4().hex[:8]}@rollcall.test"
    auth_emulator.sign_up(outsider, PASSWORD)
    api_scan(outsider, device(), token=token_now(session_id))

    teacher.click(f"{row} button.override-open")
    dialog = teacher.locator("#override-dialog")
    dialog.wait_for()
    assert "Student 004" in teacher.locator("#override-title").inner_text()
    assert "Now: Present" in teacher.locator("#override-student").inner_text()
    # a reason is required
    teacher.check('#override-dialog input[value="excused"]')
    teacher.click("#override-submit")
    assert "reason" in teacher.locator("#override-error").inner_text()
    teacher.fill("#override-reason", "Doctor's note for the morning")
    web.shot(teacher, "01-override-dialog")
    teacher.click("#override-submit")
    saved = time.monotonic()
    dialog.wait_for(state="hidden")

    teacher.wait_for_function(
        """([uid, enrolled]) => {
            const row = document.querySelector(`#roster-body tr[data-uid="${uid}"]`);
            return row?.dataset.status === 'excused' && row.dataset.source === 'override'
              && document.querySelector('#count-excused').textContent === '1'
              && document.querySelector('#count-present').textContent === '1'
              && document.querySelector('#count-total').textContent === '1'
              && document.querySelector('#count-missing').textContent === String(enrolled - 2);
        }""",
        arg=[uid, len(admin.roster(COURSE))],
        timeout=LIVE_UPDATE_SECONDS * 1000,
    )
    assert time.monotonic() - saved <= LIVE_UPDATE_SECONDS
    assert "Doctor's note for the morning" in teacher.locator(row).inner_text()
    assert "Excused" in teacher.locator(row).inner_text()
    assert "1 excused" in teacher.locator("#roster-note").inner_text()
    record = admin.db().document(f"sessions/{session_id}/attendance/{uid}").get().to_dict()
    assert record["status"] == "excused"
    assert record["previous_status"] == "present"
    assert record["by"] == f"teacher-{COURSE}"

    # A student who never scanned is marked absent.
    absent_uid = admin.student_uid(6)
    teacher.click(f'#roster-body tr[data-uid="{absent_uid}"] button.override-open')
    teacher.check('#override-dialog input[value="absent"]')
    teacher.fill("#override-reason", "Away all week")
    teacher.click("#override-submit")
    live(
        teacher,
        """uid => document.querySelector(`#roster-body tr[data-uid="${uid}"]`)?.dataset.status
              === 'absent' && document.querySelector('#count-absent').textContent === '1'""",
        absent_uid,
    )
    teacher.wait_for_function(
        "() => document.querySelectorAll('#rejections-body tr[data-code]').length === 1"
    )
    web.shot(teacher, "02-live-panel", full_page=True)


# ---- student: offline queue and inbox ----------------------------------------------------


def test_offline_scan_is_pending_then_delivered_when_back_online(web, course):
    session_id = open_session(rotation=60)
    student = student_page(web, admin.student_email(2), clock=True)
    code = code_now(session_id)

    student.context.set_offline(True)
    student.wait_for_function("() => navigator.onLine === false")
    taken = time.monotonic()
    type_code(student, code)
    student.wait_for_selector("#result[data-state=pending]")
    assert student.locator("#result-title").inner_text() == "No connection: pending"
    assert "Waiting for the connection" in student.locator("#next-try").inner_text()
    web.shot(student, "01-pending")
    stored = student.evaluate("JSON.parse(localStorage.getItem('rollcall.scan_queue.v1'))")
    assert [(e["kind"], e["value"]) for e in stored["pending"]] == [("code", code)]
    assert stored["pending"][0]["device_id"] and stored["pending"][0]["taken_at"]

    # Still pending (nothing decides it while offline); back on the check-in form it says so.
    assert student.get_attribute("#result", "data-state") == "pending"
    student.click("#scan-again")
    student.wait_for_selector("#outbox .outbox-pending")
    assert "1 scan waiting" in student.locator("#outbox").inner_text()
    web.shot(student, "02-pending-on-form")
    assert not has_record(session_id, admin.student_uid(2))

    # The phone stays offline for a while (its clock moves on 6 s; the server's does not,
    # so the code is still valid when it arrives). Back online: the scan goes out at
    # once, its outcome replaces the form, and it says it was delivered late.
    student.clock.fast_forward(6_000)
    assert student.get_attribute("#outbox .outbox-pending", "data-count") == "1"
    student.context.set_offline(False)
    student.wait_for_selector("#result[data-state=accepted]", timeout=10_000)
    assert time.monotonic() - taken < 30, "within the code's validity: accepted"
    assert student.locator("#result-title").inner_text() == "Checked in — present"
    assert "delivered at" in student.locator("#result-delay").inner_text()
    web.shot(student, "03-delivered")
    stored = student.evaluate("JSON.parse(localStorage.getItem('rollcall.scan_queue.v1'))")
    assert stored["pending"] == []
    assert stored["done"][-1]["state"] == "accepted"
    student.wait_for_selector("#result-recorded[data-recorded=true]", timeout=15_000)


def test_pending_scan_survives_closing_the_page(web, course):
    """The outbox is kept on the phone: a scan that could not be sent is sent by the
    next visit, and the student sees what became of it."""
    session_id = open_session(rotation=60)
    page = student_page(web, admin.student_email(3))
    scan_url = os.environ["SCAN_URL"] + "**"
    page.route(scan_url, lambda route: route.abort("internetdisconnected"))
    page.click("#paste summary")
    page.fill("#code", token_now(session_id))
    page.click("#code-submit")
    page.wait_for_selector("#result[data-state=pending]")
    context = page.context
    close_page(page)

    again = context.new_page()
    again.goto(f"{web.url}/scan.html")
    again.wait_for_selector("#result[data-state=accepted]", timeout=15_000)
    web.shot(again, "01-delivered-next-visit")
    # "accepted" is the scan function's answer; the attendance consumer writes the record
    # after it: wait for it.
    assert wait_for(lambda: has_record(session_id, admin.student_uid(3)))


def test_inbox_shows_the_entry_after_a_scan(web, course):
    session_id = open_session(rotation=60)
    uid, email, _ = new_student(name="Ines Inbox")
    student = student_page(web, email)
    student.click("#tab-inbox")
    student.wait_for_selector("#inbox-empty")
    student.click("#tab-scan")
    student.click("#paste summary")
    student.fill("#code", token_now(session_id))
    student.click("#code-submit")
    student.wait_for_selector("#result[data-state=accepted]")
    # the notify consumer writes the entry; the unread badge follows it
    student.wait_for_function(
        "() => document.querySelector('#inbox-unread').textContent === '1'", timeout=15_000
    )
    student.click("#open-inbox")
    item = student.locator(f'#inbox-list li.inbox-item[data-session="{session_id}"]')
    item.wait_for()
    assert item.get_attribute("data-read") == "false"
    assert "Attendance recorded" in item.inner_text()
    assert "marked present" in item.inner_text()
    web.shot(student, "01-inbox-unread")

    item.locator("button.mark-read").click()
    student.wait_for_selector(
        f'#inbox-list li.inbox-item[data-session="{session_id}"][data-read="true"]'
    )
    assert student.locator("#inbox-unread").inner_text() == "0"
    # the write reaches the server (the rules let a student change `read` only)
    wait_for(lambda: admin.db().document(f"users/{uid}/inbox/{session_id}").get().get("read"))
    web.shot(student, "02-inbox-read")


# ---- teacher: open and close a session ------------------------------------------------------


def test_teacher_opens_and_closes_a_session_from_the_dashboard(web, course):
    page = web.page(f"/#/course/{COURSE}")
    web.sign_in(page, TEACHER, PASSWORD)
    card = page.locator(f'article[data-course="{COURSE}"]')
    card.locator("button.open-session-toggle").click()
    form = page.locator(f'form.open-session[data-course="{COURSE}"]')
    form.wait_for()

    # out of range: refused in the page, nothing written
    page.fill(f"#rotation-{COURSE}", "3")
    form.locator("button[type=submit]").click()
    assert "from 5 to 300" in form.locator(".form-error").inner_text()

    # the kind: theory unless the teacher picks another (an extra practical here)
    assert page.locator(f"#kind-{COURSE}").input_value() == "theory"
    assert page.locator(f"#kind-{COURSE} option").all_inner_texts() == [
        "Theory", "Practical", "Tutorial",
    ]  # fmt: skip
    page.select_option(f"#kind-{COURSE}", "practical")
    page.fill(f"#rotation-{COURSE}", "15")
    page.fill(f"#late-{COURSE}", "5")
    page.fill(f"#duration-{COURSE}", "45")
    web.shot(page, "01-open-form")
    form.locator("button[type=submit]").click()
    page.wait_for_function("() => location.hash.startsWith('#/session/')")
    session_id = page.evaluate("() => location.hash").rsplit("/", 1)[1]
    page.wait_for_selector("#qr[data-token] svg")
    page.wait_for_selector("#typed-code[data-code]")

    doc = admin.db().document(f"sessions/{session_id}").get().to_dict()
    assert set(doc) == {
        "course_id", "teacher_uid", "secret", "rotation_seconds", "late_after_minutes",
        "starts_at", "ends_at", "status", "opened_at", "kind",
    }  # fmt: skip
    assert doc["kind"] == "practical"
    assert (doc["course_id"], doc["teacher_uid"]) == (COURSE, f"teacher-{COURSE}")
    assert doc["status"] == "open"
    assert (doc["rotation_seconds"], doc["late_after_minutes"]) == (15, 5)
    assert len(doc["secret"]) == 43
    assert (doc["ends_at"] - doc["starts_at"]).total_seconds() == 45 * 60
    assert abs((doc["opened_at"] - doc["starts_at"]).total_seconds()) < 10
    web.shot(page, "02-projector")

    # the course's list of open sessions says its kind
    listing = page.context.new_page()
    listing.goto(page.url.split("#")[0] + f"#/course/{COURSE}")
    meta = listing.locator(f'li:has([data-session="{session_id}"]) .session-meta')
    meta.wait_for()
    assert meta.get_attribute("data-kind") == "practical"
    assert meta.inner_text().startswith("Practical · ")
    web.shot(listing, "02-session-list")

    # The backend accepts what the projector shows: the QR token and the typed code.
    token, shown = web.shown_qr(page)
    assert token_of_link(shown) == token
    r = api_scan(admin.student_email(1), device(), token=token)
    assert r.status_code == 202, r.text
    code = page.get_attribute("#typed-code", "data-code")
    r = api_scan(admin.student_email(2), device(), code=code)
    assert r.status_code == 202, r.text
    page.wait_for_function(
        "() => document.querySelector('#count-total').textContent === '2'", timeout=10_000
    )

    # The teacher's panel opens in a window of its own (the projector keeps the room's
    # view); close there: two steps, then the projector stops showing codes. The close
    # goes to the close endpoint, which marks everyone without a status absent.
    with page.context.expect_page() as opened:
        page.click("#open-panel")
    panel = opened.value
    panel.wait_for_selector("#close-session")
    assert "/panel" in panel.url
    panel.click("#close-session")
    panel.wait_for_selector("#close-confirm")
    web.shot(panel, "03-close-confirm")
    panel.click("#close-confirm")
    page.wait_for_selector("#projector[data-state=stopped]")
    assert page.locator("#session-state").inner_text() == "This session is closed."
    assert page.locator("#typed-code").inner_text() == ""
    panel.wait_for_selector("#panel-head[data-state=stopped]")
    assert panel.locator("#close-session").count() == 0
    assert panel.locator("#close-result").inner_text().startswith("Closed.")
    closed = admin.db().document(f"sessions/{session_id}").get().to_dict()
    assert closed["status"] == "closed" and closed["closed_at"]
    assert closed["closed_by"] == f"teacher-{COURSE}"  # by the endpoint, not a client write
    enrolled = len(list(admin.db().collection(f"courses/{COURSE}/enrollments").stream()))
    panel.wait_for_function(
        "n => document.querySelector('#count-absent').textContent === String(n)"
        " && document.querySelector('#close-result').dataset.state === 'marked'",
        arg=enrolled - 2,
        timeout=30_000,
    )
    assert panel.locator("#close-result").inner_text() == f"Closed. {enrolled - 2} absences marked."
    # the figures count it as a practical (the course's only one; the other tests' are theory)
    fig = admin.db().document(f"courses/{COURSE}/students/{admin.student_uid(1)}")

    def practical() -> dict:
        return ((fig.get().to_dict() or {}).get("by_kind") or {}).get("practical") or {}

    wait_for(lambda: practical().get("held") == 1, timeout=60)
    assert practical()["percent"] == 100.0
    # and the course's closed sessions say it was a practical
    listing.click("#past-sessions summary")
    past = listing.locator(f'#past-sessions-list li.past-session[data-session="{session_id}"]')
    past.wait_for()
    assert past.get_attribute("data-kind") == "practical"
    assert past.locator(".past-kind").inner_text() == "Practical"
    past.scroll_into_view_if_needed()
    web.shot(listing, "04-closed-sessions")
    close_page(listing)
    web.shot(panel, "04-closed")
    web.shot(page, "05-projector-closed")

    # ... and the course page no longer lists it as open.
    page.click("text=← My courses")
    page.wait_for_function(
        'c => { const s = document.querySelector(`[data-course="${c}"] .sessions`);'
        " return s && !s.textContent.includes('Loading'); }",
        arg=COURSE,
    )
    assert page.locator(f'a[data-session="{session_id}"]').count() == 0
