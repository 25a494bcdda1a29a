"""The student's card about emails to their guardian (decision 0027), on a phone: shown
under "My attendance" when the institution sends guardian alerts and the class list
names a guardian; "Email my guardian" records the consent with its time, "Stop emails to
my guardian" withdraws it. Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import uuid

import pytest

from rollcall.core import schema
from rollcall_ops import admin
from tests.browser.conftest import PHONE
from tests.support import wait_for

pytestmark = pytest.mark.emulator

COURSE = admin.demo_course("guardian")
PASSWORD = admin.DEMO_PASSWORD
SLOW = 30_000


@pytest.fixture(scope="module")
def student(stack) -> dict:
    admin.seed(COURSE, 1, course_name="Signals and Systems")
    tag = uuid.uuid4().hex[:8]
    uid, email, guardian = f"grd-{tag}", f"grd-{tag}@rollcall.test", f"parent-{tag}@rollcall.test"
    name = "प्रज्ञा कुलकर्णी"
    admin.ensure_user(uid, email, PASSWORD, name)
    db = admin.db()
    db.document(f"courses/{COURSE}/enrollments/{uid}").set(
        {"uid": uid, "name": name, "email": email}
    )
    db.document(f"courses/{COURSE}/roster/{schema.email_key(email)}").set(
        {
            "roll_no": "7",
            "name": name,
            "email": email,
            "guardian_email": guardian,
            "uid": uid,
            "status": "active",
        }
    )
    db.document("institution/settings").set({"guardian_alerts": True}, merge=True)
    yield {"uid": uid, "email": email, "guardian": guardian}
    db.document("institution/settings").set({"guardian_alerts": False}, merge=True)


def consent(uid: str) -> dict:
    return admin.db().document(f"guardian_consents/{uid}").get().to_dict() or {}


def test_a_student_turns_emails_to_their_guardian_on_and_off(web, student):
    phone = web.page("/scan.html", device=PHONE)
    phone.set_default_timeout(SLOW)
    web.sign_in(phone, student["email"], PASSWORD)
    phone.wait_for_selector("#typed-code")
    phone.click("#tab-attendance")
    card = phone.locator("#guardian-card")
    card.wait_for()
    phone.wait_for_selector("#my-courses:not([aria-busy])")
    assert student["guardian"] in card.inner_text()
    assert "only if you agree" in card.inner_text()
    button = phone.locator("#guardian-consent")
    assert button.inner_text() == "Email my guardian"
    card.scroll_into_view_if_needed()
    web.shot(phone, "01-guardian-card-off", full_page=True)

    button.click()
    phone.wait_for_selector("#guardian-consent:text('Stop emails to my guardian')")
    assert f"also emails {student['guardian']}. You agreed on" in card.inner_text()
    stored = consent(student["uid"])
    assert stored["consent"] is True and stored["guardian_email"] == student["guardian"]
    web.shot(phone, "02-guardian-card-on", full_page=True)

    button.click()
    phone.wait_for_selector("#guardian-consent:text('Email my guardian')")
    wait_for(
        lambda: [h["consent"] for h in consent(student["uid"]).get("history", [])] == [True, False]
    )
