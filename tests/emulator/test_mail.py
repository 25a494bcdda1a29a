"""Weekly digests and guardians' alerts through the real pipeline (decision 0027): the
digest's trigger goes through topic ``scans`` to the mail consumer, which sends through
the stack's SMTP sink (emulators/smtp.py); the tests read what the sink received.

The world: department D with a head, a term around today, course C1 of D taught by a
teacher, three students rostered (names in Devanagari too), one session held and closed
with only the first present, so the other two are below the threshold (the course's
alerts start after the first session). A second teacher reads Hindi and a second head
Marathi (``users/{uid}.language``): their digests are in their language."""

from __future__ import annotations

import html
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from google.cloud.firestore_v1.base_query import FieldFilter

from rollcall.clock import now
from rollcall.core import mail, messages, schema, staff
from rollcall.core.events import Alert, CloseSession, Digest
from rollcall_ops import admin, auth_emulator, institution
from tests.support import (
    WORKED_EXAMPLE_RULES,
    Probe,
    call,
    log_lines,
    log_marks,
    mail_attempts,
    mail_fail,
    mail_messages,
    new_session,
    publish,
    unique,
    wait_for,
)

pytestmark = pytest.mark.emulator
TZ = ZoneInfo("Asia/Kolkata")
NAMES = ["Meera Iyer", "अनन्या क्षीरसागर", "श्रुती त्रिपाठी"]
ROLLCALL = str(Path(sys.executable).parent / "rollcall")


