"""What the three consumer functions share: unwrap the Pub/Sub delivery, decode the
ScanEvent, apply the effect, log, and decide the delivery's fate.

* effect done, or already done before: return, the delivery is acknowledged;
* transient failure: raise, so the push answers 500 and Pub/Sub retries with backoff,
  and after ``max_delivery_attempts`` dead-letters it;
* poison (a message that can never be processed): log its reason and publish it at
  once to the subscription's dead-letter topic with the reason attached, then
  acknowledge. Nothing is dropped silently and nothing is retried forever.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from rollcall import attendance, clients, dashboard, logs, notify
from rollcall.config import settings
from rollcall.errors import PoisonEvent
from rollcall.events import Delivery, ScanEvent, delivery_from_cloud_event, now

PUBLISH_TIMEOUT_SECONDS = 10


def record_attendance(event: ScanEvent, delivery: Delivery) -> dict[str, Any]:
    db = clients.firestore_client()
    created = (
        attendance.apply_override(db, event) if event.is_override else attendance.record(db, event)
    )
    return {"effect": "attendance", "created": created}


def send_notification(event: ScanEvent, delivery: Delivery) -> dict[str, Any]:
    outcome = notify.notify(
        clients.firestore_client(), clients.messaging_app(), event, delivery.message_id, now()
    )
    return {
        "effect": "notification",
        "created": outcome.created,
        "pushed": outcome.pushed,
        "removed_tokens": outcome.removed_tokens,
    }


def update_dashboard(event: ScanEvent, delivery: Delivery) -> dict[str, Any]:
    db, shards = clients.firestore_client(), settings().tally_shards
    if event.is_override:
        counted = dashboard.apply_override(db, event, shards)
    else:
        counted = dashboard.tally(db, event, shards)
    return {"effect": "dashboard", "created": counted}


def run(
    subscription: str,
    cloud_event: Any,
    effect: Callable[[ScanEvent, Delivery], dict[str, Any]],
) -> None:
    """Handle one delivery of ``subscription`` (its name is its dead-letter topic's stem)."""
    delivery: Delivery | None = None
    try:
        delivery = delivery_from_cloud_event(cloud_event.data)
        event = ScanEvent.decode(delivery.data)
    except PoisonEvent as exc:
        dead_letter(subscription, cloud_event, delivery, str(exc))
        return
    fields = {
        "subscription": subscription,
        "message_id": delivery.message_id,
        "scan_id": event.scan_id,
        "session_id": event.session_id,
        "uid": event.uid,
        "replayed_from": delivery.attributes.get("rollcall_replayed_from"),
    }
    try:
        result = effect(event, delivery)
    except Exception as exc:
        logs.error("consumer effect failed, delivery will be retried", error=repr(exc), **fields)
        raise
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
    topic = clients.topic_path(subscription + settings().dead_letter_suffix)
    clients.publisher().publish(topic, data, **attributes).result(PUBLISH_TIMEOUT_SECONDS)
    logs.error(
        "poison event dead-lettered",
        reason=reason,
        subscription=subscription,
        message_id=message_id,
        dead_letter_topic=topic,
    )
