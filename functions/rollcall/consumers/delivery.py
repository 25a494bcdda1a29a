"""What the three consumer functions share: unwrap the Pub/Sub delivery, decode the
event, apply the consumer's effect, log, and decide the delivery's fate.

* effect done, or already done before: return, the delivery is acknowledged;
* transient failure: raise, so the push answers 500 and Pub/Sub retries with backoff,
  and after ``max_delivery_attempts`` dead-letters it;
* poison (a message that can never be processed): log its reason and publish it at
  once to the subscription's dead-letter topic with the reason attached, then
  acknowledge. Nothing is dropped silently and nothing is retried forever.

An effect returns what it did as a dict for the log line: ``{"skipped": type}`` for a
type the consumer does not act on (acknowledged quietly), and ``"created": False`` when
the effect had been applied before (a redelivery).

Each consumer declares the types it takes (``TYPES``, the same as its subscription's
``types`` in infra/topology.yaml, which Cloud Pub/Sub filters on). A delivery whose
``type`` attribute names another known type is acknowledged before anything is decoded
or logged: the emulator does not apply filters (decision 0032), and this is what its
push costs instead. A missing or unknown type is decoded as ever, so it is dead-lettered.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rollcall import logs, pubsub, usage
from rollcall.config import settings
from rollcall.core.events import TYPES, Event, decode
from rollcall.errors import PoisonEvent


@dataclass(frozen=True)
class Delivery:
    """One Pub/Sub message as a consumer receives it."""

    message_id: str
    data: bytes
    attributes: Mapping[str, str]
    publish_time: str | None


Effect = Callable[[Event, Delivery], dict[str, Any]]


def from_cloud_event(data: Any) -> Delivery:
    """Unwrap ``event.data`` of a Pub/Sub CloudEvent (Eventarc, or a raw push body
    converted by functions-framework): ``{"message": {"data", "attributes", ...}}``."""
    message = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message, dict):
        raise PoisonEvent("CloudEvent data holds no Pub/Sub message")
    message_id = str(message.get("messageId") or message.get("message_id") or "")
    attributes = message.get("attributes") or {}
    try:
        raw = base64.b64decode(message.get("data") or "", validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise PoisonEvent("message data is not base64") from None
    return Delivery(
        message_id=message_id,
        data=raw,
        attributes=attributes if isinstance(attributes, dict) else {},
        publish_time=message.get("publishTime") or message.get("publish_time"),
    )


def skipped(effect: str, event: Event) -> dict[str, Any]:
    """An event type this consumer does not act on: acknowledged, nothing done."""
    return {"effect": effect, "skipped": event.type}


def routed_elsewhere(data: Any, takes: frozenset[str]) -> bool:
    """The message's ``type`` attribute is a known type this consumer does not take."""
    try:
        kind = data["message"]["attributes"]["type"]
    except (KeyError, TypeError):
        return False
    return kind in TYPES and kind not in takes


def run(subscription: str, cloud_event: Any, effect: Effect, takes: frozenset[str] = TYPES) -> None:
    """Handle one delivery of ``subscription`` (its name is its dead-letter topic's
    stem) for a consumer that takes the message types ``takes``."""
    usage.add(function_requests=1)
    if routed_elsewhere(cloud_event.data, takes):
        return  # its subscription's filter keeps it from the consumer in Cloud
    delivery: Delivery | None = None
    try:
        delivery = from_cloud_event(cloud_event.data)
        event = decode(delivery.data)
    except PoisonEvent as exc:
        dead_letter(subscription, cloud_event, delivery, str(exc))
        return
    fields = {
        "subscription": subscription,
        "message_id": delivery.message_id,
        "type": event.type,
        **event.log_fields(),
        "replayed_from": delivery.attributes.get(pubsub.REPLAYED_FROM),
    }
    try:
        result = effect(event, delivery)
    except Exception as exc:
        logs.error("consumer effect failed, delivery will be retried", error=repr(exc), **fields)
        raise
    if "skipped" in result:  # not this consumer's type: acknowledged quietly
        logs.log("DEBUG", "event type not handled by this consumer", **result, **fields)
        return
    duplicate = not result.pop("created", True)
    logs.info(
        "consumer effect applied" if not duplicate else "consumer effect already applied",
        duplicate=duplicate,
        **result,
        **fields,
    )


def dead_letter(
    subscription: str, cloud_event: Any, delivery: Delivery | None, reason: str
) -> None:
    if delivery is not None:
        data, attributes, message_id = delivery.data, dict(delivery.attributes), delivery.message_id
    else:
        data = json.dumps(cloud_event.data, default=str).encode()
        attributes, message_id = {}, ""
    attributes.update(
        {
            "rollcall_dead_letter_reason": reason[:1000],
            "rollcall_source_subscription": subscription,
            "rollcall_source_message_id": message_id,
        }
    )
    topic = subscription + settings().dead_letter_suffix
    pubsub.publish_raw([(data, attributes)], topic)
    logs.error(
        "poison event dead-lettered",
        reason=reason,
        subscription=subscription,
        message_id=message_id,
        dead_letter_topic=topic,
    )
