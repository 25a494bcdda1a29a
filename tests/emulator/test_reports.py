"""The defaulter list through the doors people use: a department with three courses of
divisions A and B (theory and practical sessions), scans, closes and overrides (one
made after the cut-off) through the real pipeline; then every figure of the list, for
every student and course, equals the course export's for the same cut-off, a past
cut-off gives the figures as they were, bad requests get their stable codes and change
nothing, and only the department's admins and institution admins may see it. The
department view (GET /reports/department) on the same term: every course's counts and
percentage are its students' stored figures summed, one point per closed session with
its records' counts, the grid's cells the students' stored statuses.

The pipeline runs now; to have a past, the test then moves the first sessions (and the
overrides made with them) three days back in the stored history: the report and the
export only read, so they see a term that was held over several days."""

from __future__ import annotations

import os
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall.clock import now
from rollcall.core import schema
from rollcall_ops import admin, auth_emulator, institution
from tests import held
from tests.support import call, csv_rows, unique

pytestmark = pytest.mark.emulator
TZ = ZoneInfo("Asia/Kolkata")  # the stack's TIME_ZONE (the default)
NAMES = ["अनन्या क्षीरसागर", "श्रुती त्रिपाठी", "Rohan Deshmukh", "प्रज्ञा कुलकर्णी", "Meera Iyer"]


def table(text: str) -> list[dict[str, str]]:
    return list(csv_rows(text))


@pytest.fixture(scope="module")
def term(stack):
    """Department D: a head, a teacher; a term around today; courses C1 (theory and
    practical, 80 % in practicals), C2 and C3 (theory) for divisions A and B; five
    students (four in A, one in B); sessions held, some three days ago."""
    os.environ.update(stack)
    tag = unique("rp")
    door = institution.admin_door()
    today = now().astimezone(TZ).date()
    head, teacher = f"{tag}.hod@rollcall.test", f"{tag}.teacher@rollcall.test"
    other = f"{tag}.other@rollcall.test"
    institution.ensure_accounts(
        [(f"{tag}-hod", head, "Head"), (f"{tag}-t", teacher, "Teacher"), (f"{tag}-o", other, "O")]
    )
    dept, term_id = unique("RD").upper(), unique("RT")
    for code, heads in ((dept, [head]), (f"{dept}X", [other])):
        body = {"code": code, "name": f"Dept {code}", "heads": heads}
        assert call(door.token, "POST", "admin/departments", body=body).ok
    starts_on, ends_on = today - timedelta(days=20), today + timedelta(days=60)
    students, rows = [], ["Roll No,PRN,Name,Email,Division,Batch"]
    for i, name in enumerate(NAMES, start=1):
        email, uid = f"{tag}.s{i}@rollcall.test", f"{tag}-s{i}"
        institution.ensure_accounts([(uid, email, name)])
        division = "B" if i == 5 else "A"
        rows.append(f"{[10, 2, 3, 11, 1][i - 1]},P{i},{name},{email},{division},{division}1")
        students.append(uid)
    courses = held.term_with_courses(
        door.token,
        dept=dept,
        term_id=term_id,
        teacher=teacher,
        courses={c: f"Course {c}" for c in ("C1", "C2", "C3")},
        span=(starts_on, ends_on),
        roster=rows,
    )
    tokens = {
        "admin": door.token,
        "hod": auth_emulator.sign_in(head, institution.PASSWORD),
        "teacher": auth_emulator.sign_in(teacher, institution.PASSWORD),
        "other_hod": auth_emulator.sign_in(other, institution.PASSWORD),
    }
    for who in ("hod", "other_hod"):
        call(tokens[who], "POST", "me/claim")
    rules = {"course_id": courses["C1"], "min_attendance_percent_practical": 80}
    assert call(tokens["teacher"], "POST", "courses/settings", body=rules).status_code == 200
    student_tokens = {
        uid: auth_emulator.sign_in(f"{tag}.s{i}@rollcall.test", institution.PASSWORD)
        for i, uid in enumerate(students, start=1)
    }
    s1, s2, s3, s4, s5 = students

    def hold(course: str, kind: str, present: list[str]) -> str:
        chosen = {uid: student_tokens[uid] for uid in present}
        return held.hold(tokens["teacher"], courses[course], kind, chosen, students)

    def override(sid: str, uid: str, status: str, course: str) -> None:
        held.override(tokens["teacher"], courses[course], sid, uid, status)

    # Three days ago (moved there below): each course's first sessions.
    past = {
        "c1a": hold("C1", "theory", [s1, s2, s3, s5]),
        "c1p": hold("C1", "practical", [s1, s3]),
        "c2a": hold("C2", "theory", [s2, s3, s4, s5]),
        "c3a": hold("C3", "theory", [s1, s2, s3, s4, s5]),
    }
    override(past["c2a"], s1, "excused", "C2")  # made then: counts in the past
    split = now()
    # Today: more sessions, and an override of a past session made today (after the
    # past cut-off: the past report must not count it).
    hold("C1", "theory", [s2, s3, s5])
    hold("C1", "practical", [s1])
    hold("C2", "theory", [s1, s2, s3])
    hold("C3", "theory", [s2, s5])
    override(past["c1p"], s2, "present", "C1")
    held.move_back(courses.values(), past.values(), split, days=3)
    return {
        "tokens": tokens,
        "dept": dept,
        "other_dept": f"{dept}X",
        "courses": courses,
        "students": students,
        "today": today,
        "past_day": today - timedelta(days=2),
        "term": (starts_on, ends_on),
        "tag": tag,
    }


