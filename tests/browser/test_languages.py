"""The students' languages and the privacy notice in the browser (decision 0031).

* Every visible string of the converted screens comes from a catalog: the pages run in
  the tests' pseudo-language (``?lang=qps``: every catalog string and every Intl date
  wrapped in ⟦ ⟧), and a walk over the visible text nodes (and the labels people hear:
  aria-label, placeholder, title) fails on any letter outside the markers. Data (names,
  emails, course names, codes, the server's own words) is inside ``translate="no"``.
* A student signs in, reads the notice (the language picked in it), picks Marathi; the
  choice is stored on their document, the server words their inbox in Marathi, the
  notice is not shown again until its version is newer than the one acknowledged.
Screenshots: test-artifacts/browser/ and the README's (docs/screenshots/)."""

from __future__ import annotations

import os
import shutil
import uuid
from typing import Any

import pytest
import requests

from rollcall import contracts
from rollcall_ops import admin, auth_emulator
from tests.browser.catalog_walk import assert_all_from_catalogs
from tests.browser.conftest import PHONE
from tests.paths import ROOT
from tests.support import (
    Student,
    course_doc,
    new_session,
    scan,
    token_for,
    wait_for,
)

pytestmark = pytest.mark.emulator

PASSWORD = admin.DEMO_PASSWORD
COURSE = "Distributed Systems"
SCREENSHOTS = ROOT / "docs" / "screenshots"


def a_student(course_name: str = COURSE) -> dict[str, Any]:
    """A course with its teacher, an open session, and one enrolled student."""
    tag = uuid.uuid4().hex[:6]
    course_id, teacher = f"lang{tag}", f"teacher-lang{tag}"
    admin.ensure_user(teacher, f"{teacher}@rollcall.test", PASSWORD, "Tess Teacher")
    admin.db().document(f"courses/{course_id}").set(course_doc(course_name, teacher))
    uid, email = f"{course_id}-neha", f"neha-{tag}@rollcall.test"
    admin.ensure_user(uid, email, PASSWORD, "Neha Kulkarni")
    admin.db().document(f"courses/{course_id}/enrollments/{uid}").set(
        {"uid": uid, "name": "Neha Kulkarni", "email": email}
    )
    session = new_session(course_id)
    return {
        "teacher": teacher,
        "course": course_id,
        "uid": uid,
        "email": email,
        "session": session,
        "student": Student(uid, auth_emulator.sign_in(email, PASSWORD)),
    }


