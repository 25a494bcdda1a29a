"""The defaulter list's pure parts: the status a record had at a cut-off (replaying its
overrides), the sessions that count then, the plan as it stood, the rows, the CSV and
the PDF (rendered to PNG into test-artifacts/browser for a person to look at)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pypdfium2 as pdfium
import pytest

from rollcall.core import cutoff, report_pdf, reports, standing
from tests.paths import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "browser"
T = datetime(2026, 9, 30, 18, 30, tzinfo=UTC)  # the end of 30 Sep 2026 in Asia/Kolkata


def at(hours: float) -> datetime:
    return T + timedelta(hours=hours)


def audit(hours: float, previous: str | None, status: str, applied: bool = True) -> dict:
    return {"at": at(hours), "previous_status": previous, "status": status, "applied": applied}


def test_the_cutoff_is_the_end_of_the_day_in_the_institutions_time_zone():
    assert cutoff.cutoff(date(2026, 9, 30), "Asia/Kolkata") == T
    assert cutoff.cutoff(date(2026, 9, 30), "Etc/UTC") == datetime(2026, 10, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current", "audits", "expected"),
    [
        ("present", [], "present"),  # never overridden
        ("excused", [audit(-5, "absent", "excused")], "excused"),  # before the cut-off
        ("excused", [audit(+1, "absent", "excused")], "absent"),  # after: undone
        # a chain: absent -> late (before) -> present (after): late at the cut-off
        ("present", [audit(-2, "absent", "late"), audit(+3, "late", "present")], "late"),
        # two after it: the first one's previous status
        ("excused", [audit(+4, "present", "excused"), audit(+1, "absent", "present")], "absent"),
        # a superseded override (applied: false) changed nothing, before or after
        ("late", [audit(-1, "absent", "late"), audit(+2, "late", "present", False)], "late"),
        # an override that created the record after the cut-off: the close's absence
        ("present", [audit(+1, None, "present")], "absent"),
        # exactly at the cut-off counts as made by then
        ("present", [audit(0, "absent", "present")], "present"),
    ],
)
def test_a_records_status_at_the_cutoff_replays_its_overrides(current, audits, expected):
    assert cutoff.status_at(current, audits, T) == expected


def test_the_overrides_after_the_cutoff_give_each_records_status_then():
    later = {
        ("s1", "u1"): [audit(+2, "late", "present"), audit(+1, "absent", "late")],
        ("s1", "u2"): [audit(+1, "absent", "present", applied=False)],  # superseded
        ("s9", "u1"): [audit(+1, "absent", "present")],  # not one of the course's sessions
    }
    assert cutoff.changed(later, {"s1", "s2"}, T) == {"u1": {"s1": "absent"}}


def test_the_timeline_counts_sessions_started_before_the_cutoff_with_their_status_then():
    sessions = {
        "s1": {"status": "present", "starts_at": at(-48), "kind": "theory"},
        "s2": {"status": "excused", "starts_at": at(-24), "kind": "practical"},
        "s3": {"status": "present", "starts_at": at(-0.5)},  # no kind: theory
        "s4": {"status": "absent", "starts_at": at(0)},  # the next day: not yet
        "s5": {"status": "absent", "starts_at": None},
    }
    lines = cutoff.timeline(sessions, {"s2": "absent"}, T)
    assert sorted((key[1], kind, status) for key, kind, status in lines) == [
        ("s1", "theory", "present"),
        ("s2", "practical", "absent"),
        ("s3", "theory", "present"),
    ]


def test_a_planned_session_started_after_the_cutoff_was_still_to_come():
    planned = [
        {"planned_id": "p1", "session_id": "s1"},  # started before: held
        {"planned_id": "p2", "session_id": "s2"},  # started after: still to come then
        {"planned_id": "p3", "session_id": None},
    ]
    started = {"s1": at(-3), "s2": at(+30)}
    assert [p["session_id"] for p in cutoff.plan_at(planned, started, T)] == ["s1", None, None]


def course_at(course_id, code, statuses, rules=None):
    """A CourseAt from uid -> [(kind, status), ...] in time order."""
    rules = rules or standing.Rules()
    reports_ = {
        uid: standing.report(
            [((at(-100 + i), f"s{i}"), kind, status) for i, (kind, status) in enumerate(lines)],
            rules,
        )
        for uid, lines in statuses.items()
    }
    doc = {"code": code, "name": f"Course {code}"}
    return cutoff.CourseAt(course_id, doc, rules, T, [], {}, reports_)


NAMES = {
    "u1": {"roll_no": "10", "prn": "P10", "name": "श्रुती त्रिपाठी", "division": "A"},
    "u2": {"roll_no": "2", "prn": "P2", "name": "अनन्या क्षीरसागर", "division": "A"},
    "u3": {"roll_no": "A-9", "prn": "P9", "name": "Rohan Deshmukh", "division": "A"},
}


def sample() -> reports.Defaulters:
    th, pr = "theory", "practical"
    rules = standing.Rules(min_percent_by_kind={"practical": Fraction(80)})
    cs302 = course_at(
        "CS302_T", "CS302", {"u1": [(th, "present")] * 3 + [(pr, "present"), (pr, "absent")]}, rules
    )
    cs301 = course_at(
        "CS301_T",
        "CS301",
        {
            "u1": [(th, "present"), (th, "present"), (th, "absent"), (th, "late")],
            "u2": [(th, "present")] * 4,
            "u3": [(th, "absent"), (th, "present"), (th, "present"), (th, "excused")],
        },
    )
    columns, rows = reports.rows([cs302, cs301], NAMES)
    return reports.Defaulters(
        "CS", "Computer Engineering", "A", date(2026, 9, 30), T, columns, rows, ["Odd 2026"]
    )


def test_rows_go_by_roll_number_with_each_courses_figures_and_what_is_below():
    report = sample()
    assert [c.code for c in report.columns] == ["CS301", "CS302"]
    assert report.columns[1].kinds == ("theory", "practical")
    assert [r.who["roll_no"] for r in report.rows] == ["2", "10", "A-9"]
    u1 = report.rows[1]
    # CS301: 3 of 4 = 75 %, not below; CS302: 4 of 5 = 80 % overall, practical 1 of 2 = 50 %
    # against its own 80 %
    assert u1.cells["CS301_T"].percent == 75.0 and u1.cells["CS301_T"].below == ()
    assert u1.cells["CS302_T"].percent == 80.0
    assert u1.cells["CS302_T"].by_kind == {"theory": 100.0, "practical": 50.0}
    assert u1.cells["CS302_T"].below == ("practical",)
    assert u1.overall == round(7 / 9 * 100, 1)  # 3 + 4 attended of 4 + 5 counted
    assert u1.below(report.columns) == ["CS302 practical"] and u1.defaulter
    u3 = report.rows[2]  # excused not counted: 2 of 3
    assert u3.cells["CS301_T"].percent == 66.7 and u3.below(report.columns) == ["CS301"]
    assert "CS302_T" not in u3.cells


def test_the_csv_has_a_column_per_course_and_kind_and_marks_the_defaulters():
    text = sample().csv()
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == [
        "roll_no",
        "prn",
        "name",
        "division",
        "CS301 %",
        "CS302 %",
        "CS302 theory %",
        "CS302 practical %",
        "overall %",
        "below threshold",
        "defaulter",
    ]
    assert rows[1] == ["2", "P2", "अनन्या क्षीरसागर", "A", "100", "", "", "", "100", "", "no"]
    assert rows[2][4:] == ["75", "80", "100", "50", "77.8", "CS302 practical", "yes"]
    assert text.endswith("\r\n")


def test_the_pdf_renders_devanagari_names_and_marks_what_is_below():
    report = sample()
    many = [
        reports.Row(f"x{i}", {**NAMES["u1"], "roll_no": str(100 + i)}, r.cells, r.overall)
        for i, r in enumerate(report.rows * 30)
    ]
    long = reports.Defaulters(**{**report.__dict__, "rows": report.rows + many})
    data = report_pdf.render(long, "Savitribai Phule Institute of Technology", T, "Asia/Kolkata")
    assert data.startswith(b"%PDF")
    pdf = pdfium.PdfDocument(data)
    assert len(pdf) >= 2  # the table breaks across pages
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for number in range(2):
        image = pdf[number].render(scale=2).to_pil()
        image.save(ARTIFACTS / f"defaulters-pdf-page{number + 1}.png")
    first = pdf[0].get_textpage().get_text_range()
    second = pdf[1].get_textpage().get_text_range()
    assert "Savitribai Phule Institute of Technology" in first
    assert (
        "As of 2026-09-30" in first and "CS302 Course CS302: at least 75 %, practical 80 %" in first
    )
    assert "Roll no" in second and "CS302 practical" in second  # the header row again
    assert "50 *" in first
