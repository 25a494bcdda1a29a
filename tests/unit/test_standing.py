"""The attendance rules: percentage, run of absences, projection, alert crossings.

The worked example of the README is the first test: a course at 75 % with late
arrivals counting half, 8 planned sessions, an alert at 2 absences in a row."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from rollcall.core import standing
from rollcall.core.standing import (
    ABSENCE_RUN,
    BELOW_THRESHOLD,
    LAST_CHANCE,
    Rules,
    compute,
    crossings,
)

EXAMPLE = Rules.from_course(
    {
        "min_attendance_percent": 75,
        "late_weight": 0.5,
        "excused_policy": "not_counted",
        "absence_alert_run": 2,
        "planned_sessions": 8,
        "alerts_after_sessions": 0,
    }
)


def timeline(*statuses: str) -> list[tuple[int, str]]:
    return list(enumerate(statuses))


def figures(*statuses: str, rules: Rules = EXAMPLE) -> dict:
    return compute(timeline(*statuses), rules).figures(rules)


def test_worked_example_step_by_step():
    steps = [
        # statuses so far -> percent, run, remaining, can_miss, needed, reachable, state
        (("present",), 100.0, 0, 7, 2, 0, True, "ok"),
        (("present", "late"), 75.0, 0, 6, 1, 0, True, "at_risk"),
        (("present", "late", "absent"), 50.0, 1, 5, 0, 3, True, "below"),
        (("present", "late", "absent", "absent"), 37.5, 2, 4, None, 6, False, "below"),
        # the teacher overrides session 3 to present
        (("present", "late", "present", "absent"), 62.5, 1, 4, 0, 2, True, "below"),
        (("present", "late", "present", "absent", "present"), 70.0, 0, 3, 0, 1, True, "below"),
        (
            ("present", "late", "present", "absent", "present", "excused"),
            70.0,
            0,
            2,
            0,
            1,
            True,
            "below",
        ),
        (
            ("present", "late", "present", "absent", "present", "excused", "present"),
            75.0,
            0,
            1,
            0,
            0,
            True,
            "at_risk",
        ),
    ]
    for statuses, percent, run, remaining, can_miss, needed, reachable, state in steps:
        got = figures(*statuses)
        assert (
            got["percent"],
            got["absence_run"],
            got["remaining"],
            got["can_miss"],
            got["needed"],
            got["reachable"],
            got["state"],
        ) == (percent, run, remaining, can_miss, needed, reachable, state), statuses


def test_worked_example_alerts_fire_once_per_crossing():
    fired: list[str] = []
    state: dict[str, bool] = {}
    for statuses in [
        ("present",),
        ("present", "late"),
        ("present", "late", "absent"),
        ("present", "late", "absent", "absent"),
        ("present", "late", "present", "absent"),
        ("present", "late", "present", "absent", "present"),
        ("present", "late", "present", "absent", "present", "excused"),
        ("present", "late", "present", "absent", "present", "excused", "present"),
        # a redelivery of the last change: same conditions, nothing new
        ("present", "late", "present", "absent", "present", "excused", "present"),
    ]:
        now = compute(timeline(*statuses), EXAMPLE).conditions(EXAMPLE)
        fired += crossings(state, now)
        state = now
    assert fired == [LAST_CHANCE, BELOW_THRESHOLD, ABSENCE_RUN, LAST_CHANCE]


def test_counts_and_exact_fractions():
    s = compute(timeline("present", "late", "excused", "absent"), EXAMPLE)
    assert (s.held, s.present, s.late, s.excused, s.absent) == (4, 1, 1, 1, 1)
    assert s.attended == Fraction(3, 2) and s.counted == 3
    assert s.ratio == Fraction(1, 2)


def test_exactly_at_the_threshold_is_not_below():
    rules = Rules.from_course({"min_attendance_percent": 75, "planned_sessions": 12})
    s = compute(timeline(*(["present"] * 9 + ["absent"] * 3)), rules)
    assert s.ratio == Fraction(3, 4) and not s.below
    assert s.remaining == 0 and s.can_miss == 0


def test_excused_policy_attended_counts_excused_as_attended():
    rules = Rules.from_course({"excused_policy": "attended"})
    s = compute(timeline("excused", "absent"), rules)
    assert s.counted == 2 and s.attended == 1 and s.percent == 50.0


def test_excused_not_counted_leaves_both_sides():
    s = compute(timeline("excused", "excused"), Rules())
    assert s.counted == 0 and s.percent is None and not s.below


def test_late_counts_fully_by_default():
    assert compute(timeline("late", "late"), Rules()).percent == 100.0


def test_absence_run_skips_excused_and_breaks_on_attendance():
    assert compute(timeline("absent", "excused", "absent"), Rules()).absence_run == 2
    assert compute(timeline("absent", "late", "absent"), Rules()).absence_run == 1
    assert compute(timeline("absent", "absent", "present"), Rules()).absence_run == 0


def test_order_is_by_session_start_not_insertion():
    s = compute([(3, "absent"), (1, "absent"), (2, "present")], Rules())
    assert s.absence_run == 1  # sessions 1 absent, 2 present, 3 absent


def test_no_plan_no_projection_and_no_last_chance():
    rules = Rules()
    s = compute(timeline("present", "absent"), rules)
    assert s.remaining is None and s.can_miss is None
    assert s.needed == 2 and s.reachable is None  # 1/2 -> 3/4 after 2 more attendances
    assert not s.conditions(rules)[LAST_CHANCE]


def test_needed_is_the_fewest_attendances_back_to_the_threshold():
    rules = Rules()
    for statuses in [("absent",), ("present", "absent"), ("absent", "absent", "present")]:
        s = compute(timeline(*statuses), rules)
        k = s.needed
        assert (s.attended + k) / (s.counted + k) >= rules.threshold
        assert (s.attended + k - 1) / (s.counted + k - 1) < rules.threshold


def test_can_miss_is_the_most_misses_that_end_at_the_threshold():
    rules = Rules.from_course({"planned_sessions": 10})
    s = compute(timeline("present", "present", "absent"), rules)
    m, r = s.can_miss, s.remaining
    assert (s.attended + r - m) / (s.counted + r) >= rules.threshold
    assert (s.attended + r - m - 1) / (s.counted + r) < rules.threshold


def test_a_threshold_of_100_cannot_be_recovered():
    rules = Rules.from_course({"min_attendance_percent": 100, "planned_sessions": 5})
    s = compute(timeline("absent"), rules)
    assert s.needed is None and s.reachable is False and s.can_miss is None


def test_no_last_chance_when_missing_everything_left_is_still_fine():
    rules = Rules.from_course({"planned_sessions": 8})
    s = compute(timeline(*["present"] * 7), rules)
    assert s.remaining == 1 and s.can_miss == 1
    assert not s.conditions(rules)[LAST_CHANCE] and s.state(rules) == "ok"


def test_more_sessions_held_than_planned_leaves_none_remaining():
    rules = Rules.from_course({"planned_sessions": 2})
    s = compute(timeline("present", "present", "present"), rules)
    assert s.remaining == 0 and s.can_miss == 0
    assert not s.conditions(rules)[LAST_CHANCE]  # nothing left to miss


@pytest.mark.parametrize(
    ("doc", "field", "expected"),
    [
        ({}, "min_percent", Fraction(75)),
        ({"min_attendance_percent": 80}, "min_percent", Fraction(80)),
        ({"min_attendance_percent": 66.6}, "min_percent", Fraction(333, 5)),
        ({"min_attendance_percent": 140}, "min_percent", Fraction(75)),
        ({"min_attendance_percent": "75"}, "min_percent", Fraction(75)),
        ({"min_attendance_percent": True}, "min_percent", Fraction(75)),
        ({"late_weight": 0.5}, "late_weight", Fraction(1, 2)),
        ({"late_weight": 2}, "late_weight", Fraction(1)),
        ({"excused_policy": "attended"}, "excused_policy", "attended"),
        ({"excused_policy": "whatever"}, "excused_policy", "not_counted"),
        ({"absence_alert_run": 0}, "absence_alert_run", 0),
        ({"absence_alert_run": -1}, "absence_alert_run", 3),
        ({"planned_sessions": 12}, "planned_sessions", 12),
        ({"planned_sessions": 0}, "planned_sessions", None),
        ({"planned_sessions": 3.5}, "planned_sessions", None),
    ],
)
def test_course_settings_fall_back_to_defaults_when_invalid(doc, field, expected):
    assert getattr(Rules.from_course(doc), field) == expected


def test_absence_run_alert_zero_turns_it_off():
    rules = Rules.from_course({"absence_alert_run": 0})
    assert not compute(timeline("absent", "absent", "absent"), rules).conditions(rules)[ABSENCE_RUN]


def test_crossings_rearm_when_the_condition_clears():
    assert crossings({}, {BELOW_THRESHOLD: True}) == [BELOW_THRESHOLD]
    assert crossings({BELOW_THRESHOLD: True}, {BELOW_THRESHOLD: True}) == []
    assert crossings({BELOW_THRESHOLD: True}, {BELOW_THRESHOLD: False}) == []
    assert crossings({BELOW_THRESHOLD: False}, {BELOW_THRESHOLD: True}) == [BELOW_THRESHOLD]


def test_alert_texts_name_the_course_and_the_figures():
    s = compute(timeline("present", "late", "absent"), EXAMPLE)
    title, body = standing.alert_text(BELOW_THRESHOLD, "Distributed Systems", s, EXAMPLE)
    assert title == "Distributed Systems: attendance below 75 %"
    assert "is 50 %" in body and "next 3 sessions" in body
    s = compute(timeline("present", "late"), EXAMPLE)
    title, body = standing.alert_text(LAST_CHANCE, "DS", s, EXAMPLE)
    assert title == "DS: you can miss at most 1 more session"
    assert "remaining 6 sessions" in body
    s = compute(timeline("present", "late", "absent", "absent"), EXAMPLE)
    title, body = standing.alert_text(BELOW_THRESHOLD, "DS", s, EXAMPLE)
    assert "can no longer reach 75 %" in body
    title, _ = standing.alert_text(ABSENCE_RUN, "DS", s, EXAMPLE)
    assert title == "DS: 2 absences in a row"
    s = compute(timeline("present", "present", "absent"), EXAMPLE)
    _, body = standing.alert_text(BELOW_THRESHOLD, "DS", s, EXAMPLE)
    assert s.needed == 1 and body.endswith("Attend the next session to get back to 75 %.")


@pytest.mark.parametrize(
    "changes",
    [
        {"min_attendance_percent": 80},
        {"min_attendance_percent": 66.5, "late_weight": 0.5},
        {"excused_policy": "attended", "absence_alert_run": 0},
        {"planned_sessions": 12},
        {"planned_sessions": None},
        {},
    ],
)
def test_valid_settings_are_kept_as_given(changes):
    assert standing.validate_settings(changes) == changes


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"min_attendance_percent": 140}, "min_attendance_percent must be a number from 0 to 100"),
        ({"min_attendance_percent": "75"}, "min_attendance_percent must be a number"),
        ({"min_attendance_percent": True}, "min_attendance_percent must be a number"),
        ({"min_attendance_percent": float("nan")}, "min_attendance_percent must be a number"),
        ({"late_weight": 1.5}, "late_weight must be a number from 0 to 1"),
        ({"excused_policy": "ignored"}, "excused_policy must be not_counted or attended"),
        ({"absence_alert_run": 2.5}, "absence_alert_run must be a whole number"),
        ({"planned_sessions": 0}, "planned_sessions must be a whole number from 1 to 1000"),
        ({"threshold": 75}, "unknown setting(s): threshold"),
    ],
)
def test_invalid_settings_are_refused_with_the_reason(changes, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        standing.validate_settings(changes)


# ---- per kind of session -------------------------------------------------------------


def test_the_practical_track_of_the_worked_example_step_by_step():
    from tests.worked_example import PRACTICAL_TRACK, PRACTICAL_TRACK_LATER, PRACTICAL_TRACK_RULES

    rules = Rules.from_course(PRACTICAL_TRACK_RULES)
    shown = ("held", "percent", "remaining", "can_miss", "needed")
    entries: list[tuple[int, str, str]] = []
    state: dict[str, bool] = {}
    for step, (kind, status, theory, practical, overall, worst, alerts) in enumerate(
        PRACTICAL_TRACK, start=1
    ):
        entries.append((step, kind, status))
        report = standing.report(entries, rules, PRACTICAL_TRACK_LATER)
        figures = report.figures(rules)
        by_kind = figures["by_kind"]
        got = (
            tuple(by_kind["theory"][k] for k in (*shown, "state")),
            tuple(by_kind["practical"][k] for k in (*shown, "state")),
            tuple(figures[k] for k in shown),
            figures["state"],
        )
        assert got == (theory, practical, overall, worst), f"step {step}"
        conditions = report.conditions(rules)
        assert crossings(state, conditions) == alerts, f"step {step}"
        state = conditions


def test_the_web_apps_copy_of_the_practical_track_is_what_standing_computes():
    """web/test/standing.test.js checks its per-kind wording against this file."""
    import json

    from tests.paths import ROOT
    from tests.worked_example import PRACTICAL_TRACK_FILE, practical_track_figures

    stored = json.loads((ROOT / PRACTICAL_TRACK_FILE).read_text(encoding="utf-8"))
    assert stored == practical_track_figures(), "run: python -m tests.worked_example"


def test_each_kind_has_its_own_threshold_and_falls_back_on_the_course_one():
    rules = Rules.from_course(
        {"min_attendance_percent": 75, "min_attendance_percent_practical": 80}
    )
    assert rules.threshold_for("practical") == Fraction(4, 5)
    assert rules.threshold_for("theory") == rules.threshold_for(None) == Fraction(3, 4)
    # 3 of 4 practicals: 75 %, at the course's threshold but below the practicals' one.
    entries = [(i, "practical", s) for i, s in enumerate(["present"] * 3 + ["absent"])]
    report = standing.report(entries, rules)
    assert report.by_kind["practical"].below and not report.overall.below
    assert report.state(rules) == standing.BELOW
    assert Rules.from_course({"min_attendance_percent_practical": None}).min_percent_by_kind == {}
    assert Rules.from_course({"min_attendance_percent_theory": 140}).min_percent_by_kind == {}
    with pytest.raises(ValueError, match="min_attendance_percent_tutorial must be a number"):
        standing.validate_settings({"min_attendance_percent_tutorial": "high"})


def test_one_kind_only_sends_no_per_kind_alerts_and_a_kind_says_nothing_before_its_first():
    rules = Rules.from_course({"alerts_after_sessions": 0})
    theory_only = standing.report([(1, "theory", "absent")], rules, {"theory": 3})
    assert set(theory_only.by_kind) == {"theory"}
    assert set(theory_only.conditions(rules)) == {BELOW_THRESHOLD, ABSENCE_RUN, LAST_CHANCE}
    both = standing.report([(1, "theory", "absent")], rules, {"theory": 3, "practical": 1})
    conditions = both.conditions(rules)
    assert conditions["theory.below_threshold"]
    assert not any(v for k, v in conditions.items() if k.startswith("practical."))
    assert "theory.absence_run" not in conditions  # the run counts sessions of any kind


def test_without_a_timetable_the_plan_is_the_course_setting_overall_only():
    rules = Rules.from_course({"planned_sessions": 10})
    report = standing.report([(1, "theory", "present"), (2, "practical", "present")], rules)
    assert report.overall.remaining == 8
    assert report.by_kind["theory"].remaining is None
    timetabled = standing.report([(1, "theory", "present")], rules, {"theory": 2, "practical": 0})
    assert timetabled.overall.remaining == 2  # the timetable's, not the setting's


def test_crossings_name_overall_alerts_first_then_each_kind():
    before = {"theory.below_threshold": True}
    now = {
        "theory.below_threshold": True,
        "practical.last_chance": True,
        "theory.last_chance": True,
        BELOW_THRESHOLD: True,
        ABSENCE_RUN: False,
    }
    assert crossings(before, now) == [
        BELOW_THRESHOLD,
        "practical.last_chance",
        "theory.last_chance",
    ]
    assert standing.split("practical.last_chance") == ("practical", LAST_CHANCE)
    assert standing.split(ABSENCE_RUN) == (None, ABSENCE_RUN)
