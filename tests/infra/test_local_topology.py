"""The local stack's push subscriptions are Terraform's but for one stated difference:
no retry policy (decision 0017). Both come from infra/topology.yaml; the emulator
bootstrap (emulators/pubsub.py) leaves the retry policy out, because the Pub/Sub
emulator 0.8.20 loses messages that wait in retry backoff two or more at a time."""

from __future__ import annotations

import pytest
from infra_model import block, per_instance

from emulators import pubsub
from rollcall_ops import topology

PROJECT = "demo-test"


@pytest.fixture(scope="module")
def topo() -> topology.Topology:
    return topology.load()


def local(topo: topology.Topology) -> dict[str, dict]:
    return {
        s.name: pubsub.push_subscription(PROJECT, topo.topic, s, f"http://127.0.0.1/{s.name}")
        for s in topo.subscriptions
    }


def test_local_push_subscriptions_differ_from_terraform_only_by_the_retry_policy(
    hcl, tf_eval, topo
):
    push = hcl.resource("google_pubsub_subscription", "push")
    retry = block(push.body, "retry_policy")
    dead_letter = block(push.body, "dead_letter_policy")
    terraform = tf_eval(
        per_instance(
            push,
            {
                "ack": push.body["ack_deadline_seconds"],
                "attempts": dead_letter["max_delivery_attempts"],
                "min_backoff": retry["minimum_backoff"],
                "max_backoff": retry["maximum_backoff"],
                "filter": push.body["filter"],
            },
        )
    )
    p = f"projects/{PROJECT}"

    for name, body in local(topo).items():
        cloud = terraform[name]
        assert body["topic"] == f"{p}/topics/{topo.topic}"  # Terraform: the scans topic
        assert body["ackDeadlineSeconds"] == cloud["ack"]
        assert body["deadLetterPolicy"] == {
            "deadLetterTopic": f"{p}/topics/{topo.subscription(name).dead_letter_topic}",
            "maxDeliveryAttempts": cloud["attempts"],
        }
        # The one difference: Cloud Pub/Sub backs off from min to max; locally the
        # emulator redelivers after about a second, within the same attempts.
        assert (cloud["min_backoff"], cloud["max_backoff"]) == (
            topo.subscription(name).minimum_backoff,
            topo.subscription(name).maximum_backoff,
        )
        assert body["filter"] == cloud["filter"]
        assert "retryPolicy" not in body
        assert set(body) == {
            "topic",
            "pushConfig",
            "ackDeadlineSeconds",
            "deadLetterPolicy",
            "filter",
        }
    assert pubsub.LOCAL_OMISSIONS == ("retryPolicy",)


def test_a_subscription_made_by_an_older_bootstrap_is_corrected(topo):
    sub = topo.subscription("dashboard")
    wanted = pubsub.push_subscription(PROJECT, topo.topic, sub, "http://127.0.0.1:8084/")
    older = {
        **wanted,
        "name": f"projects/{PROJECT}/subscriptions/dashboard",
        "messageRetentionDuration": "604800s",  # the emulator's default, not ours to set
        "retryPolicy": {"minimumBackoff": "1s", "maximumBackoff": "60s"},
    }

    assert pubsub.drift(older, wanted) == ["retryPolicy"]
    assert pubsub.drift({**older, "retryPolicy": None}, wanted) == []
    moved = {**wanted, "pushConfig": {"pushEndpoint": "http://127.0.0.1:18084/"}}
    assert pubsub.drift(moved, wanted) == ["pushConfig"]
    unfiltered = {**wanted, "filter": None}  # made before subscriptions declared types
    assert pubsub.drift(unfiltered, wanted) == ["filter"]
    assert "filter" in pubsub.IMMUTABLE_FIELDS  # so it is made again, not patched
