"""Helpers for the emulator tests: real users on the Auth emulator, real documents on
the Firestore emulator, real HTTP to the functions, real Pub/Sub subscriptions."""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from google.cloud import pubsub_v1

from rollcall.clock import now
from rollcall.core import qr, sessions
from rollcall.core.exports import BOM
from rollcall_ops import admin, auth_emulator

#: The worked example's course rules (docs/student-success.md; rollcall.core.standing),
#: shared by the
#: emulator and browser tests of student standing.
WORKED_EXAMPLE_RULES = {
    "min_attendance_percent": 75,
    "late_weight": 0.5,
    "excused_policy": "not_counted",
    "absence_alert_run": 2,
    "planned_sessions": 8,
    "alerts_after_sessions": 0,
}


def csv_rows(text: str) -> csv.DictReader:
    """The rows of an exported CSV file, which must start with the UTF-8 byte-order mark
    (Excel needs it to read Devanagari names) and have it once."""
    assert text.startswith(BOM) and not text.startswith(BOM * 2), repr(text[:20])
    return csv.DictReader(io.StringIO(text.removeprefix(BOM)))


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def call(
    token: str,
    method: str,
    path: str,
    *,
    body: Any = None,
    csv_text: str | None = None,
    **params: Any,
) -> requests.Response:
    """A request to the scan function's endpoint ``path`` with ``token`` as the bearer:
    ``body`` as JSON, or ``csv_text`` as an uploaded CSV file (POST)."""
    headers = {"Authorization": f"Bearer {token}"}
    url = os.environ["SCAN_URL"] + path
    if csv_text is not None:
        headers["Content-Type"] = "text/csv"
        return requests.post(
            url, data=csv_text.encode(), params=params, headers=headers, timeout=60
        )
    return requests.request(method, url, json=body, params=params, headers=headers, timeout=60)


def wait_for(predicate: Callable[[], Any], timeout: float = 20, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value {value!r})")
        time.sleep(interval)


class Student:
    def __init__(self, uid: str, id_token: str) -> None:
        self.uid = uid
        self.id_token = id_token


def course_doc(name: str, teacher_uid: str, role: str = "teacher", **fields: Any) -> dict:
    """A course document with one member of staff (what the courses import writes,
    without the import: for tests about something else)."""
    from rollcall.core import schema, staff

    email = f"{teacher_uid}@rollcall.test"
    entry = {"email": email, "role": role, "uid": teacher_uid}
    return {"name": name, **staff.fields({schema.email_key(email): entry}), **fields}


def new_course(teacher_uid: str | None = None) -> str:
    course_id = unique("c")
    admin.db().collection("courses").document(course_id).set(
        course_doc("Test course", teacher_uid or unique("t"))
    )
    return course_id


def new_student(course_id: str | None = None, tokens: tuple[str, ...] = ()) -> Student:
    """A signed-up user, enrolled in ``course_id`` if given, with FCM tokens."""
    uid, id_token = auth_emulator.sign_up(f"{unique('s')}@rollcall.test", "password-123")
    db = admin.db()
    if course_id:
        db.collection("courses").document(course_id).collection("enrollments").document(uid).set(
            {"uid": uid}
        )
    if tokens:
        db.collection("users").document(uid).set(
            {"fcm_tokens": {t: {"platform": "web"} for t in tokens}}
        )
    return Student(uid, id_token)


def new_session(course_id: str, **overrides: Any) -> sessions.Session:
    session_id = sessions.new_session_id()
    doc = sessions.session_doc(course_id, "teacher", now(), duration_minutes=60)
    doc.update(overrides)
    admin.db().collection("sessions").document(session_id).set(doc)
    return sessions.Session.from_doc(session_id, doc)


def token_for(session: sessions.Session, windows_ago: int = 0) -> str:
    window = qr.window_at(now().timestamp(), session.rotation_seconds) - windows_ago
    return qr.mint(session.secret, session.id, window)


def scan(
    student: Student | None, qr_token: Any, device_id: Any = "phone-1", **kw
) -> requests.Response:
    headers = {"Authorization": f"Bearer {student.id_token}"} if student else {}
    return requests.post(
        os.environ["SCAN_URL"],
        json={"qr": qr_token, "device_id": device_id},
        headers=headers,
        timeout=30,
        **kw,
    )


def attendance(session_id: str, uid: str) -> dict | None:
    snap = (
        admin.db()
        .collection("sessions")
        .document(session_id)
        .collection("attendance")
        .document(uid)
        .get()
    )
    return snap.to_dict() if snap.exists else None


def inbox(uid: str, session_id: str) -> dict | None:
    snap = (
        admin.db().collection("users").document(uid).collection("inbox").document(session_id).get()
    )
    return snap.to_dict() if snap.exists else None


def tally(session_id: str) -> dict:
    from rollcall.consumers.dashboard import read_tally

    return read_tally(admin.db(), session_id)


def all_effects(session_id: str, uid: str) -> bool:
    return bool(
        attendance(session_id, uid) and inbox(uid, session_id) and tally(session_id)["total"]
    )


def fcm_messages(token: str) -> list[dict]:
    resp = requests.get(
        f"{os.environ['FCM_ENDPOINT']}/messages", params={"token": token}, timeout=5
    )
    return resp.json()["messages"]


