"""The web app in a real browser against the whole local stack: the teacher's
projector view (QR computed in the page, rotating), the teacher's panel fed by the
pipeline, and the student's scan page with its outcomes. Screenshots of every screen
go to test-artifacts/browser/."""

from __future__ import annotations

import os
import time

import pytest
import requests

from rollcall.clock import now
from rollcall.core import qr
from rollcall_ops import admin, auth_emulator
from tests.browser.conftest import (
    PHONE,
    close_context,
    launch,
    pump_until,
    token_of_link,
    write_y4m,
)

pytestmark = pytest.mark.emulator

COURSE = admin.demo_course("webui")
STUDENTS = 5
TEACHER = f"teacher-{COURSE}@rollcall.test".lower()
PASSWORD = admin.DEMO_PASSWORD
LIVE_UPDATE_SECONDS = 2.0


@pytest.fixture(scope="module")
def course(stack) -> str:
    admin.seed(COURSE, STUDENTS, course_name="Web Engineering")
    return COURSE


def open_session(course_id: str, rotation: int = 5) -> str:
    return admin.open_session(course_id, rotation=rotation, late_after=10, duration=60)


def token_at(session_id: str, windows_ago: int = 0) -> str:
    session = admin.load_session(session_id)
    window = qr.window_at(now().timestamp(), session.rotation_seconds) - windows_ago
    return qr.mint(session.secret, session.id, window)


def open_projector(web, course_id: str, session_id: str):
    """The teacher signs in, opens the course, and shows the session's code."""
    page = web.page("/")
    page.wait_for_selector("#signin-email")
    web.shot(page, "01-teacher-signin")
    web.sign_in(page, TEACHER, PASSWORD)
    page.goto(f"{web.url}/#/course/{course_id}")
    link = page.locator(f'a[data-session="{session_id}"]')
    link.wait_for()
    web.shot(page, "02-course")
    link.click()
    page.wait_for_selector("#qr[data-token] svg")
    return page


def open_panel(web, session_id: str):
    """The teacher's panel of the session, signed in, its class list loaded."""
    page = web.page(f"/#/session/{session_id}/panel")
    web.sign_in(page, TEACHER, PASSWORD)
    page.wait_for_function(
        "n => document.querySelectorAll('#roster-body tr').length === n", arg=STUDENTS
    )
    return page


def scan(token: str, email: str) -> requests.Response:
    id_token = auth_emulator.sign_in(email, PASSWORD)
    return requests.post(
        os.environ["SCAN_URL"],
        json={"qr": token, "device_id": "browser-test"},
        headers={"Authorization": f"Bearer {id_token}"},
        timeout=15,
    )


def student_page(web, email: str = admin.student_email(1)):
    page = web.page("/scan.html", device=PHONE)
    page.wait_for_selector("#signin-email")
    web.shot(page, "student-signin")
    web.sign_in(page, email, PASSWORD)
    page.wait_for_selector("#typed-code")
    return page


def submit_code(page, token: str) -> None:
    """Paste a token (or link) into the scan page's paste field (under a disclosure,
    below the camera and the typed 6-digit code)."""
    if not page.locator("#paste").evaluate("d => d.open"):
        page.click("#paste summary")
    page.fill("#code", token)
    page.click("#code-submit")


def test_teacher_sees_own_courses(web, course):
    session_id = open_session(course)
    page = web.page("/")
    web.sign_in(page, TEACHER, PASSWORD)
    try:
        page.locator(f'[data-course="{course}"] a[data-session="{session_id}"]').wait_for(
            timeout=5000
        )
    finally:
        web.shot(page, "courses")


def test_projector_shows_a_rotating_code_the_backend_accepts(web, course):
    session_id = open_session(course, rotation=5)
    page = open_projector(web, course, session_id)
    web.shot(page, "03-projector")

    # What is on the screen: the short link to the scan page carrying the token.
    token, link = web.shown_qr(page)
    window = int(page.get_attribute("#qr", "data-window"))
    assert token in {token_at(session_id), token_at(session_id, 1)}, "page and backend disagree"
    assert link is not None, "the QR code on screen did not decode"
    assert link.startswith(f"{web.url}/c#") and token_of_link(link) == token
    assert link == page.get_attribute("#qr", "data-link")
    assert page.locator("#count-total").inner_text() == "0"
    assert "New code in" in page.locator("#countdown").inner_text()

    resp = scan(token_of_link(link), admin.student_email(2))
    assert resp.status_code == 202, resp.text

    # After a rotation (5 s) the page shows a new code, still genuine.
    page.wait_for_function(
        "w => Number(document.querySelector('#qr').dataset.window) > w", arg=window, timeout=8000
    )
    rotated, shown = web.shown_qr(page)
    assert rotated != token
    assert rotated in {token_at(session_id), token_at(session_id, 1)}
    assert token_of_link(shown) == rotated
    web.shot(page, "04-projector-rotated")

    # The scan made above shows up in the live panel.
    page.wait_for_function("() => document.querySelector('#count-total').textContent === '1'")
    web.shot(page, "05-projector-page", full_page=True)

    # Full screen: the code and the count only (no class list on the projector).
    page.click("#fullscreen")
    page.wait_for_function("() => document.fullscreenElement?.id === 'projector'")
    web.shot(page, "06-projector-fullscreen")
    assert web.decode_qr(page) is not None


