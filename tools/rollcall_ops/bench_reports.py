"""How long the defaulter list of a large department takes to build (docs/performance.md):
600 students in 8 courses of one term, 36 closed sessions each (theory and practical),
every student's figures as the pipeline stores them, and 5 % of the records overridden
after the cut-off (so the replay has work). Writes to the Firestore emulator only.

    FIRESTORE_EMULATOR_HOST=127.0.0.1:8080 GOOGLE_CLOUD_PROJECT=demo-bench \\
        python -m rollcall_ops.bench_reports [--students 600] [--courses 8] [--sessions 36]

Prints the seconds to build the list (Firestore reads and the figures), to write its CSV
and to render its PDF, each the median of three runs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta

from google.cloud import firestore

from rollcall.core import report_pdf, reports, schema

TZ = "Asia/Kolkata"
DAY = date(2026, 9, 30)
STATUSES = ("present", "present", "present", "late", "absent", "excused")


def seed(db: firestore.Client, students: int, courses: int, sessions: int) -> str:
    """A department BENCH with the courses and their history; returns its id."""
    if not os.environ.get("FIRESTORE_EMULATOR_HOST"):
        sys.exit("error: set FIRESTORE_EMULATOR_HOST (the bench writes to the emulator only)")
    rng = random.Random(20)
    dept, term = "BENCH", "bench-term"
    schema.department(db, dept).set({"code": dept, "name": "Bench Department", "head_uids": []})
    schema.term(db, term).set(
        {"name": "Bench term", "starts_on": "2026-07-01", "ends_on": "2026-11-30", "holidays": []}
    )
    start = datetime(2026, 7, 6, 4, 0, tzinfo=UTC)
    writer = db.bulk_writer()
    for c in range(courses):
        course_id = f"B{c + 1:02d}_{term}"
        schema.course(db, course_id).set(
            {
                "code": f"B{c + 1:02d}",
                "name": f"Course {c + 1}",
                "department_id": dept,
                "term_id": term,
                "divisions": ["A", "B"],
                "min_attendance_percent_practical": 80,
            }
        )
        held = []
        for k in range(sessions):
            sid = f"bs{c:02d}{k:03d}"
            at = start + timedelta(days=2 * k, hours=c % 6)
            kind = "practical" if k % 4 == 3 else "theory"
            held.append((sid, at, kind))
            writer.set(
                schema.session(db, sid),
                {"course_id": course_id, "status": "closed", "starts_at": at, "kind": kind},
            )
        for s in range(students):
            uid = f"bench-u{s:04d}"
            row = {
                "uid": uid,
                "roll_no": str(s + 1),
                "name": f"विद्यार्थी {s + 1}",
                "division": "A" if s % 2 else "B",
                "status": "active",
            }
            writer.set(schema.roster(db, course_id).document(f"e{s:04d}"), row)
            writer.set(schema.enrollments(db, course_id).document(uid), row)
            entries = {}
            for sid, at, kind in held:
                status = rng.choice(STATUSES)
                entries[sid] = {"status": status, "starts_at": at, "kind": kind}
                if rng.random() < 0.05 and at.date() < DAY:  # overridden after the cut-off
                    ref = schema.record(db, sid, uid)
                    later = datetime(2026, 10, 5, tzinfo=UTC)
                    writer.set(
                        ref,
                        {
                            "course_id": course_id,
                            "session_id": sid,
                            "status": status,
                            "status_at": later,
                            "source": "override",
                        },
                    )
                    writer.set(
                        ref.collection("audit").document("o1"),
                        {
                            "at": later,
                            "previous_status": "absent",
                            "status": status,
                            "applied": True,
                        },
                    )
            writer.set(schema.student(db, course_id, uid), {"uid": uid, "sessions": entries})
    writer.close()
    return dept


def median_seconds(run, times: int = 3) -> tuple[float, object]:
    took, result = [], None
    for _ in range(times):
        began = time.perf_counter()
        result = run()
        took.append(time.perf_counter() - began)
    return statistics.median(took), result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--students", type=int, default=600)
    p.add_argument("--courses", type=int, default=8)
    p.add_argument("--sessions", type=int, default=36)
    args = p.parse_args(argv)
    db = firestore.Client(project=os.environ.get("GOOGLE_CLOUD_PROJECT", "demo-bench"))
    began = time.perf_counter()
    dept = seed(db, args.students, args.courses, args.sessions)
    print(f"seeded in {time.perf_counter() - began:.1f} s")
    build, report = median_seconds(lambda: reports.build(db, dept, None, DAY, TZ))
    assert isinstance(report, reports.Defaulters)
    as_csv, _ = median_seconds(report.csv)
    pdf, data = median_seconds(
        lambda: report_pdf.render(report, "Bench Institute", datetime.now(UTC), TZ)
    )
    below = sum(row.defaulter for row in report.rows)
    print(
        f"defaulter list: {len(report.rows)} students x {len(report.columns)} courses "
        f"({below} below): build {build:.2f} s, CSV {as_csv:.2f} s, PDF {pdf:.2f} s "
        f"({len(data) // 1024} KiB)"  # type: ignore[arg-type]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
