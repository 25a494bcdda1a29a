"""The FCM half of notify, through firebase-admin against the FCM v1 stand-in
(emulators/fcm.py, run in-process): each kind of answer is classified as sent, a dead
token to delete, or a failure that fails the delivery; batches stay within FCM's limit."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from datetime import UTC, datetime

import firebase_admin
import pytest
import requests
from firebase_admin import _http_client, credentials, messaging
from google.auth.credentials import Credentials
from requests.adapters import HTTPAdapter

from emulators import fcm
from rollcall.consumers import notify
from rollcall.core.events import AttendanceEvent

EVENT = AttendanceEvent(
    event_id="scan-1",
    session_id="s-unit",
    course_id="c1",
    uid="u1",
    status="present",
    at=datetime(2026, 11, 26, 9, 0, tzinfo=UTC),
    device_id="phone-1",
)


def _notice(title: str, body: str) -> notify.Notice:
    return dataclasses.replace(notify.notice_of(EVENT), title=title, body=body)


class _NoAuth(Credentials):
    """Sends no real token; unlike AnonymousCredentials it can be "refreshed", which
    the SDK's session does once on a 401 (FCM's THIRD_PARTY_AUTH_ERROR)."""

    def __init__(self) -> None:
        super().__init__()
        self.token = "unit-test"

    def refresh(self, request) -> None:
        pass


class _Credential(credentials.Base):
    def get_credential(self):
        return _NoAuth()


@pytest.fixture(scope="module")
def stand_in():
    server = fcm.serve("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def app(stand_in):
    """An Admin SDK app whose messaging service talks to the stand-in, as
    rollcall.clients.messaging_app() points it there with FCM_ENDPOINT."""
    app = firebase_admin.initialize_app(
        _Credential(), {"projectId": "demo-unit"}, name=f"unit-{uuid.uuid4().hex}"
    )
    service = messaging._get_messaging_service(app)
    host, port = stand_in.server_address[:2]
    service._fcm_url = f"http://{host}:{port}/v1/projects/demo-unit/messages:send"
    # The SDK retries 500 and 503 four times with exponential backoff (about 7 s);
    # the same retries without the sleeps keep this test fast.
    no_sleep = _http_client.DEFAULT_RETRY_CONFIG.new(backoff_factor=0)
    service._client.session.mount("http://", HTTPAdapter(max_retries=no_sleep))
    yield app
    firebase_admin.delete_app(app)


def token(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def attempts(server, tok: str) -> int:
    return server.state.attempts[tok]


#: prefix -> (outcome, send attempts the stand-in saw)
ANSWERS = {
    "tok-": ("sent", 1),
    "unregistered-": ("removed", 1),
    "invalid-": ("removed", 1),
    "mismatch-": ("removed", 1),
    "malformed-": ("failed", 1),  # INVALID_ARGUMENT about the message: keep the token
    "quota-": ("failed", 1),
    "thirdparty-": ("failed", 3),  # the session refreshes credentials twice on a 401
    "unavailable-": ("failed", 5),  # the SDK's own retries, then the delivery fails
    "internal-": ("failed", 5),
}


def outcome_of(tok: str, sent: list, removed: list, failed: list) -> str:
    if tok in sent:
        return "sent"
    if tok in removed:
        return "removed"
    return "failed"


@pytest.mark.parametrize("prefix", list(ANSWERS))
def test_one_device_each_answer_is_classified(app, stand_in, prefix):
    tok = token(prefix)

    sent, removed, failed = notify.push(app, [tok], _notice("t", "b"))

    expected, tries = ANSWERS[prefix]
    assert outcome_of(tok, sent, removed, failed) == expected
    assert len(failed) == (expected == "failed")
    assert attempts(stand_in, tok) == tries


def test_many_devices_in_one_batch_each_classified(app, stand_in):
    tokens = {prefix: token(prefix) for prefix in ANSWERS}

    sent, removed, failed = notify.push(app, sorted(tokens.values()), _notice("t", "b"))

    for prefix, tok in tokens.items():
        assert outcome_of(tok, sent, removed, failed) == ANSWERS[prefix][0], prefix
    assert len(failed) == sum(1 for o, _ in ANSWERS.values() if o == "failed")
    assert any("QuotaExceededError" in f for f in failed)
    assert any("UnavailableError" in f for f in failed)


def test_batches_stay_within_fcm_limit(app, stand_in, monkeypatch):
    sizes = []
    real_send = notify._send

    def counting_send(messaging_module, app_, messages):
        sizes.append(len(messages))
        return real_send(messaging_module, app_, messages)

    monkeypatch.setattr(notify, "_send", counting_send)
    tokens = [token("tok-") for _ in range(notify.FCM_BATCH_LIMIT * 2 + 1)]

    sent, removed, failed = notify.push(app, tokens, _notice("t", "b"))

    assert sizes == [500, 500, 1]
    assert sorted(sent) == sorted(tokens) and not removed and not failed


def test_push_is_tagged_with_the_session_so_a_repeat_replaces_it(app, stand_in):
    tok = token("tok-")

    notify.push(app, [tok], notify.notice_of(EVENT))

    host, port = stand_in.server_address[:2]
    [recorded] = requests.get(
        f"http://{host}:{port}/messages", params={"token": tok}, timeout=5
    ).json()["messages"]
    message = recorded["message"]
    assert message["notification"] == {
        "title": "Attendance recorded",
        "body": "You were marked present for this session.",
    }
    assert message["data"]["session_id"] == "s-unit" and message["data"]["status"] == "present"
    tag = message["android"]["collapse_key"]
    assert "s-unit" in tag
    assert message["android"]["notification"]["tag"] == tag
    assert message["apns"]["headers"]["apns-collapse-id"] == tag
    assert message["webpush"]["notification"]["tag"] == tag


def test_dead_token_errors_are_told_apart_from_message_errors():
    from firebase_admin import exceptions

    assert notify.token_is_dead(messaging.UnregisteredError("gone"))
    assert notify.token_is_dead(messaging.SenderIdMismatchError("other project"))
    assert notify.token_is_dead(
        exceptions.InvalidArgumentError(
            "The registration token is not a valid FCM registration token"
        )
    )
    assert not notify.token_is_dead(exceptions.InvalidArgumentError("Invalid value at 'data'"))
    assert not notify.token_is_dead(messaging.QuotaExceededError("slow down"))
    assert not notify.token_is_dead(exceptions.UnavailableError("later"))


def test_messages_name_the_course_and_the_session_in_the_institutions_time(monkeypatch):
    from datetime import UTC, datetime

    from rollcall.config import settings

    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "demo-unit")
    monkeypatch.setenv("TIME_ZONE", "Asia/Kolkata")
    settings.cache_clear()
    try:
        where = notify.Where("Distributed Systems", datetime(2026, 12, 7, 3, 30, tzinfo=UTC))
        assert where.label() == "Distributed Systems, Mon 7 Dec, 09:00"
        notice = notify.notice_of(EVENT, where)
        assert notice.title == "Attendance recorded: Distributed Systems"
        assert notice.body == "You were marked present for Distributed Systems, Mon 7 Dec, 09:00."
        assert notice.fields["course_name"] == "Distributed Systems"
        without = notify.notice_of(EVENT)
        assert without.body == "You were marked present for this session."
        # in the student's language (rollcall.core.messages): Babel's dates in Hindi, Marathi
        hindi = notice.in_language("hi")
        assert hindi.title == "हाज़िरी दर्ज हुई: Distributed Systems"
        assert (
            hindi.body == "Distributed Systems, सोम 7 दिस॰, 09:00 के लिए आपको उपस्थित दर्ज किया गया।"
        )
        assert notice.in_language("mr").body.startswith(
            "Distributed Systems, सोम 7 डिसें, 09:00 साठी"
        )
        assert notice.in_language("en") == notice
        assert without.in_language("hi").body == "इस सेशन के लिए आपको उपस्थित दर्ज किया गया।"
    finally:
        settings.cache_clear()
