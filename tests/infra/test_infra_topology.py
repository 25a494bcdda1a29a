"""Terraform creates the Pub/Sub topology of infra/topology.yaml, exactly the one the
emulator bootstrap creates (emulators/pubsub.py reads it through rollcall_ops.topology)."""

from __future__ import annotations

import pytest
from infra_model import TerraformError, block, per_instance, tf_template

from rollcall_ops import topology


@pytest.fixture(scope="module")
def topo() -> topology.Topology:
    return topology.load()


def test_topology_is_decoded_from_the_one_topology_file(hcl):
    assert hcl.locals["topology"] == '${yamldecode(file("${path.module}/topology.yaml"))}'
    assert hcl.locals["dead_letter_suffix"] == "${local.topology.dead_letter.suffix}"


def test_subscriptions_are_exactly_those_of_the_emulator_bootstrap(hcl, tf_eval, topo):
    created = set()
    for sub in hcl.of_type("google_pubsub_subscription"):
        names = tf_eval(per_instance(sub, {"name": sub.body["name"]}))
        created |= {v["name"] for v in names.values()}

    bootstrap = {s.name for s in topo.subscriptions} | {
        s.dead_letter_subscription for s in topo.subscriptions
    }
    assert created == bootstrap


def test_topics_are_exactly_those_of_the_emulator_bootstrap(hcl, tf_eval, topo):
    created = set()
    for topic in hcl.of_type("google_pubsub_topic"):
        if "for_each" in topic.body:
            names = tf_eval(per_instance(topic, {"name": topic.body["name"]}))
            created |= {v["name"] for v in names.values()}
        else:
            created.add(tf_eval(tf_template(topic.body["name"])))

    assert created == {topo.topic} | {s.dead_letter_topic for s in topo.subscriptions}


def test_push_subscription_settings_are_the_topology_settings(hcl, tf_eval, topo):
    push = hcl.resource("google_pubsub_subscription", "push")
    retry = block(push.body, "retry_policy")
    dead_letter = block(push.body, "dead_letter_policy")

    settings = tf_eval(
        per_instance(
            push,
            {
                "topic": push.body["topic"].replace("google_pubsub_topic.scans.id", '"scans"'),
                "ack": push.body["ack_deadline_seconds"],
                "min_backoff": retry["minimum_backoff"],
                "max_backoff": retry["maximum_backoff"],
                "attempts": dead_letter["max_delivery_attempts"],
            },
        )
    )

    assert push.body["topic"] == "${google_pubsub_topic.scans.id}"
    assert settings == {
        s.name: {
            "topic": topo.topic,
            "ack": s.ack_deadline_seconds,
            "min_backoff": s.minimum_backoff,
            "max_backoff": s.maximum_backoff,
            "attempts": s.max_delivery_attempts,
        }
        for s in topo.subscriptions
    }


def test_each_subscription_dead_letters_to_its_own_topic(hcl):
    push = hcl.resource("google_pubsub_subscription", "push")
    topic = hcl.resource("google_pubsub_topic", "dead_letter")

    assert topic.body["for_each"] == push.body["for_each"]
    assert (
        block(push.body, "dead_letter_policy")["dead_letter_topic"]
        == "${google_pubsub_topic.dead_letter[each.key].id}"
    )


def test_dead_letter_pull_subscriptions_keep_the_topology_retention(hcl, tf_eval, topo):
    pull = hcl.resource("google_pubsub_subscription", "dead_letter")
    settings = tf_eval(
        per_instance(
            pull,
            {
                "ack": pull.body["ack_deadline_seconds"],
                "retention": pull.body["message_retention_duration"],
            },
        )
    )

    assert settings == {
        s.name: {
            "ack": topo.dead_letter_ack_deadline_seconds,
            "retention": topo.dead_letter_retention,
        }
        for s in topo.subscriptions
    }


@pytest.mark.parametrize("attempts", [4, 101, 0, 5.5])
def test_max_delivery_attempts_outside_5_to_100_is_rejected(tf_eval, attempts):
    with pytest.raises(TerraformError, match="5..100"):
        tf_eval("var.max_delivery_attempts", max_delivery_attempts={"attendance": attempts})


@pytest.mark.parametrize("attempts", [5, 100])
def test_max_delivery_attempts_override_applies_to_its_subscription(tf_eval, attempts):
    subs = tf_eval("local.subscriptions", max_delivery_attempts={"notify": attempts})

    assert subs["notify"]["max_delivery_attempts"] == attempts
    assert (
        subs["attendance"]["max_delivery_attempts"]
        == topology.load().subscription("attendance").max_delivery_attempts
    )


def test_topology_values_are_checked_before_anything_is_created(hcl):
    """The override is validated as a variable; the topology's own values (and override
    keys naming no subscription) by preconditions, which fail `plan`."""
    push = hcl.resource("google_pubsub_subscription", "push")
    conditions = [p["condition"] for p in block(push.body, "lifecycle")["precondition"]]

    assert any(
        "each.value.max_delivery_attempts >= 5" in c
        and "each.value.max_delivery_attempts <= 100" in c
        for c in conditions
    )
    assert any("setsubtract(keys(var.max_delivery_attempts)" in c for c in conditions)
