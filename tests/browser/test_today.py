"""The timetable in the browser: the Today page lists a teacher's planned sessions and
starts exactly the one clicked (its projector names the course, batch, kind and room;
the session has that planned id and audience), says why a session changed meanwhile
cannot be started, cancels, moves and adds sessions; an admin imports a term's
timetable through the admin page (errors by line, then a preview of the sessions
added, then moved, applied); and a course with theory and practicals shows each kind's
figures beside the overall ones, in the course view and on the student's Attendance
tab. Everything through the doors people use: the admin's imports and the teacher's
planned sessions over HTTP, sessions started, scanned and closed over HTTP. Screenshots
of each screen go to test-artifacts/browser/."""

from __future__ import annotations

import os
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall.clock import now
from rollcall_ops import admin, auth_emulator, institution
from tests.browser.conftest import PHONE
from tests.support import Student, attendance, scan, token_for, wait_for

pytestmark = pytest.mark.emulator

PASSWORD = institution.PASSWORD
TZ = ZoneInfo("Asia/Kolkata")  # the stack's TIME_ZONE (the default)
LAPTOP = {"viewport": {"width": 1280, "height": 800}}
SLOW = 60_000  # ms: two shared cores, other suites running


def call(token: str, path: str, body: Any = None, method: str = "POST", **params: str) -> Any:
    resp = requests.request(
        method,
        os.environ["SCAN_URL"] + path,
        json=body,
        params=params,
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    return resp


def ok(resp: requests.Response, status: int = 200) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    return resp.json()


def local_now() -> datetime:
    return now().astimezone(TZ)


def slot_now(minutes: int = 60) -> tuple[str, str, str]:
    """Today's date and a start (5 minutes ago) and end that make a session startable
    now, in the institution's time; too close to its midnight, the test is skipped."""
    local = local_now()
    if local.hour == 23 and local.minute >= 50 or local.hour == 0 and local.minute < 10:
        pytest.skip("too close to the institution's midnight for a session today")
    start = local - timedelta(minutes=5)
    end = min(start + timedelta(minutes=minutes), local.replace(hour=23, minute=59))
    return local.date().isoformat(), f"{start:%H:%M}", f"{end:%H:%M}"


def make_school(t: str, students: int = 8) -> dict[str, Any]:
    """A course of the demo term with divisions A and B and batches A1, A2, B1, B2, its
    teacher and TA, imported by the demo admin over HTTP."""
    door = institution.admin_door()
    teacher = f"today-{t}.teacher@rollcall.test"
    ta = f"today-{t}.ta@rollcall.test"
    people = [(f"today-{t}-teacher", teacher, "Tara Teacher"), (f"today-{t}-ta", ta, "Tom TA")]
    roster = ["Roll No,Name,Email,Division,Batch"]
    uids: dict[str, tuple[str, str]] = {}
    for i in range(1, students + 1):
        batch = ["A1", "A2", "B1", "B2"][(i - 1) * 4 // students]
        uid, email = f"today-{t}-s{i}", f"today-{t}.s{i}@rollcall.test"
        people.append((uid, email, f"Student {i}"))
        roster.append(f"{i},Student {i},{email},{batch[0]},{batch}")
        uids[uid] = (email, batch)
    institution.ensure_accounts(people)
    code = f"TD{t.upper()}"
    door.post(
        "imports/courses",
        csv_text="code,name,department,term,divisions,teachers,tas\n"
        f'{code},"Networks {t}",{institution.DEPARTMENT},{institution.TERM},A B,{teacher},{ta}\n',
    )
    course_id = institution.demo_course(code)
    door.post("imports/roster", csv_text="\n".join(roster) + "\n", course_id=course_id)
    return {
        "door": door,
        "code": code,
        "course": course_id,
        "name": f"Networks {t}",
        "teacher_email": teacher,
        "teacher": auth_emulator.sign_in(teacher, PASSWORD),
        "ta_email": ta,
        "students": uids,
    }


def add(school: dict[str, Any], kind: str, when: tuple[str, str, str], **who: str) -> dict:
    day, start, end = when
    body = {"course_id": school["course"], "kind": kind, "date": day, "start": start, "end": end}
    return ok(call(school["teacher"], "planned/add", {**body, **who}), 201)


def planned_of(course_id: str) -> list[Any]:
    """The course's planned sessions as stored."""
    query = admin.db().collection("planned").where(filter=FieldFilter("course_id", "==", course_id))
    return list(query.stream())


def planned(planned_id: str) -> dict[str, Any]:
    return admin.db().document(f"planned/{planned_id}").get().to_dict() or {}


def today_page(web, email: str, path: str = "/"):
    page = web.page(path, device=LAPTOP)
    page.set_default_timeout(SLOW)
    web.sign_in(page, email, PASSWORD)
    page.wait_for_selector("#today-title")
    return page


def row(page, planned_id: str):
    return page.locator(f'li.today-item[data-planned="{planned_id}"]')


@pytest.fixture(scope="module")
def school(stack) -> dict[str, Any]:
    os.environ.update(stack)
    return make_school(uuid.uuid4().hex[:6])


# ---- 1. Today starts the right session -----------------------------------------------------


def test_the_today_page_starts_the_right_session(web, school):
    now_slot = slot_now()
    theory_a = add(school, "theory", now_slot, division="A", room="A-101")
    theory_b = add(school, "theory", now_slot, division="B", room="A-102")
    lab_b2 = add(school, "practical", now_slot, batch="B2", room="Lab 2")
    page = today_page(web, school["teacher_email"])
    for p in (theory_a, theory_b, lab_b2):
        row(page, p["planned_id"]).wait_for()
    assert page.evaluate("() => document.activeElement?.id") == "today-title"
    assert page.locator("#today-date").inner_text() == date.fromisoformat(now_slot[0]).strftime(
        "%A, %-d %B %Y"
    )
    lab = row(page, lab_b2["planned_id"])
    assert lab.locator(".today-audience").inner_text() == "Batch B2"
    assert lab.locator(".today-room").inner_text() == "Room Lab 2"
    assert lab.locator(".kind-tag").inner_text() == "Practical"
    assert lab.locator(".today-range").inner_text() == f"{now_slot[1]}–{now_slot[2]}"
    assert lab.get_attribute("data-phase") == "startable"
    assert row(page, theory_b["planned_id"]).locator(".today-audience").inner_text() == "Division B"
    # My courses stay below, with their cards
    page.locator(f'article.course[data-course="{school["course"]}"]').wait_for()
    web.shot(page, "01-today", full_page=True)

    lab.locator("button.today-start").click()
    page.wait_for_function("() => location.hash.startsWith('#/session/')")
    session_id = page.evaluate("() => location.hash").rsplit("/", 1)[1]
    page.wait_for_selector("#qr[data-token] svg")
    page.wait_for_function(
        "name => document.querySelector('#course-name')?.textContent === name", arg=school["name"]
    )
    assert page.locator("#session-facts").inner_text() == "Batch B2 · Practical · Room Lab 2"
    web.shot(page, "02-projector-of-the-batch")
    doc = admin.db().document(f"sessions/{session_id}").get().to_dict()
    assert doc["planned_id"] == lab_b2["planned_id"]
    assert (doc["kind"], doc["audience"], doc["room"]) == (
        "practical",
        {"type": "batch", "value": "B2"},
        "Lab 2",
    )
    assert doc["course_id"] == school["course"]
    assert planned(lab_b2["planned_id"])["session_id"] == session_id
    assert planned(theory_a["planned_id"]).get("session_id") is None, "only the one clicked"

    # Back on Today: the batch's practical is started, its code a click away.
    page.goto(f"{web.url}/#/")
    lab = row(page, lab_b2["planned_id"])
    page.wait_for_selector(
        f'li.today-item[data-planned="{lab_b2["planned_id"]}"][data-phase="started"]'
    )
    assert lab.locator("a.today-show-code").get_attribute("href") == f"#/session/{session_id}"
    assert lab.locator("button.today-start").count() == 0
    assert lab.locator("button.today-cancel").count() == 0, "a started session stays"


def test_a_session_changed_meanwhile_is_refused_in_words(web, school):
    """The list was read; then a colleague moves one session to tomorrow and cancels
    another (over HTTP): Start on each says why, and the list is read again (the moved
    one leaves it, its refusal stays said)."""
    when = slot_now()
    tomorrow = (date.fromisoformat(when[0]) + timedelta(days=1)).isoformat()
    cancel_me = add(school, "tutorial", when, room="T-1")
    move_me = add(school, "practical", when, batch="A1", room="Lab 1")
    page = today_page(web, school["teacher_email"])
    for p in (cancel_me, move_me):
        page.wait_for_selector(
            f'li.today-item[data-planned="{p["planned_id"]}"][data-phase="startable"]'
        )

    move = {"planned_id": move_me["planned_id"], "date": tomorrow, "start": "09:00", "end": "11:00"}
    ok(call(school["teacher"], "planned/move", move))
    row(page, move_me["planned_id"]).locator("button.today-start").click()
    page.wait_for_selector(
        f'li.today-item[data-planned="{move_me["planned_id"]}"]', state="detached"
    )
    error = page.locator(f'#today-gone [data-planned-error="{move_me["planned_id"]}"]')
    assert error.inner_text() == (
        f"{school['code']} · Practical · Batch A1 · {when[1]}–{when[2]} · Room Lab 1: "
        f"Not now: this session is planned for {tomorrow} 09:00-11:00. A planned session can "
        "be started from 15 minutes before its start until its end. (not_now)"
    )

    reason = {"planned_id": cancel_me["planned_id"], "reason": "hall taken for an exam"}
    ok(call(school["teacher"], "planned/cancel", reason))
    row(page, cancel_me["planned_id"]).locator("button.today-start").click()
    page.wait_for_selector(
        f'li.today-item[data-planned="{cancel_me["planned_id"]}"][data-phase="cancelled"]'
    )
    cancelled = row(page, cancel_me["planned_id"])
    assert cancelled.locator(".today-phase").inner_text() == "Cancelled: hall taken for an exam"
    assert cancelled.locator(f'[data-planned-error="{cancel_me["planned_id"]}"]').inner_text() == (
        "Not opened: this session was cancelled: hall taken for an exam. (cancelled)"
    )
    assert cancelled.locator("button.today-start").count() == 0
    assert not page.evaluate("() => location.hash.startsWith('#/session/')")
    web.shot(page, "03-refused-in-words", full_page=True)


# ---- 2. cancel, move and add from Today ----------------------------------------------------


def test_cancel_move_and_add_from_today(web, stack):
    os.environ.update(stack)
    school = make_school(uuid.uuid4().hex[:6])
    day = slot_now()[0]
    cancel_me = add(school, "theory", (day, "07:00", "07:50"), division="A", room="A-101")
    move_me = add(school, "practical", (day, "07:00", "08:50"), batch="A2", room="Lab 3")
    page = today_page(web, school["teacher_email"])
    for p in (cancel_me, move_me):
        row(page, p["planned_id"]).wait_for()

    # Cancel, with a reason (required).
    row(page, cancel_me["planned_id"]).locator("button.today-cancel").click()
    dialog = page.locator("#plan-dialog[open]")
    dialog.wait_for()
    assert (
        page.locator("#plan-which")
        .inner_text()
        .startswith(f"{school['code']} · Theory · Division A")
    )
    page.click("#plan-submit")
    assert page.locator("#plan-error").inner_text().startswith("Give a reason")
    page.fill("#plan-reason", "Teacher at a conference")
    web.shot(page, "04-cancel-dialog")
    page.click("#plan-submit")
    page.wait_for_selector("#plan-dialog", state="hidden")
    page.wait_for_selector(
        f'li.today-item[data-planned="{cancel_me["planned_id"]}"][data-phase="cancelled"]'
    )
    assert page.locator("#today-status").inner_text().startswith("Cancelled: ")
    stored = planned(cancel_me["planned_id"])
    assert (stored["status"], stored["reason"], stored["edited"]) == (
        "cancelled",
        "Teacher at a conference",
        True,
    )

    # Move: another time and room the same day, refused first for an end before the start.
    row(page, move_me["planned_id"]).locator("button.today-move").click()
    page.locator("#plan-dialog[open]").wait_for()
    assert page.input_value("#plan-start") == "07:00"
    assert page.input_value("#plan-room") == "Lab 3"
    page.fill("#plan-start", "08:30")
    page.fill("#plan-end", "08:00")
    page.click("#plan-submit")
    assert page.locator("#plan-error").inner_text() == "End: after the start."
    page.fill("#plan-start", "07:10")
    page.fill("#plan-end", "09:10")
    page.fill("#plan-room", "Lab 4")
    page.click("#plan-submit")
    page.wait_for_selector("#plan-dialog", state="hidden")
    moved = row(page, move_me["planned_id"])
    page.wait_for_function(
        "([id, want]) => document.querySelector(`li[data-planned='${id}'] .today-range`)"
        "?.textContent === want",
        arg=[move_me["planned_id"], "07:10–09:10"],
    )
    assert moved.locator(".today-room").inner_text() == "Room Lab 4"
    stored = planned(move_me["planned_id"])
    assert (stored["start"], stored["end"], stored["room"]) == ("07:10", "09:10", "Lab 4")
    assert stored["moved_from"]["start"] == "07:00"

    # The cancelled one, rescheduled, is back.
    row(page, cancel_me["planned_id"]).locator("button.today-move").click()
    page.locator("#plan-dialog[open]").wait_for()
    page.click("#plan-submit")
    page.wait_for_selector(
        f'li.today-item[data-planned="{cancel_me["planned_id"]}"]:not([data-phase="cancelled"])'
    )
    assert planned(cancel_me["planned_id"])["status"] == "planned"

    # Add an extra practical for batch B1 tomorrow: the day's list is today's, the
    # status line says where it went, and tomorrow's list has it.
    tomorrow = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    page.click("#today-add")
    page.locator("#plan-dialog[open]").wait_for()
    page.select_option("#plan-kind", "practical")
    page.wait_for_selector('#plan-audience option[value="batch:B1"]', state="attached")
    page.select_option("#plan-audience", "batch:B1")
    page.fill("#plan-date", tomorrow)
    page.fill("#plan-start", "15:00")
    page.fill("#plan-end", "17:00")
    page.fill("#plan-room", "Lab 2")
    web.shot(page, "05-add-dialog")
    page.click("#plan-submit")
    page.wait_for_selector("#plan-dialog", state="hidden")
    wait_for(lambda: page.locator("#today-status").inner_text().startswith("Added on "))
    added = [
        s
        for s in ok(call(school["teacher"], "today", method="GET", date=tomorrow))["sessions"]
        if s["audience"] == {"type": "batch", "value": "B1"} and s["start"] == "15:00"
    ]
    assert len(added) == 1 and added[0]["kind"] == "practical" and added[0]["room"] == "Lab 2"
    page.click("#today-next")
    page.wait_for_selector(f'li.today-item[data-planned="{added[0]["planned_id"]}"]')
    assert page.locator("#today-title").inner_text() == "Planned sessions"
    web.shot(page, "06-tomorrow", full_page=True)
    page.click("#today-today")
    row(page, move_me["planned_id"]).wait_for()


def test_nothing_planned_today_says_so(web, stack):
    os.environ.update(stack)
    other = make_school(uuid.uuid4().hex[:6], students=4)
    page = today_page(web, other["teacher_email"])
    page.wait_for_selector("#today-empty")
    assert page.locator("#today-empty").inner_text().startswith("Nothing is planned for you today.")
    page.locator(f'article.course[data-course="{other["course"]}"]').wait_for()
    web.shot(page, "07-nothing-today", full_page=True)
    # a TA starts sessions but does not change the timetable
    ta = today_page(web, other["ta_email"])
    ta.wait_for_selector("#today-empty")
    assert ta.locator("#today-add").count() == 0


# ---- 3. the admin's timetable import -------------------------------------------------------


def test_admin_imports_a_timetable_errors_by_line_then_applies_then_a_move(web, stack):
    """A two-week term from next Monday with a holiday on its first Wednesday; four
    weekly slots make 7 sessions. A bad file lists each error with its line; the good
    one applies; moving Thursday's practical to Friday previews as 2 moves."""
    os.environ.update(stack)
    t = uuid.uuid4().hex[:6]
    school = make_school(t)
    door = school["door"]
    local = local_now().date()
    monday = local + timedelta(days=7 - local.weekday())
    term_id = f"tt{t}"
    ok(
        call(
            door.token,
            "admin/terms",
            {
                "id": term_id,
                "name": f"Timetable term {t}",
                "starts_on": monday.isoformat(),
                "ends_on": (monday + timedelta(days=13)).isoformat(),
                "holidays": [{"date": (monday + timedelta(days=2)).isoformat(), "name": "Fest"}],
            },
        )
    )
    code = f"TT{t.upper()}"
    door.post(
        "imports/courses",
        csv_text="code,name,department,term,divisions,teachers\n"
        f"{code},Timetabled {t},{institution.DEPARTMENT},{term_id},A B,{school['teacher_email']}\n",
    )
    course_id = f"{code}_{term_id}"
    door.post(
        "imports/roster",
        csv_text="Roll No,Name,Email,Division,Batch\n"
        + "".join(
            f"{i},Student {i},{email},{batch[0]},{batch}\n"
            for i, (email, batch) in enumerate(school["students"].values(), start=1)
        ),
        course_id=course_id,
    )
    header = "Course Code;Div;Batch;Type;Day;Start Time;End Time;Venue\r\n"
    good = [
        f"{code};A;;Lecture;Mon;09:00;10:00;A-101",
        f"{code};B;;Lecture;Wed;10:00;11:00;A-102",
        f"{code};;A1;Lab;Tue;2:00 PM;4:00 PM;Lab 1",
        f"{code};;B2;Lab;Thu;14:00;16:00;Lab 2",
    ]
    bad = [
        *good[:2],
        f"NOPE{t};A;;Lecture;Tue;09:00;10:00;A-101",  # line 4
        f"{code};;C9;Lab;Tue;14:00;16:00;Lab 1",  # line 5
        f"{code};A;;Lecture;Fri;11:00;10:00;A-101",  # line 6
        f"{code};B;;Lecture;Funday;09:00;10:00;A-101",  # line 7
    ]
    page = web.page("/#/admin/timetable", device=LAPTOP)
    page.set_default_timeout(SLOW)
    web.sign_in(page, institution.ADMIN, PASSWORD)
    page.wait_for_selector(f'#timetable-term option[value="{term_id}"]', state="attached")
    page.select_option("#timetable-term", term_id)
    assert "holidays: " in page.locator("#timetable-term-facts").inner_text()
    page.wait_for_selector("#import-timetable-file", state="attached")

    def choose(lines: list[str]) -> None:
        page.set_input_files(
            "#import-timetable-file",
            files=[
                {
                    "name": "timetable.csv",
                    "mimeType": "text/csv",
                    "buffer": (header + "\r\n".join(lines) + "\r\n").encode(),
                }
            ],
        )

    choose(bad)
    page.wait_for_selector("#import-timetable-errors")
    found = page.locator("#import-timetable-errors tbody tr").evaluate_all(
        """rows => rows.map(r => [r.dataset.line, r.dataset.column, r.dataset.code])"""
    )
    assert found == [
        ["4", "Course Code", "unknown_course"],
        ["5", "Batch", "unknown_batch"],
        ["6", "End Time", "invalid_time"],
        ["7", "Day", "unknown_weekday"],
    ]
    assert page.locator("#import-timetable-apply").count() == 0
    assert page.locator("#import-timetable-headline").inner_text().startswith("4 errors in 6 rows")
    web.shot(page, "08-timetable-errors", full_page=True)

    choose(good)
    page.wait_for_selector("#import-timetable-apply")
    assert page.locator("#import-timetable-count-added").inner_text() == "7"
    assert page.locator("#import-timetable-added tbody tr").count() == 7
    first = page.locator("#import-timetable-added tbody tr").first
    assert first.locator('[data-field="audience"]').inner_text() == "Division A"
    assert first.locator('[data-field="kind"]').inner_text() == "Theory"
    assert first.locator('[data-field="date"]').inner_text() == f"Mon {monday.isoformat()}"
    assert page.locator("#import-timetable-headline").inner_text() == (
        "Ready to apply: 7 sessions added, 0 moved, 0 changed, 0 cancelled, 0 unchanged."
    )
    web.shot(page, "09-timetable-preview", full_page=True)
    page.click("#import-timetable-apply")
    page.wait_for_selector("#import-timetable-outcome")
    stored = [s.to_dict() for s in planned_of(course_id)]
    assert len(stored) == 7
    assert sorted((s["date"], s["start"], s["audience"]["value"]) for s in stored)[0] == (
        monday.isoformat(),
        "09:00",
        "A",
    )

    # Thursday's practical moves to Friday: previewed as two moves, then applied.
    moved = [*good[:3], f"{code};;B2;Lab;Fri;14:00;16:00;Lab 2"]
    choose(moved)
    page.wait_for_selector("#import-timetable-moved")
    assert page.locator("#import-timetable-count-moved").inner_text() == "2"
    assert page.locator("#import-timetable-count-unchanged").inner_text() == "5"
    assert page.locator("#import-timetable-count-removed").inner_text() == "0"
    assert page.locator("#import-timetable-headline").inner_text() == (
        "Ready to apply: 0 sessions added, 2 moved, 0 changed, 0 cancelled, 5 unchanged."
    )
    change = page.locator("#import-timetable-moved tbody tr").first
    assert change.locator('[data-field="course_id"]').inner_text() == code
    thursday = monday + timedelta(days=3)
    assert (
        change.locator('[data-field="date"] del')
        .inner_text()
        .endswith(f"Thu {thursday.isoformat()}")
    )
    assert (
        change.locator('[data-field="date"] ins')
        .inner_text()
        .endswith(f"Fri {(thursday + timedelta(days=1)).isoformat()}")
    )
    web.shot(page, "10-timetable-moves", full_page=True)
    page.click("#import-timetable-apply")
    page.wait_for_selector("#import-timetable-outcome")
    assert "2 moved" in page.locator("#import-timetable-outcome").inner_text()
    statuses = sorted(
        (s.to_dict()["date"], s.to_dict()["status"])
        for s in planned_of(course_id)
        if s.to_dict()["audience"]["value"] == "B2"
    )
    assert [st for _, st in statuses] == ["cancelled", "planned", "cancelled", "planned"]


# ---- 4. figures per kind -------------------------------------------------------------------


def scan_in(school: dict[str, Any], session_id: str, uid: str) -> None:
    """The student scans the session's current code (as their phone would send it)."""
    student = Student(uid, auth_emulator.sign_in(school["students"][uid][0], PASSWORD))
    resp = scan(student, token_for(admin.load_session(session_id)), f"phone-{uid}")
    assert resp.status_code == 202, resp.text
    wait_for(lambda: attendance(session_id, uid), timeout=60)


def test_theory_and_practical_side_by_side_in_the_course_view_and_the_students_tab(web, stack):
    """Ana (A, A1) attends the theory lecture and misses A1's practical. The course asks
    50 % overall, 75 % in theory and 80 % in practicals: she is fine overall and in
    theory, below in practicals, so below as a whole."""
    os.environ.update(stack)
    school = make_school(uuid.uuid4().hex[:6])
    teacher, course = school["teacher"], school["course"]
    ok(
        call(
            teacher,
            "courses/settings",
            {
                "course_id": course,
                "min_attendance_percent": 50,
                "min_attendance_percent_theory": 75,
                "min_attendance_percent_practical": 80,
                "alerts_after_sessions": 0,
            },
        )
    )
    day = date.fromisoformat(slot_now()[0])
    for k in range(1, 8):  # what the timetable still plans: 7 lectures, 2 practicals
        later = (day + timedelta(days=k)).isoformat()
        add(school, "theory", (later, "09:00", "10:00"), division="A")
        if k < 3:
            add(school, "practical", (later, "14:00", "16:00"), batch="A1")
    lecture = add(school, "theory", slot_now(), division="A", room="A-101")
    lab = add(school, "practical", slot_now(), batch="A1", room="Lab 1")
    a_division = [uid for uid, (_, batch) in school["students"].items() if batch[0] == "A"]
    a1 = [uid for uid, (_, batch) in school["students"].items() if batch == "A1"]
    ana = a1[0]
    sessions = {}
    for plan in (lecture, lab):
        started = ok(call(teacher, "sessions", {"planned_id": plan["planned_id"]}), 201)
        sessions[plan["kind"]] = started["session_id"]
    for uid in a_division:
        scan_in(school, sessions["theory"], uid)
    scan_in(school, sessions["practical"], a1[1])  # Ana's batch-mate; Ana misses it
    for session_id in sessions.values():
        ok(call(teacher, "sessions/close", {"session_id": session_id}), 202)

    def figures(uid: str) -> dict:
        snap = admin.db().document(f"courses/{course}/students/{uid}").get()
        return snap.to_dict() if snap.exists else {}

    wait_for(lambda: figures(ana).get("held") == 2, timeout=90)
    by_kind = figures(ana)["by_kind"]
    assert (by_kind["theory"]["percent"], by_kind["practical"]["percent"]) == (100.0, 0.0)

    # The course view: a column per kind beside the overall one.
    page = web.page(f"/#/course/{course}", device=LAPTOP)
    page.set_default_timeout(SLOW)
    web.sign_in(page, school["teacher_email"], PASSWORD)
    ana_row = page.locator(f'tr.standing-row[data-uid="{ana}"]')
    ana_row.locator('td.kind-cell[data-kind="practical"]').wait_for()
    heads = page.locator("#standing thead th").all_inner_texts()
    assert "Theory · min 75 %" in heads and "Practical · min 80 %" in heads
    assert heads.index("Overall") < heads.index("Theory · min 75 %")
    theory = ana_row.locator('td.kind-cell[data-kind="theory"]')
    practical = ana_row.locator('td.kind-cell[data-kind="practical"]')
    assert (theory.get_attribute("data-percent"), theory.get_attribute("data-state")) == (
        "100",
        "ok",
    )
    assert (practical.get_attribute("data-percent"), practical.get_attribute("data-state")) == (
        "0",
        "below",
    )
    assert theory.locator(".kind-detail").inner_text() == "1 held · can miss 2"
    assert practical.locator(".kind-detail").inner_text() == "1 held · out of reach"
    assert practical.locator(".kind-state").inner_text() == "Below 80 %"
    assert ana_row.locator("td .standing").last.inner_text() == "Below 80 % in practicals"
    assert ana_row.locator("td.batch").inner_text() == "A1"
    assert (
        page.locator("#course-rules")
        .inner_text()
        .startswith("Minimum 50 %, 75 % in theory, 80 % in practicals · ")
    )
    assert "planned sessions from the timetable" in page.locator("#course-rules").inner_text()
    web.shot(page, "11-course-view-per-kind", full_page=True)

    # The rules form: each kind's minimum (blank: the course's) and auto_open.
    page.click("#rules-edit")
    assert page.input_value("#rule-min-practical") == "80"
    assert page.input_value("#rule-min-theory") == "75"
    assert page.input_value("#rule-min-tutorial") == ""
    page.fill("#rule-min-tutorial", "120")
    page.click("#rules-save")
    message = page.locator("#rules-message")
    wait_for(lambda: message.inner_text().startswith("Not saved"))
    assert message.inner_text().startswith("Not saved: Minimum in tutorials must be a number")
    page.fill("#rule-min-tutorial", "")
    page.fill("#rule-min-theory", "70")
    page.check("#rule-auto-open")
    web.shot(page, "12-rules-per-kind")
    page.click("#rules-save")
    wait_for(lambda: message.inner_text().startswith("Saved."))
    doc = admin.db().document(f"courses/{course}").get().to_dict()
    assert doc["min_attendance_percent_theory"] == 70
    assert doc["min_attendance_percent_tutorial"] is None
    assert doc["auto_open"] is True
    wait_for(lambda: "sessions open by themselves" in page.locator("#course-rules").inner_text())

    # The student's Attendance tab: theory and practical side by side.
    student = web.page("/scan.html", device=PHONE)
    student.set_default_timeout(SLOW)
    web.sign_in(student, school["students"][ana][0], PASSWORD)
    student.wait_for_selector("#typed-code")
    student.click("#tab-attendance")
    card = student.locator(f'article.my-course[data-course="{course}"]')
    card.locator('.my-kind[data-kind="practical"]').wait_for()
    assert card.get_attribute("data-state") == "below"
    assert card.locator(".my-course-head .standing").inner_text() == "Below 80 % in practicals"
    assert card.locator(".my-overall .my-pct-value").inner_text() == "50 %"
    kinds = card.locator(".my-kind")
    assert kinds.evaluate_all("els => els.map(e => e.dataset.kind)") == ["theory", "practical"]
    box = card.locator('.my-kind[data-kind="practical"]')
    assert box.locator(".my-pct-value").inner_text() == "0 %"
    assert box.locator(".my-pct-label").inner_text() == "required 80 %"
    assert box.locator(".my-kind-projection").inner_text() == (
        "You can no longer reach 80 % this term in practicals: talk to your teacher."
    )
    lectures = card.locator('.my-kind[data-kind="theory"]')
    assert lectures.locator(".my-pct-value").inner_text() == "100 %"
    assert lectures.locator(".my-kind-held").inner_text() == "1 held, 7 to come"
    web.shot(student, "13-student-per-kind", full_page=True)
