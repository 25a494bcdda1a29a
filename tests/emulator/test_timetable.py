"""The timetable through the doors people use: a 15-week term with two holidays and a
timetable of three courses (two divisions, four batches) gives exactly the planned
sessions the test computes on its own; a bad file is refused line by line; a holiday
added later cancels; staff start a planned session of a batch, which accepts only that
batch's students and whose close marks only them absent."""

from __future__ import annotations

import csv
import io
import os
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall.clock import now
from rollcall.core import qr, schema
from rollcall_ops import admin, auth_emulator, institution
from tests.support import Student, attendance, unique, wait_for

pytestmark = pytest.mark.emulator
TZ = ZoneInfo("Asia/Kolkata")  # the stack's TIME_ZONE (the default)
WEEKDAY = {"Mon": 0, "Tue": 1, "Wed": 2, "Thu": 3, "Fri": 4, "Sat": 5}


def post(door_or_token, path, *, body=None, csv_text=None, **params):
    token = door_or_token if isinstance(door_or_token, str) else door_or_token.token
    headers = {"Authorization": f"Bearer {token}"}
    url = os.environ["SCAN_URL"] + path
    if csv_text is not None:
        headers["Content-Type"] = "text/csv"
        return requests.post(
            url, data=csv_text.encode(), params=params, headers=headers, timeout=120
        )
    return requests.post(url, json=body, params=params, headers=headers, timeout=60)


@pytest.fixture(scope="module")
def term(stack):
    """A term of 15 weeks around today with two holidays, three courses of one
    department with divisions A and B, each with a roster of 8 students in batches A1,
    A2, B1, B2, and a teacher and a TA."""
    os.environ.update(stack)
    tag = unique("tt")
    door = institution.admin_door()
    today = now().astimezone(TZ).date()
    monday = today - timedelta(days=today.weekday()) - timedelta(weeks=7)
    starts_on, ends_on = monday, monday + timedelta(weeks=15) - timedelta(days=3)  # Mon to Fri
    holidays = [monday + timedelta(weeks=3, days=2), monday + timedelta(weeks=10, days=4)]
    dept, term_id = unique("D"), unique("T")
    assert post(door, "admin/departments", body={"code": dept, "name": "D", "heads": []}).ok
    body = {
        "id": term_id,
        "name": "Term",
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "holidays": [
            {"date": d.isoformat(), "name": f"Holiday {i}"} for i, d in enumerate(holidays)
        ],
    }
    assert post(door, "admin/terms", body=body).ok
    teacher = f"{tag}.teacher@rollcall.test"
    ta = f"{tag}.ta@rollcall.test"
    institution.ensure_accounts([(f"{tag}-t", teacher, "Teacher"), (f"{tag}-ta", ta, "TA")])
    codes = ["TT1", "TT2", "TT3"]
    courses_csv = "code,name,department,term,divisions,teachers,tas\n" + "".join(
        f"{c},Course {c},{dept},{term_id},A B,{teacher},{ta}\n" for c in codes
    )
    assert post(door, "imports/courses", csv_text=courses_csv).ok
    students = {}
    rows = ["Roll No,Name,Email,Division,Batch"]
    for i in range(1, 9):
        batch = ["A1", "A2", "B1", "B2"][(i - 1) // 2]
        email, uid = f"{tag}.s{i}@rollcall.test", f"{tag}-s{i}"
        institution.ensure_accounts([(uid, email, f"S{i}")])
        students[uid] = (email, batch)
        rows.append(f"{i},S{i},{email},{batch[0]},{batch}")
    for code in codes:
        course_id = f"{code}_{term_id}"
        assert post(door, "imports/roster", csv_text="\n".join(rows) + "\n", course_id=course_id).ok
    return {
        "door": door,
        "tag": tag,
        "term_id": term_id,
        "courses": {c: f"{c}_{term_id}" for c in codes},
        "starts_on": starts_on,
        "ends_on": ends_on,
        "holidays": holidays,
        "teacher": auth_emulator.sign_in(teacher, institution.PASSWORD),
        "ta": auth_emulator.sign_in(ta, institution.PASSWORD),
        "students": students,
    }


TIMETABLE = [
    # course, division, batch, kind, day, start, end, room, first week, last week
    ("TT1", "A", "", "Lecture", "Mon", "09:00", "10:00", "A-101", "", ""),
    ("TT1", "A", "", "TH", "Wed", "9:00", "10:00", "A-101", "", ""),
    ("TT1", "B", "", "theory", "Mon", "10:00", "11:00", "A-102", "", ""),
    ("TT1", "", "A1", "Lab", "Tue", "2:00 PM", "4:00 PM", "Lab 1", "", ""),
    ("TT1", "", "A2", "PR", "Tue", "2:00 PM", "4:00 PM", "Lab 2", "", ""),
    ("TT1", "", "B1", "practical", "Thu", "14:00", "16:00", "Lab 1", "", ""),
    ("TT1", "", "B2", "P", "Thu", "14:00", "16:00", "Lab 2", "", ""),
    ("TT2", "A", "", "Lecture", "Tue", "09:00", "10:00", "B-201", "", ""),
    ("TT2", "B", "", "Lecture", "Tue", "10:00", "11:00", "B-201", "", ""),
    ("TT2", "", "", "Tutorial", "Fri", "11:00", "12:00", "B-202", "3", "12"),
    ("TT3", "A", "", "Lecture", "Thu", "09:00", "10:00", "C-301", "", ""),
    ("TT3", "B", "", "Lecture", "Fri", "09:00", "10:00", "C-301", "", ""),
]


def timetable_csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            "Course Code",
            "Div",
            "Batch",
            "Type",
            "Day",
            "Start Time",
            "End Time",
            "Venue",
            "From Week",
            "To Week",
        ]
    )
    writer.writerows(rows)
    return "\ufeff" + out.getvalue()


