"""Dead letters: what waits on the dead-letter subscriptions, and how to get it back.

Two kinds of message wait there (decision 0001):

* **retries exhausted**: Pub/Sub gave up after ``max_delivery_attempts`` failed pushes
  and added its ``CloudPubSubDeadLetterSource*`` attributes (source subscription,
  delivery count, original publish time);
* **poison**: the consumer judged the message impossible to process and published it
  there itself at once, with ``rollcall_dead_letter_reason`` and
  ``rollcall_source_subscription``.

``replay`` republishes a dead letter's data with its original attributes to the topic
its source subscription reads (the topology's ``topic``), marked
``rollcall_replayed_from``, and acknowledges it on the dead-letter subscription only
after the publish succeeded: a crash in between leaves it waiting, never lost. Every
consumer is idempotent, so the consumers that had already done their part change
nothing when the event reaches them again (decision 0007). Poison is replayed only
when asked for by id, or with ``include_poison``.

Reading a subscription means pulling its messages (which leases them) and releasing
them again: ``peek`` is what ``rollcall dead-letters list`` and ``rollcall status``
show, and what ``replay`` and ``purge`` act on, by message id.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import google.cloud.pubsub_v1 as pubsub_v1
from google.api_core import exceptions as gexc

from rollcall import pubsub
from rollcall.clock import now
from rollcall.core.events import Alert, AttendanceEvent, Event, StudentNotice, decode
from rollcall.errors import PoisonEvent
from rollcall.pubsub import REPLAYED_AT, REPLAYED_FROM
from rollcall_ops import topology

#: Attributes that describe the dead-lettering itself; a replay drops them.
DEAD_LETTER_ATTRIBUTE_PREFIXES = (
    "CloudPubSubDeadLetter",
    "rollcall_dead_letter",
    "rollcall_source_",
    "rollcall_replayed_",
)
PULL_MAX_MESSAGES = 1000
PULL_TIMEOUT_SECONDS = 10
ACK_CHUNK = 1000
PEEK_LIMIT = 10_000
RETRIES_EXHAUSTED, POISON = "retries exhausted", "poison"


@dataclass(frozen=True)
class DeadLetter:
    """One message waiting on a dead-letter subscription."""

    subscription: str  # the dead-letter subscription it waits on
    message_id: str  # its id there (not the id it had on the source topic)
    data: bytes
    attributes: dict[str, str]
    dead_lettered_at: datetime | None = None  # its publish time on the dead-letter topic

    @property
    def source_subscription(self) -> str:
        a = self.attributes
        name = a.get("CloudPubSubDeadLetterSourceSubscription") or a.get(
            "rollcall_source_subscription"
        )
        if name:
            return name.rsplit("/", 1)[-1]  # Pub/Sub may give the full path
        for s in topology.load().subscriptions:
            if s.dead_letter_subscription == self.subscription:
                return s.name
        return self.subscription

    @property
    def kind(self) -> str:
        return POISON if "rollcall_dead_letter_reason" in self.attributes else RETRIES_EXHAUSTED

    @property
    def poison(self) -> bool:
        return self.kind == POISON

    @property
    def reason(self) -> str | None:
        """Why it is here: the consumer's reason for poison, else the decode error if
        the data is no Rollcall event, else None (its deliveries failed; see the logs)."""
        return self.attributes.get("rollcall_dead_letter_reason") or self.decode_error

    @property
    def delivery_count(self) -> int | None:
        """Failed pushes before Pub/Sub gave up (None for poison, dead-lettered at once)."""
        value = self.attributes.get("CloudPubSubDeadLetterSourceDeliveryCount")
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None

    @cached_property
    def _decoded(self) -> tuple[Event | None, str | None]:
        try:
            return decode(self.data), None
        except PoisonEvent as exc:
            return None, str(exc)

    @property
    def event(self) -> Event | None:
        return self._decoded[0]

    @property
    def decode_error(self) -> str | None:
        return self._decoded[1]

    @property
    def session_id(self) -> str | None:
        return getattr(self.event, "session_id", None) or self.attributes.get("session_id")

    @property
    def scan_id(self) -> str | None:
        e = self.event
        return (
            getattr(e, "event_id", None)
            or getattr(e, "alert_id", None)
            or getattr(e, "notice_id", None)
        )

    def age_seconds(self, at: datetime | None = None) -> float | None:
        if self.dead_lettered_at is None:
            return None
        return ((at or now()) - self.dead_lettered_at).total_seconds()

    def summary(self) -> str:
        e = self.event
        if isinstance(e, Alert):
            at = e.at.astimezone(UTC)
            return f"alert {e.kind} for {e.uid} in course {e.course_id} at {at:%Y-%m-%d %H:%M:%S}Z"
        if e is not None and not isinstance(e, AttendanceEvent):
            return f"{e.type} {' '.join(f'{k}={v}' for k, v in e.log_fields().items())}".strip()
        if e is not None:
            if e.is_override:
                what = f"override to {e.status} of {e.uid} by {e.by}"
            elif e.is_close:
                what = f"close (absent unless recorded) of {e.uid}"
            else:
                what = f"{e.status} scan {e.event_id[:8]} by {e.uid}"
            return (
                f"{what} in session {e.session_id} (course {e.course_id}) "
                f"at {e.at.astimezone(UTC):%Y-%m-%d %H:%M:%S}Z"
            )
        preview = self.data[:40].decode("utf-8", "replace")
        return f"{self.reason}; data {preview!r}{'...' if len(self.data) > 40 else ''}"

    def replay_attributes(self, at: datetime | None = None) -> dict[str, str]:
        """The original attributes, without the dead-lettering ones, plus where and when
        the replay came from."""
        kept = {
            k: v
            for k, v in self.attributes.items()
            if not k.startswith(DEAD_LETTER_ATTRIBUTE_PREFIXES)
        }
        kept[REPLAYED_FROM] = f"{self.subscription}/{self.message_id}"
        kept[REPLAYED_AT] = (at or now()).astimezone(UTC).isoformat(timespec="seconds")
        return kept

    def replay_key(self) -> tuple[bytes, tuple[tuple[str, str], ...]]:
        """Identical messages dead-lettered by several consumers are published once."""
        attrs = self.replay_attributes()
        attrs.pop(REPLAYED_FROM)
        attrs.pop(REPLAYED_AT)
        return self.data, tuple(sorted(attrs.items()))

    def to_json(self, at: datetime | None = None) -> dict[str, Any]:
        e = self.event
        age = self.age_seconds(at)
        return {
            "dead_letter_subscription": self.subscription,
            "source_subscription": self.source_subscription,
            "message_id": self.message_id,
            "kind": self.kind,
            "reason": self.reason,
            "delivery_count": self.delivery_count,
            "dead_lettered_at": self.dead_lettered_at.isoformat()
            if self.dead_lettered_at
            else None,
            "age_seconds": round(age, 1) if age is not None else None,
            "session_id": self.session_id,
            "scan_id": self.scan_id,
            "uid": getattr(e, "uid", None),
            "status": getattr(e, "status", None),
            "summary": self.summary(),
            "attributes": dict(self.attributes),
        }


# -- which subscriptions -------------------------------------------------------------


def dead_letter_subscriptions(name: str | None = None) -> list[str]:
    """The dead-letter subscriptions of the topology, or the one ``name`` names (a
    consumer's subscription, ``notify``, or its dead-letter one, ``notify-dead-letter``)."""
    subs = topology.load().subscriptions
    if name is None:
        return [s.dead_letter_subscription for s in subs]
    for s in subs:
        if name in (s.name, s.dead_letter_subscription):
            return [s.dead_letter_subscription]
    known = ", ".join(s.name for s in subs)
    raise SystemExit(f"error: no subscription {name!r} in the topology (one of: {known})")


def select(
    letters: Iterable[DeadLetter],
    *,
    session: str | None = None,
    ids: Iterable[str] | None = None,
    include_poison: bool = False,
) -> tuple[list[DeadLetter], list[DeadLetter], set[str]]:
    """What a command acts on: ``(selected, skipped poison, ids not found)``.

    ``ids`` match a dead letter's message id or its event's scan id; poison named by id
    is selected, poison taken in bulk only with ``include_poison``."""
    letters = [d for d in letters if session is None or d.session_id == session]
    if ids is not None:
        wanted = set(ids)
        chosen = [d for d in letters if d.message_id in wanted or d.scan_id in wanted]
        found = {d.message_id for d in chosen} | {d.scan_id for d in chosen if d.scan_id}
        return chosen, [], wanted - found
    if include_poison:
        return letters, [], set()
    return [d for d in letters if not d.poison], [d for d in letters if d.poison], set()


# -- reading -------------------------------------------------------------------------


def peek(subscription: str, project: str, limit: int = PEEK_LIMIT) -> list[DeadLetter]:
    """The messages waiting on a dead-letter subscription (up to ``limit``), released
    again at once: nothing is consumed."""
    client = pubsub_v1.SubscriberClient()
    path = client.subscription_path(project, subscription)
    found: dict[str, DeadLetter] = {}

    def keep(batch: list[Any]) -> list[str]:
        for received in batch:
            found[received.message.message_id] = _dead_letter(subscription, received)
        return []  # nothing acknowledged: all released at the end

    _sweep(client, path, keep, wanted=None, limit=limit)
    return list(found.values())


def collect(project: str, subscriptions: list[str], limit: int = PEEK_LIMIT) -> list[DeadLetter]:
    """``peek`` of several subscriptions at once (an idle pull waits, so in parallel)."""
    with ThreadPoolExecutor(max(1, len(subscriptions))) as pool:
        results = pool.map(lambda s: peek(s, project, limit), subscriptions)
        return [d for letters in results for d in letters]


def backlog(project: str) -> dict[str, int]:
    """Messages waiting on each dead-letter subscription of the topology."""
    subs = dead_letter_subscriptions()
    letters = collect(project, subs)
    return {s: sum(1 for d in letters if d.subscription == s) for s in subs}


# -- acting --------------------------------------------------------------------------


@dataclass
class ReplayResult:
    replayed: int = 0  # acknowledged on their dead-letter subscription after the publish
    published: int = 0  # messages published to the topic (identical ones once)
    failed: list[str] = field(default_factory=list)  # "<sub>/<id>: error", left waiting
    missing: list[str] = field(default_factory=list)  # "<sub>/<id>" gone meanwhile


def replay(
    project: str,
    letters: list[DeadLetter],
    *,
    topic: str | None = None,
    before_publish: Callable[[list[DeadLetter]], Any] | None = None,
    on_done: Callable[[int], Any] | None = None,
) -> ReplayResult:
    """Republish ``letters`` to ``topic`` (the topology's) and acknowledge each on its
    dead-letter subscription once its publish succeeded.

    ``before_publish`` runs once with all of them first (notify's claims are released
    there, see ``release_notify_claims``); ``on_done(n)`` reports progress."""
    topic = topic or topology.load().topic
    subscriber = pubsub_v1.SubscriberClient()
    result = ReplayResult()
    published: dict[tuple, str] = {}  # replay key -> message id on the topic
    if before_publish and letters:
        before_publish(letters)

    for subscription, wanted in _by_subscription(letters).items():
        path = subscriber.subscription_path(project, subscription)

        def handle(
            batch: list[Any], subscription: str = subscription, path: str = path
        ) -> list[str]:
            pending = []
            acks = []
            for received in batch:
                letter = _dead_letter(subscription, received)
                key = letter.replay_key()
                if key in published:
                    acks.append(received.ack_id)  # the same event went out already
                    continue
                pending.append((letter, received.ack_id, key))
            outcomes = pubsub.send(
                ((letter.data, letter.replay_attributes()) for letter, _, _ in pending), topic
            )
            for (letter, ack_id, key), outcome in zip(pending, outcomes, strict=True):
                if isinstance(outcome, Exception):  # left waiting on the dead-letter sub
                    result.failed.append(f"{subscription}/{letter.message_id}: {outcome!r}")
                    continue
                published[key] = outcome
                result.published += 1
                acks.append(ack_id)
            _ack(subscriber, path, acks)
            result.replayed += len(acks)
            if on_done and acks:
                on_done(len(acks))
            return acks

        seen = _sweep(subscriber, path, handle, wanted=set(wanted))
        result.missing += [f"{subscription}/{m}" for m in sorted(set(wanted) - seen)]
    return result


def purge(
    project: str, letters: list[DeadLetter], on_done: Callable[[int], Any] | None = None
) -> int:
    """Acknowledge (delete) exactly ``letters``; returns how many were acknowledged."""
    subscriber = pubsub_v1.SubscriberClient()
    purged = 0
    for subscription, wanted in _by_subscription(letters).items():
        path = subscriber.subscription_path(project, subscription)

        def handle(batch: list[Any], path: str = path) -> list[str]:
            nonlocal purged
            acks = [r.ack_id for r in batch]
            _ack(subscriber, path, acks)
            purged += len(acks)
            if on_done:
                on_done(len(acks))
            return acks

        _sweep(subscriber, path, handle, wanted=set(wanted))
    return purged


def release_notify_claims(letters: list[DeadLetter]) -> int:
    """Before notify's dead letters are replayed: free the push claims their failed
    deliveries still hold, so the replayed delivery may push (decision 0007)."""
    from rollcall import clients
    from rollcall.consumers import notify

    name = next(s.name for s in topology.load().subscriptions if s.function == "send_notification")
    notices = [
        notice
        for d in letters
        if isinstance(d.event, AttendanceEvent | Alert | StudentNotice)
        and d.source_subscription == name
        and not d.poison
        if (notice := notify.notice_of(d.event)) is not None
    ]
    if not notices:
        return 0
    return notify.release_claims(clients.firestore_client(), notices)


# -- Pub/Sub plumbing ----------------------------------------------------------------


def _dead_letter(subscription: str, received: Any) -> DeadLetter:
    m = received.message
    published = m.publish_time
    return DeadLetter(
        subscription=subscription,
        message_id=m.message_id,
        data=bytes(m.data),
        attributes=dict(m.attributes),
        dead_lettered_at=published.astimezone(UTC) if published else None,
    )


def _by_subscription(letters: list[DeadLetter]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for d in letters:
        grouped.setdefault(d.subscription, []).append(d.message_id)
    return grouped


def _pull(client: Any, path: str) -> list[Any]:
    request: dict[str, Any] = {"subscription": path, "max_messages": PULL_MAX_MESSAGES}
    if os.environ.get("PUBSUB_EMULATOR_HOST"):
        # The emulator holds an idle pull ~2 s; it answers at once with what it has.
        # (Pub/Sub itself discourages return_immediately: there, the pull waits.)
        request["return_immediately"] = True
    try:
        return list(client.pull(request=request, timeout=PULL_TIMEOUT_SECONDS).received_messages)
    except gexc.DeadlineExceeded:
        return []


def _sweep(
    client: Any,
    path: str,
    handle: Callable[[list[Any]], list[str]],
    *,
    wanted: set[str] | None,
    limit: int = PEEK_LIMIT,
) -> set[str]:
    """Pull the subscription until nothing new arrives (or every ``wanted`` id was
    seen); hand each batch of wanted messages to ``handle``, which returns the ack ids
    it acknowledged. Everything else stays leased until the end, so a pull never
    returns a message twice, then is released. Returns the message ids seen."""
    seen: set[str] = set()
    done: set[str] = set()
    held: list[str] = []
    try:
        while len(seen) < limit and (wanted is None or not wanted <= seen):
            batch = _pull(client, path)
            fresh = [r for r in batch if r.message.message_id not in seen]
            for r in batch:
                if r.message.message_id in done:  # an earlier ack was lost: ack again
                    _ack(client, path, [r.ack_id])
                elif r.message.message_id in seen:
                    held.append(r.ack_id)
            if not fresh:
                break
            seen |= {r.message.message_id for r in fresh}
            mine = [r for r in fresh if wanted is None or r.message.message_id in wanted]
            held += [
                r.ack_id for r in fresh if wanted is not None and r.message.message_id not in wanted
            ]
            if mine:
                acked = set(handle(mine))
                done |= {r.message.message_id for r in mine if r.ack_id in acked}
                held += [r.ack_id for r in mine if r.ack_id not in acked]
    finally:
        _release(client, path, held)
    return seen


def _ack(client: Any, path: str, ack_ids: list[str]) -> None:
    for start in range(0, len(ack_ids), ACK_CHUNK):
        client.acknowledge(
            request={"subscription": path, "ack_ids": ack_ids[start : start + ACK_CHUNK]}
        )


def _release(client: Any, path: str, ack_ids: list[str]) -> None:
    for start in range(0, len(ack_ids), ACK_CHUNK):
        client.modify_ack_deadline(
            request={
                "subscription": path,
                "ack_ids": ack_ids[start : start + ACK_CHUNK],
                "ack_deadline_seconds": 0,
            }
        )
