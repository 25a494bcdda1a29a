"""Dead letters without an emulator: reading both attribute families, what a replay
publishes, which messages a command selects, and the pull/publish/acknowledge order
against an in-memory Pub/Sub (a dead letter is acknowledged only after its publish)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from rollcall.core.events import AttendanceEvent
from rollcall_ops import deadletters
from rollcall_ops.deadletters import DeadLetter

AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
EVENT = AttendanceEvent(
    event_id="scan00000001",
    session_id="s1",
    course_id="c1",
    uid="student-007",
    status="late",
    at=AT,
    device_id="phone-7",
)
DATA, ROUTING = EVENT.encode()
PUBSUB_DEAD_LETTER = {
    **ROUTING,
    "CloudPubSubDeadLetterSourceSubscription": "notify",
    "CloudPubSubDeadLetterSourceSubscriptionProject": "demo-unit",
    "CloudPubSubDeadLetterSourceDeliveryCount": "5",
    "CloudPubSubDeadLetterSourceTopicPublishTime": "2026-11-26T08:59:00Z",
}
POISON = {
    "type": "scan",
    "schema": "1",
    "session_id": "s1",
    "rollcall_dead_letter_reason": "data is not JSON: Expecting value",
    "rollcall_source_subscription": "dashboard",
    "rollcall_source_message_id": "41",
}


def letter(
    attributes: dict, data: bytes = DATA, sub: str = "notify-dead-letter", mid: str = "100"
) -> DeadLetter:
    return DeadLetter(sub, mid, data, dict(attributes), dead_lettered_at=AT)


def test_dead_letter_of_pubsub_after_its_retries():
    d = letter(PUBSUB_DEAD_LETTER)

    assert d.kind == "retries exhausted" and not d.poison
    assert d.source_subscription == "notify"
    assert d.delivery_count == 5
    assert d.event == EVENT and d.reason is None
    assert (d.session_id, d.scan_id) == ("s1", "scan00000001")
    assert d.summary() == (
        "late scan scan0000 by student-007 in session s1 (course c1) at 2026-11-26 09:00:00Z"
    )
    assert d.age_seconds(AT + timedelta(minutes=3)) == 180


def test_source_subscription_given_as_a_path():
    attrs = {**PUBSUB_DEAD_LETTER}
    attrs["CloudPubSubDeadLetterSourceSubscription"] = "projects/p/subscriptions/attendance"
    assert letter(attrs).source_subscription == "attendance"


def test_source_subscription_without_attributes_is_the_dead_letter_subscriptions_stem():
    assert letter(ROUTING, sub="dashboard-dead-letter").source_subscription == "dashboard"


def test_poison_dead_lettered_by_the_consumer():
    d = letter(POISON, data=b"\x00garbage", sub="dashboard-dead-letter")

    assert d.kind == "poison" and d.poison
    assert d.source_subscription == "dashboard"
    assert d.delivery_count is None
    assert d.event is None and d.session_id == "s1" and d.scan_id is None
    assert d.reason == "data is not JSON: Expecting value"
    assert d.summary() == "data is not JSON: Expecting value; data '\\x00garbage'"


def test_undecodable_data_without_a_reason_shows_why_it_is_no_event():
    d = letter({"CloudPubSubDeadLetterSourceDeliveryCount": "5"}, data=b'{"schema": 9}')
    assert d.reason == "unsupported schema version 9"


def test_replay_keeps_data_and_routing_attributes_and_says_where_it_came_from():
    attrs = {**POISON, "rollcall_replayed_from": "old/1", "rollcall_replayed_at": "x"}
    for d in (letter(PUBSUB_DEAD_LETTER), letter(attrs)):
        replayed = d.replay_attributes(AT)

        assert replayed == {
            **{k: v for k, v in ROUTING.items() if k in d.attributes},
            "rollcall_replayed_from": "notify-dead-letter/100",
            "rollcall_replayed_at": "2026-11-26T09:00:00+00:00",
        }


def test_the_same_event_from_two_subscriptions_has_one_replay_key():
    on_notify = letter(PUBSUB_DEAD_LETTER)
    on_dashboard = letter(
        {**PUBSUB_DEAD_LETTER, "CloudPubSubDeadLetterSourceSubscription": "dashboard"},
        sub="dashboard-dead-letter",
        mid="200",
    )
    other = letter(PUBSUB_DEAD_LETTER, data=DATA.replace(b"student-007", b"student-008"))

    assert on_notify.replay_key() == on_dashboard.replay_key() != other.replay_key()


def test_json_form():
    body = letter(PUBSUB_DEAD_LETTER).to_json(AT + timedelta(seconds=90))

    assert body["dead_letter_subscription"] == "notify-dead-letter"
    assert body["age_seconds"] == 90 and body["delivery_count"] == 5
    assert (body["uid"], body["status"], body["kind"]) == (
        "student-007",
        "late",
        "retries exhausted",
    )


LETTERS = [
    letter(PUBSUB_DEAD_LETTER, mid="1"),
    letter(POISON, data=b"x", sub="dashboard-dead-letter", mid="2"),
    letter(
        {**PUBSUB_DEAD_LETTER, "session_id": "s2"},
        data=DATA.replace(b'"s1"', b'"s2"').replace(b"scan00000001", b"scan00000002"),
        mid="3",
    ),
]


def ids(letters) -> list[str]:
    return [d.message_id for d in letters]


def test_bulk_selection_skips_poison_unless_asked():
    chosen, skipped, missing = deadletters.select(LETTERS)
    assert (ids(chosen), ids(skipped), missing) == (["1", "3"], ["2"], set())
    chosen, skipped, _ = deadletters.select(LETTERS, include_poison=True)
    assert (ids(chosen), skipped) == (["1", "2", "3"], [])


def test_selection_by_session():
    chosen, skipped, _ = deadletters.select(LETTERS, session="s1")
    assert (ids(chosen), ids(skipped)) == (["1"], ["2"])


def test_selection_by_message_or_scan_id_includes_named_poison_and_reports_unknown_ids():
    chosen, skipped, missing = deadletters.select(LETTERS, ids=["2", "scan00000002", "nope"])
    assert (ids(chosen), skipped, missing) == (["2", "3"], [], {"nope"})


def test_subscriptions_by_either_name():
    assert deadletters.dead_letter_subscriptions() == [
        "attendance-dead-letter",
        "notify-dead-letter",
        "dashboard-dead-letter",
        "mail-dead-letter",
    ]
    assert deadletters.dead_letter_subscriptions("notify") == ["notify-dead-letter"]
    assert deadletters.dead_letter_subscriptions("notify-dead-letter") == ["notify-dead-letter"]
    with pytest.raises(SystemExit, match="no subscription 'nope'"):
        deadletters.dead_letter_subscriptions("nope")


# -- against an in-memory Pub/Sub ------------------------------------------------------


class FakePubsub:
    """Subscriptions with leases (pull hands out a message once until it is released or
    its ack is lost), at most ``per_pull`` messages a pull, and a topic."""

    def __init__(self, per_pull: int = 2) -> None:
        self.per_pull = per_pull
        self.waiting: dict[str, dict[str, SimpleNamespace]] = {}
        self.leased: dict[str, tuple[str, str]] = {}  # ack id -> (path, message id)
        self.ack_ids = itertools.count(1)
        self.published: list[tuple[bytes, dict]] = []
        self.fail_publish: set[bytes] = set()
        self.log: list[str] = []

    def add(self, sub: str, mid: str, data: bytes, attributes: dict) -> None:
        path = self.subscription_path("p", sub)
        message = SimpleNamespace(message_id=mid, data=data, attributes=attributes, publish_time=AT)
        self.waiting.setdefault(path, {})[mid] = message

    # SubscriberClient
    def subscription_path(self, project: str, sub: str) -> str:
        return f"projects/{project}/subscriptions/{sub}"

    def pull(self, request: dict, timeout: float) -> SimpleNamespace:
        path = request["subscription"]
        busy = {mid for p, mid in self.leased.values() if p == path}
        free = [m for mid, m in self.waiting.get(path, {}).items() if mid not in busy]
        received = []
        for m in free[: self.per_pull]:
            ack_id = f"ack-{next(self.ack_ids)}"
            self.leased[ack_id] = (path, m.message_id)
            received.append(SimpleNamespace(ack_id=ack_id, message=m))
        return SimpleNamespace(received_messages=received)

    def acknowledge(self, request: dict) -> None:
        for ack_id in request["ack_ids"]:
            path, mid = self.leased.pop(ack_id)
            self.waiting[path].pop(mid, None)
            self.log.append(f"ack {mid}")

    def modify_ack_deadline(self, request: dict) -> None:
        assert request["ack_deadline_seconds"] == 0
        for ack_id in request["ack_ids"]:
            self.leased.pop(ack_id)

    # PublisherClient
    def topic_path(self, project: str, topic: str) -> str:
        return f"projects/{project}/topics/{topic}"

    def publish(self, topic: str, data: bytes, **attributes: str) -> SimpleNamespace:
        def result(timeout: float) -> str:
            if data in self.fail_publish:
                raise RuntimeError("publish failed")
            self.published.append((data, attributes))
            self.log.append(f"publish {attributes['rollcall_replayed_from']}")
            return str(len(self.published))

        return SimpleNamespace(result=result)

    def remaining(self, sub: str) -> list[str]:
        return sorted(self.waiting.get(self.subscription_path("p", sub), {}))


@pytest.fixture
def pubsub(monkeypatch):
    from rollcall import clients
    from rollcall.config import settings

    fake = FakePubsub()
    monkeypatch.setattr(deadletters, "pubsub_v1", SimpleNamespace(SubscriberClient=lambda: fake))
    monkeypatch.setattr(clients, "publisher", lambda: fake)  # rollcall.pubsub publishes
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "p")
    settings.cache_clear()
    yield fake
    settings.cache_clear()


def fill(pubsub: FakePubsub, n: int, sub: str = "notify-dead-letter") -> None:
    for i in range(n):
        data = DATA.replace(b"student-007", f"student-{i:03d}".encode())
        pubsub.add(sub, f"m{i}", data, {**PUBSUB_DEAD_LETTER})


def test_peek_sees_every_message_and_leaves_them_waiting(pubsub):
    fill(pubsub, 5)

    seen = deadletters.peek("notify-dead-letter", "p")

    assert sorted(d.message_id for d in seen) == ["m0", "m1", "m2", "m3", "m4"]
    assert pubsub.remaining("notify-dead-letter") == ["m0", "m1", "m2", "m3", "m4"]
    assert not pubsub.leased and not pubsub.log


def test_replay_acknowledges_each_only_after_its_publish(pubsub):
    fill(pubsub, 5)
    chosen = [d for d in deadletters.peek("notify-dead-letter", "p") if d.message_id != "m2"]
    progress = []

    result = deadletters.replay("p", chosen, on_done=progress.append)

    assert (result.replayed, result.published, result.failed, result.missing) == (4, 4, [], [])
    assert pubsub.remaining("notify-dead-letter") == ["m2"] and not pubsub.leased
    for mid in ("m0", "m1", "m3", "m4"):
        assert pubsub.log.index(f"publish notify-dead-letter/{mid}") < pubsub.log.index(
            f"ack {mid}"
        )
    assert sum(progress) == 4
    data, attributes = pubsub.published[0]
    assert data.startswith(b"{") and attributes["session_id"] == "s1"
    assert not any(k.startswith("CloudPubSubDeadLetter") for k in attributes)


def test_a_failed_publish_leaves_the_dead_letter_waiting(pubsub):
    fill(pubsub, 3)
    letters = deadletters.peek("notify-dead-letter", "p")
    failing = next(d for d in letters if d.message_id == "m1")
    pubsub.fail_publish.add(failing.data)

    result = deadletters.replay("p", letters)

    assert result.replayed == 2 and len(result.failed) == 1 and "m1" in result.failed[0]
    assert pubsub.remaining("notify-dead-letter") == ["m1"] and not pubsub.leased


def test_the_same_event_on_two_dead_letter_subscriptions_is_published_once(pubsub):
    pubsub.add("notify-dead-letter", "n1", DATA, {**PUBSUB_DEAD_LETTER})
    pubsub.add(
        "dashboard-dead-letter",
        "d1",
        DATA,
        {**PUBSUB_DEAD_LETTER, "CloudPubSubDeadLetterSourceSubscription": "dashboard"},
    )
    letters = deadletters.collect("p", ["notify-dead-letter", "dashboard-dead-letter"])
    before = []

    result = deadletters.replay("p", letters, before_publish=before.extend)

    assert (result.replayed, result.published) == (2, 1)
    assert len(pubsub.published) == 1 and sorted(d.message_id for d in before) == ["d1", "n1"]
    assert not pubsub.remaining("notify-dead-letter") and not pubsub.remaining(
        "dashboard-dead-letter"
    )


def test_a_dead_letter_gone_meanwhile_is_reported_missing(pubsub):
    fill(pubsub, 2)
    letters = deadletters.peek("notify-dead-letter", "p")
    pubsub.waiting[pubsub.subscription_path("p", "notify-dead-letter")].pop("m0")

    result = deadletters.replay("p", letters)

    assert result.replayed == 1 and result.missing == ["notify-dead-letter/m0"]


def test_purge_acknowledges_exactly_the_chosen(pubsub):
    fill(pubsub, 4)
    chosen = [
        d for d in deadletters.peek("notify-dead-letter", "p") if d.message_id in ("m1", "m3")
    ]

    assert deadletters.purge("p", chosen) == 2
    assert pubsub.remaining("notify-dead-letter") == ["m0", "m2"] and not pubsub.leased
    assert not pubsub.published
