"""Dead-letter subscriptions: peek at what is waiting (without consuming it)."""

from __future__ import annotations

from dataclasses import dataclass

from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1

from rollcall_ops import topology


@dataclass(frozen=True)
class DeadLetter:
    subscription: str
    message_id: str
    data: bytes
    attributes: dict[str, str]
    delivery_attempt: int


def peek(subscription: str, project: str, limit: int = 1000) -> list[DeadLetter]:
    """Messages waiting on a dead-letter subscription, released again right away."""
    client = pubsub_v1.SubscriberClient()
    path = client.subscription_path(project, subscription)
    found: dict[str, DeadLetter] = {}
    ack_ids: list[str] = []
    while len(found) < limit:
        try:
            resp = client.pull(
                request={"subscription": path, "max_messages": min(1000, limit - len(found))},
                timeout=3,
            )
        except gexc.DeadlineExceeded:
            break
        if not resp.received_messages:
            break
        new = 0
        for received in resp.received_messages:
            ack_ids.append(received.ack_id)
            m = received.message
            if m.message_id not in found:
                new += 1
            found[m.message_id] = DeadLetter(
                subscription=subscription,
                message_id=m.message_id,
                data=m.data,
                attributes=dict(m.attributes),
                delivery_attempt=received.delivery_attempt,
            )
        if not new:
            break
    for start in range(0, len(ack_ids), 1000):
        client.modify_ack_deadline(
            request={
                "subscription": path,
                "ack_ids": ack_ids[start : start + 1000],
                "ack_deadline_seconds": 0,
            }
        )
    return list(found.values())


def backlog(project: str) -> dict[str, int]:
    """Messages waiting on each dead-letter subscription of the topology."""
    topo = topology.load()
    return {
        s.dead_letter_subscription: len(peek(s.dead_letter_subscription, project))
        for s in topo.subscriptions
    }
