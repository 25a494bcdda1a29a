"""The department view on the admin page: a head of department opens Admin >
Department over a small term held through the real pipeline (two courses, divisions A
and B, 40 students, sessions on several days); the plot has one point per session and
line, its hover shows the percentage and counts; the counts table is the department's;
the heatmap has a row per student and a cell per session, in roll-number order, and
scrolls; a course's name opens its course view; a teacher is refused. Screenshots go to
test-artifacts/browser/ (the plot and the heatmap, copied by hand to docs/screenshots,
are in docs/reports.md)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from rollcall.clock import now
from rollcall_ops import institution
from tests import held
from tests.support import call

pytestmark = pytest.mark.emulator
LAPTOP = {"viewport": {"width": 1280, "height": 900}}
TZ = ZoneInfo("Asia/Kolkata")
STUDENTS = 40


def test_a_head_sees_the_departments_term_and_drills_down(web):
    names = [f"Student {i:02d}" for i in range(1, STUDENTS + 1)]
    school = held.department_term("DV", names, STUDENTS // 2, TZ)
    uids, tokens, staff, courses = (school[k] for k in ("uids", "tokens", "staff", "courses"))
    head, teacher, dept = school["head"], school["teacher"], school["dept"]

    # Five sessions of CS301 and three of CS302, on different days: attendance falls
    # over the term, division B's faster; who is absent varies (each division's j-th
    # student attends session k when (7j + 3k) mod 20 is below the share's count).
    def hold(k: int, code: str, kind: str, share_a: float, share_b: float) -> str:
        half = STUDENTS // 2
        present = [
            uid
            for i, uid in enumerate(uids)
            if (7 * (i % half) + 3 * k) % half < round(half * (share_a if i < half else share_b))
        ]
        return held.hold(staff, courses[code], kind, {u: tokens[u] for u in present}, uids)

    plan = [
        ("CS301", "theory", 0.95, 0.9, 12),
        ("CS302", "theory", 0.9, 0.85, 11),
        ("CS301", "practical", 0.9, 0.8, 9),
        ("CS301", "theory", 0.85, 0.7, 7),
        ("CS302", "theory", 0.8, 0.75, 6),
        ("CS301", "theory", 0.8, 0.6, 4),
        ("CS302", "theory", 0.75, 0.6, 2),
        ("CS301", "theory", 0.8, 0.55, 0),
    ]
    for k, (code, kind, a, b, days) in enumerate(plan):
        split = now()
        sid = hold(k, code, kind, a, b)
        if k == 2:  # a medical note and a late arrival the teacher corrects
            absent = [
                u
                for u in uids
                if held.figure_doc(courses[code], u)["sessions"][sid]["status"] == "absent"
            ]
            held.override(staff, courses[code], sid, absent[0], "excused")
            held.override(staff, courses[code], sid, absent[-1], "late")
        if days:
            held.move_back(courses.values(), [sid], split, days)

    page = web.page("/", device=LAPTOP)
    web.sign_in(page, head, institution.PASSWORD)
    page.click("#nav-admin")
    page.click("#admin-tab-department")
    page.wait_for_selector("#department-plot[data-ready=true]", timeout=60000)
    # lines: CS301, CS301 A, CS301 B, CS302, CS302 A, CS302 B; a point per session each
    plot = page.locator("#department-plot")
    assert plot.get_attribute("data-lines") == "6"
    assert plot.get_attribute("data-points") == str(3 * 5 + 3 * 3)
    assert page.locator("#department-plot .u-legend .u-series").count() == 7  # x + 6 lines
    # hover over the last session: the legend shows each line's value there
    page.locator("#department-plot").evaluate("el => el.previousElementSibling.scrollIntoView()")
    box = page.locator("#department-plot .u-over").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    legend = page.locator("#department-plot .u-legend .u-series").nth(1)
    page.wait_for_function(
        "() => document.querySelectorAll('#department-plot .u-legend .u-value')[1]"
        ".textContent.includes('%')"
    )
    # the last session of CS301: 16 of A and 11 of B present, 40 counted
    assert "67.5 % (40 counted; P 27, L 0, E 0, A 13)" in legend.text_content()
    web.shot(page, "plot")
    counts = page.locator("#department-counts tr[data-course=department] td[data-state]")
    held_total = 40 * len(plan)
    assert sum(int(c) for c in counts.all_text_contents()) == held_total

    # the heatmap of CS301 (the first course): a row per student by roll number, a cell
    # per session, letters, hover text
    page.wait_for_selector("#heatmap[data-rows]")
    grid = page.locator("#heatmap")
    assert grid.get_attribute("data-rows") == str(STUDENTS)
    assert grid.get_attribute("data-columns") == "5"
    assert page.locator("#heatmap tbody tr").first.locator("td.hm-roll").text_content() == "1"
    assert page.locator("#heatmap tbody tr").nth(9).locator("td.hm-roll").text_content() == "10"
    cell = page.locator("#heatmap tbody tr").nth(STUDENTS - 1).locator("td.hm-cell").last
    assert cell.text_content().strip() == "A"
    assert cell.get_attribute("title").startswith(f"{STUDENTS} Student {STUDENTS}, ")
    assert cell.get_attribute("title").endswith(": Absent")
    scroller = grid.evaluate("el => el.scrollHeight > el.clientHeight")
    assert scroller  # 40 rows scroll within the page
    page.locator("#heatmap-title").evaluate("el => el.scrollIntoView()")
    web.shot(page, "heatmap")
    web.shot(page, "full", full_page=True)

    # a phone: the page still reads (the plot fits, the grid scrolls)
    page.set_viewport_size({"width": 390, "height": 844})
    web.shot(page, "390", full_page=True)
    page.set_viewport_size(LAPTOP["viewport"])

    # drill-down: a course's name opens its course view
    page.click(f"#department-counts tr[data-course={courses['CS302']}] a.course-link")
    page.wait_for_function(
        "n => document.querySelectorAll('#standing-body tr[data-uid]').length === n", arg=STUDENTS
    )
    assert page.url.endswith(f"#/course/{courses['CS302']}")
    web.shot(page, "course-view", full_page=False)

    # a teacher has no admin page, and the view is refused
    other = web.page("/", device=LAPTOP)
    web.sign_in(other, teacher, institution.PASSWORD)
    assert other.locator("#nav-admin").count() == 0
    other.goto(other.url.split("#")[0] + "#/admin/department")
    other.wait_for_selector("#admin-denied")
    web.shot(other, "teacher-refused", full_page=False)
    answer = call(staff, "GET", "reports/department", department=dept)
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "forbidden")