def close_missed_session(s: dict[str, Any]) -> str:
    """An earlier session of the course, closed by its teacher over HTTP before the
    student checked in: the student is absent, and has figures."""
    session = new_session(s["course"], teacher_uid=s["teacher"])
    token = auth_emulator.sign_in(f"{s['teacher']}@rollcall.test", PASSWORD)
    resp = requests.post(
        os.environ["SCAN_URL"].rstrip("/") + "/sessions/close",
        json={"session_id": session.id},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert resp.status_code in (200, 202), resp.text
    figures = admin.db().document(f"courses/{s['course']}/students/{s['uid']}")
    wait_for(lambda: (figures.get().to_dict() or {}).get("absent"), timeout=60)
    return session.id


def user_doc(uid: str) -> dict[str, Any]:
    snap = admin.db().document(f"users/{uid}").get()
    return snap.to_dict() or {}


def test_every_visible_string_of_the_student_page_is_from_a_catalog(web):
    s = a_student()
    page = web.page("/scan.html?lang=qps", device=PHONE, read_notice=False)
    page.wait_for_selector("#signin-email")
    assert_all_from_catalogs(page, "sign-in")
    page.click("#signup-open")
    page.wait_for_selector("form.signin[data-mode=signup]")
    assert_all_from_catalogs(page, "sign-up")
    page.click("#signin-open")
    page.click("#reset-open")
    page.wait_for_selector("form.signin[data-mode=reset]")
    assert_all_from_catalogs(page, "reset")
    page.click("#signin-open")
    page.fill("#signin-email", s["email"])
    page.fill("#signin-password", "wrong-password")
    page.click("#signin-submit")
    page.wait_for_function("() => document.querySelector('#signin-error').textContent")
    assert_all_from_catalogs(page, "sign-in error")

    web.sign_in(page, s["email"], PASSWORD)
    page.wait_for_selector("#privacy-notice[open]")
    assert_all_from_catalogs(page, "notice")
    web.shot(page, "01-qps-notice")
    page.click("#notice-accept")
    page.wait_for_selector("#privacy-notice", state="detached")
    page.wait_for_selector("#typed-code")
    assert_all_from_catalogs(page, "check-in")

    page.fill("#typed-code", "12")
    page.click("#typed-submit")
    page.wait_for_function("() => document.querySelector('#typed-error').textContent")
    assert_all_from_catalogs(page, "typed-code error")
    page.fill("#typed-code", "123456")
    page.click("#typed-submit")
    page.wait_for_selector("#result[data-state=rejected]")
    page.click("#result-details summary")
    assert_all_from_catalogs(page, "rejected")
    web.shot(page, "02-qps-rejected")
    page.click("#scan-again")

    # an accepted scan from a scanned link, then its inbox entry
    page.goto(f"{web.url}/scan.html?lang=qps#{token_for(s['session'])}")
    page.wait_for_selector("#result[data-state=accepted] #result-recorded[data-recorded=true]")
    assert_all_from_catalogs(page, "accepted")
    page.click("#tab-inbox")
    page.wait_for_selector(".inbox-item")
    assert_all_from_catalogs(page, "inbox")
    web.shot(page, "03-qps-inbox")

    # My attendance: a closed session the student missed (figures, a dispute to file)
    close_missed_session(s)
    page.click("#tab-attendance")
    page.wait_for_selector(f'article.my-course[data-course="{s["course"]}"] .my-pct-value')
    page.wait_for_selector(".dispute-open")
    assert_all_from_catalogs(page, "attendance")
    page.click(".dispute-open")
    page.click(".dispute-send")  # nothing written: the page asks what happened
    page.wait_for_selector(".my-dispute .form-error")
    assert_all_from_catalogs(page, "dispute form")
    web.shot(page, "04-qps-attendance", full_page=True)

    page.click("#tab-requests")
    page.wait_for_selector("#request-form")
    page.wait_for_selector("#requests-empty")
    assert_all_from_catalogs(page, "leave")
    page.check("#request-mode-sessions")
    page.select_option("#request-course", s["course"])
    page.wait_for_selector("#request-sessions")
    page.click("#request-submit")
    page.wait_for_function("() => document.querySelector('#request-message').textContent")
    assert_all_from_catalogs(page, "leave, sessions")
    web.shot(page, "05-qps-leave", full_page=True)
    assert web.errors == []


def test_a_student_reads_the_notice_picks_marathi_and_is_told_in_marathi(web):
    s = a_student("वितरित प्रणाली")
    page = web.page("/scan.html", device=PHONE, read_notice=False)
    web.sign_in(page, s["email"], PASSWORD)
    page.wait_for_selector("#privacy-notice[open]")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("#notice-title") == "How Rollcall uses your information"
    page.select_option("#notice-language", "mr")
    page.wait_for_function("() => document.documentElement.lang === 'mr'")
    assert page.inner_text("#notice-title") == "Rollcall तुमची माहिती कशी वापरतं"
    wait_for(lambda: user_doc(s["uid"]).get("language") == "mr")
    web.shot(page, "04-notice-marathi", full_page=True)
    page.click("#notice-accept")
    page.wait_for_selector("#privacy-notice", state="detached")
    acknowledged = wait_for(lambda: user_doc(s["uid"]).get("notice"))
    assert acknowledged["version"] == contracts.NOTICE_VERSION and acknowledged["at"]

    page.wait_for_selector("#typed-code")
    assert page.inner_text("#scan-title") == "चेक इन"
    web.shot(page, "05-check-in-marathi")
    assert scan(s["student"], token_for(s["session"])).status_code == 202
    page.click("#tab-inbox")
    page.wait_for_selector(".inbox-item")
    assert page.inner_text(".inbox-item .inbox-title") == "हजेरी नोंदवली: वितरित प्रणाली"
    assert page.inner_text("#inbox-title") == "इनबॉक्स"
    shot = web.shot(page, "06-inbox-marathi")
    shutil.copy(shot, SCREENSHOTS / "student-marathi.png")

    # acknowledged: not shown again on this account, on another phone either
    again = web.page("/scan.html", device=PHONE, read_notice=False)
    web.sign_in(again, s["email"], PASSWORD)
    again.wait_for_selector("#typed-code")
    again.wait_for_function("() => document.documentElement.lang === 'mr'")  # the profile's
    assert again.locator("#privacy-notice").count() == 0

    # a newer notice than the one acknowledged: shown again, saying it changed
    admin.db().document(f"users/{s['uid']}").update({"notice.version": 0})
    page.reload()
    page.wait_for_selector("#privacy-notice[open] #notice-changed")
    web.shot(page, "07-notice-changed-marathi")
    page.click("#notice-accept")
    wait_for(
        lambda: user_doc(s["uid"]).get("notice", {}).get("version") == contracts.NOTICE_VERSION
    )
    assert web.errors == []


def test_the_teacher_dashboard_is_from_the_catalogs_and_in_hindi(web, stack):
    """Today (planned sessions of a division and a batch) above My courses, with the
    open-session form: every string from a catalog; then the same page in Hindi."""
    from tests.browser.test_today import LAPTOP, add, make_school, slot_now

    school = make_school(uuid.uuid4().hex[:6], students=4)
    when = slot_now()
    plans = [
        add(school, "theory", when, division="A", room="A-101"),
        add(school, "practical", when, batch="B2", room="Lab 2"),
    ]

    def dashboard(path: str) -> Any:
        page = web.page(path, device=LAPTOP)
        web.sign_in(page, school["teacher_email"], PASSWORD)
        for p in plans:
            page.wait_for_selector(f'li.today-item[data-planned="{p["planned_id"]}"]')
        # its open sessions read: none, and the command that opens one
        page.wait_for_selector(f'article.course[data-course="{school["course"]}"] .sessions code')
        return page

    page = dashboard("/?lang=qps")
    assert_all_from_catalogs(page, "dashboard")
    page.click(f'article.course[data-course="{school["course"]}"] .open-session-toggle')
    page.wait_for_selector(f'form.open-session[data-course="{school["course"]}"]:not([hidden])')
    assert_all_from_catalogs(page, "open-session form")

    # the plan dialog: cancel (a reason is required), move and add, each refused first
    lab = f'li.today-item[data-planned="{plans[1]["planned_id"]}"]'
    page.click(f"{lab} button.today-cancel")
    page.wait_for_selector("#plan-dialog[open]")
    page.click("#plan-submit")
    page.wait_for_function("() => document.querySelector('#plan-error').textContent")
    assert_all_from_catalogs(page, "plan dialog, cancel")
    page.click("#plan-close")
    page.click(f"{lab} button.today-move")
    page.wait_for_selector("#plan-dialog[open][data-mode=move]")
    page.fill("#plan-end", "")
    page.click("#plan-submit")
    page.wait_for_function("() => document.querySelector('#plan-error').textContent")
    assert_all_from_catalogs(page, "plan dialog, move")
    page.click("#plan-close")
    page.click("#today-add")
    page.wait_for_selector("#plan-dialog[open][data-mode=add]")
    page.click("#plan-submit")
    page.wait_for_function("() => document.querySelector('#plan-error').textContent")
    assert_all_from_catalogs(page, "plan dialog, add")
    web.shot(page, "08-qps-plan-add")
    page.click("#plan-close")

    page = dashboard("/")
    page.select_option("#language", "hi")
    page.wait_for_function("() => document.documentElement.lang === 'hi'")
    page.wait_for_selector(f'article.course[data-course="{school["course"]}"] .sessions code')
    assert page.inner_text("#today-title") == "आज"
    assert page.inner_text("#courses-title") == "मेरे कोर्स"
    lab = page.locator(f'li.today-item[data-planned="{plans[1]["planned_id"]}"]')
    assert lab.locator(".today-audience").inner_text() == "बैच B2"
    assert lab.locator(".kind-tag").inner_text() == "प्रैक्टिकल"
    shot = web.shot(page, "08-dashboard-hindi", full_page=True)
    shutil.copy(shot, SCREENSHOTS / "dashboard-hindi.png")
    assert web.errors == []


def test_the_projector_view_is_from_the_catalogs(web):
    """The room's screen in the pseudo-language: the course (data), the session's
    division, kind and room, the code, the countdown, how many checked in and who tried."""
    from tests.browser.conftest import HALL

    s = a_student()
    session = new_session(
        s["course"], teacher_uid=s["teacher"], division="A", kind="theory", room="LH-2"
    )
    assert scan(s["student"], token_for(session, windows_ago=3)).status_code >= 400
    page = web.page(f"/?lang=qps#/session/{session.id}", device=HALL)
    web.sign_in(page, f"{s['teacher']}@rollcall.test", PASSWORD)
    page.wait_for_selector("#qr[data-token] svg")
    page.wait_for_selector("#projector[data-clock=server]")
    page.wait_for_selector("#tried-counts li")
    page.wait_for_function("() => document.querySelector('#countdown').textContent")
    assert_all_from_catalogs(page, "projector")
    web.shot(page, "09-qps-projector")

    # the same screen in Marathi, picked in the top bar
    page.select_option("#language", "mr")
    page.wait_for_function("() => document.documentElement.lang === 'mr'")
    assert page.inner_text("#session-facts") == "डिव्हिजन A · थिअरी · रूम LH-2"
    assert page.inner_text("#fullscreen") == "फुल स्क्रीन"
    web.shot(page, "09-projector-marathi")
    assert web.errors == []


def test_the_teachers_panel_is_from_the_catalogs(web):
    """The teacher's panel in the pseudo-language: counts, who tried, the rejected scans,
    the class list, the override dialog, the close and its result line."""
    from tests.browser.conftest import HALL

    s = a_student()
    session = new_session(s["course"], teacher_uid=s["teacher"], division="A", kind="practical")
    assert scan(s["student"], token_for(session, windows_ago=3)).status_code >= 400
    page = web.page(f"/?lang=qps#/session/{session.id}/panel", device=HALL)
    web.sign_in(page, f"{s['teacher']}@rollcall.test", PASSWORD)
    page.wait_for_selector(f'#roster-body tr[data-uid="{s["uid"]}"]')
    page.wait_for_selector(f'#tried-list li[data-uid="{s["uid"]}"]')
    page.wait_for_selector(f'#rejections-body tr[data-uid="{s["uid"]}"]')
    assert_all_from_catalogs(page, "panel")
    web.shot(page, "10-qps-panel", full_page=True)

    page.click(f'#roster-body tr[data-uid="{s["uid"]}"] .override-open')
    page.wait_for_selector("#override-dialog[open]")
    page.click("#override-submit")  # nothing chosen: the dialog asks for a status
    page.wait_for_function("() => document.querySelector('#override-error').textContent")
    assert_all_from_catalogs(page, "override dialog")
    page.click("#override-cancel")

    page.click("#close-session")
    page.wait_for_selector("#close-confirm")
    assert_all_from_catalogs(page, "close confirm")
    page.click("#close-confirm")
    page.wait_for_selector("#close-result[data-state=marked]", timeout=60_000)
    assert_all_from_catalogs(page, "closed")
    web.shot(page, "11-qps-panel-closed", full_page=True)
    assert web.errors == []


def test_the_course_view_is_from_the_catalogs(web):
    """A course's attendance for its teacher in the pseudo-language: the rules line, the
    tiles, the filters, the table with a student's figures, the closed sessions, the rules
    form (and its refusal)."""
    from tests.browser.conftest import HALL

    s = a_student()
    missed = close_missed_session(s)
    resp = requests.post(
        os.environ["SCAN_URL"].rstrip("/") + "/disputes",
        json={"session_id": missed, "note": "I was in the room."},
        headers={"Authorization": f"Bearer {s['student'].id_token}"},
        timeout=30,
    )
    assert resp.status_code in (200, 201, 202), resp.text
    page = web.page(f"/?lang=qps#/course/{s['course']}", device=HALL)
    web.sign_in(page, f"{s['teacher']}@rollcall.test", PASSWORD)
    page.wait_for_selector(f'#standing-body tr.standing-row[data-uid="{s["uid"]}"]')
    page.wait_for_selector("#past-sessions-list li.past-session", state="attached")
    page.wait_for_selector("#dispute-list li.dispute .evidence-record")
    page.click("#past-sessions summary")
    assert_all_from_catalogs(page, "course view")
    page.click("#rules-edit")
    page.fill("#rule-min-percent", "140")
    page.click("#rules-save")
    page.wait_for_function("() => document.querySelector('#rules-message').textContent")
    web.shot(page, "12-qps-course", full_page=True)
    page.fill("#rule-min-percent", "80")
    page.click("#rules-save")
    page.wait_for_function(
        "() => document.querySelector('#rules-message').textContent.includes('⟧')"
    )
    assert_all_from_catalogs(page, "rules form")

    # the same view in Hindi: the island is built again in the new language
    page.select_option("#language", "hi")
    page.wait_for_function("() => document.documentElement.lang === 'hi'")
    page.wait_for_selector(f'#standing-body tr.standing-row[data-uid="{s["uid"]}"]')
    assert page.inner_text("#standing-title") == "हाज़िरी और खतरे वाली सूची"
    assert page.inner_text("#filter-all") == "सभी (1)"
    web.shot(page, "13-course-hindi", full_page=True)
    assert web.errors == []