def report(token: str, form: str = "csv", **params) -> requests.Response:
    return call(token, "GET", f"reports/defaulters.{form}", **params)


def export(token: str, course_id: str, day: date) -> list[dict[str, str]]:
    answer = call(token, "GET", f"exports/courses/{course_id}.csv", as_of=day.isoformat())
    assert answer.status_code == 200, answer.text
    return table(answer.text)


def assert_report_matches_exports(term, day: date, division: str | None = None) -> list[dict]:
    params = {"department": term["dept"], "as_of": day.isoformat()}
    if division:
        params["division"] = division
    answer = report(term["tokens"]["hod"], **params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/csv")
    rows = table(answer.text)
    checked = 0
    for code, course_id in term["courses"].items():
        exported = {r["uid"]: r for r in export(term["tokens"]["teacher"], course_id, day)}
        kinds = [
            k
            for k in ("theory", "practical", "tutorial")
            if f"{k}_percent" in next(iter(exported.values()))
        ]
        for row in rows:
            uid = next(u for u, e in exported.items() if e["roll_no"] == row["roll_no"])
            assert row[f"{code} %"] == exported[uid]["percent"], (code, row["roll_no"])
            for kind in kinds:
                assert row[f"{code} {kind} %"] == exported[uid][f"{kind}_percent"]
            checked += 1 + len(kinds)
    assert checked >= len(rows) * 3
    return rows


def test_every_figure_of_the_list_is_the_course_exports_for_the_same_cutoff(term):
    rows = assert_report_matches_exports(term, term["today"])
    assert [r["roll_no"] for r in rows] == ["1", "2", "3", "10", "11"]  # as people sort them
    # Today, the export with a cut-off gives what the pipeline's stored figures give.
    for course_id in term["courses"].values():
        now_rows = {
            r["uid"]: r
            for r in table(
                call(term["tokens"]["teacher"], "GET", f"exports/courses/{course_id}.csv").text
            )
        }
        for uid, row in {
            r["uid"]: r for r in export(term["tokens"]["teacher"], course_id, term["today"])
        }.items():
            assert (
                row["percent"] == now_rows[uid]["percent"] and row["held"] == now_rows[uid]["held"]
            )
    by_roll = {r["roll_no"]: r for r in rows}
    # s1 (roll 10): C1 theory 1 of 2, practical 2 of 2 -> 3 of 4 = 75; C2: excused, then
    # present -> 1 of 1; C3: 1 of 2 = 50 -> below.
    assert by_roll["10"]["C1 %"] == "75" and by_roll["10"]["C1 practical %"] == "100"
    assert by_roll["10"]["C2 %"] == "100" and by_roll["10"]["C3 %"] == "50"
    assert (
        by_roll["10"]["below threshold"] == "C1 theory; C3" and by_roll["10"]["defaulter"] == "yes"
    )
    # s2 (roll 2): the practical overridden to present today counts today: 2 of 2 theory,
    # 1 of 2 practical (50 % against 80 %).
    assert (
        by_roll["2"]["C1 practical %"] == "50" and "C1 practical" in by_roll["2"]["below threshold"]
    )
    assert by_roll["2"]["name"] == "श्रुती त्रिपाठी"


def test_a_past_cutoff_gives_the_figures_as_they_were(term):
    rows = assert_report_matches_exports(term, term["past_day"])
    by_roll = {r["roll_no"]: r for r in rows}
    # Three days ago: one session of each kind per course; s2's practical was absent then
    # (today's override does not count), s1's C2 session excused then (not counted).
    assert by_roll["2"]["C1 practical %"] == "0" and by_roll["2"]["C1 theory %"] == "100"
    assert by_roll["10"]["C2 %"] == "" and by_roll["10"]["C3 %"] == "100"
    assert by_roll["3"]["C1 %"] == "100" and by_roll["3"]["defaulter"] == "no"
    assert by_roll["11"]["C2 %"] == "100" and by_roll["11"]["C1 %"] == "0"
    before_term = term["term"][0] - timedelta(days=1)
    assert len(assert_report_matches_exports(term, term["term"][0])) == 5
    answer = report(term["tokens"]["hod"], department=term["dept"], as_of=before_term.isoformat())
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "outside_term")


