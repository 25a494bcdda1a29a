"""Create the topology of infra/topology.yaml on the Pub/Sub emulator (REST API).

Push subscriptions point at the local consumer functions; every dead-letter topic gets
its pull subscription. Idempotent: topics and pull subscriptions that exist are left as
they are; a push subscription that exists is brought to what ``push_subscription``
says (a stack started by an older bootstrap is corrected by the next ``make up``).

**The one local difference: push subscriptions have no retry policy** (decision 0017).
The emulator (0.8.20) loses messages for good when two or more of one subscription wait
in retry backoff at once (decision 0007): a consumer that crashes in a lecture would
keep every event it had not acknowledged, silently. Without a retry policy the emulator
redelivers a failed push after about a second, with the topology's
``max_delivery_attempts`` and dead-letter policy: whatever the consumer cannot take
within its attempts waits on its dead-letter subscription, visible to ``rollcall
status`` and replayable. Terraform keeps the topology's retry policy (Cloud Pub/Sub has
no such bug); ``tests/infra/test_local_topology.py`` holds the two to this one
difference.
"""

from __future__ import annotations

from typing import Any

import requests

from rollcall_ops.topology import Subscription, Topology

#: Fields of a push subscription that the bootstrap sets (and corrects, on a running
#: emulator): the REST names, as PATCH's updateMask takes them.
PUSH_FIELDS = ("pushConfig", "ackDeadlineSeconds", "retryPolicy", "deadLetterPolicy", "filter")
#: Fields Pub/Sub does not let an update change: a subscription that differs in one is
#: deleted and created again (locally only; Terraform replaces it the same way).
IMMUTABLE_FIELDS = ("filter",)
#: What the local push subscriptions leave out of the topology (decision 0017).
LOCAL_OMISSIONS = ("retryPolicy",)


def _put(base: str, path: str, body: dict) -> bool:
    """Create; False if it existed already."""
    resp = requests.put(f"{base}/v1/{path}", json=body, timeout=10)
    if resp.status_code not in (200, 409):  # 409: exists already
        raise RuntimeError(f"Pub/Sub emulator refused {path}: {resp.status_code} {resp.text}")
    return resp.status_code == 200


def push_subscription(project: str, topic: str, sub: Subscription, endpoint: str) -> dict:
    """The emulator's push subscription for ``sub`` (REST body): the topology's
    settings except its retry policy, which the emulator cannot honour (see above).
    Its filter is set as Terraform sets it, though the emulator does not apply it
    (decision 0032): the consumers refuse the types they do not handle."""
    p = f"projects/{project}"
    return {
        "topic": f"{p}/topics/{topic}",
        "pushConfig": {"pushEndpoint": endpoint},
        "ackDeadlineSeconds": sub.ack_deadline_seconds,
        "filter": sub.filter,
        "deadLetterPolicy": {
            "deadLetterTopic": f"{p}/topics/{sub.dead_letter_topic}",
            "maxDeliveryAttempts": sub.max_delivery_attempts,
        },
    }


def drift(existing: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """The PUSH_FIELDS in which an existing subscription differs from ``wanted``."""
    return [f for f in PUSH_FIELDS if (existing.get(f) or None) != (wanted.get(f) or None)]


def bootstrap(host: str, project: str, topology: Topology, endpoints: dict[str, str]) -> None:
    """``endpoints`` maps each subscription name to its push endpoint URL."""
    base = f"http://{host}"
    p = f"projects/{project}"
    _put(base, f"{p}/topics/{topology.topic}", {})
    for sub in topology.subscriptions:
        _put(base, f"{p}/topics/{sub.dead_letter_topic}", {})
        _put(
            base,
            f"{p}/subscriptions/{sub.dead_letter_subscription}",
            {
                "topic": f"{p}/topics/{sub.dead_letter_topic}",
                "ackDeadlineSeconds": topology.dead_letter_ack_deadline_seconds,
                "messageRetentionDuration": topology.dead_letter_retention,
            },
        )
        path = f"{p}/subscriptions/{sub.name}"
        wanted = push_subscription(project, topology.topic, sub, endpoints[sub.name])
        if not _put(base, path, wanted):
            _converge(base, path, wanted)


def _converge(base: str, path: str, wanted: dict[str, Any]) -> None:
    resp = requests.get(f"{base}/v1/{path}", timeout=10)
    resp.raise_for_status()
    fields = drift(resp.json(), wanted)
    if not fields:
        return
    if any(f in IMMUTABLE_FIELDS for f in fields):
        requests.delete(f"{base}/v1/{path}", timeout=10).raise_for_status()
        _put(base, path, wanted)
        return
    body = {"subscription": {f: wanted[f] for f in fields if f in wanted}}
    resp = requests.patch(
        f"{base}/v1/{path}", json={**body, "updateMask": ",".join(fields)}, timeout=10
    )
    if resp.status_code != 200:
        raise RuntimeError(f"Pub/Sub emulator refused {path}: {resp.status_code} {resp.text}")


def list_subscriptions(host: str, project: str) -> dict[str, dict]:
    resp = requests.get(f"http://{host}/v1/projects/{project}/subscriptions", timeout=10)
    resp.raise_for_status()
    return {s["name"].rsplit("/", 1)[1]: s for s in resp.json().get("subscriptions", [])}
