"""The timetable's pure logic (rollcall.core.timetable and its import): weeks, dates,
holidays, times as people write them, who a session is for, clashes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from rollcall.core import timetable
from rollcall.core.imports.timetable import _clash, parse_time
from rollcall.core.timetable import Audience, Slot

TERM = {
    "starts_on": "2026-07-01",  # a Wednesday
    "ends_on": "2026-10-13",  # a Tuesday, 15 weeks on
    "holidays": [
        {"date": "2026-08-15", "name": "Independence Day"},
        {"date": "2026-07-08", "name": "X"},
    ],
}


WHOLE = Audience("course")


def slot(weekday=0, start=time(9), end=time(10), audience=WHOLE, weeks=None, **kw):
    fields = {"course_id": "C1_t", "department_id": "D", "kind": "theory", "room": "A-101"}
    fields.update(kw)
    return Slot(audience=audience, weekday=weekday, start=start, end=end, weeks=weeks, **fields)


def test_the_term_has_its_weeks_from_the_week_of_its_first_day():
    assert timetable.term_weeks(date(2026, 7, 1), date(2026, 10, 13)) == 16
    assert timetable.term_weeks(date(2026, 7, 6), date(2026, 7, 12)) == 1


def test_a_weekly_slot_falls_on_each_of_its_weekdays_within_the_term_but_holidays():
    starts, ends = date.fromisoformat(TERM["starts_on"]), date.fromisoformat(TERM["ends_on"])
    holidays = {date(2026, 8, 15), date(2026, 7, 8)}
    wednesdays = list(timetable.dates_of(slot(weekday=2), starts, ends, holidays))
    assert wednesdays[0] == date(2026, 7, 1) and date(2026, 7, 8) not in wednesdays
    assert len(wednesdays) == 15 - 1  # 15 Wednesdays, one a holiday
    mondays = list(timetable.dates_of(slot(weekday=0), starts, ends, holidays))
    assert mondays[0] == date(2026, 7, 6)  # the term starts on a Wednesday
    saturdays = list(timetable.dates_of(slot(weekday=5), starts, ends, holidays))
    assert date(2026, 8, 15) not in saturdays
    some = list(timetable.dates_of(slot(weekday=0, weeks=(2, 3)), starts, ends, holidays))
    assert some == [date(2026, 7, 6), date(2026, 7, 13)]


def test_planned_sessions_are_in_utc_from_the_institutions_time():
    planned = timetable.expand([slot(weekday=2, weeks=(1, 1))], "t", TERM, "Asia/Kolkata")
    [(pid, doc)] = planned.items()
    assert doc["starts_at"] == datetime(2026, 7, 1, 3, 30, tzinfo=UTC)
    assert (doc["date"], doc["start"], doc["end"], doc["status"]) == (
        "2026-07-01",
        "09:00",
        "10:00",
        "planned",
    )
    again = timetable.expand([slot(weekday=2, weeks=(1, 1))], "t", TERM, "Asia/Kolkata")
    assert list(again) == [pid]  # the same slot, the same id


@pytest.mark.parametrize(
    "text, parsed",
    [
        ("09:00", time(9)),
        ("9:00", time(9)),
        ("9.30", time(9, 30)),
        ("0930", time(9, 30)),
        ("2:30 PM", time(14, 30)),
        ("12:15 am", time(0, 15)),
        ("12:15 P.M.", time(12, 15)),
        ("14:30", time(14, 30)),
        ("25:00", None),
        ("13:00 PM", None),
        ("noon", None),
        ("9", None),
    ],
)
def test_times_as_people_write_them(text, parsed):
    assert parse_time(text) == parsed


@pytest.mark.parametrize(
    "text, day",
    [
        ("Mon", 0),
        ("monday", 0),
        ("TUE.", 1),
        ("Th", 3),
        ("sat", 5),
        ("7", 6),
        ("Funday", None),
        ("S", None),
        ("0", None),
    ],
)
def test_weekdays_as_people_write_them(text, day):
    assert timetable.weekday_of(text) == day


def test_an_audience_includes_its_division_or_batch_only():
    assert Audience("course").includes({"division": "B"})
    assert Audience("division", "A").includes({"division": "a"})
    assert not Audience("division", "A").includes({"division": "B"})
    assert Audience("batch", "B2").includes({"batch": "B2", "division": "B"})
    assert not Audience("batch", "B2").includes({"batch": None})


def test_clashes_are_the_same_students_at_overlapping_times():
    a_div = slot(audience=Audience("division", "A"))
    assert _clash(a_div, slot(audience=Audience("division", "A"), start=time(9, 30), end=time(11)))
    assert not _clash(a_div, slot(audience=Audience("division", "A"), start=time(10), end=time(11)))
    assert not _clash(a_div, slot(audience=Audience("division", "B")))
    assert _clash(a_div, slot(audience=Audience("course")))  # the whole course includes A
    other_course = slot(course_id="C2_t", audience=Audience("division", "A"))
    assert _clash(a_div, other_course)  # division A of one department, two courses at once
    elsewhere = slot(course_id="C3_t", department_id="E", audience=Audience("division", "A"))
    assert not _clash(a_div, elsewhere)
    assert not _clash(a_div, slot(audience=Audience("division", "A"), weekday=1))
    assert not _clash(
        slot(audience=Audience("batch", "B1"), weeks=(1, 5)),
        slot(audience=Audience("batch", "B1"), weeks=(6, 10)),
    )
