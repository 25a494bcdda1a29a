"""Failure isolation: a consumer that cannot succeed has its messages dead-lettered
while the other two complete; a poison event goes straight to every dead-letter topic
with its reason, and is not retried."""

from __future__ import annotations

import json
import os
import time

import pytest
from google.cloud import pubsub_v1

from rollcall_ops.topology import load
from tests.support import (
    attendance,
    inbox,
    new_course,
    new_session,
    new_student,
    publish,
    scan,
    tally,
    token_for,
    unique,
    wait_for,
)

pytestmark = pytest.mark.emulator


def drain_dead_letters(subscription: str, match, timeout: float) -> list:
    """Pull (and acknowledge) dead letters of ``subscription`` until one matches."""
    client = pubsub_v1.SubscriberClient()
    path = client.subscription_path(os.environ["GOOGLE_CLOUD_PROJECT"], subscription)
    found = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not found:
        resp = client.pull(request={"subscription": path, "max_messages": 100}, timeout=5)
        if resp.received_messages:
            client.acknowledge(
                request={
                    "subscription": path,
                    "ack_ids": [m.ack_id for m in resp.received_messages],
                }
            )
        found += [m.message for m in resp.received_messages if match(m.message)]
        if not found:
            time.sleep(0.5)
    return found


def test_failing_consumer_dead_letters_while_the_others_complete(stack_env):
    course = new_course()
    session = new_session(course)
    # FCM answers 429 QUOTA_EXCEEDED for this device: notify fails every delivery.
    student = new_student(course, tokens=(unique("quota-"),))
    started = time.monotonic()

    resp = scan(student, token_for(session))

    assert resp.status_code == 202
    scan_id = resp.json()["scan_id"]
    wait_for(lambda: attendance(session.id, student.uid), timeout=10)
    wait_for(lambda: tally(session.id)["total"] == 1, timeout=10)
    notify = load().subscription("notify")
    [dead] = drain_dead_letters(
        notify.dead_letter_subscription,
        lambda m: json.loads(m.data).get("scan_id") == scan_id,
        timeout=90,
    )
    assert dead.attributes["CloudPubSubDeadLetterSourceSubscription"] == "notify"
    assert dead.attributes["session_id"] == session.id
    # The inbox entry exists, its push is still pending: nothing was lost or faked.
    assert inbox(student.uid, session.id)["push"]["status"] == "pending"
    print(f"dead-lettered after {time.monotonic() - started:.1f}s")


def test_poison_event_is_dead_lettered_at_once_with_its_reason(stack_env):
    marker = unique("poison-")
    started = time.monotonic()
    publish("scans", b"\x00 not a scan event " + marker.encode(), type="scan", schema="1")
    subscriptions = load().subscriptions
    for sub in (s for s in subscriptions if "scan" in s.types):
        [dead] = drain_dead_letters(
            sub.dead_letter_subscription, lambda m: marker.encode() in m.data, timeout=20
        )
        assert dead.attributes["rollcall_source_subscription"] == sub.name
        assert "not JSON" in dead.attributes["rollcall_dead_letter_reason"]
        assert "CloudPubSubDeadLetterSourceSubscription" not in dead.attributes
    # Dead-lettered by the consumer itself, not after max_delivery_attempts retries.
    assert time.monotonic() - started < 10
    # A consumer that does not take scans acknowledged it unread, as its subscription's
    # filter drops it in Cloud (decision 0032): its push came with the others' above.
    for sub in (s for s in subscriptions if "scan" not in s.types):
        assert not drain_dead_letters(
            sub.dead_letter_subscription, lambda m: marker.encode() in m.data, timeout=1
        )