def expected_sessions(term) -> set[tuple]:
    """Computed here, day by day, without the server's code: (course, audience, kind,
    date, start) of every session the timetable plans."""
    kinds = {"lecture": "theory", "th": "theory", "theory": "theory", "lab": "practical"}
    kinds |= {"pr": "practical", "practical": "practical", "p": "practical", "tutorial": "tutorial"}
    found = set()
    day, week_one = (
        term["starts_on"],
        term["starts_on"] - timedelta(days=term["starts_on"].weekday()),
    )
    while day <= term["ends_on"]:
        week = (day - week_one).days // 7 + 1
        for code, div, batch, kind, weekday, start, *_, first, last in TIMETABLE:
            if WEEKDAY[weekday] != day.weekday() or day in term["holidays"]:
                continue
            if first and not int(first) <= week <= int(last):
                continue
            audience = ("division", div) if div else ("batch", batch) if batch else ("course", None)
            clock = datetime.strptime(
                start.replace(" PM", "PM"), "%I:%M%p" if "PM" in start else "%H:%M"
            )
            found.add(
                (
                    term["courses"][code],
                    audience,
                    kinds[kind.lower()],
                    day.isoformat(),
                    f"{clock:%H:%M}",
                )
            )
        day += timedelta(days=1)
    return found


def stored_sessions(term, status="planned") -> set[tuple]:
    found = set()
    planned = (
        admin.db()
        .collection(schema.PLANNED)
        .where(filter=FieldFilter("term_id", "==", term["term_id"]))
    )
    for snap in planned.stream():
        d = snap.to_dict()
        if d["status"] == status and d["source"] == "timetable":
            audience = (d["audience"]["type"], d["audience"]["value"])
            found.add((d["course_id"], audience, d["kind"], d["date"], d["start"]))
    return found


def test_a_timetable_gives_exactly_the_planned_sessions_and_again_changes_nothing(term):
    text = timetable_csv(TIMETABLE)
    expected = expected_sessions(term)
    preview = post(
        term["door"], "imports/timetable", csv_text=text, term_id=term["term_id"], dry_run="true"
    ).json()
    assert preview["ok"], preview["errors"]
    future = {e for e in expected if _starts(e) > now()}  # what is past is not planned anew
    assert preview["counts"]["added"] == len(future)
    applied = post(term["door"], "imports/timetable", csv_text=text, term_id=term["term_id"])
    assert applied.status_code == 200, applied.text
    assert stored_sessions(term) == future
    again = post(term["door"], "imports/timetable", csv_text=text, term_id=term["term_id"]).json()
    assert again["counts"]["added"] == again["counts"]["removed"] == again["counts"]["changed"] == 0
    # Dropping the tutorial cancels its future sessions, and only those.
    without = post(
        term["door"],
        "imports/timetable",
        csv_text=timetable_csv(TIMETABLE[:9] + TIMETABLE[10:]),
        term_id=term["term_id"],
    ).json()
    tutorials = {e for e in future if e[2] == "tutorial"}
    assert without["counts"]["removed"] == len(tutorials) and without["applied"]
    assert stored_sessions(term) == future - tutorials
    post(term["door"], "imports/timetable", csv_text=text, term_id=term["term_id"])  # back


