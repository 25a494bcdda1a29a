"""The topology file: what it declares, and what the loader refuses."""

import pytest

from rollcall_ops import topology

VALID = """
topic: scans
message_retention: 86400s
subscriptions:
  attendance:
    function: record_attendance
    types: [scan]
    ack_deadline_seconds: 30
    minimum_backoff: 1s
    maximum_backoff: 60s
    max_delivery_attempts: {attempts}
dead_letter:
  suffix: -dead-letter
  ack_deadline_seconds: 60
  message_retention: 604800s
"""


def test_repository_topology_declares_the_four_consumers_with_dead_letters():
    topo = topology.load()
    assert topo.topic == "scans"
    assert {s.name: s.function for s in topo.subscriptions} == {
        "attendance": "record_attendance",
        "notify": "send_notification",
        "dashboard": "update_dashboard",
        "mail": "send_mail",
    }
    for sub in topo.subscriptions:
        assert sub.dead_letter_topic == f"{sub.name}-dead-letter"
        assert 5 <= sub.max_delivery_attempts <= 100


@pytest.mark.parametrize("attempts", [4, 101])
def test_max_delivery_attempts_outside_5_to_100_is_refused(tmp_path, attempts):
    path = tmp_path / "topology.yaml"
    path.write_text(VALID.format(attempts=attempts))
    with pytest.raises(ValueError, match="max_delivery_attempts"):
        topology.load(path)


def test_valid_file_loads(tmp_path):
    path = tmp_path / "topology.yaml"
    path.write_text(VALID.format(attempts=7))
    assert topology.load(path).subscription("attendance").max_delivery_attempts == 7


SCHEDULE = """
schedules:
  digest:
    schedule: {cron!r}
    time_zone: {zone}
    local_every_seconds: {every}
    type: {kind}
"""


def test_the_repository_declares_a_weekly_digest_that_never_fires_locally():
    (digest,) = [s for s in topology.load().schedules if s.name == "digest"]
    assert digest.schedule == "0 7 * * 1" and digest.time_zone == "Asia/Kolkata"
    assert digest.local_every_seconds == 0
    assert digest.message() == (b'{"schema":1,"type":"digest"}', {"type": "digest", "schema": "1"})


@pytest.mark.parametrize(
    "cron, zone, every, kind, problem",
    [
        ("0 7 * *", "Asia/Kolkata", 0, "digest", "five-field cron"),
        ("0 7 * * Mon;", "Asia/Kolkata", 0, "digest", "five-field cron"),
        ("0 7 * * 1", "Mars/Olympus", 0, "digest", "unknown time_zone"),
        ("0 7 * * 1", "Asia/Kolkata", -1, "digest", "0 \\(never\\) or more"),
        ("0 7 * * 1", "Asia/Kolkata", "soon", "digest", "must be a number"),
        ("0 7 * * 1", "Asia/Kolkata", 0, "report", "type must be one of sweep, digest"),
    ],
)
def test_a_malformed_schedule_is_refused_with_its_reason(
    tmp_path, cron, zone, every, kind, problem
):
    path = tmp_path / "topology.yaml"
    text = VALID.format(attempts=5) + SCHEDULE.format(cron=cron, zone=zone, every=every, kind=kind)
    path.write_text(text)
    with pytest.raises(ValueError, match=f"schedule digest: .*{problem}"):
        topology.load(path)