def fcm_attempts(token: str) -> int:
    """Send requests the FCM stand-in has had for ``token``, answered or not yet."""
    resp = requests.get(
        f"{os.environ['FCM_ENDPOINT']}/attempts", params={"token": token}, timeout=5
    )
    return int(resp.json()["attempts"])


def fcm_release(token: str) -> None:
    """Let the FCM stand-in answer the held pushes of a ``hold-*`` token."""
    requests.post(f"{os.environ['FCM_ENDPOINT']}/release", params={"token": token}, timeout=5)


def mail_messages(to: str | None = None) -> list[dict]:
    """What the stack's SMTP sink received (emulators/smtp.py), for ``to`` if given."""
    params = {"to": to} if to else {}
    resp = requests.get(f"{os.environ['MAIL_SINK_URL']}/messages", params=params, timeout=5)
    return resp.json()["messages"]


def mail_fail(address: str, code: int, times: int = 0) -> None:
    """Make the SMTP sink refuse ``address`` with ``code`` (451, 550) ``times`` times
    (0: always)."""
    body = {"address": address, "code": code, "times": times}
    requests.post(f"{os.environ['MAIL_SINK_URL']}/fail", json=body, timeout=5).raise_for_status()


def mail_attempts(to: str) -> int:
    resp = requests.get(f"{os.environ['MAIL_SINK_URL']}/attempts", params={"to": to}, timeout=5)
    return int(resp.json()["attempts"])


def push_body(data: bytes, attributes: dict | None = None, message_id: str | None = None) -> dict:
    return {
        "message": {
            "data": base64.b64encode(data).decode(),
            "attributes": attributes or {},
            "messageId": message_id or unique("m"),
            "publishTime": now().isoformat(),
        },
        "subscription": f"projects/{os.environ['GOOGLE_CLOUD_PROJECT']}/subscriptions/test",
    }


def consumer_url(subscription: str) -> str:
    """The local push endpoint of a subscription's function."""
    from emulators.pubsub import list_subscriptions
    from rollcall_ops.topology import load

    load().subscription(subscription)
    subs = list_subscriptions(
        os.environ["PUBSUB_EMULATOR_HOST"], os.environ["GOOGLE_CLOUD_PROJECT"]
    )
    return subs[subscription]["pushConfig"]["pushEndpoint"]


class Probe:
    """A pull subscription on a topic: sees everything published after its creation."""

    def __init__(self, topic: str) -> None:
        self.client = pubsub_v1.SubscriberClient()
        project = os.environ["GOOGLE_CLOUD_PROJECT"]
        self.path = self.client.subscription_path(project, unique("probe-"))
        self.client.create_subscription(
            request={"name": self.path, "topic": f"projects/{project}/topics/{topic}"}
        )

    def pull(self, wait: float = 2.0) -> list[Any]:
        """Everything that arrives within ``wait`` seconds (acknowledged)."""
        received = []
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            resp = self.client.pull(
                request={"subscription": self.path, "max_messages": 100}, timeout=5
            )
            if resp.received_messages:
                self.client.acknowledge(
                    request={
                        "subscription": self.path,
                        "ack_ids": [m.ack_id for m in resp.received_messages],
                    }
                )
                received += [m.message for m in resp.received_messages]
            else:
                time.sleep(0.2)
        return received

    def close(self) -> None:
        self.client.delete_subscription(request={"subscription": self.path})


def publish(topic: str, data: bytes, **attributes: str) -> str:
    client = pubsub_v1.PublisherClient()
    path = client.topic_path(os.environ["GOOGLE_CLOUD_PROJECT"], topic)
    return client.publish(path, data, **attributes).result(10)


def event_json(message: Any) -> dict:
    return json.loads(message.data)


CONSUMERS = ("attendance", "notify", "dashboard")


def handled(consumer: str, scan_id: str) -> set[str]:
    """The message ids of the deliveries of event ``scan_id`` (a scan's, an override's
    or a close's id) that ``consumer`` has finished: each has its "consumer effect
    applied / already applied" line in the consumer's log. Once a delivery is logged,
    nothing more comes of it, so a test can wait on this instead of on time."""
    from pathlib import Path

    log = Path(os.environ["ROLLCALL_LOGS"]) / f"{consumer}.log"
    done = set()
    for line in log.read_text().splitlines():
        if line.startswith("{") and "consumer effect" in line and scan_id in line:
            entry = json.loads(line)
            if entry.get("scan_id") == scan_id and entry["message"].startswith("consumer effect"):
                done.add(entry.get("message_id"))
    return done


def log_marks() -> dict[str, int]:
    """Where each function's log ends now (the files outlive a stack; message ids do not)."""
    return {p.stem: p.stat().st_size for p in Path(os.environ["ROLLCALL_LOGS"]).glob("*.log")}


def log_lines(service: str, since: dict[str, int] | None = None, **match: object) -> list[dict]:
    """JSON lines of a function's log (after ``since``) whose fields equal ``match``."""
    path = Path(os.environ["ROLLCALL_LOGS"]) / f"{service}.log"
    with path.open("rb") as f:
        f.seek((since or {}).get(service, 0))
        text = f.read().decode(errors="replace")
    found = []
    for raw in text.splitlines():
        if raw.startswith("{"):
            line = json.loads(raw)
            if all(line.get(k) == v for k, v in match.items()):
                found.append(line)
    return found
