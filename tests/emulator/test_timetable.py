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
from tests.support import Student, attendance, call, csv_rows, unique, wait_for
from tests.worked_example import PRACTICAL_TRACK, PRACTICAL_TRACK_RULES

pytestmark = pytest.mark.emulator
TZ = ZoneInfo("Asia/Kolkata")  # the stack's TIME_ZONE (the default)
WEEKDAY = {"Mon": 0, "Tue": 1, "Wed": 2, "Thu": 3, "Fri": 4, "Sat": 5}


def post(door_or_token, path, *, body=None, csv_text=None, **params):
    token = door_or_token if isinstance(door_or_token, str) else door_or_token.token
    return call(token, "POST", path, body=body, csv_text=csv_text, **params)


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
    # An extra session for a batch no student of the roster is in: refused, nothing planned.
    planned = (
        admin.db().collection(schema.PLANNED).where(filter=FieldFilter("course_id", "==", course))
    )
    before = len(list(planned.stream()))
    unknown = post(
        term["teacher"],
        "planned/add",
        body={
            "course_id": course,
            "kind": "practical",
            "batch": "Z9",
            "date": later,
            "start": "11:00",
            "end": "12:00",
        },
    )
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (400, "bad_request")
    assert "batch of the course's roster" in unknown.json()["error"]["message"]
    assert len(list(planned.stream())) == before
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

    # A session opened now, by hand, may say its kind (theory if it does not).
    now_session = post(term["teacher"], "sessions", body={"course_id": course, "kind": "tutorial"})
    assert now_session.status_code == 201, now_session.text
    doc = admin.db().document(f"sessions/{now_session.json()['session_id']}").get().to_dict()
    assert doc["kind"] == "tutorial"
    both = post(term["teacher"], "sessions", body={"planned_id": planned_id, "kind": "theory"})
    assert (both.status_code, both.json()["error"]["code"]) == (400, "bad_request")


SHOWN = ("held", "percent", "remaining", "can_miss", "needed", "state")


def _figures(course_id: str, uid: str) -> dict:
    snap = admin.db().document(f"{schema.COURSES}/{course_id}/students/{uid}").get()
    return snap.to_dict() if snap.exists else {}


def _shown(doc: dict) -> tuple:
    return tuple(doc.get(k) for k in SHOWN)


def _alert_ids(uid: str) -> set[str]:
    inbox = admin.db().collection(f"users/{uid}/inbox").stream()
    return {s.id for s in inbox if (s.to_dict() or {}).get("type") == "alert"}


def _slot(k: int) -> tuple[str, str, str]:
    """The k-th distinct start time (k < 14) of a session that can be started now, and an
    end after now, all on today's local date."""
    local = now().astimezone(TZ)
    if local.time() >= datetime.strptime("23:55", "%H:%M").time():
        pytest.skip("too close to the institution's midnight for a session today")
    start = local - timedelta(minutes=k)
    if start.date() != local.date():
        start = local + timedelta(minutes=k)
    end = min(local + timedelta(minutes=30), local.replace(hour=23, minute=59))
    return local.date().isoformat(), f"{start:%H:%M}", f"{end:%H:%M}"


