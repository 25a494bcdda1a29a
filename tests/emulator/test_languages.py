"""The students' languages on the server (decision 0031): the notification consumer
words a student's inbox entry and push in the language stored on their document
(users/{uid}.language, which the student page writes), English when there is none."""

from __future__ import annotations

import pytest

from rollcall_ops import admin
from tests.support import (
    fcm_messages,
    inbox,
    new_course,
    new_session,
    new_student,
    scan,
    token_for,
    unique,
    wait_for,
)

pytestmark = pytest.mark.emulator


def sent(uid: str, session_id: str) -> dict:
    return wait_for(
        lambda: (
            (inbox(uid, session_id) or {}).get("push", {}).get("status") in ("sent", "none")
            and inbox(uid, session_id)
        )
    )


def test_a_hindi_speaking_students_inbox_entry_and_push_are_in_hindi(stack_env):
    course = new_course()
    admin.db().collection("courses").document(course).update({"name": "वितरित प्रणाली"})
    session = new_session(course)
    device = unique("tok-")
    hindi = new_student(course, tokens=(device,))
    admin.db().collection("users").document(hindi.uid).update({"language": "hi"})
    marathi, english = new_student(course), new_student(course)
    admin.db().collection("users").document(marathi.uid).set({"language": "mr"})

    for i, student in enumerate((hindi, marathi, english)):
        assert scan(student, token_for(session), device_id=f"phone-{i}").status_code == 202

    entry = sent(hindi.uid, session.id)
    assert entry["title"] == "हाज़िरी दर्ज हुई: वितरित प्रणाली"
    assert entry["body"].startswith("वितरित प्रणाली, ")
    assert entry["body"].endswith(" के लिए आपको उपस्थित दर्ज किया गया।")
    [push] = fcm_messages(device)
    assert push["message"]["notification"]["title"] == entry["title"]
    assert sent(marathi.uid, session.id)["title"] == "हजेरी नोंदवली: वितरित प्रणाली"
    assert sent(english.uid, session.id)["title"] == "Attendance recorded: वितरित प्रणाली"
