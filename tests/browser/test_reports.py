"""The defaulter list on the admin page: a head of department picks the department, a
division and the cut-off date, and downloads the list as CSV and PDF (Devanagari names
as they are); a date outside the term is refused with its stable code. Screenshots go
to test-artifacts/browser/."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from rollcall.clock import now
from rollcall_ops import admin, auth_emulator, institution
from tests import held
from tests.support import call, wait_for

pytestmark = pytest.mark.emulator
LAPTOP = {"viewport": {"width": 1280, "height": 800}}
TZ = ZoneInfo("Asia/Kolkata")
NAMES = ["अनन्या क्षीरसागर", "श्रुती त्रिपाठी", "Rohan Deshmukh"]


def test_a_head_downloads_the_defaulter_list(web, tmp_path):
    t = uuid.uuid4().hex[:6]
    dept, term_id = f"RD{t.upper()}", f"rt{t}"
    door = institution.admin_door()
    head, teacher = held.department_with_head(door.token, t, dept)
    today = now().astimezone(TZ).date()
    rows = ["Roll No,Name,Email,Division"]
    for i, name in enumerate(NAMES, start=1):
        email = f"s{i}-{t}@rollcall.test"
        institution.ensure_account(f"s{i}-{t}", email, name)
        rows.append(f"{i},{name},{email},{'B' if i == 3 else 'A'}")
    held.term_with_courses(
        door.token,
        dept=dept,
        term_id=term_id,
        teacher=teacher,
        courses={"CS301": "Course CS301", "CS302": "Course CS302"},
        span=(today - timedelta(days=30), today + timedelta(days=30)),
        roster=rows,
    )
    course = f"CS301_{term_id}"
    # One session of CS301 that nobody attended: everyone is below in CS301.
    staff = auth_emulator.sign_in(teacher, institution.PASSWORD)
    opened = call(staff, "POST", "sessions", body={"course_id": course})
    assert opened.status_code == 201, opened.text
    sid = opened.json()["session_id"]
    assert call(staff, "POST", "sessions/close", body={"session_id": sid}).status_code == 202
    wait_for(
        lambda: len(list(admin.db().collection(f"courses/{course}/students").stream())) == 3,
        timeout=60,
    )

    page = web.page("/", device=LAPTOP)
    web.sign_in(page, head, institution.PASSWORD)
    page.click("#nav-admin")
    page.click("#admin-tab-defaulters")
    page.wait_for_selector("#defaulters")
    assert page.input_value("#defaulters-department") == dept
    page.select_option("#defaulters-division", "A")
    page.fill("#defaulters-as-of", today.isoformat())
    web.shot(page, "defaulters-form", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    web.shot(page, "defaulters-form-390", full_page=True)
    page.set_viewport_size(LAPTOP["viewport"])

    with page.expect_download() as info:
        page.click("#defaulters-csv")
    download = info.value
    assert download.suggested_filename == f"defaulters-{dept}-A-{today}.csv"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert NAMES[0] in text and NAMES[1] in text and NAMES[2] not in text  # division A only
    assert "CS301 %" in text and ",0," in text
    page.wait_for_selector("#defaulters-message:has-text('Downloaded')")

    with page.expect_download() as info:
        page.click("#defaulters-pdf")
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF")
    web.shot(page, "defaulters-downloaded", full_page=True)

    page.fill("#defaulters-as-of", str(today - timedelta(days=60)))
    page.click("#defaulters-csv")
    page.wait_for_selector("#defaulters-message[data-code=outside_term]")
    assert "Pick a date within the term" in page.text_content("#defaulters-message")
    web.shot(page, "defaulters-outside-term", full_page=True)
