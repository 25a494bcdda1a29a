"""The department view's pure part (rollcall.core.department.summary): a session's
attendance under the course's rules (late weight, excused policy), the lines per
division, the counts per state summed to the department, the grid in roll-number
order, and a course not in the view refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest

from rollcall.core import cutoff, department, reports, standing
from rollcall.errors import NotFound

T = datetime(2026, 9, 30, 18, 30, tzinfo=UTC)
WHO = {
    "u1": {"roll_no": "10", "name": "Meera Iyer", "division": "A"},
    "u2": {"roll_no": "2", "name": "श्रुती त्रिपाठी", "division": "A"},
    "u3": {"roll_no": "3", "name": "Rohan Deshmukh", "division": "B"},
}


def course(course_id: str, code: str, statuses: dict, rules: standing.Rules) -> cutoff.CourseAt:
    """statuses: uid -> {session id: status}; sessions s0, s1, ... a day apart."""
    sids = sorted({sid for by in statuses.values() for sid in by})
    sessions = [
        (sid, {"starts_at": T - timedelta(days=10 - i), "kind": "theory"})
        for i, sid in enumerate(sids)
    ]
    starts = dict(sessions)
    reports_ = {
        uid: standing.report(
            [((starts[sid]["starts_at"], sid), "theory", s) for sid, s in by.items()], rules
        )
        for uid, by in statuses.items()
    }
    doc = {"code": code, "name": f"Course {code}"}
    return cutoff.CourseAt(course_id, doc, rules, T, sessions, statuses, reports_)


def scope(*courses: cutoff.CourseAt, students=WHO) -> reports.Scope:
    return reports.Scope("Computer Engineering", ["Odd term"], T, list(courses), dict(students))


HALF_LATE = standing.Rules(late_weight=Fraction(1, 2), excused_policy="not_counted")
C1 = course(
    "C1_T",
    "C1",
    {
        "u1": {"s0": "present", "s1": "late"},
        "u2": {"s0": "excused", "s1": "absent"},
        "u3": {"s0": "present", "s1": "present"},
    },
    HALF_LATE,
)
C2 = course("C2_T", "C2", {"u1": {"s5": "absent"}, "u2": {"s5": "present"}}, standing.Rules())


def test_a_sessions_attendance_is_counted_by_the_courses_rules():
    view = department.summary(scope(C2, C1), "COMP", None, date(2026, 9, 30))
    assert [c["code"] for c in view["courses"]] == ["C1", "C2"]  # by code
    c1 = view["courses"][0]
    first, second = c1["series"][0]["points"]
    # s0: u2 excused (not counted): 2 of 2; s1: present + half a late of 3
    assert (first["counted"], first["percent"], first["excused"]) == (2, 100.0, 1)
    assert (second["attended"], second["counted"], second["percent"]) == (1.5, 3, 50.0)
    assert c1["rules"] == {
        "min_attendance_percent": 75.0,
        "late_weight": 0.5,
        "excused_policy": "not_counted",
    }
    # the course's figures: its students' own, summed
    assert (c1["present"], c1["late"], c1["excused"], c1["absent"]) == (3, 1, 1, 1)
    own = [C1.reports[u].overall for u in WHO]
    assert c1["attended"] == float(sum(s.attended for s in own))
    assert c1["counted"] == sum(s.counted for s in own) == 5
    assert view["counts"] == {"present": 4, "late": 1, "excused": 1, "absent": 2}
    assert view["percent"] == round((3.5 + 1) / (5 + 2) * 100, 1)
    assert view["heatmap"] is None


def test_a_course_with_students_of_several_divisions_has_a_line_for_each():
    view = department.summary(scope(C1, C2), "COMP", None, date(2026, 9, 30))
    c1, c2 = view["courses"]
    assert [line["label"] for line in c1["series"]] == ["C1", "C1 A", "C1 B"]
    assert c1["divisions"] == ["A", "B"] and c2["divisions"] == ["A"]
    assert [line["label"] for line in c2["series"]] == ["C2"]
    a, b = c1["series"][1]["points"], c1["series"][2]["points"]
    assert [p["students"] for p in a] == [2, 2] and [p["students"] for p in b] == [1, 1]
    # a division's view: only its students count
    only_a = {u: w for u, w in WHO.items() if w["division"] == "A"}
    view = department.summary(scope(C1, students=only_a), "COMP", "A", date(2026, 9, 30))
    assert view["courses"][0]["students"] == 2 and len(view["courses"][0]["series"]) == 1


def test_the_grid_is_by_roll_number_with_none_outside_a_sessions_audience():
    c3 = course("C3_T", "C3", {"u1": {"s0": "present"}, "u3": {"s1": "late"}}, standing.Rules())
    view = department.summary(scope(c3), "COMP", None, date(2026, 9, 30), "C3_T")
    grid = view["heatmap"]
    assert [s["id"] for s in grid["sessions"]] == ["s0", "s1"]
    assert [(r["roll_no"], r["statuses"]) for r in grid["students"]] == [
        ("3", [None, "late"]),
        ("10", ["present", None]),
    ]
    with pytest.raises(NotFound):
        department.summary(scope(c3), "COMP", None, date(2026, 9, 30), "C9_T")