def rollcall(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([ROLLCALL, *args], capture_output=True, text=True, env=env, timeout=60)


def _publish(event) -> str:
    data, attributes = event.encode()
    return publish("scans", data, **attributes)


def _done(marks: dict, message_id: str) -> list[dict]:
    """The mail consumer's log lines of the finished delivery of ``message_id``."""
    return [
        line
        for line in log_lines("mail", marks, message_id=message_id)
        if line["message"] in ("consumer effect applied", "consumer effect already applied")
    ]


@pytest.fixture(scope="module")
def world(stack):
    os.environ.update(stack)
    db = admin.db()
    tag = unique("ml")
    teacher, head = f"{tag}.teacher@rollcall.test", f"{tag}.head@rollcall.test"
    hindi, marathi = f"{tag}.hindi@rollcall.test", f"{tag}.marathi@rollcall.test"
    dept, term = unique("MD").upper(), unique("MT")
    today = now().astimezone(TZ).date()
    db.document(f"departments/{dept}").set(
        {"code": dept, "name": "Dept of Mail", "head_emails": [head, marathi], "head_uids": []}
    )
    # the Marathi head's account is found by address; the Hindi teacher's uid is on the staff
    institution.ensure_accounts([(f"{tag}-m", marathi, "Head in Marathi")])
    db.document(f"users/{tag}-m").set({"language": "mr"})
    db.document(f"users/{tag}-h").set({"language": "hi"})
    db.document(f"terms/{term}").set(
        {
            "name": "Odd",
            "starts_on": str(today - timedelta(days=10)),
            "ends_on": str(today + timedelta(days=60)),
        }
    )
    course_id = unique("mc")
    entry = {"email": teacher, "role": "teacher", "uid": f"{tag}-t"}
    second = {"email": hindi, "role": "teacher", "uid": f"{tag}-h"}
    db.document(f"courses/{course_id}").set(
        {
            "code": "ML101",
            "name": "Mail course",
            "department_id": dept,
            "term_id": term,
            **staff.fields({schema.email_key(teacher): entry, schema.email_key(hindi): second}),
            **WORKED_EXAMPLE_RULES,
        }
    )
    students = []
    for i, name in enumerate(NAMES, start=1):
        email = f"{tag}.s{i}@rollcall.test"
        uid = f"{tag}-s{i}"
        institution.ensure_accounts([(uid, email, name)])
        guardian = f"{tag}.g{i}@rollcall.test"
        db.document(f"courses/{course_id}/roster/{schema.email_key(email)}").set(
            {
                "roll_no": str(i),
                "name": name,
                "email": email,
                "guardian_email": guardian,
                "uid": uid,
                "status": "active",
            }
        )
        db.document(f"courses/{course_id}/enrollments/{uid}").set({"uid": uid})
        students.append({"uid": uid, "email": email, "guardian": guardian, "name": name})
    session = new_session(course_id, starts_at=now() - timedelta(minutes=5))
    db.document(f"sessions/{session.id}/attendance/{students[0]['uid']}").set(
        {"status": "present", "uid": students[0]["uid"], "course_id": course_id}
    )
    _publish(CloseSession(session.id, course_id, now(), "test"))

    def state(uid: str) -> str | None:
        snap = db.document(f"courses/{course_id}/students/{uid}").get()
        return (snap.to_dict() or {}).get("state")

    wait_for(lambda: all(state(s["uid"]) == "below" for s in students[1:]), timeout=60)
    return {
        "teacher": teacher,
        "head": head,
        "hindi": hindi,
        "marathi": marathi,
        "students": students,
        "course_id": course_id,
    }


def test_a_digest_published_twice_reaches_each_teacher_and_head_once(world):
    marks = log_marks()
    period = "2031-W02"  # its own period: earlier tests' digests do not count
    first, second = _publish(Digest(period)), _publish(Digest(period))
    wait_for(lambda: _done(marks, first) and _done(marks, second), timeout=60)

    (to_teacher,) = mail_messages(world["teacher"])
    assert to_teacher["subject"] == f"Attendance digest, week {period}"
    text = to_teacher["text"]
    assert "ML101 Mail course: 2 at risk or below" in text
    for s in world["students"][1:]:
        assert f"{s['name']}: 0.0 %, below the threshold" in text  # Devanagari intact
    assert world["students"][0]["name"] not in text
    assert to_teacher["headers"]["List-Unsubscribe"].startswith("<http")
    assert "/mail/unsubscribe?token=" in to_teacher["html"]

    (to_head,) = mail_messages(world["head"])
    assert to_head["subject"] == f"Defaulters of Dept of Mail, week {period}"
    assert "2 of 3 students are below the threshold" in to_head["text"]
    assert f"3 {NAMES[2]}: ML101" in to_head["text"]
    # Each email was sent by one delivery and found sent (or being sent) by the other,
    # however the two deliveries interleaved.
    lines = _done(marks, first) + _done(marks, second)
    sent = sum(line["sent"] for line in lines)
    assert sent == sum(line["already"] for line in lines) >= 2
    sent_ones = FieldFilter("status", "==", "sent")
    markers = admin.db().collection("mail").where(filter=sent_ones).stream()
    assert sent == sum(1 for m in markers if m.id.startswith(period))


def test_a_transient_refusal_is_retried_and_the_digest_arrives_once(world):
    marks = log_marks()
    mail_fail(world["teacher"], 451, times=1)
    message_id = _publish(Digest("2031-W03"))
    wait_for(lambda: _done(marks, message_id), timeout=60)
    assert len(mail_messages(world["teacher"])) == 2  # W02's and now W03's
    assert mail_attempts(world["teacher"]) >= 2
    failed = log_lines("mail", marks, message_id=message_id)
    assert any("will be retried" in line["message"] for line in failed)


def test_a_permanent_refusal_is_recorded_and_never_retried(world):
    marks = log_marks()
    head = world["head"]
    mail_fail(head, 550, times=1)  # once is enough: the address is never tried again
    before = mail_attempts(head)
    message_id = _publish(Digest("2031-W04"))
    wait_for(lambda: _done(marks, message_id), timeout=60)
    bounce = admin.db().document(f"mail_bounces/{mail.key(head)}").get().to_dict()
    assert bounce["code"] == 550 and bounce["email"] == head
    assert mail_attempts(head) == before + 1
    # The next period's digest does not even try the address.
    again = _publish(Digest("2031-W05"))
    wait_for(lambda: _done(marks, again), timeout=60)
    assert mail_attempts(head) == before + 1
    assert _done(marks, again)[0]["bounced"] >= 1
    listed = rollcall("mail", "bounces")
    assert head in listed.stdout and "550" in listed.stdout, listed.stderr
    cleared = rollcall("mail", "clear-bounce", head)
    assert cleared.returncode == 0, cleared.stderr
    assert not admin.db().document(f"mail_bounces/{mail.key(head)}").get().exists


def test_a_malformed_trigger_is_dead_lettered_and_sends_nothing(world):
    probe = Probe("mail-dead-letter")
    try:
        sent = len(mail_messages())
        publish("scans", b'{"schema":1,"type":"digest","period":"2031-W99"}', type="digest")
        letters = wait_for(lambda: probe.pull(1.0), timeout=30)
        assert b"2031-W99" in letters[0].data
        assert "not a week" in letters[0].attributes["rollcall_dead_letter_reason"]
        assert len(mail_messages()) == sent
    finally:
        probe.close()


def test_the_unsubscribe_link_stops_the_next_digest(world):
    teacher = world["teacher"]
    before = len(mail_messages(teacher))
    link = f"{os.environ['SCAN_URL'].rstrip('/')}/mail/unsubscribe"
    token = mail.link_token(teacher)
    bad = requests.get(link, params={"token": token[:-2] + "00"}, timeout=10)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_request"
    assert not admin.db().document(f"mail_optouts/{mail.key(teacher)}").get().exists
    for _ in range(2):  # idempotent
        page = requests.get(link, params={"token": token}, timeout=10)
        assert page.status_code == 200 and "unsubscribed" in page.text
        assert page.headers["Content-Type"].startswith("text/html")
    # in the email's language (its link says which); English for one it does not know
    marathi = requests.get(link, params={"token": token, "lang": "mr"}, timeout=10)
    assert marathi.status_code == 200 and '<html lang="mr">' in marathi.text
    assert "सदस्यता रद्द" in marathi.text and html.escape(teacher) in marathi.text
    other = requests.get(link, params={"token": token, "lang": "xx"}, timeout=10)
    assert other.status_code == 200 and '<html lang="en">' in other.text
    marks = log_marks()
    message_id = _publish(Digest("2031-W06"))
    wait_for(lambda: _done(marks, message_id), timeout=60)
    assert len(mail_messages(teacher)) == before
    assert len(mail_messages(world["head"])) >= 1


def _set_guardian_alerts(on: bool) -> None:
    door = institution.admin_door()
    answer = call(door.token, "POST", "admin/settings", body={"guardian_alerts": on})
    assert answer.status_code == 200 and answer.json()["guardian_alerts"] is on, answer.text


def _alert(student: dict, n: int) -> str:
    alert = Alert(
        alert_id=f"alert-{unique('a')}-below_threshold-{n}",
        uid=student["uid"],
        course_id="c",
        session_id="s",
        kind="below_threshold",
        title="Below 75 %: Mail course",
        body=f"{student['name']}, your attendance is 0.0 %.",
        at=now(),
    )
    return _publish(alert)


def test_a_guardian_is_mailed_only_with_the_students_consent(world):
    _set_guardian_alerts(True)
    student = world["students"][1]
    token = auth_emulator.sign_in(student["email"], institution.PASSWORD)
    marks = log_marks()

    # No consent: no email.
    first = _alert(student, 1)
    wait_for(lambda: _done(marks, first), timeout=30)
    assert mail_messages(student["guardian"]) == []

    shown = call(token, "GET", "me/guardian").json()
    assert shown == {
        "enabled": True,
        "guardian_email": student["guardian"],
        "consent": False,
        "consented_at": None,
    }
    bad = call(token, "POST", "me/guardian-consent", body={"consent": "yes"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_request"
    assert not admin.db().document(f"guardian_consents/{student['uid']}").get().exists

    given = call(token, "POST", "me/guardian-consent", body={"consent": True}).json()
    assert given["consent"] is True and given["consented_at"]
    second = _alert(student, 2)
    wait_for(lambda: mail_messages(student["guardian"]), timeout=30)
    (sent,) = mail_messages(student["guardian"])
    assert sent["subject"] == f"{student['name']}: Below 75 %: Mail course"
    assert student["name"] in sent["text"] and sent["kind"] == "guardian_alert"
    assert "your attendance is 0.0 %" in sent["text"]

    withdrawn = call(token, "POST", "me/guardian-consent", body={"consent": False}).json()
    assert withdrawn["consent"] is False
    third = _alert(student, 3)
    wait_for(lambda: _done(marks, second) and _done(marks, third), timeout=30)
    assert len(mail_messages(student["guardian"])) == 1
    history = admin.db().document(f"guardian_consents/{student['uid']}").get().to_dict()
    assert [h["consent"] for h in history["history"]] == [True, False]

    # The institution's setting off (by the CLI): no email even with consent.
    call(token, "POST", "me/guardian-consent", body={"consent": True})
    off = rollcall("mail", "guardian-alerts", "off")
    assert off.returncode == 0 and "guardian alerts off" in off.stdout, off.stderr
    fourth = _alert(student, 4)
    wait_for(lambda: _done(marks, fourth), timeout=30)
    assert len(mail_messages(student["guardian"])) == 1


def test_a_guardian_is_told_in_the_students_language(world):
    _set_guardian_alerts(True)
    student = world["students"][2]
    admin.db().document(f"users/{student['uid']}").set({"language": "mr"}, merge=True)
    token = auth_emulator.sign_in(student["email"], institution.PASSWORD)
    given = call(token, "POST", "me/guardian-consent", body={"consent": True}).json()
    assert given["consent"] is True
    words = messages.Words(
        "alert.below.title",
        "alert.below.unreachable",
        {"course": "ML101 Mail course", "need": "75 %", "have": "0.0 %"},
    )
    title, body = words.render("mr")
    alert = Alert(
        alert_id=f"alert-{unique('a')}-below_threshold-mr",
        uid=student["uid"],
        course_id="c",
        session_id="s",
        kind="below_threshold",
        title="Below 75 %: Mail course",
        body="English body",
        at=now(),
        words=words.to_json(),
    )
    _publish(alert)
    (sent,) = wait_for(lambda: mail_messages(student["guardian"]), timeout=30)
    assert sent["subject"] == f"{student['name']}: {title}"
    assert body in sent["text"] and "English body" not in sent["text"]
    assert f"{student['name']} यांची हजेरी किमान मर्यादेखाली गेली आहे." in sent["text"]
    assert sent["headers"]["Content-Language"] == "mr"


def test_the_cli_publishes_a_digest_and_lists_the_sink(world):
    refused = rollcall("mail", "digest", "--period", "2031-W99")
    assert refused.returncode == 2 and "not a week of 2031" in refused.stderr
    before = len(mail_messages(world["head"]))
    published = rollcall("mail", "digest", "--period", "2031-W08")
    assert published.returncode == 0, published.stderr
    wait_for(lambda: len(mail_messages(world["head"])) == before + 1, timeout=30)
    listed = rollcall("mail", "list", "--to", world["head"])
    assert listed.returncode == 0, listed.stderr
    assert "week 2031-W08" in listed.stdout and "digest_head" in listed.stdout


def test_each_digest_is_in_its_recipients_language(world):
    marks = log_marks()
    period = "2031-W09"
    message_id = _publish(Digest(period))
    wait_for(lambda: _done(marks, message_id), timeout=60)

    (to_hindi,) = [m for m in mail_messages(world["hindi"]) if period in m["subject"]]
    assert to_hindi["subject"] == f"हाज़िरी डाइजेस्ट, सप्ताह {period}"
    assert "ML101 Mail course: 2 छात्र खतरे में या सीमा से नीचे" in to_hindi["text"]
    for s in world["students"][1:]:
        assert f"{s['name']}: 0.0 %, सीमा से नीचे" in to_hindi["text"]
    assert "ये ईमेल बंद करने के लिए: http" in to_hindi["text"]
    assert to_hindi["headers"]["Content-Language"] == "hi"
    assert 'lang="hi"' in to_hindi["html"] and "ये ईमेल बंद करें" in to_hindi["html"]

    (to_marathi,) = [m for m in mail_messages(world["marathi"]) if period in m["subject"]]
    assert to_marathi["subject"] == f"Dept of Mail चे डिफॉल्टर, आठवडा {period}"
    assert "3 पैकी 2 विद्यार्थी किमान एका कोर्समध्ये मर्यादेखाली आहेत." in to_marathi["text"]
    assert f"3 {NAMES[2]}: ML101" in to_marathi["text"]

    # the other head, with no language chosen, in English (the first teacher has
    # unsubscribed by now: test_the_unsubscribe_link_stops_the_next_digest)
    (to_head,) = [m for m in mail_messages(world["head"]) if period in m["subject"]]
    assert to_head["subject"] == f"Defaulters of Dept of Mail, week {period}"
    assert to_head["headers"]["Content-Language"] == "en"