def test_a_division_lists_its_students_only(term):
    rows = assert_report_matches_exports(term, term["today"], division="a")
    assert [r["roll_no"] for r in rows] == ["2", "3", "10", "11"]
    assert {r["division"] for r in rows} == {"A"}


def test_the_pdf_has_the_list(term):
    answer = report(
        term["tokens"]["admin"], "pdf", department=term["dept"], as_of=term["today"].isoformat()
    )
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert (
        f'filename="defaulters-{term["dept"]}-{term["today"]}.pdf"'
        in answer.headers["Content-Disposition"]
    )
    import pypdfium2 as pdfium

    text = pdfium.PdfDocument(answer.content)[0].get_textpage().get_text_range()
    assert f"Dept {term['dept']}" in text and "C1 practical" in text


@pytest.mark.parametrize(
    ("who", "params", "status", "code"),
    [
        ("hod", {"as_of": "2026-02-30"}, 400, "bad_request"),  # not a date
        ("hod", {"department": "{dept}"}, 400, "bad_request"),  # no cut-off
        ("hod", {"as_of": "{today}"}, 400, "bad_request"),  # no department
        ("hod", {"department": "{dept}", "as_of": "{today}", "colour": "red"}, 400, "bad_request"),
        ("hod", {"department": "{dept}", "division": "Z", "as_of": "{today}"}, 404, "not_found"),
        ("admin", {"department": "NO-SUCH-{dept}", "as_of": "{today}"}, 404, "not_found"),
        ("hod", {"department": "NO-SUCH-{dept}", "as_of": "{today}"}, 403, "forbidden"),
        ("teacher", {"department": "{dept}", "as_of": "{today}"}, 403, "forbidden"),
        ("other_hod", {"department": "{dept}", "as_of": "{today}"}, 403, "forbidden"),
        ("hod", {"department": "{dept}", "as_of": "2001-01-01"}, 422, "outside_term"),
        (None, {"department": "{dept}", "as_of": "{today}"}, 401, "unauthenticated"),
    ],
)
def test_bad_requests_get_stable_codes_and_change_nothing(term, who, params, status, code):
    filled = {k: v.format(dept=term["dept"], today=term["today"]) for k, v in params.items()}
    marks = _counts(term)
    token = term["tokens"][who] if who else "not-a-token"
    for form in ("csv", "pdf"):
        answer = report(token, form, **filled)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), answer.text
    assert _counts(term) == marks


def test_who_may_see_the_list(term):
    params = {"department": term["dept"], "as_of": term["today"].isoformat()}
    assert report(term["tokens"]["admin"], **params).status_code == 200
    assert report(term["tokens"]["hod"], **params).status_code == 200
    assert report(term["tokens"]["other_hod"], **params).status_code == 403
    assert report(term["tokens"]["teacher"], **params).status_code == 403
    own = {"department": term["other_dept"], "as_of": term["today"].isoformat()}
    answer = report(term["tokens"]["other_hod"], **own)  # their department has no courses
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "outside_term")


def _counts(term) -> tuple:
    db = admin.db()
    return (
        len(list(db.collection(schema.SESSIONS).select([]).stream())),
        sum(
            len(list(db.collection(f"{schema.COURSES}/{c}/students").select([]).stream()))
            for c in term["courses"].values()
        ),
        len(list(db.collection(schema.DEPARTMENTS).select([]).stream())),
    )


