"""A demo institution on the local stack, built through the doors people use: the people
sign up and verify their emails (their own accounts: here made with the Admin SDK,
verified, as if each had followed the link), the first admin is granted as on a fresh
deploy (``rollcall admin grant``), and that admin sets the department and the term
and imports the courses file and the rosters over HTTP, the scan function's own
endpoints, exactly as the admin page does. ``make demo``, ``make bench`` and the tests
that need a populated course use it; nothing here writes a course or an enrollment
itself."""

from __future__ import annotations

import csv
import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests

from rollcall import clients
from rollcall.clock import now
from rollcall.core import people
from rollcall.core.imports.courses import course_id
from rollcall_ops import auth_emulator

PASSWORD = "rollcall-demo"
ADMIN = "admin@rollcall.test"
DEPARTMENT = "DEMO"
TERM = "demo"
DEMO_FILES = Path(__file__).with_name("demo")


def demo_course(code: str) -> str:
    """The id of the course ``code`` of the demo term (what an import gives it)."""
    return course_id(code, TERM)


def ensure_account(uid: str, email: str, name: str) -> None:
    """An account whose owner has verified their email (idempotent)."""
    from firebase_admin import auth

    app = clients.firebase_app()
    try:
        auth.create_user(
            uid=uid,
            email=email,
            email_verified=True,
            password=PASSWORD,
            display_name=name,
            app=app,
        )
    except (auth.UidAlreadyExistsError, auth.EmailAlreadyExistsError):
        auth.update_user(uid, email_verified=True, app=app)


def ensure_accounts(people_: list[tuple[str, str, str]]) -> None:
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda p: ensure_account(*p), people_))


class Door:
    """The admin at the scan function's endpoints."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.base = os.environ["SCAN_URL"]

    def post(
        self, path: str, *, body: Any = None, csv_text: str | None = None, **params: str
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if csv_text is not None:
            headers["Content-Type"] = "text/csv"
            resp = requests.post(
                self.base + path,
                data=csv_text.encode(),
                params=params,
                headers=headers,
                timeout=300,
            )
        else:
            resp = requests.post(
                self.base + path, json=body, params=params, headers=headers, timeout=60
            )
        if resp.status_code >= 300:
            raise SystemExit(f"error: POST /{path} answered {resp.status_code}: {resp.text[:2000]}")
        answer: dict[str, Any] = resp.json()
        return answer


def admin_door() -> Door:
    """The demo admin, granted as on a fresh deploy, signed in."""
    ensure_account("demo-admin", ADMIN, "Demo Admin")
    people.grant_admin(clients.firestore_client(), ADMIN, "demo", now())
    door = Door(auth_emulator.sign_in(ADMIN, PASSWORD))
    door.post("me/claim")
    today = now().date()
    door.post(
        "admin/departments", body={"code": DEPARTMENT, "name": "Demo Department", "heads": []}
    )
    door.post(
        "admin/terms",
        body={
            "id": TERM,
            "name": "Demo term",
            "starts_on": (today - timedelta(days=60)).isoformat(),
            "ends_on": (today + timedelta(days=120)).isoformat(),
        },
    )
    return door


def student_uid(i: int) -> str:
    return f"student-{i:03d}"


def student_email(i: int) -> str:
    return f"student{i:03d}@rollcall.test"


def roster_text(students: int) -> str:
    """A roster of students 1..N as a spreadsheet exports it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Roll No", "Name", "Email", "Division", "Batch"])
    for i in range(1, students + 1):
        division = "A" if i <= (students + 1) // 2 else "B"
        writer.writerow([i, f"Student {i:03d}", student_email(i), division, f"{division}1"])
    return out.getvalue()


@dataclass(frozen=True)
class Seeded:
    course_id: str
    teacher_uid: str
    teacher_email: str
    students: int


def seed(
    code: str,
    students: int,
    course_name: str = "Distributed Systems",
    rules: dict[str, Any] | None = None,
    roster: str | None = None,
    teacher_email: str | None = None,
) -> Seeded:
    """The demo term's course ``code`` with its teacher and students 1..N (or the
    ``roster`` file's), imported by the demo admin; each student's phone registered
    for push. Idempotent."""
    cid = demo_course(code)
    teacher_uid = f"teacher-{cid}"
    teacher_email = teacher_email or f"{teacher_uid}@rollcall.test".lower()
    ensure_accounts(
        [(teacher_uid, teacher_email, "Demo Teacher")]
        + [(student_uid(i), student_email(i), f"Student {i:03d}") for i in range(1, students + 1)]
    )
    door = admin_door()
    courses = (
        "code,name,department,term,divisions,teachers\n"
        f'{code},"{course_name}",{DEPARTMENT},{TERM},A B,{teacher_email}\n'
    )
    door.post("imports/courses", csv_text=courses)
    door.post("imports/roster", csv_text=roster or roster_text(students), course_id=cid)
    if rules:
        door.post("courses/settings", body={"course_id": cid, **rules})
    register_phones([student_uid(i) for i in range(1, students + 1)])
    return Seeded(cid, teacher_uid, teacher_email, students)


def register_phones(uids: list[str]) -> None:
    """Each student's phone registers for push (what the scan page does when the
    student turns notifications on; a client write the rules allow, made here for
    them): one stand-in FCM token each."""
    from rollcall.core import schema

    db = clients.firestore_client()
    for start in range(0, len(uids), 400):
        batch = db.batch()
        for uid in uids[start : start + 400]:
            batch.set(
                schema.user(db, uid),
                {"fcm_tokens": {f"demo-device-{uid}": {"platform": "web"}}},
                merge=True,
            )
        batch.commit()