def _starts(entry) -> datetime:
    course, audience, kind, day, start = entry
    return datetime.combine(
        date.fromisoformat(day), datetime.strptime(start, "%H:%M").time(), tzinfo=TZ
    )


def test_a_bad_timetable_is_refused_line_by_line_and_applies_nothing(term):
    rows = [
        ("TT1", "A", "", "Lecture", "Mon", "09:00", "10:00", "", "", ""),  # line 2: fine
        ("NOPE", "A", "", "Lecture", "Mon", "11:00", "12:00", "", "", ""),  # 3: unknown course
        ("TT1", "C", "", "Lecture", "Mon", "12:00", "13:00", "", "", ""),  # 4: unknown division
        ("TT1", "", "Z9", "Lab", "Tue", "09:00", "10:00", "", "", ""),  # 5: batch not in roster
        (
            "TT2",
            "A",
            "",
            "Lecture",
            "Wed",
            "10:00",
            "09:00",
            "",
            "",
            "",
        ),  # 6: ends before it starts
        ("TT3", "A", "", "Lecture", "Mon", "09:30", "10:30", "", "", ""),  # 7: clash with line 2
        ("TT2", "B", "", "Lecture", "Fri", "09:00", "10:00", "", "1", "40"),  # 8: week 40
        ("TT2", "B", "", "Lecture", "Funday", "09:00", "10:00", "", "", ""),  # 9: no such day
        ("TT3", "B", "", "Seminar", "Thu", "09:00", "10:00", "", "", ""),  # 10: no such kind
    ]
    before = stored_sessions(term)
    answer = post(
        term["door"], "imports/timetable", csv_text=timetable_csv(rows), term_id=term["term_id"]
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "import_invalid")
    assert stored_sessions(term) == before
    got = sorted((e["line"], e["code"]) for e in answer.json()["report"]["errors"])
    assert got == [
        (3, "unknown_course"),
        (4, "unknown_division"),
        (5, "unknown_batch"),
        (6, "invalid_time"),
        (7, "clash"),
        (8, "outside_term"),
        (9, "unknown_weekday"),
        (10, "unknown_kind"),
    ]


def test_a_holiday_added_later_cancels_what_falls_on_it(term):
    text = timetable_csv(TIMETABLE)
    post(term["door"], "imports/timetable", csv_text=text, term_id=term["term_id"])
    future_monday = max(
        date.fromisoformat(e[3])
        for e in stored_sessions(term)
        if date.fromisoformat(e[3]).weekday() == 0
    )
    before = {e for e in stored_sessions(term) if e[3] == future_monday.isoformat()}
    assert before
    holidays = [{"date": d.isoformat(), "name": "Holiday"} for d in term["holidays"]]
    holidays.append({"date": future_monday.isoformat(), "name": "Rain day"})
    body = {
        "id": term["term_id"],
        "name": "Term",
        "starts_on": term["starts_on"].isoformat(),
        "ends_on": term["ends_on"].isoformat(),
        "holidays": holidays,
    }
    assert post(term["door"], "admin/terms", body=body).ok
    assert not {e for e in stored_sessions(term) if e[3] == future_monday.isoformat()}
    cancelled = {e for e in stored_sessions(term, "cancelled") if e[3] == future_monday.isoformat()}
    assert cancelled == before


def _today_slot() -> tuple[str, str, str]:
    local = now().astimezone(TZ)
    start = max(local - timedelta(minutes=5), local.replace(hour=0, minute=0))
    end = min(start + timedelta(hours=1), local.replace(hour=23, minute=59))
    return local.date().isoformat(), f"{start:%H:%M}", f"{end:%H:%M}"