def test_the_cli_gives_the_same_list(term, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    rollcall = str(Path(sys.executable).parent / "rollcall")
    day = term["today"].isoformat()
    args = [rollcall, "report", "defaulters", "--department", term["dept"], "--as-of", day]
    out = subprocess.run(args, capture_output=True, timeout=300, env=os.environ)
    assert out.returncode == 0, out.stderr
    answer = report(term["tokens"]["hod"], department=term["dept"], as_of=day)
    assert out.stdout == answer.content
    pdf = tmp_path / "list.pdf"
    out = subprocess.run(
        [*args, "--division", "A", "--format", "pdf", "--out", str(pdf)],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ,
    )
    assert out.returncode == 0 and "4 students" in out.stderr, out.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    wrong = subprocess.run(
        [*args[:-1], "2001-01-01"], capture_output=True, text=True, timeout=300, env=os.environ
    )
    assert wrong.returncode == 1 and "(outside_term)" in wrong.stderr


# The department view (GET /reports/department, decision 0026): the same term.


def view(token: str, **params) -> requests.Response:
    return call(token, "GET", "reports/department", **params)


def test_the_department_view_has_every_courses_own_figures(term):
    answer = view(term["tokens"]["hod"], department=term["dept"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["as_of"] == term["today"].isoformat() and body["heatmap"] is None
    assert [c["code"] for c in body["courses"]] == ["C1", "C2", "C3"]
    db, total = admin.db(), dict.fromkeys(("present", "late", "excused", "absent"), 0)
    for course in body["courses"]:
        stored = [
            s.to_dict() for s in db.collection(f"{schema.COURSES}/{course['id']}/students").stream()
        ]
        # the course's counts and percentage are its students' own figures, summed
        for state in total:
            assert course[state] == sum(s[state] for s in stored), (course["code"], state)
            total[state] += course[state]
        attended, counted = sum(s["attended"] for s in stored), sum(s["counted"] for s in stored)
        assert course["percent"] == round(attended / counted * 100, 1)
        # one point per closed session, oldest first, each its records' counts
        sessions = sorted(
            db.collection(schema.SESSIONS)
            .where(filter=FieldFilter("course_id", "==", course["id"]))
            .stream(),
            key=lambda s: s.get("starts_at"),
        )
        line, *divisions = course["series"]
        assert [p["session_id"] for p in line["points"]] == [s.id for s in sessions]
        assert course["divisions"] == ["A", "B"] and [d["label"] for d in divisions] == [
            f"{course['code']} A",
            f"{course['code']} B",
        ]
        for i, (point, session) in enumerate(zip(line["points"], sessions, strict=True)):
            records = [r.get("status") for r in session.reference.collection("attendance").stream()]
            assert {k: point[k] for k in total} == {k: records.count(k) for k in total}
            assert point["students"] == sum(d["points"][i]["students"] for d in divisions)
    assert body["counts"] == total
    # the grid of one course: rows by roll number, each cell the student's stored status
    answer = view(term["tokens"]["admin"], department=term["dept"], course=term["courses"]["C1"])
    grid = answer.json()["heatmap"]
    assert [r["roll_no"] for r in grid["students"]] == ["1", "2", "3", "10", "11"]
    assert len(grid["sessions"]) == 4
    for row in grid["students"]:
        sessions = held.figure_doc(term["courses"]["C1"], row["uid"])["sessions"]
        assert row["statuses"] == [sessions[s["id"]]["status"] for s in grid["sessions"]]


def test_the_department_view_of_a_past_day_and_of_a_division(term):
    past = view(term["tokens"]["hod"], department=term["dept"], as_of=term["past_day"].isoformat())
    assert [c["sessions"] for c in past.json()["courses"]] == [2, 1, 1]
    # s2's practical was absent then: today's override does not count
    c1 = past.json()["courses"][0]
    assert [p["present"] for p in c1["series"][0]["points"]] == [4, 2]
    division = view(term["tokens"]["hod"], department=term["dept"], division="A").json()
    assert all(len(c["series"]) == 1 and c["divisions"] == ["A"] for c in division["courses"])
    assert {c["students"] for c in division["courses"]} == {4}


@pytest.mark.parametrize(
    ("who", "params", "status", "code"),
    [
        ("hod", {}, 400, "bad_request"),  # no department
        ("hod", {"department": "{dept}", "as_of": "2026-02-30"}, 400, "bad_request"),
        ("hod", {"department": "{dept}", "colour": "red"}, 400, "bad_request"),
        ("hod", {"department": "{dept}", "course": "a/b"}, 400, "bad_request"),
        ("hod", {"department": "{dept}", "course": "NO-SUCH"}, 404, "not_found"),
        ("hod", {"department": "{dept}", "division": "Z"}, 404, "not_found"),
        ("admin", {"department": "NO-SUCH-{dept}"}, 404, "not_found"),
        ("hod", {"department": "NO-SUCH-{dept}"}, 403, "forbidden"),
        ("teacher", {"department": "{dept}"}, 403, "forbidden"),
        ("other_hod", {"department": "{dept}"}, 403, "forbidden"),
        ("hod", {"department": "{dept}", "as_of": "2001-01-01"}, 422, "outside_term"),
        (None, {"department": "{dept}"}, 401, "unauthenticated"),
    ],
)
def test_the_department_view_refuses_with_stable_codes(term, who, params, status, code):
    filled = {k: v.format(dept=term["dept"]) for k, v in params.items()}
    marks = _counts(term)
    answer = view(term["tokens"][who] if who else "not-a-token", **filled)
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), answer.text
    assert _counts(term) == marks
