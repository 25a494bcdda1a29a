"""Publishing to Pub/Sub, the one way every part of Rollcall does it: the scan and the
teacher's endpoints, the consumers (a close's per-student events, alerts, poison
events to a dead-letter topic) and the operator CLI.

``publish`` waits until Pub/Sub has accepted every message, so a caller that returns
after it has handed its events over for good: an HTTP endpoint answers 503
``unavailable`` instead (nothing acknowledged is lost), a consumer fails its delivery
and Pub/Sub retries it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from rollcall import clients, usage
from rollcall.config import settings
from rollcall.errors import Unavailable

TIMEOUT_SECONDS = 10
#: Attributes set on a message replayed from a dead letter (rollcall_ops.deadletters).
REPLAYED_FROM = "rollcall_replayed_from"
REPLAYED_AT = "rollcall_replayed_at"


class Message(Protocol):
    """Anything that encodes itself as a Pub/Sub message (rollcall.core.events)."""

    def encode(self) -> tuple[bytes, dict[str, str]]: ...


def publish(messages: Iterable[Message], topic: str | None = None) -> None:
    """Publish to ``topic`` (default: the scans topic) and wait for every one; raise
    ``Unavailable`` if any is not accepted within TIMEOUT_SECONDS."""
    publish_raw((m.encode() for m in messages), topic)


def publish_raw(
    messages: Iterable[tuple[bytes, Mapping[str, str]]], topic: str | None = None
) -> None:
    """Publish (data, attributes) pairs as they are (a poison event's copy) and wait
    for every one; raise ``Unavailable`` if any failed."""
    for outcome in send(messages, topic):
        if isinstance(outcome, Exception):
            raise Unavailable("could not hand the event over now, try again") from outcome


def message_bytes(data: bytes, attributes: Mapping[str, str]) -> int:
    """A message's size as Pub/Sub bills it: data, attribute keys and values, and the
    message id and publish time (about 20 bytes)."""
    return len(data) + sum(len(k) + len(v) for k, v in attributes.items()) + 20


def send(
    messages: Iterable[tuple[bytes, Mapping[str, str]]], topic: str | None = None
) -> list[str | Exception]:
    """Publish each (data, attributes) pair, all at once, and wait for each: its message
    id, or the exception that stopped it (a dead letter's replay leaves just those
    waiting)."""
    path = clients.topic_path(topic or settings().scan_topic)
    publisher = clients.publisher()
    outcomes: list[str | Exception] = []
    futures = []
    for data, attributes in messages:
        usage.add(pubsub_messages=1, pubsub_bytes=message_bytes(data, attributes))
        try:
            futures.append(publisher.publish(path, data, **attributes))
        except Exception as exc:  # refused before it was sent (e.g. a bad attribute)
            futures.append(exc)
    for future in futures:
        if isinstance(future, Exception):
            outcomes.append(future)
            continue
        try:
            outcomes.append(future.result(TIMEOUT_SECONDS))
        except Exception as exc:
            outcomes.append(exc)
    return outcomes
