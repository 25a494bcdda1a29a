"""Terraform creates the Pub/Sub topology of infra/topology.yaml, exactly the one the
emulator bootstrap creates (emulators/pubsub.py reads it through rollcall_ops.topology),
and its schedules as Cloud Scheduler jobs sending what emulators/scheduler.py sends."""

from __future__ import annotations

import base64
import json

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


def test_each_push_subscription_filters_on_the_types_its_consumer_takes(hcl, tf_eval, topo):
    push = hcl.resource("google_pubsub_subscription", "push")
    filters = tf_eval(per_instance(push, {"filter": push.body["filter"]}))

    assert {name: v["filter"] for name, v in filters.items()} == {
        s.name: s.filter for s in topo.subscriptions
    }
    assert filters["mail"]["filter"] == 'attributes.type = "digest" OR attributes.type = "alert"'
    # The one that takes unknown messages: all but the types only the others take.
    assert filters["attendance"]["filter"] == (
        'NOT (attributes.type = "alert" OR attributes.type = "digest"'
        ' OR attributes.type = "notice")'
    )


def test_every_event_type_reaches_the_consumer_that_handles_it(topo):
    """Each type rollcall.core.events decodes is declared by some subscription, and a
    subscription's consumer handles every type it declares (no type filtered away)."""
    from rollcall.consumers import attendance, dashboard, mail, notify
    from rollcall.core import events

    declared = {t for s in topo.subscriptions for t in s.types}
    assert declared == events.TYPES
    assert [s.name for s in topo.subscriptions if s.unknown] == ["attendance"]
    # What each consumer refuses early locally is what its filter drops in Cloud.
    consumers = {"attendance": attendance, "notify": notify, "dashboard": dashboard, "mail": mail}
    assert {s.name: set(s.types) for s in topo.subscriptions} == {
        name: set(module.TYPES) for name, module in consumers.items()
    }


def test_filters_fit_pubsubs_limit_and_are_checked_by_plan(hcl, topo):
    push = hcl.resource("google_pubsub_subscription", "push")
    conditions = [p["condition"] for p in block(push.body, "lifecycle")["precondition"]]

    assert all(len(s.filter.encode()) <= topology.FILTER_MAX_BYTES for s in topo.subscriptions)
    assert any("length(each.value.filter) <= 256" in c for c in conditions)


def test_a_topology_without_types_or_with_two_catch_alls_is_refused(tmp_path):
    text = topology.TOPOLOGY_FILE.read_text()
    no_types = tmp_path / "no-types.yaml"
    no_types.write_text(text.replace("    types: [digest, alert]\n", ""))
    with pytest.raises(ValueError, match="mail: types"):
        topology.load(no_types)
    two = tmp_path / "two.yaml"
    two.write_text(
        text.replace("    types: [digest, alert]\n", "    types: [digest]\n    unknown: true\n")
    )
    with pytest.raises(ValueError, match="only one subscription"):
        topology.load(two)


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


# --- Schedules: Cloud Scheduler in production, emulators/scheduler.py locally ----------


def _jobs(hcl, tf_eval) -> dict:
    job = hcl.resource("google_cloud_scheduler_job", "schedule")
    target = block(job.body, "pubsub_target")
    return tf_eval(
        per_instance(
            job,
            {
                "name": job.body["name"],
                "schedule": job.body["schedule"],
                "time_zone": job.body["time_zone"],
                "region": job.body["region"],
                "data": target["data"],
                "attributes": target["attributes"],
            },
        )
    )


def test_schedules_are_decoded_from_the_topology_file(hcl):
    assert "local.topology" in hcl.locals["schedules"]
    job = hcl.resource("google_cloud_scheduler_job", "schedule")
    assert job.body["for_each"] == "${local.schedules}"


def test_one_scheduler_job_per_topology_schedule_with_its_cron(hcl, tf_eval, topo):
    assert topo.schedules, "topology.yaml declares no schedule: nothing closes sessions"
    jobs = _jobs(hcl, tf_eval)

    assert {k: (v["name"], v["schedule"], v["time_zone"]) for k, v in jobs.items()} == {
        s.name: (s.name, s.schedule, s.time_zone) for s in topo.schedules
    }
    assert len(hcl.of_type("google_cloud_scheduler_job")) == 1
    assert {v["region"] for v in jobs.values()} == {tf_eval("var.region")}
    assert hcl.resource("google_cloud_scheduler_job", "schedule").body["region"] == (
        "${var.region}"
    )


