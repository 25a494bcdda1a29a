"""The admin page in the catalogs (decision 0031): every screen of the institution's
setup and of the imports runs in the tests' pseudo-language (``?lang=qps``) and the
walk of ``catalog_walk`` finds no visible letter outside a catalog string or outside
``translate="no"`` (codes, names, emails, file names, the files' own values).

An institution admin sets a department and a term (a holiday line refused first), the
absence-request setting, imports the courses file, a roster and a timetable through the
admin page: each with a preview, and each refused first (an empty file, a file whose rows
have errors, listed by line and column). A head of department sees their own wording,
and someone with neither role the page's refusal.
Then the same page in Marathi, screenshotted. Screenshots: test-artifacts/browser/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from rollcall.clock import now
from rollcall_ops import institution
from rollcall_ops.admin import DEMO_PASSWORD as PASSWORD
from tests.browser.catalog_walk import assert_all_from_catalogs
from tests.browser.test_admin import LAPTOP, choose_file, csv_text, roster_rows, tag, verified_admin

pytestmark = pytest.mark.emulator


def admin_page(web: Any, email: str, path: str = "/?lang=qps") -> Any:
    page = web.page(path, device=LAPTOP)
    web.sign_in(page, email, PASSWORD)
    page.click("#nav-admin")
    page.wait_for_selector(".admin[data-section=courses]")
    return page


def open_formats(page: Any) -> None:
    """The 'File format' details opened: their text is walked too."""
    page.evaluate(
        "() => document.querySelectorAll('details.format').forEach(d => { d.open = true; })"
    )


def test_every_admin_screen_is_from_the_catalogs_and_in_marathi(web):
    t = tag()
    dept, term, code = f"L{t.upper()}", f"lt{t}", f"LC{t.upper()}"
    email = verified_admin(t)
    page = admin_page(web, email)
    empty_file = "#import-courses-error"
    choose_file(page, "#import-courses-file", "empty.csv", "")
    page.wait_for_selector(empty_file)
    open_formats(page)
    assert_all_from_catalogs(page, "courses file, an empty file refused")

    # Departments: the list, the form, a department saved, its Edit button.
    page.click("#admin-tab-departments")
    page.wait_for_selector("#department-form")
    assert_all_from_catalogs(page, "departments")
    page.fill("#department-code", dept)
    page.fill("#department-name", "Languages Department")
    page.fill("#department-heads", f"hod-{t}@rollcall.test")
    page.click("#department-save")
    page.wait_for_selector(f'#departments tr[data-department="{dept}"]')
    page.wait_for_function("() => document.querySelector('#department-message').textContent.trim()")
    assert_all_from_catalogs(page, "departments, saved")

    # Terms: a holiday line refused, then the term saved; the absence-request setting.
    page.click("#admin-tab-terms")
    page.wait_for_selector("#term-form")
    today = now().date()
    monday = today + timedelta(days=7 - today.weekday())
    page.fill("#term-id", term)
    page.fill("#term-name", "Pseudo term")
    page.fill("#term-starts", monday.isoformat())
    page.fill("#term-ends", (monday + timedelta(days=13)).isoformat())
    page.fill("#term-holidays", f"{(monday + timedelta(days=2)).isoformat()} Fest\nsoon a party")
    page.click("#term-save")
    page.wait_for_selector("#term-message.form-error")
    assert_all_from_catalogs(page, "terms, a holiday line refused")
    page.fill("#term-holidays", f"{(monday + timedelta(days=2)).isoformat()} Fest")
    page.click("#term-save")
    page.wait_for_selector(f'#terms tr[data-term="{term}"]')
    page.wait_for_function("() => document.querySelector('#term-message').textContent.trim()")
    page.wait_for_selector("#document-required-after:not([disabled])")
    page.fill("#document-required-after", "3")
    page.click("#institution-settings-save")
    page.wait_for_function(
        "() => document.querySelector('#institution-settings-message').textContent.trim()"
    )
    assert_all_from_catalogs(page, "terms and the absence-request setting, saved")
    web.shot(page, "01-qps-terms", full_page=True)

    # The courses file: an unknown department refused by line, then a preview, applied.
    page.click("#admin-tab-courses")
    header = ["Course Code", "Course Name", "Dept", "Term", "Divisions", "Teachers"]
    teacher = f"lt-{t}.teacher@rollcall.test"
    bad = csv_text([header, [code, "Phonetics", "NOPE", term, "A, B", teacher]])
    choose_file(page, "#import-courses-file", "courses.csv", bad)
    page.wait_for_selector("#import-courses-errors")
    open_formats(page)
    assert_all_from_catalogs(page, "courses file, errors")
    good = csv_text([header, [code, "Phonetics", dept, term, "A, B", teacher]])
    choose_file(page, "#import-courses-file", "courses.csv", good)
    page.wait_for_selector("#import-courses-apply")
    assert_all_from_catalogs(page, "courses file, preview")
    page.click("#import-courses-apply")
    page.wait_for_selector("#import-courses-outcome")
    assert_all_from_catalogs(page, "courses file, applied")
    course_id = f"{code}_{term}"

    # A roster: the picker, the course's facts, an empty file, errors, a preview.
    page.click("#admin-tab-rosters")
    page.wait_for_selector(f'#roster-course option[value="{course_id}"]', state="attached")
    assert_all_from_catalogs(page, "rosters, no course chosen")
    page.select_option("#roster-course", course_id)
    page.wait_for_selector("#import-roster-file", state="attached")
    open_formats(page)
    assert_all_from_catalogs(page, "rosters, a course chosen")
    choose_file(page, "#import-roster-file", "roster.csv", "")
    page.wait_for_selector("#import-roster-error")
    assert_all_from_catalogs(page, "rosters, an empty file refused")
    rows = roster_rows(t, n=6)
    good_roster = csv_text(rows, ";")
    rows[2][3] = "not an email"
    choose_file(page, "#import-roster-file", "roster.csv", csv_text(rows, ";"))
    page.wait_for_selector("#import-roster-errors")
    assert_all_from_catalogs(page, "rosters, errors")
    web.shot(page, "02-qps-roster-errors", full_page=True)
    choose_file(page, "#import-roster-file", "roster.csv", good_roster)
    page.wait_for_selector("#import-roster-apply")
    assert_all_from_catalogs(page, "rosters, preview")
    page.click("#import-roster-apply")
    page.wait_for_selector("#import-roster-outcome")
    page.wait_for_function(
        "() => !document.querySelector('#roster-course-facts').textContent.includes('⟦0')"
    )
    assert_all_from_catalogs(page, "rosters, applied")

    # The timetable: the term's facts, errors by line, a preview.
    page.click("#admin-tab-timetable")
    page.wait_for_selector(f'#timetable-term option[value="{term}"]', state="attached")
    assert_all_from_catalogs(page, "timetable, no term chosen")
    page.select_option("#timetable-term", term)
    page.wait_for_selector("#import-timetable-file", state="attached")
    open_formats(page)
    assert_all_from_catalogs(page, "timetable, a term chosen")
    head = "Course Code;Div;Batch;Type;Day;Start Time;End Time;Venue\r\n"
    slots = [f"{code};A;;Lecture;Mon;09:00;10:00;A-101", f"{code};B;;Lecture;Tue;10:00;11:00;A-102"]
    wrong = [*slots, f"{code};B;;Lecture;Funday;09:00;10:00;A-101"]
    choose_file(page, "#import-timetable-file", "timetable.csv", head + "\r\n".join(wrong) + "\r\n")
    page.wait_for_selector("#import-timetable-errors")
    assert_all_from_catalogs(page, "timetable, errors")
    choose_file(page, "#import-timetable-file", "timetable.csv", head + "\r\n".join(slots) + "\r\n")
    page.wait_for_selector("#import-timetable-apply")
    assert_all_from_catalogs(page, "timetable, preview")
    web.shot(page, "03-qps-timetable-preview", full_page=True)

    # The same page in Marathi.
    page.select_option("#language", "mr")
    page.wait_for_function("() => document.documentElement.lang === 'mr'")
    page.goto(f"{web.url}/#/admin/terms")
    page.wait_for_selector(f'#terms tr[data-term="{term}"]')
    assert page.inner_text("#admin-title") == "ॲडमिन"
    assert page.inner_text("#terms-title") == "सत्र"
    assert page.inner_text("#admin-tab-departments") == "विभाग"
    assert page.inner_text("#term-save") == "सत्र सेव्ह करा"
    web.shot(page, "04-admin-terms-marathi", full_page=True)
    page.click("#admin-tab-rosters")
    page.select_option("#roster-course", course_id)
    page.wait_for_selector("#import-roster-file", state="attached")
    page.wait_for_function(
        "t => document.querySelector('#roster-course-facts').textContent.includes(t)",
        arg="रोस्टरवर 6 विद्यार्थी",
    )
    web.shot(page, "05-admin-roster-marathi", full_page=True)
    assert web.errors == []


def test_a_head_and_someone_with_neither_role_read_their_own_wording(web):
    t = tag()
    dept = f"H{t.upper()}"
    hod = f"hod-{t}@rollcall.test"
    institution.ensure_account(f"hod-{t}", hod, "Hema Head")
    institution.admin_door().post(
        "admin/departments", body={"code": dept, "name": "Mechanical", "heads": [hod]}
    )
    page = admin_page(web, hod)
    open_formats(page)
    assert_all_from_catalogs(page, "head of department, courses file")
    page.click("#admin-tab-timetable")
    page.wait_for_selector("#timetable-term, #timetable-no-terms")
    assert_all_from_catalogs(page, "head of department, timetable")
    page.click("#admin-tab-rosters")
    page.wait_for_selector("#roster-no-courses, #roster-course")
    assert_all_from_catalogs(page, "head of department, rosters")

    # someone with neither role who opens the admin page's address
    nobody = f"nobody-{t}@rollcall.test"
    institution.ensure_account(f"nobody-{t}", nobody, "Nina Nobody")
    page = web.page("/?lang=qps#/admin", device=LAPTOP)
    web.sign_in(page, nobody, PASSWORD)
    page.wait_for_selector("#admin-denied")
    assert_all_from_catalogs(page, "neither role")
    assert web.errors == []
