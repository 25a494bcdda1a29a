"""The practical track of the worked example (docs/student-success.md), checked step by
step by tests/unit/test_standing.py and through the real pipeline by
tests/emulator/test_timetable.py."""

#: 75 % overall and in theory, 80 % in practicals, alerts from the first session, an
#: alert at 3 absences in a row.
PRACTICAL_TRACK_RULES = {
    "min_attendance_percent": 75,
    "min_attendance_percent_practical": 80,
    "alerts_after_sessions": 0,
    "absence_alert_run": 3,
}
#: After these sessions the timetable still plans, for Ana (division A, batch A1):
PRACTICAL_TRACK_LATER = {"theory": 6, "practical": 4}
#: Each step: the session's kind, Ana's status, then her theory,
#: practical figures as (held, percent, remaining, can miss, needed, state) and overall
#: (the same without the state), her state (the worst of them), and the alerts that step
#: sends her.
# fmt: off
PRACTICAL_TRACK = [
    ("theory", "present", (1, 100.0, 6, 1, 0, "at_risk"), (0, None, 4, 0, 0, "ok"), (1, 100.0, 10, 2, 0), "at_risk", ["theory.last_chance"]),  # noqa: E501
    ("practical", "present", (1, 100.0, 6, 1, 0, "at_risk"), (1, 100.0, 4, 1, 0, "at_risk"), (2, 100.0, 10, 3, 0), "at_risk", ["practical.last_chance"]),  # noqa: E501
    ("theory", "present", (2, 100.0, 6, 2, 0, "ok"), (1, 100.0, 4, 1, 0, "at_risk"), (3, 100.0, 10, 3, 0), "at_risk", []),  # noqa: E501
    ("practical", "absent", (2, 100.0, 6, 2, 0, "ok"), (2, 50.0, 4, 0, 3, "below"), (4, 75.0, 10, 2, 0), "below", ["practical.below_threshold"]),  # noqa: E501
    ("theory", "absent", (3, 66.7, 6, 1, 1, "below"), (2, 50.0, 4, 0, 3, "below"), (5, 60.0, 10, 1, 3), "below", ["below_threshold", "theory.below_threshold"]),  # noqa: E501
    ("practical", "present", (3, 66.7, 6, 1, 1, "below"), (3, 66.7, 4, 0, 2, "below"), (6, 66.7, 10, 2, 2), "below", []),  # noqa: E501
    ("theory", "present", (4, 75.0, 6, 1, 0, "at_risk"), (3, 66.7, 4, 0, 2, "below"), (7, 71.4, 10, 2, 1), "below", ["theory.last_chance"]),  # noqa: E501
    ("practical", "absent", (4, 75.0, 6, 1, 0, "at_risk"), (4, 50.0, 4, None, 6, "below"), (8, 62.5, 10, 1, 4), "below", []),  # noqa: E501
]
# fmt: on

#: The practical track as the figures consumer stores it, step by step, for the web app's
#: unit tests (web/test/standing.test.js reads it: the per-kind wording and the overall's
#: own state are checked against what standing.py computes). tests/unit/test_standing.py
#: holds the file to this module; `python -m tests.worked_example` writes it again.
PRACTICAL_TRACK_FILE = "tests/data/practical-track.json"


def practical_track_figures() -> dict:
    """The rules, and each step's stored figures (without the sessions map), the overall
    figures' own state and the alerts the step sends."""
    from rollcall.core import standing

    rules = standing.Rules.from_course(PRACTICAL_TRACK_RULES)
    entries: list[tuple[int, str, str]] = []
    before: dict[str, bool] = {}
    steps = []
    for step, (kind, status, *_, alerts) in enumerate(PRACTICAL_TRACK, start=1):
        entries.append((step, kind, status))
        report = standing.report(entries, rules, PRACTICAL_TRACK_LATER)
        conditions = report.conditions(rules)
        steps.append(
            {
                "step": step,
                "kind": kind,
                "status": status,
                "figures": report.figures(rules),
                "overall_state": report.overall.state(rules),
                "alerts": standing.crossings(before, conditions),
            }
        )
        assert steps[-1]["alerts"] == alerts
        before = conditions
    return {"rules": PRACTICAL_TRACK_RULES, "later": PRACTICAL_TRACK_LATER, "steps": steps}


if __name__ == "__main__":
    import json

    from tests.paths import ROOT

    text = json.dumps(practical_track_figures(), indent=1, ensure_ascii=False) + "\n"
    (ROOT / PRACTICAL_TRACK_FILE).write_text(text, encoding="utf-8")
    print(f"wrote {PRACTICAL_TRACK_FILE}")