def test_scheduler_jobs_publish_to_the_scans_topic_only(hcl, tf_eval, topo):
    job = hcl.resource("google_cloud_scheduler_job", "schedule").body
    target = block(job, "pubsub_target")
    scans = hcl.resource("google_pubsub_topic", "scans")

    assert target["topic_name"] == "${google_pubsub_topic.scans.id}"
    assert tf_eval(tf_template(scans.body["name"])) == topo.topic
    # No HTTP or App Engine target: no endpoint to expose, no OIDC identity to grant.
    assert {"http_target", "app_engine_http_target"}.isdisjoint(job)


def test_scheduler_sends_exactly_the_message_of_the_local_stand_in(hcl, tf_eval, topo):
    """Production (Cloud Scheduler) and the stack (emulators/scheduler.py) must publish
    the same bytes and attributes, or the consumers would see different events."""
    jobs = _jobs(hcl, tf_eval)
    for schedule in topo.schedules:
        data, attributes = schedule.message()
        job = jobs[schedule.name]
        assert base64.b64decode(job["data"], validate=True) == data, schedule.name
        assert job["attributes"] == attributes, schedule.name
        assert json.loads(data) == {"schema": 1, "type": schedule.type}


def test_scheduler_retries_a_failed_publish_within_one_tick(hcl):
    job = hcl.resource("google_cloud_scheduler_job", "schedule").body
    retry = block(job, "retry_config")
    seconds = {
        k: int(retry[k].removesuffix("s")) for k in ("min_backoff_duration", "max_backoff_duration")
    }

    assert 1 <= retry["retry_count"] <= 5, "Cloud Scheduler accepts 0..5 retries"
    assert seconds["min_backoff_duration"] <= seconds["max_backoff_duration"]
    waits, wait = [], seconds["min_backoff_duration"]
    for attempt in range(retry["retry_count"]):
        waits.append(min(wait, seconds["max_backoff_duration"]))
        if attempt < retry["max_doublings"]:
            wait *= 2
    assert sum(waits) < 60, "retries of one tick should end before the next tick (every minute)"
    assert "attempt_deadline" not in job, "ignored for Pub/Sub targets; it makes a permanent diff"


def test_scheduler_job_refuses_a_malformed_cron(hcl, tf_eval):
    job = hcl.resource("google_cloud_scheduler_job", "schedule")
    condition = block(job.body, "lifecycle")["precondition"][0]["condition"]
    cases = {"ok": "* * * * *", "weekdays": "0 9 * * 1-5", "short": "*/5 * *", "six": "0 * * * * *"}
    inputs = ", ".join(f'{k} = {{schedule = "{v}"}}' for k, v in cases.items())
    check = tf_template(condition).replace("each.value", "__v")
    expr = f"{{for __k, __v in {{{inputs}}} : __k => {check}}}"

    assert tf_eval(expr) == {"ok": True, "weekdays": True, "short": False, "six": False}


def test_a_digest_schedule_runs_in_the_institutions_time_zone(hcl, tf_eval):
    """Decision 0027: the digest's week is the institution's, so its job's time zone
    must be var.time_zone; topology.yaml's agrees with the default."""
    job = hcl.resource("google_cloud_scheduler_job", "schedule")
    condition = block(job.body, "lifecycle")["precondition"][1]["condition"]
    cases = {
        "sweep": {"type": "sweep", "time_zone": "Etc/UTC"},
        "digest": {"type": "digest", "time_zone": "Asia/Kolkata"},
        "elsewhere": {"type": "digest", "time_zone": "Etc/UTC"},
    }
    inputs = ", ".join(
        f'{k} = {{type = "{v["type"]}", time_zone = "{v["time_zone"]}"}}' for k, v in cases.items()
    )
    check = tf_template(condition).replace("each.value", "__v")
    expr = f"{{for __k, __v in {{{inputs}}} : __k => {check}}}"
    assert tf_eval(expr) == {"sweep": True, "digest": True, "elsewhere": False}
    assert tf_eval(expr, time_zone="Etc/UTC") == {"sweep": True, "digest": False, "elsewhere": True}
    jobs = tf_eval("local.schedules")
    assert jobs["digest"]["time_zone"] == tf_eval("var.time_zone")
    assert jobs["digest"]["schedule"] == "0 7 * * 1"