def test_theory_and_practical_figures_follow_their_own_worked_example(term):
    """Ana (division A, batch A1) follows PRACTICAL_TRACK through the real pipeline,
    timetable and all; Ben (division A, batch A2) is not in A1's practicals until he is
    moved to A1 mid-term, and keeps the practical he attended in A2."""
    door, teacher, tag = term["door"], term["teacher"], term["tag"]
    code, dept = (
        "TT4",
        admin.db()
        .document(f"{schema.COURSES}/{term['courses']['TT1']}")
        .get()
        .get("department_id"),
    )
    course = f"{code}_{term['term_id']}"
    teacher_email = f"{tag}.teacher@rollcall.test"
    courses_csv = (
        "code,name,department,term,divisions,teachers\n"
        f"{code},Networks,{dept},{term['term_id']},A,{teacher_email}\n"
    )
    assert post(door, "imports/courses", csv_text=courses_csv).ok
    ana_email, ben_email = f"{tag}.ana@rollcall.test", f"{tag}.ben@rollcall.test"
    institution.ensure_accounts(
        [(f"{tag}-ana", ana_email, "Ana"), (f"{tag}-ben", ben_email, "Ben")]
    )

    def roster(ben_batch: str) -> str:
        rows = [f"1,Ana,{ana_email},A,A1", f"2,Ben,{ben_email},A,{ben_batch}"]
        return "Roll No,Name,Email,Division,Batch\n" + "\n".join(rows) + "\n"

    assert post(door, "imports/roster", csv_text=roster("A2"), course_id=course).ok
    settings = {"course_id": course, **PRACTICAL_TRACK_RULES}
    assert post(teacher, "courses/settings", body=settings).status_code == 200
    ana = Student(f"{tag}-ana", auth_emulator.sign_in(ana_email, institution.PASSWORD))
    ben = Student(f"{tag}-ben", auth_emulator.sign_in(ben_email, institution.PASSWORD))

    # What the timetable still plans after today: 6 theory sessions for division A and 4
    # practicals for each of A1 and A2 (future days, so none passes during the test).
    tomorrow = now().astimezone(TZ).date() + timedelta(days=1)
    later = [
        ("theory", {"division": "A"}, 6),
        ("practical", {"batch": "A1"}, 4),
        ("practical", {"batch": "A2"}, 4),
    ]
    for kind, audience, count in later:
        for i in range(count):
            body = {
                "course_id": course,
                "kind": kind,
                **audience,
                "date": (tomorrow + timedelta(days=i)).isoformat(),
                "start": "09:00",
                "end": "10:00",
            }
            assert post(teacher, "planned/add", body=body).status_code == 201

    held: dict[str, int] = {ana.uid: 0, ben.uid: 0}
    held_ids: list[str] = []

    def hold(
        k: int, kind: str, audience: dict, present: list[Student], members: list[Student]
    ) -> str:
        """Plan a session now, start it, the present ones scan, close; wait until every
        member's figures have taken it."""
        day, start, end = _slot(k)
        extra = post(
            teacher,
            "planned/add",
            body={
                "course_id": course,
                "kind": kind,
                **audience,
                "date": day,
                "start": start,
                "end": end,
            },
        )
        assert extra.status_code == 201, extra.text
        started = post(
            teacher,
            "sessions",
            body={"planned_id": extra.json()["planned_id"], "late_after_minutes": 60},
        )
        assert started.status_code == 201, started.text
        session_id = started.json()["session_id"]
        doc = admin.db().document(f"sessions/{session_id}").get().to_dict()
        token = qr.mint(
            qr.decode_secret(doc["secret"]),
            session_id,
            qr.window_at(now().timestamp(), doc["rotation_seconds"]),
        )
        for student in present:
            answer = requests.post(
                os.environ["SCAN_URL"],
                json={"qr": token, "device_id": f"phone-{student.uid}"},
                headers={"Authorization": f"Bearer {student.id_token}"},
                timeout=30,
            )
            assert answer.status_code == 202, answer.text
        wait_for(lambda: all(attendance(session_id, s.uid) for s in present))
        assert post(teacher, "sessions/close", body={"session_id": session_id}).status_code == 202
        held_ids.append(session_id)
        for student in members:
            held[student.uid] += 1
        wait_for(
            lambda: all(
                (d := _figures(course, s.uid)).get("held") == held[s.uid]
                and not d.get("pending_alerts")
                for s in members
            ),
            timeout=30,
        )
        return session_id

    fired: list[str] = []
    for step, (kind, status, theory, practical, overall, state, alerts) in enumerate(
        PRACTICAL_TRACK, start=1
    ):
        if step == 3:  # between steps 2 and 3: a practical of batch A2, Ben present
            a2 = hold(13, "practical", {"batch": "A2"}, [ben], [ben])
            assert attendance(a2, ana.uid) is None
        if step == 5:  # Ben moves to batch A1
            assert post(door, "imports/roster", csv_text=roster("A1"), course_id=course).ok
        audience = {"division": "A"} if kind == "theory" else {"batch": "A1"}
        ben_in = kind == "theory" or step >= 5
        members = [ana, ben] if ben_in else [ana]
        present = ([ana] if status == "present" else []) + ([ben] if kind == "theory" else [])
        session_id = hold(step, kind, audience, present, members)
        if not ben_in:
            assert attendance(session_id, ben.uid) is None  # not his batch: not marked
        doc = _figures(course, ana.uid)
        got = (
            _shown(doc["by_kind"]["theory"]),
            _shown(doc["by_kind"]["practical"]),
            _shown(doc)[:-1],
            doc["state"],
        )
        assert got == (theory, practical, overall, state), f"step {step}"
        fired += alerts

    counts: dict[str, int] = {}
    want = set()
    for key in fired:
        counts[key] = counts.get(key, 0) + 1
        want.add(f"alert-{course}-{key.replace('.', '-')}-{counts[key]}")
    wait_for(lambda: _alert_ids(ana.uid) == want, timeout=20)
    body = (
        admin.db()
        .document(f"users/{ana.uid}/inbox/alert-{course}-practical-below_threshold-1")
        .get()
        .get("body")
    )
    assert (
        body == "Your attendance in Networks (practical) is 50 %, below the required 80 %. "
        "Attend the next 3 sessions to get back to 80 %."
    )

    # Ben: every theory session; A2's practical, then A1's two after his move, missed.
    ben_doc = _figures(course, ben.uid)
    assert _shown(ben_doc["by_kind"]["theory"]) == (4, 100.0, 6, 2, 0, "ok")
    assert _shown(ben_doc["by_kind"]["practical"]) == (3, 33.3, 4, None, 7, "below")
    assert _shown(ben_doc) == (7, 71.4, 10, 2, 1, "below")  # also his overall state
    wanted = [
        "theory-last_chance-1",
        "practical-last_chance-1",
        "practical-below_threshold-1",
        "below_threshold-1",
    ]
    wait_for(lambda: _alert_ids(ben.uid) == {f"alert-{course}-{k}" for k in wanted}, timeout=20)

    # The exports carry each session's kind and audience, and the figures per kind.
    def export(path: str) -> list[dict]:
        answer = requests.get(
            f"{os.environ['SCAN_URL']}exports/{path}.csv",
            headers={"Authorization": f"Bearer {teacher}"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        return list(csv_rows(answer.text))

    a2_rows = export(f"sessions/{a2}")
    assert [
        (r["name"], r["status"], r["session_kind"], r["session_audience"]) for r in a2_rows
    ] == [("Ben", "present", "practical", "batch A2")]
    rows = {r["name"]: r for r in export(f"courses/{course}")}
    assert (rows["Ana"]["practical_percent"], rows["Ana"]["theory_percent"]) == ("50", "75")
    assert (rows["Ben"]["practical_held"], rows["Ben"]["practical_state"]) == ("3", "below")
    columns = [c for c in rows["Ana"] if c.endswith(tuple(h for h in held_ids))]
    assert len(columns) == len(held_ids)
    assert sum(" practical batch A1 " in c for c in columns) == 4
    assert sum(" theory division A " in c for c in columns) == 4
    assert sum(" practical batch A2 " in c for c in columns) == 1