#: Records which rows of the class list change (and whether rows come and go).
WATCH_ROSTER = """() => {
  const body = document.querySelector('#roster-body');
  const seen = { rows: new Set(), added: 0, removed: 0 };
  window.__roster = seen;
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.target === body) {
        seen.added += r.addedNodes.length;
        seen.removed += r.removedNodes.length;
      } else {
        const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
        seen.rows.add(el.closest('tr')?.dataset.uid);
      }
    }
  }).observe(body, { subtree: true, childList: true, attributes: true, characterData: true });
}"""


def test_student_scan_updates_the_live_panel(web, course):
    session_id = open_session(course, rotation=5)
    teacher = open_panel(web, session_id)
    student_uid = admin.student_uid(1)
    row = f'#roster-body tr[data-uid="{student_uid}"]'
    assert teacher.get_attribute(row, "data-status") == "missing"
    assert teacher.locator("#count-present").inner_text() == "0"

    student = student_page(web)
    web.shot(student, "01-student-ready")
    teacher.evaluate(WATCH_ROSTER)
    submit_code(student, token_at(session_id))
    student.wait_for_selector("#result[data-state=accepted]")
    accepted = time.monotonic()
    assert student.get_attribute("#result", "data-status") == "present"
    assert "present" in student.locator("#result-title").inner_text()

    teacher.wait_for_function(
        """uid => document.querySelector('#count-present').textContent === '1'
            && document.querySelector('#count-total').textContent === '1'
            && document.querySelector(`#roster-body tr[data-uid="${uid}"]`)
                   ?.dataset.status === 'present'""",
        arg=student_uid,
        timeout=LIVE_UPDATE_SECONDS * 1000,
    )
    elapsed = time.monotonic() - accepted
    assert elapsed <= LIVE_UPDATE_SECONDS, elapsed
    # The class list is updated in place, by uid: the scanned student's row changed,
    # no other row did, and no row was rebuilt.
    changed = teacher.evaluate(
        "() => ({rows: [...window.__roster.rows], added: window.__roster.added,"
        " removed: window.__roster.removed})"
    )
    assert changed == {"rows": [student_uid], "added": 0, "removed": 0}
    assert teacher.locator("#count-missing").inner_text() == str(STUDENTS - 1)
    assert teacher.locator("#arrivals-chart rect.chart-bar").count() == 1
    web.shot(teacher, "02-teacher-live", full_page=True)

    # The student's page confirms once the attendance record is written.
    student.wait_for_selector("#result-recorded[data-recorded=true]")
    web.shot(student, "02-student-accepted")

    # The class list filter shows who has not arrived yet.
    teacher.click('button[data-filter="missing"]')
    assert teacher.locator("#roster-body tr").count() == STUDENTS - 1
    web.shot(teacher, "03-teacher-not-yet", full_page=True)


REJECTIONS = {
    "garbage": ("qr_invalid", "Not a valid Rollcall code"),
    "expired": ("qr_expired", "This code has expired"),
    "closed": ("session_closed", "This session is closed"),
    "not-enrolled": ("not_enrolled", "You are not on the class list"),
}


@pytest.mark.parametrize("case", list(REJECTIONS))
def test_rejected_scan_shows_the_reason(web, course, case):
    code, title = REJECTIONS[case]
    email = admin.student_email(3)
    if case == "garbage":
        token = "this is not a code"
    elif case == "expired":
        token = token_at(open_session(course), windows_ago=3)
    elif case == "closed":
        session_id = open_session(course)
        admin.close_session(session_id)
        token = token_at(session_id)
    else:
        email = f"outsider-{int(time.time() * 1000)}@rollcall.test"
        auth_emulator.sign_up(email, PASSWORD)
        auth_emulator.verify_email(
            email, PASSWORD
        )  # an unverified account is asked to verify first
        token = token_at(open_session(course))

    student = student_page(web, email)
    submit_code(student, token)
    student.wait_for_selector("#result[data-state=rejected]")
    web.shot(student, "rejected")
    assert student.get_attribute("#result", "data-code") == code
    assert student.locator("#result-title").inner_text() == title
    assert "Not recorded" in student.locator("#result").inner_text()

    # The student can go back and try again.
    student.click("#result button")
    student.wait_for_selector("#typed-code")


