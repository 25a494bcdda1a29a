"""The cost model of `make bench` (rollcall_ops.cost): prices, the student-term and the
9:00 capacity sheet, from the dated price table and Terraform's function sizes."""

from __future__ import annotations

import pytest

from rollcall_ops import cost

PRICES = {
    "date": "2026-12-06",
    "firestore": {"read_per_100k": 0.03, "write_per_100k": 0.09, "delete_per_100k": 0.01},
    "pubsub": {"per_tib": 40.0, "min_bytes_per_request": 1000},
    "cloud_run": {"vcpu_second": 0.000024, "gib_second": 0.0000025, "per_million_requests": 0.4},
    "limits": {
        "firestore_writes_per_second": 10000,
        "firestore_ramp_up_ops_per_second": 500,
        "pubsub_publish_bytes_per_second": 133_000_000,
    },
    "assumptions": {"cpu_utilisation": 0.5, "request_seconds": {"scan": 0.05}},
    "term": {"courses": 5, "sessions_per_week": 4, "weeks": 15},
    "peak": {"scans": 200_000, "minutes": 5},
}
FUNCTIONS = {
    "scan": cost.FunctionSettings(memory_gib=0.5, cpu=1, concurrency=80, max_instances=10),
    "record_attendance": cost.FunctionSettings(0.25, 1, 20, 10),
}
SCAN = cost.PerScan(
    firestore_reads=4,
    firestore_writes=3,
    firestore_deletes=1,
    messages=1,
    message_bytes=400,
    deliveries=3,
    requests={"scan": 1, "record_attendance": 1},
    cpu_s={"scan": 0.002, "record_attendance": 0.003},
)


def test_each_service_is_priced_from_the_table():
    parts = cost.cost_per_scan(SCAN, PRICES, FUNCTIONS)

    assert parts["firestore"] == pytest.approx((4 * 0.03 + 3 * 0.09 + 1 * 0.01) / 100_000)
    # 1 publish + 3 pushes, each billed at the 1,000-byte minimum
    assert parts["pubsub"] == pytest.approx(4 * 1000 / 2**40 * 40)
    # instance time = CPU / utilisation: 0.004 s of scan, 0.006 s of attendance
    assert parts["functions_cpu"] == pytest.approx((0.004 + 0.006) * 0.000024)
    assert parts["functions_memory"] == pytest.approx((0.004 * 0.5 + 0.006 * 0.25) * 0.0000025)
    assert parts["functions_requests"] == pytest.approx(2 * 0.4 / 1_000_000)


def test_a_message_over_the_minimum_is_billed_at_its_size():
    assert cost.billed_bytes(1500, 1000) == 1500
    assert cost.billed_bytes(20, 1000) == 1000


def test_summary_per_1000_scans_and_per_student_term():
    priced = cost.summary(SCAN, PRICES, FUNCTIONS)
    per_scan = sum(cost.cost_per_scan(SCAN, PRICES, FUNCTIONS).values())

    assert cost.scans_per_student_term(PRICES) == 300  # 5 courses x 4 a week x 15 weeks
    assert priced["per_1000_scans_usd"] == round(per_scan * 1000, 4)
    assert priced["per_student_term_usd"] == round(per_scan * 300, 5)
    assert priced["price_table_date"] == "2026-12-06"


def test_capacity_sheet_of_the_peak():
    cap = cost.capacity(SCAN, PRICES, FUNCTIONS)

    assert cap["scans_per_s"] == pytest.approx(666.7)
    scan = cap["functions"]["scan"]
    # 667 requests/s x 2 ms CPU / (1 vCPU x 0.5) = 2.7 -> 3; 667 x 0.05 s / 80 -> 1
    assert (scan["instances_by_cpu"], scan["instances_by_concurrency"]) == (3, 1)
    assert scan["instances_needed"] == 3 and scan["fits"]
    # attendance: no request_seconds given, 0.1 s: 667 x 0.1 / 20 = 3.3 -> 4
    assert cap["functions"]["record_attendance"]["instances_by_concurrency"] == 4
    assert cap["firestore_writes_per_s"] == round(200_000 / 300 * 4)
    assert cap["pubsub_publish_bytes_per_s"] == round(200_000 / 300 * 400)


def test_a_function_over_its_max_instances_does_not_fit():
    slow = cost.PerScan(**{**SCAN.__dict__, "cpu_s": {"scan": 0.01, "record_attendance": 0.0}})
    assert not cost.capacity(slow, PRICES, FUNCTIONS)["functions"]["scan"]["fits"]  # 14 > 10


def test_memory_sizes_and_terraforms_function_settings():
    assert cost.memory_gib("256Mi") == 0.25
    assert cost.memory_gib("2Gi") == 2.0
    with pytest.raises(ValueError):
        cost.memory_gib("256MB")
    settings = cost.function_settings()
    assert settings["scan"].concurrency == 80
    assert set(settings) >= {"scan", "record_attendance", "send_notification", "update_dashboard"}


def test_the_repositorys_price_table_is_dated_and_sourced():
    prices = cost.load_prices()
    assert str(prices["date"]) >= "2026-12-06"
    assert set(prices["sources"]) >= {"firestore", "pubsub", "cloud_run"}
    assert all(url.startswith("https://cloud.google.com/") for url in prices["sources"].values())
    assert cost.scans_per_student_term(prices) == 300
