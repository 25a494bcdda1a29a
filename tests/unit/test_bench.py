"""`make bench`'s own arithmetic: percentiles, the targets' verdicts, the bounds it
prints next to them, and the CPU accounting it reads from /proc."""

from __future__ import annotations

import os
import time

import pytest

from emulators.stack import Stack
from rollcall_ops import bench

RUN = {  # the shape of bench/results.json (figures of a real run)
    "bare_rps": 1441.2,
    "bare_cpu_ms_per_request": 0.75,
    "ingest_rps": 1027.5,
    "burst_students": 500,
    "burst_accepted": 500,
    "burst_ack_p50_ms": 475.9,
    "burst_ack_p99_ms": 756.6,
    "all_effects_ms": 4771.6,
    "async_ack_p50_ms": 475.9,
    "burst_cpu_s": 8.4,
    "cpu_ms_per_scan": 16.8,
    "cores": 2,
    "bare_burst_ack_p99_ms": 446.5,
    "sync_ack_p50_ms": 1848.1,
    "ingest_alone_ack_p50_ms": 370.0,
    "ingest_alone_ack_p99_ms": 686.4,
    "consumers_alone_effects_ms": 4447.5,
    "cold_start_ms": 558.3,
    "bare_cold_start_ms": 380.2,
    "scale": [
        {"students": 100, "cpu_ms_per_scan": 20.0, "ingest_cpu_ms_per_scan": 1.6},
        {"students": 500, "cpu_ms_per_scan": 16.8, "ingest_cpu_ms_per_scan": 1.5},
        {"students": 2000, "cpu_ms_per_scan": 18.0, "ingest_cpu_ms_per_scan": 1.7},
    ],
}


def verdicts(run: dict) -> dict[str, bool | None]:
    return {key: {"yes": True, "NO": False}.get(met) for key, _, _, met in bench.verdicts(run)}


def test_percentiles_are_values_of_the_sample():
    values = list(range(1, 101))
    assert bench.percentile(values, 50) == 51  # nearest rank: index round(49.5) = 50
    assert bench.percentile(values, 99) == 99
    assert bench.percentile(values, 100) == 100
    assert bench.percentile([7.0], 99) == 7.0


def test_verdicts_of_a_run():
    assert verdicts(RUN) == {
        "cpu_ms_per_scan": False,  # 22.4 x bare
        "all_effects_ms": True,  # 4,772 / max(4,448, 4,200) = 1.07
        "ingest_alone_ack_p99_ms": False,  # 1.54 x bare
        "ingest_alone_ack_p50_ms": True,  # 0.20 x sync
        "async_ack_p50_ms": True,  # 0.26 x sync
        "burst_accepted": True,
        "ingest_rps": False,  # 0.71
        "cold_start_ms": True,  # 1.47 x bare
        "scale cpu_ms_per_scan": True,  # 18.0 / 16.8 = 1.07
        "scale ingest_cpu_ms_per_scan": False,  # 1.7 / 1.5 = 1.13
    }


def test_the_measured_ratio_is_printed_beside_each_verdict():
    rows = {key: (target, ratio) for key, target, ratio, _ in bench.verdicts(RUN)}
    assert rows["cpu_ms_per_scan"] == ("≤ 16 × bare_cpu_ms_per_request", "22.40")
    assert rows["all_effects_ms"][1] == "1.07"


@pytest.mark.parametrize(
    ("change", "target", "met"),
    [
        ({"cpu_ms_per_scan": 16 * 0.75}, "cpu_ms_per_scan", True),
        ({"cpu_ms_per_scan": 16 * 0.75 + 0.1}, "cpu_ms_per_scan", False),
        ({"ingest_rps": 0.75 * 1441.2}, "ingest_rps", True),
        ({"burst_accepted": 499}, "burst_accepted", False),
        ({"ingest_alone_ack_p99_ms": 1.4 * 446.5}, "ingest_alone_ack_p99_ms", True),
        ({"all_effects_ms": 1.1 * 4447.5}, "all_effects_ms", True),
        ({"all_effects_ms": 1.1 * 4447.5 + 1}, "all_effects_ms", False),
        ({"burst_cpu_s": 10.0, "all_effects_ms": 5400}, "all_effects_ms", True),  # CPU bound
        ({"async_ack_p50_ms": 1848.1 / 3 + 1}, "async_ack_p50_ms", False),
        ({"cold_start_ms": 1.51 * 380.2}, "cold_start_ms", False),
    ],
)
def test_each_target_turns_at_its_threshold(change, target, met):
    assert verdicts({**RUN, **change})[target] is met


def test_growth_is_the_largest_size_against_500_students():
    assert bench.growth(RUN["scale"], "cpu_ms_per_scan") == pytest.approx(18.0 / 16.8)
    assert bench.growth(RUN["scale"][:1], "cpu_ms_per_scan") is None  # no 500 run
    assert bench.growth(RUN["scale"][:2], "cpu_ms_per_scan") is None  # nothing above 500
    assert verdicts({**RUN, "scale": []})["scale cpu_ms_per_scan"] is None  # "not run"