def test_scan_link_checks_in_after_sign_in(web, course):
    """A phone's own camera app opens the link in the QR code: the scan page keeps the
    token through the sign-in and then checks in."""
    session_id = open_session(course, rotation=30)
    email = admin.student_email(4)
    page = web.page(f"/scan.html#{token_at(session_id)}", device=PHONE)
    page.wait_for_selector("#signin-email")
    assert "#" not in page.url, "the token stays out of the address bar (and of reloads)"
    web.shot(page, "01-signin-with-code")
    web.sign_in(page, email, PASSWORD)
    page.wait_for_selector("#result[data-state=accepted]")
    page.wait_for_selector("#result-recorded[data-recorded=true]")
    web.shot(page, "02-accepted")
    assert admin.db().document(f"sessions/{session_id}/attendance/{admin.student_uid(4)}").get()


def test_student_scans_the_projected_code_with_the_camera(web, course, playwright, tmp_path):
    """Chromium's fake camera plays a video of the code the projector shows; the scan
    page decodes it (jsQR: chromium on Linux has no BarcodeDetector) and checks in."""
    session_id = open_session(course, rotation=60)  # the filmed code stays valid
    projector = open_projector(web, course, session_id)
    width, height = 640, 480
    video = write_y4m(tmp_path / "qr.y4m", web.qr_luma(projector, width, height), width, height)
    teacher = open_panel(web, session_id)
    camera_browser = launch(
        playwright,
        (
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ),
    )
    try:
        student = web.page("/scan.html", device=PHONE, browser=camera_browser)
        student.context.grant_permissions(["camera"])
        web.sign_in(student, admin.student_email(5), PASSWORD)
        student.click("#scan-camera")
        student.wait_for_selector("#result[data-state=accepted]")
        web.shot(student, "accepted")
        teacher.wait_for_function(
            """uid => document.querySelector(`#roster-body tr[data-uid="${uid}"]`)
                ?.dataset.status === 'present'""",
            arg=admin.student_uid(5),
            timeout=LIVE_UPDATE_SECONDS * 1000,
        )
    finally:
        for context in camera_browser.contexts:
            close_context(context)
        camera_browser.close()


def test_scan_shows_sending_then_pending_after_a_network_failure(web, course):
    """While the request is out the page says so; a scan that never reached the server
    is not shown as refused but as pending, kept on the phone, and sent again by
    itself (backoff) once requests get through."""
    session_id = open_session(course, rotation=30)
    student = student_page(web, admin.student_email(2))
    held = []

    def hold(route):
        if held:
            route.continue_()  # the retry goes through
        else:
            held.append(route)

    student.route(os.environ["SCAN_URL"] + "**", hold)
    submit_code(student, token_at(session_id))
    student.wait_for_selector("#result[data-state=sending]")
    web.shot(student, "01-sending")
    # the scan request reached the route: held there (after the page's ID token and the
    # server's clock, which take seconds on a loaded machine)
    pump_until(student, lambda: held, timeout=45)
    held[0].abort("internetdisconnected")
    student.wait_for_selector("#result[data-state=pending]")
    web.shot(student, "02-pending")
    assert student.get_attribute("#result", "data-code") == "network"
    assert student.locator("#result-title").inner_text() == "No connection: pending"
    assert "sent automatically" in student.locator("#result-detail").inner_text()

    # The retry (after 1 to 2 s) goes through with the same, still valid, code.
    student.wait_for_selector("#result[data-state=accepted]", timeout=10_000)
    web.shot(student, "03-accepted")


def test_config_is_fetched_from_hosting_when_not_injected(web, course):
    """Production path: no window.ROLLCALL_CONFIG, the app fetches /rollcall-config.json
    (here answered with the test stack's settings instead of the file's defaults)."""
    served = []

    def config(route):
        served.append(route.request.url)
        route.fulfill(json=web.config)

    context = web.browser.new_context()
    web.contexts.append(context)
    context.route(f"{web.url}/rollcall-config.json", config)
    page = context.new_page()
    page.goto(f"{web.url}/scan.html")
    web.sign_in(page, admin.student_email(1), PASSWORD)
    page.wait_for_selector("#typed-code")
    assert served == [f"{web.url}/rollcall-config.json"]

    # The file in web/dist holds the local defaults (production replaces it).
    defaults = requests.get(f"{web.url}/rollcall-config.json", timeout=10).json()
    assert defaults["firebase"]["projectId"] == "demo-rollcall"
    assert defaults["emulators"]["auth"] == "http://127.0.0.1:9099"


def test_broken_config_says_why_the_app_cannot_start(web):
    context = web.browser.new_context()
    web.contexts.append(context)
    context.route(f"{web.url}/rollcall-config.json", lambda route: route.fulfill(status=404))
    page = context.new_page()
    page.goto(f"{web.url}/")
    error = page.locator("[role=alert]")
    error.wait_for()
    assert "Rollcall cannot start" in error.inner_text()
    web.shot(page, "cannot-start")
