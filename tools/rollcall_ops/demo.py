"""`make demo`: a 500-student lecture on the running local stack.

Seeds the demo institution (courses, roster and timetable files, imported over HTTP
by the admin), then, as the course's teacher would, plans an extra session now, starts
it and runs a short warm-up lecture on it (the emulators are JVMs that start cold,
unlike the services they stand in for; the warm-up is not counted) and closes it, which
marks the others absent and gives them their first course figures and alerts; then the
lecture itself, started the same way, and prints its summary.
Then it keeps serving and prints the dashboard URL and logins until Ctrl-C; with
``DEMO_EXIT=1`` it stops the stack after the summary instead and exits 0 only if
every count equals the number of students.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from rich.console import Console

from emulators.stack import Stack, StackError
from rollcall.clock import now
from rollcall.config import settings
from rollcall_ops import admin, auth_emulator, institution, lecture
from rollcall_ops.cli import _progress
from rollcall_ops.env import load_stack_env

STUDENTS = int(os.environ.get("DEMO_STUDENTS", "500"))
WARMUP_STUDENTS = int(os.environ.get("DEMO_WARMUP_STUDENTS", "100"))
#: The demo course of tools/rollcall_ops/demo/courses.csv, in the demo term.
COURSE = institution.demo_course("DS101")
#: The demo course's attendance rules (docs/student-success.md).
DEMO_RULES = {
    "min_attendance_percent": 75,
    "late_weight": 1,
    "excused_policy": "not_counted",
    "absence_alert_run": 3,
}

DEMO_FILES = institution.DEMO_FILES
console = Console(stderr=True)


def run_lecture(session_id: str, students: int, label: str) -> lecture.LectureResult:
    with _progress() as progress:
        signin = progress.add_task(f"{label}: signing in", total=students)
        scans = progress.add_task(f"{label}: scanning", total=students)
        return lecture.run(
            session_id,
            students,
            on_signed_in=lambda: progress.advance(signin),
            on_scan=lambda: progress.advance(scans),
        )


def seed_demo(students: int) -> None:
    """The demo institution through the doors people use: the people's own accounts
    (verified, as if each had signed up), the first admin granted as after a deploy,
    who imports the repository's courses file, roster and timetable over HTTP and sets
    the rules."""
    courses = (DEMO_FILES / "courses.csv").read_text(encoding="utf-8")
    roster = (DEMO_FILES / "roster.csv").read_text(encoding="utf-8-sig")
    timetable = (DEMO_FILES / "timetable.csv").read_text(encoding="utf-8-sig")
    listed = roster.count("@rollcall.test")
    if students > listed:
        raise SystemExit(f"error: the demo roster lists {listed} students, not {students}")
    institution.ensure_accounts(
        [
            ("teacher-demo", admin.DEMO_TEACHER, "Demo Teacher"),
            ("ta-demo", "ta@rollcall.test", "Demo TA"),
        ]
        + [
            (institution.student_uid(i), institution.student_email(i), f"Student {i:03d}")
            for i in range(1, listed + 1)
        ]
    )
    door = institution.admin_door()
    report = door.post("imports/courses", csv_text=courses)
    console.print(f"  {report['summary']}")
    report = door.post("imports/roster", csv_text=roster, course_id=COURSE)
    console.print(f"  {report['summary']}")
    report = door.post("imports/timetable", csv_text=timetable, term_id=institution.TERM)
    console.print(f"  {report['summary']}")
    door.post("courses/settings", body={"course_id": COURSE, **DEMO_RULES})
    institution.register_phones([institution.student_uid(i) for i in range(1, listed + 1)])


def start_now(teacher: institution.Door, minutes: int, late_after: int, back: int) -> str:
    """The teacher plans an extra session for the whole course from ``back`` minutes
    ago for ``minutes`` (within today) and starts it, as from the Today list; so close
    to midnight that it would not fit today, a session opened now by hand instead."""
    local = now().astimezone(ZoneInfo(settings().time_zone))
    start, end = local - timedelta(minutes=back), local + timedelta(minutes=minutes)
    if start.date() != local.date() or end.date() != local.date():
        answer = teacher.post(
            "sessions",
            body={
                "course_id": COURSE,
                "late_after_minutes": late_after,
                "duration_minutes": minutes,
            },
        )
        return str(answer["session_id"])
    planned = teacher.post(
        "planned/add",
        body={
            "course_id": COURSE,
            "kind": "theory",
            "date": local.date().isoformat(),
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
            "room": "A-101",
        },
    )
    answer = teacher.post(
        "sessions", body={"planned_id": planned["planned_id"], "late_after_minutes": late_after}
    )
    return str(answer["session_id"])


def main() -> int:
    load_stack_env()
    stack = Stack.from_env()
    console.print(f"importing the demo institution's files ({DEMO_FILES}) ...")
    seed_demo(max(STUDENTS, WARMUP_STUDENTS))
    teacher = institution.Door(auth_emulator.sign_in(admin.DEMO_TEACHER, institution.PASSWORD))
    teacher.post("me/claim")
    if WARMUP_STUDENTS:
        warmup = start_now(teacher, minutes=5, late_after=5, back=2)
        result = run_lecture(warmup, WARMUP_STUDENTS, "warm-up")
        console.print(f"warm-up (not counted): {result.summary()}")
        # Closing marks the others absent, and the course figures and alerts follow;
        # the lecture starts once that has settled, so it is measured on its own.
        teacher.post("sessions/close", body={"session_id": warmup})
        started = time.monotonic()
        while not (admin.absences_done(warmup, COURSE) and admin.everyone_counted(warmup, COURSE)):
            if time.monotonic() - started > 120:
                console.print("warning: the warm-up's absences are not all marked after 120 s")
                break
            time.sleep(1)
        alerts, last = admin.alerts_sent(COURSE), -1
        while alerts != last and time.monotonic() - started < 120:  # notify still at work
            time.sleep(1.5)
            alerts, last = admin.alerts_sent(COURSE), alerts
        console.print(
            f"warm-up closed: {admin.enrolled(COURSE) - WARMUP_STUDENTS} absences "
            f"marked, course figures and {alerts} alerts done in "
            f"{time.monotonic() - started:.1f} s"
        )
    session_id = start_now(teacher, minutes=90, late_after=10, back=1)
    console.print(f"session {session_id} open; {STUDENTS} students scan at once ...")
    result = run_lecture(session_id, STUDENTS, "lecture")
    if result.rejected:
        print(f"rejected: {result.rejected}")
    print(result.summary(), flush=True)

    if os.environ.get("DEMO_EXIT") == "1":
        try:
            stack.down(log=lambda *_: None)
        except StackError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return 0 if result.complete else 1

    env = stack.environment()
    dashboard = env["DASHBOARD_URL"]
    print(
        f"\nDashboard: {dashboard}\n"
        f"  Today (the teacher's landing page: the timetable's sessions to start, move or "
        f"cancel): {dashboard}#/\n"
        f"  the lecture's projector view: {dashboard}#/session/{session_id}\n"
        f"  its teacher's panel: {dashboard}#/session/{session_id}/panel\n"
        f"  course view: {dashboard}#/course/{COURSE}   admin page (timetable import): "
        f"{dashboard}#/admin/timetable\n"
        f"  admin: {institution.ADMIN} / {admin.DEMO_PASSWORD}\n"
        f"  teacher: {admin.DEMO_TEACHER} / {admin.DEMO_PASSWORD}\n"
        f"  student: {admin.student_email(1)} / {admin.DEMO_PASSWORD}"
        f"  (scan page: {dashboard}scan.html)\n"
        f"Scan endpoint: {env['SCAN_URL']}   Environment: {stack.env_file}\n"
        "Serving until Ctrl-C or `make down` (either stops the stack and this demo).",
        flush=True,
    )
    # Ctrl-C or a TERM stops the stack. SIGINT is handled explicitly: a shell that starts
    # `make demo` in the background sets it to ignored, and Python then raises nothing.
    # `make down` from another shell stops the stack: the demo notices and ends too.
    stop = {"now": False}
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.update(now=True))
    while not stop["now"]:
        if not stack.running():
            print("the stack was stopped (make down): the demo ends", flush=True)
            return 0
        time.sleep(0.5)
    stack.down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
