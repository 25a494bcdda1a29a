"""The teacher changes a course's attendance rules in the course view: the server's
refusal is shown as it comes, a saved change is stored and the rules line follows."""

from __future__ import annotations

import pytest

from rollcall_ops import admin
from tests.support import unique, wait_for

pytestmark = pytest.mark.emulator


def test_teacher_changes_the_course_rules(web):
    course = admin.demo_course(unique("rules"))
    admin.seed(course, 2, course_name="Compilers")
    page = web.page(f"/#/course/{course}")
    web.sign_in(page, f"teacher-{course}@rollcall.test".lower(), admin.DEMO_PASSWORD)
    rules_line = page.locator("#course-rules")
    wait_for(lambda: rules_line.inner_text().startswith("Minimum 75 %"))

    page.click("#rules-edit")
    assert page.input_value("#rule-min-percent") == "75"
    assert page.input_value("#rule-planned-sessions") == ""
    page.fill("#rule-min-percent", "140")
    page.click("#rules-save")
    message = page.locator("#rules-message")
    wait_for(lambda: message.inner_text().startswith("Not saved"))
    assert message.inner_text() == (
        "Not saved: Minimum attendance must be a number from 0 to 100, not 140"
    )
    web.shot(page, "01-refused")
    doc = admin.db().collection("courses").document(course).get().to_dict()
    assert "min_attendance_percent" not in doc

    page.fill("#rule-min-percent", "80")
    page.fill("#rule-late-weight", "0.5")
    page.select_option("#rule-excused-policy", "attended")
    page.fill("#rule-absence-run", "2")
    page.fill("#rule-planned-sessions", "10")
    assert page.input_value("#rule-alerts-after") == "3"
    page.fill("#rule-alerts-after", "2")
    page.click("#rules-save")
    wait_for(lambda: message.inner_text().startswith("Saved."))
    doc = admin.db().collection("courses").document(course).get().to_dict()
    assert {k: doc[k] for k in ("min_attendance_percent", "late_weight", "excused_policy")} == {
        "min_attendance_percent": 80,
        "late_weight": 0.5,
        "excused_policy": "attended",
    }
    assert (doc["absence_alert_run"], doc["planned_sessions"]) == (2, 10)
    assert doc["alerts_after_sessions"] == 2
    wait_for(
        lambda: (
            rules_line.inner_text()
            == "Minimum 80 % · late counts 0.5 · excused counts as attended · 10 planned sessions "
            "· alert after 2 absences in a row · below-threshold alerts after 2 sessions"
        )
    )
    web.shot(page, "02-saved")
