"""Institution administration in the browser: an admin sets a department and a term and
imports the courses file and a roster through the admin page (errors by line and
column, fixed, applied); people sign up, follow the verification link the Auth
emulator holds for them, and get what their email was given; password resets from
both sign-in screens; a TA runs a course without the teacher's rules and exports.
Screenshots of every screen, at 1280x800 and 390x844, go to test-artifacts/browser/."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from typing import Any

import pytest
import requests

from rollcall.clock import now
from rollcall.core import people, qr
from rollcall_ops import admin, auth_emulator, institution
from tests.browser.conftest import PHONE, close_page
from tests.support import wait_for

pytestmark = pytest.mark.emulator

PASSWORD = admin.DEMO_PASSWORD
LAPTOP = {"viewport": {"width": 1280, "height": 800}}


def tag() -> str:
    return uuid.uuid4().hex[:6]


def csv_text(rows: list[list[Any]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def verified_admin(t: str) -> str:
    """An institution admin, granted as on a fresh deploy, with a verified account."""
    email = f"registrar-{t}@rollcall.test"
    institution.ensure_account(f"registrar-{t}", email, "Rita Registrar")
    people.grant_admin(admin.db(), email, "test", now())
    return email


def oob_link(email: str, kind: str) -> str:
    """The link of the newest mail of ``kind`` the Auth emulator holds for ``email``."""
    codes = wait_for(lambda: auth_emulator.oob_codes(email, kind))
    return str(codes[-1]["oobLink"])


def choose_file(page: Any, selector: str, name: str, text: str) -> None:
    page.set_input_files(
        selector, files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}]
    )


def shots(web: Any, page: Any, label: str) -> None:
    """The screen at 1280x800 and at 390x844 (full pages)."""
    size = page.viewport_size
    page.set_viewport_size({"width": 1280, "height": 800})
    web.shot(page, f"{label}-1280", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    web.shot(page, f"{label}-390", full_page=True)
    if size:  # (a window the page opened may have none of its own)
        page.set_viewport_size(size)


def issues(page: Any, table: str) -> list[tuple[str, str, str]]:
    """The rows of an errors (or warnings) table: (line, column, reason)."""
    return [
        (r["line"], r["column"], r["reason"])
        for r in page.locator(f"{table} tbody tr").evaluate_all(
            """rows => rows.map(r => ({line: r.dataset.line, column: r.dataset.column,
                 reason: r.querySelector('.issue-message').textContent.trim()}))"""
        )
    ]


# ---- the admin page ----------------------------------------------------------------------


def roster_rows(t: str, n: int = 120) -> list[list[Any]]:
    header = ["Roll No", "PRN", "Student Name", "E-mail", "Division", "Batch"]
    rows: list[list[Any]] = [header]
    for i in range(1, n + 1):
        division = "A" if i <= n // 2 else "B"
        rows.append(
            [
                i,
                f"72{i:06d}",
                f"Student {i:03d}",
                f"s{i:03d}-{t}@rollcall.test",
                division,
                f"{division}1",
            ]
        )
    return rows


def test_admin_imports_courses_and_a_roster_with_errors_then_fixed(web):
    t = tag()
    dept, term = f"D{t.upper()}", f"t{t}"
    email = verified_admin(t)
    page = web.page("/", device=LAPTOP)
    web.sign_in(page, email, PASSWORD)
    page.click("#nav-admin")
    page.wait_for_selector(".admin[data-section=courses]")

    # A department and a term, through the admin page's forms.
    page.click("#admin-tab-departments")
    page.fill("#department-code", dept)
    page.fill("#department-name", "Computer Science")
    page.fill("#department-heads", f"hod-{t}@rollcall.test")
    page.click("#department-save")
    page.wait_for_selector(f'#departments tr[data-department="{dept}"]')
    # the row comes from the listener, the message from the endpoint's answer: either first
    page.wait_for_function(
        "t => document.querySelector('#department-message').textContent === t",
        arg=f"Saved department {dept}.",
    )
    shots(web, page, "01-departments")
    page.click("#admin-tab-terms")
    today = now().date()
    page.fill("#term-id", term)
    page.fill("#term-name", "2026-27 odd semester")
    page.fill("#term-starts", (today - timedelta(days=30)).isoformat())
    page.fill("#term-ends", (today + timedelta(days=120)).isoformat())
    page.fill("#term-holidays", f"{today.isoformat()} Founders' Day\nsoon a party")
    page.click("#term-save")
    message = page.locator("#term-message")
    wait_for(lambda: message.inner_text().startswith("Not saved"))
    assert "holidays line 2" in message.inner_text()
    page.fill("#term-holidays", f"{today.isoformat()} Founders' Day")
    page.click("#term-save")
    page.wait_for_selector(f'#terms tr[data-term="{term}"]')
    shots(web, page, "02-terms")

    # The courses file: three courses, applied.
    courses = csv_text(
        [
            ["Course Code", "Course Name", "Dept", "Term", "Divisions", "Teachers", "TAs"],
            [
                "CS301",
                "Distributed Systems",
                dept,
                term,
                "A, B",
                f"anita-{t}@rollcall.test",
                f"ravi-{t}@rollcall.test",
            ],
            ["CS302", "Databases", dept, term, "A", f"anita-{t}@rollcall.test", ""],
            ["CS303", "Compilers", dept, term, "", f"vikram-{t}@rollcall.test", ""],
        ]
    )
    page.click("#admin-tab-courses")
    choose_file(page, "#import-courses-file", "courses.csv", courses)
    page.wait_for_selector("#import-courses-apply")
    assert page.locator("#import-courses-count-added").inner_text() == "3"
    assert page.locator("#import-courses-added tbody tr").count() == 3
    assert page.locator("#import-courses-warnings tbody tr").count() == 3  # staff without accounts
    shots(web, page, "03-courses-preview")
    page.click("#import-courses-apply")
    page.wait_for_selector("#import-courses-outcome")
    assert page.locator("#import-courses-outcome").inner_text() == (
        "✓ courses.csv: Applied: 3 added, 0 changed, 0 removed, 0 unchanged."
    )
    assert page.locator("#import-courses-apply").count() == 0
    course_id = f"CS301_{term}"
    assert admin.db().document(f"courses/{course_id}").get().to_dict()["divisions"] == ["A", "B"]

    # A 120-student roster with four errors.
    rows = roster_rows(t)
    good = [list(r) for r in rows]
    rows[10][3] = "not an email"  # line 11
    rows[24][0] = rows[23][0]  # line 25: the roll number of line 24
    rows[39][4] = "C"  # line 40
    rows[76][2] = ""  # line 77
    page.click("#admin-tab-rosters")
    page.select_option("#roster-course", course_id)
    page.wait_for_selector("#import-roster-file", state="attached")
    choose_file(page, "#import-roster-file", "roster CS301.csv", csv_text(rows, ";"))
    page.wait_for_selector("#import-roster-errors")
    assert issues(page, "#import-roster-errors") == [
        ("11", "E-mail", "'not an email' is not an email address"),
        ("25", "Roll No", "'23' is also on line 24"),
        ("40", "Division", "division 'C' is not one of the course's: A, B"),
        ("77", "Student Name", "Student Name is empty"),
    ]
    assert page.locator("#import-roster-apply").count() == 0
    assert page.locator("#import-roster-count-added").count() == 0, "no counts: only errors"
    assert page.locator("#import-roster-headline").inner_text().startswith("4 errors in 120 rows")
    shots(web, page, "04-roster-errors")
    assert not admin.db().collection(f"courses/{course_id}/roster").limit(1).get()

    # Fixed, previewed again (the same file name), applied: progress, then the outcome.
    choose_file(page, "#import-roster-file", "roster CS301.csv", csv_text(good, ";"))
    page.wait_for_selector("#import-roster-apply")
    assert page.locator("#import-roster-errors").count() == 0
    assert page.locator("#import-roster-count-added").inner_text() == "120"
    # 120 rows, a page of 50 at a time
    assert page.locator("#import-roster-added tbody tr").count() == 50
    assert (
        page.locator("#import-roster-added-pager .pager-label").inner_text() == "Rows 1–50 of 120"
    )
    page.click("#import-roster-added-pager [data-next]")
    first = page.locator("#import-roster-added tbody tr").first
    assert first.get_attribute("data-line") == "52"
    page.click("#import-roster-apply")
    page.wait_for_selector("#import-roster-outcome")
    assert "Applied: 120 added, 0 changed" in page.locator("#import-roster-outcome").inner_text()
    shots(web, page, "05-roster-applied")
    roster = admin.db().collection(f"courses/{course_id}/roster").get()
    assert len(roster) == 120
    page.wait_for_function(
        "() => document.querySelector('#roster-course-facts')"
        ".textContent.includes('120 on the roster')"
    )

    # The same file again changes nothing.
    choose_file(page, "#import-roster-file", "roster CS301.csv", csv_text(good, ";"))
    page.wait_for_function(
        "() => document.querySelector('#import-roster-headline')?.textContent"
        ".startsWith('Nothing to apply')"
    )
    assert page.locator("#import-roster-apply").count() == 0


def test_a_large_roster_previews_a_page_at_a_time_and_shows_its_progress(web):
    """5,000 students: the preview renders one page of each list, paging stays quick,
    and the apply reports its progress from its imports document."""
    t = tag()
    email = verified_admin(t)
    door = institution.Door(auth_emulator.sign_in(email, PASSWORD))
    door.post("me/claim")
    institution.admin_door()  # the demo department and term
    code = f"BIG{t.upper()}"
    door.post(
        "imports/courses",
        csv_text=f"code,name,department,term,divisions\n{code},Big Lecture,DEMO,demo,A B\n",
    )
    course_id = institution.demo_course(code)
    page = web.page("/#/admin/rosters", device=LAPTOP)
    web.sign_in(page, email, PASSWORD)
    page.select_option("#roster-course", course_id)
    page.wait_for_selector("#import-roster-file", state="attached")
    rows = roster_rows(t, 5000)
    choose_file(page, "#import-roster-file", "big.csv", csv_text(rows))
    page.wait_for_selector("#import-roster-apply", timeout=120_000)
    assert page.locator("#import-roster-count-added").inner_text() == "5,000"
    assert page.locator("#import-roster-added tbody tr").count() == 50
    rendered = page.evaluate(
        """() => {
            const start = performance.now();
            document.querySelector('#import-roster-added-pager [data-next]').click();
            return new Promise((resolve) => requestAnimationFrame(() =>
                resolve({ms: performance.now() - start, line: document.querySelector(
                    '#import-roster-added tbody tr').dataset.line})));
        }"""
    )
    assert rendered["line"] == "52"
    assert rendered["ms"] < 500, rendered
    web.shot(page, "01-large-preview")
    page.click("#import-roster-apply")
    # the progress comes from imports/{id}: written batch by batch (400 writes each)
    page.wait_for_function(
        """() => { const p = document.querySelector('#import-roster-progress progress');
                   return p && p.max > 0 && p.value > 0; }""",
        timeout=120_000,
    )
    text = page.locator("#import-roster-progress").inner_text()
    assert "writes done" in text, text
    web.shot(page, "02-large-progress")
    page.wait_for_selector("#import-roster-outcome", timeout=300_000)
    assert "Applied: 5,000 added" in page.locator("#import-roster-outcome").inner_text()


def test_a_head_of_department_imports_rosters_but_sets_no_terms(web):
    t = tag()
    dept = f"H{t.upper()}"
    door = institution.admin_door()
    hod = f"hod-{t}@rollcall.test"
    institution.ensure_account(f"hod-{t}", hod, "Hema Head")
    door.post("admin/departments", body={"code": dept, "name": "Mechanical", "heads": [hod]})
    door.post(
        "imports/courses",
        csv_text=f"code,name,department,term\nME{t},Thermodynamics,{dept},demo\n"
        f"OTHER{t},Elsewhere,DEMO,demo\n",
    )
    page = web.page("/", device=LAPTOP)
    web.sign_in(page, hod, PASSWORD)
    page.click("#nav-admin")
    page.wait_for_selector(".admin[data-section=courses]")
    tabs = page.locator(".subnav a").all_inner_texts()
    assert tabs == ["Courses file", "Rosters", "Timetable", "Department", "Defaulter list"]
    assert page.locator(".admin-who").inner_text() == f"Head of department: {dept}"
    page.click("#admin-tab-rosters")
    page.wait_for_selector("#roster-course")
    options = page.locator("#roster-course option").evaluate_all("os => os.map(o => o.value)")
    assert options == ["", institution.demo_course(f"ME{t}")], "only their department's courses"
    shots(web, page, "01-hod-rosters")


# ---- sign-up, verification, the claim --------------------------------------------------------


def rostered_course(t: str, students: list[tuple[str, str, str]], ta: str | None = None) -> str:
    """A demo-term course with a teacher (and a TA) and a roster of (roll, name, email)
    with divisions A and B, imported by the demo admin."""
    door = institution.admin_door()
    code = f"AD{t.upper()}"
    teacher = f"teacher-{t}@rollcall.test"
    institution.ensure_account(f"teacher-{t}", teacher, "Tara Teacher")
    door.post(
        "imports/courses",
        csv_text=csv_text(
            [
                ["code", "name", "department", "term", "divisions", "teachers", "tas"],
                [
                    code,
                    "Operating Systems",
                    institution.DEPARTMENT,
                    institution.TERM,
                    "A B",
                    teacher,
                    ta or "",
                ],
            ]
        ),
    )
    course_id = institution.demo_course(code)
    roster = [["Roll No", "Name", "Email", "Division"]]
    roster += [
        [roll, name, email, "A" if i % 2 else "B"] for i, (roll, name, email) in enumerate(students)
    ]
    door.post("imports/roster", csv_text=csv_text(roster), course_id=course_id)
    return course_id


def sign_up(page: Any, email: str, password: str = PASSWORD) -> None:
    page.click("#signup-open")
    page.wait_for_selector("form.signin[data-mode=signup]")
    page.fill("#signin-email", email)
    page.fill("#signin-password", password)
    page.click("#signin-submit")


def test_a_rostered_student_signs_up_verifies_sees_the_course_and_checks_in(web):
    t = tag()
    email = f"Neha.K-{t}@rollcall.test"  # as typed: the roster has it in lower case
    course_id = rostered_course(
        t, [("1", "Asha Sharma", f"asha-{t}@rollcall.test"), ("2", "Neha Kulkarni", email.lower())]
    )
    session_id = admin.open_session(course_id, rotation=60, late_after=10, duration=60)

    page = web.page("/scan.html", device=PHONE)
    page.wait_for_selector("#signin-email")
    page.click("#signup-open")
    web.shot(page, "01-signup")
    page.fill("#signin-email", email)
    page.fill("#signin-password", "short")
    page.click("#signin-submit")  # the browser holds it: too short
    assert page.eval_on_selector("#signin-password", "el => el.validity.tooShort")
    page.fill("#signin-email", f"teacher-{t}@rollcall.test")  # has an account
    page.fill("#signin-password", PASSWORD)
    page.click("#signin-submit")
    error = page.locator("#signin-error")
    wait_for(lambda: error.inner_text())
    assert error.inner_text() == (
        "An account with this email exists already: sign in, or reset its password."
    )
    page.fill("#signin-email", email)
    page.fill("#signin-password", PASSWORD)
    page.click("#signin-submit")
    page.wait_for_selector("#verify-email")
    assert (
        f"we sent a link to {email.lower()}" in page.locator("#verify-email").inner_text().lower()
    )
    shots(web, page, "02-verify")

    # Not verified yet: "I have verified" says so.
    link = oob_link(email, "VERIFY_EMAIL")
    page.click("#verify-check")
    status = page.locator("#verify-status")
    wait_for(lambda: status.inner_text().startswith("Not verified yet"))
    # Resend: a second mail.
    page.click("#verify-resend")
    wait_for(lambda: status.inner_text().startswith("Sent again"))
    assert len(auth_emulator.oob_codes(email, "VERIFY_EMAIL")) == 2

    # The link, opened in another tab, verifies and comes back to the scan page,
    # which sees the verified account by itself.
    other = page.context.new_page()
    other.goto(link)
    other.wait_for_selector("#typed-code")
    assert other.url.startswith(f"{web.url}/scan.html")
    close_page(other)
    # This tab: "I have verified".
    page.click("#verify-check")
    page.wait_for_selector("#typed-code")
    page.wait_for_selector("body[data-account=ready]")  # claimed: enrolled
    assert page.locator("#claim-none").count() == 0
    uid = (
        admin.db()
        .collection(f"courses/{course_id}/enrollments")
        .where("email", "==", email.lower())
        .get()
    )
    assert len(uid) == 1

    page.click("#tab-attendance")
    card = page.locator(f'article.my-course[data-course="{course_id}"]')
    card.wait_for()
    assert "Operating Systems" in card.inner_text()
    shots(web, page, "03-my-attendance")

    page.click("#tab-scan")
    session = admin.load_session(session_id)
    code = qr.typed_code(
        session.secret, session.id, qr.window_at(now().timestamp(), session.rotation_seconds)
    )
    page.fill("#typed-code", code)
    page.click("#typed-submit")
    page.wait_for_selector("#result[data-state=accepted]")
    web.shot(page, "04-checked-in")


@pytest.mark.parametrize("path", ["/", "/scan.html"], ids=["dashboard", "scan"])
def test_an_email_on_no_list_gets_a_clear_message(web, path):
    t = tag()
    email = f"nobody-{t}@rollcall.test"
    page = web.page(path, device=PHONE if path == "/scan.html" else LAPTOP)
    page.wait_for_selector("#signin-email")
    sign_up(page, email)
    page.wait_for_selector("#verify-email")
    requests.get(oob_link(email, "VERIFY_EMAIL"), timeout=10, allow_redirects=False)
    page.click("#verify-check")
    notice = page.locator("#claim-none")
    notice.wait_for()
    assert f"Your email {email} is on no course list yet. Ask your department office" in (
        " ".join(notice.inner_text().split())
    )
    shots(web, page, "no-list")

    # The office adds the email meanwhile (an import links the verified account at
    # once): "Check again" finds it.
    course_id = rostered_course(t, [("1", "No Body", email)])
    page.click("#claim-recheck")
    notice.wait_for(state="detached")
    if path == "/":
        page.wait_for_selector("#courses-student")
    else:
        page.click("#tab-attendance")
        page.locator(f'article.my-course[data-course="{course_id}"]').wait_for()


@pytest.mark.parametrize("path", ["/", "/scan.html"], ids=["dashboard", "scan"])
def test_password_reset_from_the_sign_in_screen(web, path):
    t = tag()
    email = f"forgetful-{t}@rollcall.test"
    institution.ensure_account(f"forgetful-{t}", email, "Fred Forgetful")
    page = web.page(path, device=PHONE if path == "/scan.html" else LAPTOP)
    page.wait_for_selector("#signin-email")
    page.fill("#signin-email", email)
    page.click("#reset-open")
    page.wait_for_selector("form.signin[data-mode=reset]")
    assert page.input_value("#signin-email") == email, "the email typed is kept"
    web.shot(page, "01-reset")
    page.click("#signin-submit")
    page.wait_for_selector("#reset-sent")
    assert f"If {email} has an account, we sent it a link" in " ".join(
        page.locator("#reset-sent").inner_text().split()
    )
    shots(web, page, "02-reset-sent")

    # The link (the emulator takes the new password on it) brings the browser back.
    link = oob_link(email, "PASSWORD_RESET")
    other = page.context.new_page()
    other.goto(f"{link}&newPassword=new-secret-{t}")
    other.wait_for_selector("#signin-email")
    assert other.url.startswith(web.url + path.rstrip("/"))
    close_page(other)

    page.click("#signin-open")
    page.fill("#signin-email", email)
    page.fill("#signin-password", PASSWORD)
    page.click("#signin-submit")
    error = page.locator("#signin-error")
    wait_for(lambda: error.inner_text())
    assert error.inner_text() == "Wrong email or password.", "the old password is gone"
    web.sign_in(page, email, f"new-secret-{t}")

    # An address without an account gets the same answer (no one learns who has one).
    page.click("#signout")
    page.wait_for_selector("#signin-email")
    page.click("#reset-open")
    page.fill("#signin-email", f"ghost-{t}@rollcall.test")
    page.click("#signin-submit")
    page.wait_for_selector("#reset-sent")


# ---- a TA ----------------------------------------------------------------------------------


def test_a_ta_runs_the_course_without_rules_or_exports_in_roll_number_order(web):
    t = tag()
    ta = f"ravi-ta-{t}@rollcall.test"
    institution.ensure_account(f"ravi-ta-{t}", ta, "Ravi TA")
    rolls = ["10", "2", "1", "21", "3", "B-10", "B-9"]
    students = [(roll, f"Student {roll}", f"r{roll.lower()}-{t}@rollcall.test") for roll in rolls]
    institution.ensure_accounts([(f"r{r.lower()}-{t}", e, n) for r, n, e in students])
    course_id = rostered_course(t, students, ta=ta)

    page = web.page("/", device=LAPTOP)
    web.sign_in(page, ta, PASSWORD)
    card = page.locator(f'article.course[data-course="{course_id}"]')
    card.wait_for()
    assert card.get_attribute("data-role") == "ta"
    assert "Teaching assistant" in card.inner_text()
    assert page.locator("#nav-admin").count() == 0
    card.locator(".course-view-link").click()
    page.wait_for_function(
        "n => document.querySelectorAll('#standing-body tr[data-uid]').length === n", arg=len(rolls)
    )
    page.wait_for_function(
        "() => document.querySelector('#course-rules').textContent.startsWith('Minimum')"
    )
    assert page.locator("#rules-edit").is_hidden()
    assert page.locator("#export-course").is_hidden()
    order = page.locator("#standing-body tr[data-uid]").evaluate_all(
        "rows => rows.map(r => [r.querySelector('.roll-no').textContent,"
        " r.querySelector('.division').textContent])"
    )
    assert [r for r, _ in order] == ["1", "2", "3", "10", "21", "B-9", "B-10"]
    divisions = {roll: "A" if i % 2 else "B" for i, (roll, _, _) in enumerate(students)}
    assert order == [[r, divisions[r]] for r, _ in order]
    shots(web, page, "01-ta-course")

    # The TA opens a session from the course card (its projector view), then the
    # teacher's panel from there, and overrides a student.
    page.click(f'article.course[data-course="{course_id}"] .open-session-toggle')
    page.click(f'[data-open="{course_id}"]')
    page.wait_for_selector("#qr[data-token] svg")
    shots(web, page, "02-ta-projector")
    with page.context.expect_page() as opened:
        page.click("#open-panel")
    desk = opened.value
    desk.wait_for_function(
        "n => document.querySelectorAll('#roster-body tr').length === n", arg=len(rolls)
    )
    rolls_shown = desk.locator("#roster-body tr").evaluate_all(
        "rows => rows.map(r => r.dataset.roll)"
    )
    assert rolls_shown == ["1", "2", "3", "10", "21", "B-9", "B-10"]
    desk.wait_for_selector("#close-session")
    assert desk.locator("#export-session").count() == 0
    row = desk.locator('#roster-body tr[data-roll="10"]')
    row.locator("button.override-open").click()
    desk.check('#override-dialog input[value="excused"]')
    desk.fill("#override-reason", "Sports meet")
    desk.click("#override-submit")
    desk.wait_for_function(
        "() => document.querySelector('#roster-body tr[data-roll=\"10\"]')"
        ".dataset.status === 'excused'"
    )
    shots(web, desk, "03-ta-panel")
