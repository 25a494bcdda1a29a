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


CLOSE = cost.PerScan(  # one close of a 10-student session: 1 close_session, 10 closes
    firestore_reads=40,
    firestore_writes=30,
    firestore_deletes=0,
    messages=11,
    message_bytes=500,
    deliveries=21,
    requests={"scan": 1, "record_attendance": 11},
    cpu_s={"scan": 0.01, "record_attendance": 0.1},
)


def test_a_close_is_priced_per_close_per_student_and_in_the_term():
    priced = cost.summary(SCAN, PRICES, FUNCTIONS, CLOSE, close_students=10)
    per_scan = sum(cost.cost_per_scan(SCAN, PRICES, FUNCTIONS).values())
    per_close = sum(cost.cost_per_scan(CLOSE, PRICES, FUNCTIONS).values())

    assert priced["per_close_usd"] == round(per_close, 6)
    assert priced["per_student_close_usd"] == round(per_close / 10, 8)
    assert priced["closes_per_student_term"] == 300  # one close per session attended
    # the term: 300 scans and the student's share of 300 closes
    assert priced["per_student_term_usd"] == round(per_scan * 300 + per_close / 10 * 300, 5)
    assert priced["per_student_term_scans_usd"] == round(per_scan * 300, 5)
    assert priced["per_1000_scans_usd"] == round(per_scan * 1000, 4)  # unchanged
    firestore = (40 * 0.03 + 30 * 0.09) / 100_000
    assert priced["per_close_by_service_usd"]["firestore"] == round(firestore, 6)


def test_without_a_close_the_summary_keeps_its_keys():
    priced = cost.summary(SCAN, PRICES, FUNCTIONS)
    assert "per_close_usd" not in priced
    assert set(priced) == {
        "per_1000_scans_usd",
        "per_student_term_usd",
        "price_table_date",
        "scans_per_student_term",
        "per_1000_scans_by_service_usd",
    }


def test_a_close_per_student_is_scaled_except_the_message_size():
    each = CLOSE.scaled(1 / 10)
    assert each.firestore_reads == pytest.approx(4)
    assert each.messages == pytest.approx(1.1) and each.message_bytes == 500
    assert each.deliveries == pytest.approx(2.1)
    assert each.requests == pytest.approx({"scan": 0.1, "record_attendance": 1.1})
    assert each.cpu_s == pytest.approx({"scan": 0.001, "record_attendance": 0.01})


def test_the_peak_adds_the_earlier_sessions_closes():
    prices = {**PRICES, "peak": {**PRICES["peak"], "closing_students": 60_000}}
    cap = cost.capacity(SCAN, prices, FUNCTIONS, CLOSE.scaled(1 / 10))

    assert cap["closing_students_per_s"] == 200.0  # 60,000 in 5 minutes
    attendance = cap["functions"]["record_attendance"]
    # 667 scans/s x 1 + 200 students/s x 1.1 requests
    assert attendance["requests_per_s"] == round(200_000 / 300 + 220)
    # CPU: 667 x 3 ms + 200 x 10 ms = 4.0 s/s over 0.5 -> 8 instances
    assert attendance["instances_by_cpu"] == 8
    assert cap["firestore_writes_per_s"] == round(200_000 / 300 * 4 + 200 * 3)
    assert cap["firestore_reads_per_s"] == round(200_000 / 300 * 4 + 200 * 4)
    assert cap["pubsub_pushes_per_s"] == round(200_000 / 300 * 3 + 200 * 2.1)
    assert cap["pubsub_publish_bytes_per_s"] == round(200_000 / 300 * 400 + 200 * 1.1 * 500)
    # without the closes, the sheet is the scans' alone
    alone = cost.capacity(SCAN, prices, FUNCTIONS)
    assert alone["closing_students_per_s"] == 0
    assert alone["functions"]["record_attendance"]["instances_by_cpu"] == 4


def test_headroom_asks_for_spare_instances():
    # scan needs 3 instances by CPU (above): 3 x 1.3 = 3.9 fits in 10, not in 3
    assert cost.capacity(SCAN, PRICES, FUNCTIONS)["functions"]["scan"]["fits_with_headroom"]
    tight = {**FUNCTIONS, "scan": cost.FunctionSettings(0.5, 1, 80, max_instances=3)}
    row = cost.capacity(SCAN, PRICES, tight)["functions"]["scan"]
    assert row["fits"] and not row["fits_with_headroom"]
