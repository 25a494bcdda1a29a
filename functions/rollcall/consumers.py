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

from rollcall import attendance, clients, closing, dashboard, logs, notify, progress
from rollcall.config import settings
from rollcall.errors import PoisonEvent
from rollcall.events import (
    Alert,
    CloseSession,
    Delivery,
    Event,
    ScanEvent,
    Sweep,
    decode,
    delivery_from_cloud_event,
    now,
)

PUBLISH_TIMEOUT_SECONDS = 10
#: Set on a message replayed from a dead letter (tools/rollcall_ops/deadletters.py).
REPLAYED = "rollcall_replayed_from"


def record_attendance(event: Event, delivery: Delivery) -> dict[str, Any]:
    """The attendance record and the student's course figures; also closes sessions
    (a sweep) and turns a close into one event per student."""
    db = clients.firestore_client()
    if isinstance(event, Sweep):
        closes = closing.sweep(db, now())
        publish_all(closes)
        return {"effect": "sweep", "closes": len(closes)}
    if isinstance(event, CloseSession):
        return {"effect": "close", "students": closing.expand(db, publish_all, event)}
    if not isinstance(event, ScanEvent):
        return skipped("attendance", event)
    if event.is_override:
        changed = attendance.apply_override(db, event)
        outcome = attendance.REPLACED if changed else attendance.EXISTED
    else:
        outcome = attendance.record(db, event)
        changed = outcome != attendance.EXISTED
    alerts: list[Alert] = []
    # A freshly created scan record is the hot path of a lecture and cannot be in the
    # course figures yet (the close adds the session): only the rest syncs them, a
    # redelivery included (it heals a sync lost to a crash).
    if event.is_close or outcome != attendance.CREATED:
        alerts = progress.sync(
            db, event.course_id, event.session_id, event.uid, add=event.is_close, at=now()
        )
    if alerts:
        publish_all(alerts)
        progress.handed_over(db, alerts)
    return {"effect": "attendance", "created": changed, "alerts": [a.kind for a in alerts]}


def send_notification(event: Event, delivery: Delivery) -> dict[str, Any]:
    notice = notify.notice_of(event) if isinstance(event, ScanEvent | Alert) else None
    if notice is None:
        return skipped("notification", event)
    outcome = notify.notify(
        clients.firestore_client(), clients.messaging_app(), notice, delivery.message_id, now()
    )
    return {
        "effect": "notification",
        "created": outcome.created,
        "pushed": outcome.pushed,
        "removed_tokens": outcome.removed_tokens,
    }


def update_dashboard(event: Event, delivery: Delivery) -> dict[str, Any]:
    if not isinstance(event, ScanEvent):
        return skipped("dashboard", event)
    db, shards = clients.firestore_client(), settings().tally_shards
    if event.is_override:
        counted = dashboard.apply_override(db, event, shards)
    else:
        counted = dashboard.tally(db, event, shards)
    return {"effect": "dashboard", "created": counted}


def skipped(effect: str, event: Event) -> dict[str, Any]:
    """An event type this consumer does not act on: acknowledged, nothing done."""
    return {"effect": effect, "skipped": event.type}


def publish_all(events: list[Any]) -> None:
    """Publish to topic ``scans`` and wait for every one (a failure fails the
    delivery, so it is retried; consumers of the copies are idempotent)."""
    topic = clients.topic_path(settings().scan_topic)
    futures = []
    for event in events:
        data, attributes = event.encode()
        futures.append(clients.publisher().publish(topic, data, **attributes))
    for future in futures:
        future.result(PUBLISH_TIMEOUT_SECONDS)


def run(
    subscription: str,
    cloud_event: Any,
    effect: Callable[[Event, Delivery], dict[str, Any]],
) -> None:
    """Handle one delivery of ``subscription`` (its name is its dead-letter topic's stem)."""
    delivery: Delivery | None = None
    try:
        delivery = delivery_from_cloud_event(cloud_event.data)
        event = decode(delivery.data)
    except PoisonEvent as exc:
        dead_letter(subscription, cloud_event, delivery, str(exc))
        return
    fields = {
        "subscription": subscription,
        "message_id": delivery.message_id,
        "type": event.type,
        **event.log_fields(),
        "replayed_from": delivery.attributes.get(REPLAYED),
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
    topic = clients.topic_path(subscription + settings().dead_letter_suffix)
    clients.publisher().publish(topic, data, **attributes).result(PUBLISH_TIMEOUT_SECONDS)
    logs.error(
        "poison event dead-lettered",
        reason=reason,
        subscription=subscription,
        message_id=message_id,
        dead_letter_topic=topic,
    )
