"""The topology file: what it declares, and what the loader refuses."""

import pytest

from rollcall_ops import topology

VALID = """
topic: scans
message_retention: 86400s
subscriptions:
  attendance:
    function: record_attendance
    ack_deadline_seconds: 30
    minimum_backoff: 1s
    maximum_backoff: 60s
    max_delivery_attempts: {attempts}
dead_letter:
  suffix: -dead-letter
  ack_deadline_seconds: 60
  message_retention: 604800s
"""


def test_repository_topology_declares_the_three_consumers_with_dead_letters():
    topo = topology.load()
    assert topo.topic == "scans"
    assert {s.name: s.function for s in topo.subscriptions} == {
        "attendance": "record_attendance",
        "notify": "send_notification",
        "dashboard": "update_dashboard",
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
