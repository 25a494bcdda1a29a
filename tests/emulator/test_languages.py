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
    publish,
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


def test_an_alert_reaches_a_marathi_speaking_student_in_marathi(stack_env):
    """An alert as the attendance consumer publishes it (its words in catalog terms):
    the notify consumer words it in the student's language; a student without one gets
    the English the alert carries."""
    from datetime import UTC, datetime
    from fractions import Fraction

    from rollcall.core import standing
    from rollcall.core.events import Alert

    course = new_course()
    marathi, english = new_student(course), new_student(course)
    admin.db().collection("users").document(marathi.uid).set({"language": "mr"})
    figures = standing.Standing(
        held=3,
        present=0,
        late=0,
        excused=0,
        absent=3,
        attended=Fraction(0),
        counted=3,
        absence_run=3,
        remaining=5,
        can_miss=None,
        needed=None,
        reachable=False,
        threshold=Fraction(3, 4),
    )
    said = standing.alert_words(
        standing.ABSENCE_RUN, standing.course_label("Networks", None), figures, standing.Rules()
    )
    title, body = said.render("en")
    for student in (marathi, english):
        alert = Alert(
            alert_id=unique("alert-"),
            uid=student.uid,
            course_id=course,
            session_id=unique("s"),
            kind=standing.ABSENCE_RUN,
            title=title,
            body=body,
            at=datetime.now(UTC),
            words=said.to_json(),
        )
        data, attributes = alert.encode()
        publish("scans", data, **attributes)
        entry = sent(student.uid, alert.alert_id)
        if student is marathi:
            assert entry["title"] == "Networks: सलग 3 वेळा गैरहजर"
            assert entry["body"] == "तुम्ही Networks चे मागचे 3 सेशन चुकवले (हजेरी 0 %)."
        else:
            assert (entry["title"], entry["body"]) == (title, body)
            assert title == "Networks: 3 absences in a row"
