"""Create the topology of infra/topology.yaml on the Pub/Sub emulator (REST API).

Push subscriptions point at the local consumer functions; every dead-letter topic gets
its pull subscription. Idempotent: what exists already is left as it is.
"""

from __future__ import annotations

import requests

from rollcall_ops.topology import Topology


def _put(base: str, path: str, body: dict) -> None:
    resp = requests.put(f"{base}/v1/{path}", json=body, timeout=10)
    if resp.status_code not in (200, 409):  # 409: exists already
        raise RuntimeError(f"Pub/Sub emulator refused {path}: {resp.status_code} {resp.text}")


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
        _put(
            base,
            f"{p}/subscriptions/{sub.name}",
            {
                "topic": f"{p}/topics/{topology.topic}",
                "pushConfig": {"pushEndpoint": endpoints[sub.name]},
                "ackDeadlineSeconds": sub.ack_deadline_seconds,
                "retryPolicy": {
                    "minimumBackoff": sub.minimum_backoff,
                    "maximumBackoff": sub.maximum_backoff,
                },
                "deadLetterPolicy": {
                    "deadLetterTopic": f"{p}/topics/{sub.dead_letter_topic}",
                    "maxDeliveryAttempts": sub.max_delivery_attempts,
                },
            },
        )


def list_subscriptions(host: str, project: str) -> dict[str, dict]:
    resp = requests.get(f"http://{host}/v1/projects/{project}/subscriptions", timeout=10)
    resp.raise_for_status()
    return {s["name"].rsplit("/", 1)[1]: s for s in resp.json().get("subscriptions", [])}