def test_effects_incomplete_is_not_a_verdict():
    assert verdicts({**RUN, "all_effects_ms": float("nan")})["all_effects_ms"] is None


def test_cpu_is_counted_per_process_group_of_the_stack(tmp_path):
    stack = Stack(state_dir=tmp_path)
    stack.pid_dir.mkdir(parents=True)
    (stack.pid_dir / "itself.pid").write_text(f"{os.getpgid(0)}\n")
    before = bench.cpu_seconds(stack)
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:  # burn 0.3 s of CPU in this process group
        pass
    after = bench.cpu_seconds(stack)
    assert set(after) == {"itself", "bench"}
    assert after["itself"] - before["itself"] >= 0.25
    assert after["bench"] - before["bench"] >= 0.25


def test_the_bench_functions_load_against_the_package(monkeypatch):
    """bench/functions/main.py reaches into the scan endpoint; it must follow the
    package's layout (make bench is not part of make test)."""
    from functions_framework import create_app

    from tests.paths import ROOT

    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "demo-unit")
    for target in ("bare", "scan_sync"):
        assert create_app(target, str(ROOT / "bench" / "functions" / "main.py"), "http")


def _counts(**counts: int) -> dict[str, int]:
    return {key: counts.get(key, 0) for key in bench.usage.KEYS}


CLOSED = bench.Close(  # a 10-student session's close that fired 2 alerts
    students=10,
    absent=1,
    request_ms=40.0,
    close_ms=900.0,
    cpu_by_process={"scan": 0.01, "attendance": 0.2, "dashboard": 0.1, "notify": 0.03},
    used={
        "scan": _counts(
            firestore_reads=1,
            firestore_writes=1,
            pubsub_messages=1,
            pubsub_bytes=300,
            function_requests=1,
        ),
        "attendance": _counts(
            firestore_reads=30,
            firestore_writes=20,
            pubsub_messages=12,
            pubsub_bytes=6000,
            function_requests=23,
        ),
        "dashboard": _counts(firestore_writes=20, function_requests=23),
    },
)


def test_a_closes_messages_by_type():
    # 13 published: the close_session, one close per enrolled student, 2 alerts
    assert bench.close_messages(CLOSED) == {"close_session": 1, "close": 10, "alert": 2}


def test_a_close_is_billed_with_the_subscriptions_filters():
    billed = bench.close_usage(CLOSED)

    assert billed.firestore_reads == 31 and billed.firestore_writes == 41
    assert billed.messages == 13 and billed.message_bytes == pytest.approx(6300 / 13)
    # attendance takes close_session and close (11), dashboard close (10), notify and
    # mail the alerts (2 each): locally each subscription got all 13
    assert billed.requests == {
        "scan": 1,
        "record_attendance": 11,
        "update_dashboard": 10,
        "send_notification": 2,
        "send_mail": 2,
    }
    assert billed.deliveries == 25
    assert billed.cpu_s["record_attendance"] == 0.2 and billed.cpu_s["send_mail"] == 0.0
    report = CLOSED.report()
    assert report["per_close"]["firestore_writes"] == 41
    assert report["per_student"]["firestore_writes"] == 4.1
    assert report["cpu_ms_per_student"] == 34.0 and report["alerts"] == 2


def test_the_design_floor_adds_what_a_scan_costs_before_the_consumers_own_work():
    """Decision 0033's run B: 500 scans; mail (refuses scans) 0.57 s is one push each;
    the Firestore emulator's 3.77 s over 5.05 requests per scan; four pushes per scan."""
    cpu = {
        "scan": 1.23,
        "attendance": 1.66,
        "notify": 4.05,
        "dashboard": 1.77,
        "mail": 0.57,
        "pubsub": 1.19,
        "firestore": 3.77,
        "bench": 0.65,
    }
    used = {
        "scan": {"firestore_requests": 36},
        "attendance": {"firestore_requests": 497},
        "dashboard": {"firestore_requests": 490},
        "notify": {"firestore_requests": 1501},
    }
    floor = bench.design_floor(cpu, used, 500)
    assert floor["push_cpu_ms"] == 1.14
    assert floor["firestore_cpu_ms_per_request"] == round(7.54 / (2524 / 500), 2)
    parts = floor["parts_ms"]
    assert parts["pushes"] == 4.56 and parts["ingest"] == 2.46 and parts["phones"] == 1.3
    assert floor["cpu_ms_per_scan"] == round(sum(parts.values()), 2)
    # attendance, notify and dashboard less a push each
    assert floor["consumers_own_cpu_ms_per_scan"] == round((1.66 + 4.05 + 1.77) * 2 - 3 * 1.14, 2)
