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
    "ingest_rps": 1027.5,
    "burst_students": 500,
    "burst_accepted": 500,
    "burst_ack_p50_ms": 475.9,
    "burst_ack_p99_ms": 756.6,
    "all_effects_ms": 4771.6,
    "async_ack_p50_ms": 475.9,
    "burst_cpu_s": 8.4,
    "cores": 2,
    "bare_burst_ack_p99_ms": 446.5,
    "sync_ack_p50_ms": 1848.1,
    "ingest_alone_ack_p50_ms": 370.0,
    "ingest_alone_ack_p99_ms": 686.4,
    "consumers_alone_effects_ms": 4447.5,
    "cold_start_ms": 558.3,
    "bare_cold_start_ms": 380.2,
}


def verdicts(run: dict) -> dict[str, bool]:
    return {key: check(run) for key, _, check in bench.TARGETS}


def test_percentiles_are_values_of_the_sample():
    values = list(range(1, 101))
    assert bench.percentile(values, 50) == 51  # nearest rank: index round(49.5) = 50
    assert bench.percentile(values, 99) == 99
    assert bench.percentile(values, 100) == 100
    assert bench.percentile([7.0], 99) == 7.0


def test_verdicts_of_a_run():
    assert verdicts(RUN) == {
        "ingest_rps": True,  # 0.71
        "burst_accepted": True,
        "burst_ack_p99_ms": False,  # 1.69 x bare
        "all_effects_ms": False,
        "async_ack_p50_ms": True,  # 0.26 x sync
        "cold_start_ms": True,  # 1.47 x bare
    }


@pytest.mark.parametrize(
    ("change", "target", "met"),
    [
        ({"ingest_rps": 0.69 * 1441.2}, "ingest_rps", False),
        ({"burst_accepted": 499}, "burst_accepted", False),
        ({"burst_ack_p99_ms": 1.2 * 446.5}, "burst_ack_p99_ms", True),
        ({"all_effects_ms": 3000}, "all_effects_ms", True),
        ({"async_ack_p50_ms": 1848.1 / 3 + 1}, "async_ack_p50_ms", False),
        ({"cold_start_ms": 1.51 * 380.2}, "cold_start_ms", False),
    ],
)
def test_each_target_turns_at_its_threshold(change, target, met):
    assert verdicts({**RUN, **change})[target] is met


def test_bounds_printed_next_to_the_verdicts():
    why = bench.bounds(RUN)
    assert why["all_effects_ms"] == "consumers alone 4448 ms; CPU 8.4 s / 2 cores = 4200 ms"
    assert why["burst_ack_p99_ms"] == "1.7 × bare; without consumers 686 ms = 1.5 × bare"
    assert why["async_ack_p50_ms"] == "0.26 × sync; without consumers 0.20 × sync"


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