def test_a_batchs_practical_accepts_only_its_students_and_marks_only_them_absent(term):
    course = term["courses"]["TT1"]
    day, start, end = _today_slot()
    extra = post(
        term["teacher"],
        "planned/add",
        body={
            "course_id": course,
            "kind": "practical",
            "batch": "B2",
            "date": day,
            "start": start,
            "end": end,
            "room": "Lab 2",
        },
    )
    assert extra.status_code == 201, extra.text
    planned_id = extra.json()["planned_id"]
    today = requests.get(
        os.environ["SCAN_URL"] + "today",
        headers={"Authorization": f"Bearer {term['teacher']}"},
        timeout=30,
    ).json()
    assert planned_id in {s["planned_id"] for s in today["sessions"] if s["startable"]}

    started = post(term["ta"], "sessions", body={"planned_id": planned_id})
    assert started.status_code == 201, started.text
    session_id = started.json()["session_id"]
    again = post(term["teacher"], "sessions", body={"planned_id": planned_id})
    assert (again.status_code, again.json()["session_id"]) == (200, session_id)
    doc = admin.db().document(f"sessions/{session_id}").get().to_dict()
    assert (doc["kind"], doc["audience"], doc["room"]) == (
        "practical",
        {"type": "batch", "value": "B2"},
        "Lab 2",
    )

    b2 = [uid for uid, (_, batch) in term["students"].items() if batch == "B2"]
    b1 = [uid for uid, (_, batch) in term["students"].items() if batch == "B1"]
    secret = qr.decode_secret(doc["secret"])

    def scan(uid: str) -> requests.Response:
        token = auth_emulator.sign_in(term["students"][uid][0], institution.PASSWORD)
        qr_token = qr.mint(
            secret, session_id, qr.window_at(now().timestamp(), doc["rotation_seconds"])
        )
        return requests.post(
            os.environ["SCAN_URL"],
            json={"qr": qr_token, "device_id": unique("phone")},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )

    refused = scan(b1[0])
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "not_in_audience")
    assert scan(b2[0]).status_code == 202
    wait_for(lambda: attendance(session_id, b2[0]))
    closed = post(term["teacher"], "sessions/close", body={"session_id": session_id})
    assert closed.status_code == 202, closed.text
    wait_for(lambda: all(attendance(session_id, uid) for uid in b2))
    assert attendance(session_id, b2[1])["status"] == "absent"
    assert all(attendance(session_id, uid) is None for uid in term["students"] if uid not in b2)


def test_who_may_start_a_planned_session_and_when(term):
    course = term["courses"]["TT2"]
    day, start, end = _today_slot()
    later = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    if later > term["ends_on"].isoformat():
        pytest.skip("the term ends today")
    tomorrow = post(
        term["teacher"],
        "planned/add",
        body={
            "course_id": course,
            "kind": "theory",
            "division": "A",
            "date": later,
            "start": "09:00",
            "end": "10:00",
        },
    )
    assert tomorrow.status_code == 201, tomorrow.text
    answer = post(term["teacher"], "sessions", body={"planned_id": tomorrow.json()["planned_id"]})
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "not_now")

    now_plan = post(
        term["teacher"],
        "planned/add",
        body={"course_id": course, "kind": "tutorial", "date": day, "start": start, "end": end},
    )
    planned_id = now_plan.json()["planned_id"]
    assert (
        post(
            term["ta"], "planned/cancel", body={"planned_id": planned_id, "reason": "x"}
        ).status_code
        == 403
    )
    cancelled = post(
        term["teacher"], "planned/cancel", body={"planned_id": planned_id, "reason": "teacher ill"}
    )
    assert cancelled.json()["status"] == "cancelled"
    answer = post(term["teacher"], "sessions", body={"planned_id": planned_id})
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "cancelled")

    student_uid = next(iter(term["students"]))
    student = Student(
        student_uid, auth_emulator.sign_in(term["students"][student_uid][0], institution.PASSWORD)
    )
    moved = post(
        term["teacher"],
        "planned/move",
        body={"planned_id": planned_id, "date": day, "start": start, "end": end, "room": "B-9"},
    )
    assert moved.json()["status"] == "planned" and moved.json()["room"] == "B-9"
    answer = post(student.id_token, "sessions", body={"planned_id": planned_id})
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "forbidden")
