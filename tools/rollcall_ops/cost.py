"""What a scan and a session's close cost in Google Cloud, and what a 9:00 peak needs: the
bench's own counts
(rollcall.usage: Firestore reads, writes and deletes, Pub/Sub messages and bytes,
function requests; CPU per process) priced from the dated table ``bench/prices.yaml``.

Pure functions of their inputs (tests/unit/test_cost.py); ``rollcall_ops.bench``
measures the inputs. What the model assumes, it says in ``prices.yaml``
(``assumptions``) and docs/performance.md explains.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
PRICES_FILE = ROOT / "bench" / "prices.yaml"
TIB = 2**40


@dataclass(frozen=True)
class FunctionSettings:
    """A function's Cloud Run sizing (infra/variables.tf, var.function_settings)."""

    memory_gib: float
    cpu: float
    concurrency: int
    max_instances: int


@dataclass(frozen=True)
class PerScan:
    """What one accepted scan (or one close, or one student's share of it) asks of the
    billed services, in Cloud (with the subscriptions' filters: only the consumers
    that take a message's type receive it)."""

    firestore_reads: float
    firestore_writes: float
    firestore_deletes: float
    #: Messages the ingest published, and their billed size each (bytes).
    messages: float
    message_bytes: float
    #: Pushes: one per message and subscription whose filter takes it.
    deliveries: float
    #: Requests and CPU seconds per function (entry point), per scan.
    requests: dict[str, float] = field(default_factory=dict)
    cpu_s: dict[str, float] = field(default_factory=dict)

    def scaled(self, factor: float) -> PerScan:
        """The same use times ``factor`` (a close's per student: 1 / its students);
        the size of a message stays."""
        return PerScan(
            firestore_reads=self.firestore_reads * factor,
            firestore_writes=self.firestore_writes * factor,
            firestore_deletes=self.firestore_deletes * factor,
            messages=self.messages * factor,
            message_bytes=self.message_bytes,
            deliveries=self.deliveries * factor,
            requests={k: v * factor for k, v in self.requests.items()},
            cpu_s={k: v * factor for k, v in self.cpu_s.items()},
        )


def load_prices(path: Path = PRICES_FILE) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def memory_gib(text: str) -> float:
    """'256Mi' -> 0.25, '1Gi' -> 1.0."""
    if text.endswith("Gi"):
        return float(text[:-2])
    if text.endswith("Mi"):
        return float(text[:-2]) / 1024
    raise ValueError(f"memory must look like 256Mi or 1Gi, not {text!r}")


def function_settings(
    variables_tf: Path = ROOT / "infra" / "variables.tf",
) -> dict[str, FunctionSettings]:
    """The default ``var.function_settings`` of Terraform, per entry point."""
    import hcl2

    with variables_tf.open() as f:
        parsed = hcl2.load(f)
    for block in parsed["variable"]:
        for key, body in block.items():
            if key.strip('"') != "function_settings":
                continue
            return {
                name: FunctionSettings(
                    memory_gib=memory_gib(_text(s["memory"])),
                    cpu=float(_text(s["cpu"])),
                    concurrency=int(s["concurrency"]),
                    max_instances=int(s["max_instances"]),
                )
                for name, s in body["default"].items()
            }
    raise KeyError("no variable function_settings in infra/variables.tf")


def _text(value: Any) -> str:
    """A string as python-hcl2 gives it (quoted in its newer versions)."""
    return str(value).strip('"')


def billed_bytes(size: float, minimum: float) -> float:
    """A publish or push request is billed at least ``minimum`` bytes."""
    return max(size, minimum)


def cost_per_scan(
    scan: PerScan, prices: dict[str, Any], functions: dict[str, FunctionSettings]
) -> dict[str, float]:
    """USD per scan (or per whatever ``scan`` counts, a close) by service: firestore,
    pubsub, functions (CPU, memory, requests)."""
    fs = prices["firestore"]
    firestore = (
        scan.firestore_reads * fs["read_per_100k"]
        + scan.firestore_writes * fs["write_per_100k"]
        + scan.firestore_deletes * fs["delete_per_100k"]
    ) / 100_000
    ps = prices["pubsub"]
    each = billed_bytes(scan.message_bytes, ps["min_bytes_per_request"])
    pubsub = (scan.messages + scan.deliveries) * each / TIB * ps["per_tib"]
    run = prices["cloud_run"]
    utilisation = prices["assumptions"]["cpu_utilisation"]
    cpu = memory = 0.0
    for name, seconds in scan.cpu_s.items():
        instance_s = seconds / utilisation
        cpu += instance_s * functions[name].cpu * run["vcpu_second"]
        memory += instance_s * functions[name].memory_gib * run["gib_second"]
    requests = sum(scan.requests.values()) * run["per_million_requests"] / 1_000_000
    return {
        "firestore": firestore,
        "pubsub": pubsub,
        "functions_cpu": cpu,
        "functions_memory": memory,
        "functions_requests": requests,
    }


def scans_per_student_term(prices: dict[str, Any]) -> int:
    """Sessions one student attends in a term (every one: the upper bound)."""
    term = prices["term"]
    return int(term["courses"] * term["sessions_per_week"] * term["weeks"])


def closes_per_student_term(prices: dict[str, Any]) -> int:
    """Closes one student is in over a term: one per session of the timetable."""
    return scans_per_student_term(prices)


def summary(
    scan: PerScan,
    prices: dict[str, Any],
    functions: dict[str, FunctionSettings],
    close: PerScan | None = None,
    close_students: int = 0,
) -> dict[str, Any]:
    """``results.json``'s ``cost``: per 1,000 scans, per student-term, and the parts;
    with ``close`` (one session's close, ``close_students`` enrolled), per close and
    per student's close, and the term's closes in ``per_student_term_usd``."""
    parts = cost_per_scan(scan, prices, functions)
    per_scan = sum(parts.values())
    scans = scans_per_student_term(prices)
    out: dict[str, Any] = {
        "per_1000_scans_usd": round(per_scan * 1000, 4),
        "per_student_term_usd": round(per_scan * scans, 5),
        "price_table_date": str(prices["date"]),
        "scans_per_student_term": scans,
        "per_1000_scans_by_service_usd": {k: round(v * 1000, 5) for k, v in parts.items()},
    }
    if close is None or close_students <= 0:
        return out
    close_parts = cost_per_scan(close, prices, functions)
    per_close = sum(close_parts.values())
    per_student_close = per_close / close_students
    closes = closes_per_student_term(prices)
    out.update(
        per_close_usd=round(per_close, 6),
        close_students=close_students,
        per_student_close_usd=round(per_student_close, 8),
        per_close_by_service_usd={k: round(v, 6) for k, v in close_parts.items()},
        closes_per_student_term=closes,
        per_student_term_scans_usd=round(per_scan * scans, 5),
        per_student_term_closes_usd=round(per_student_close * closes, 5),
        per_student_term_usd=round(per_scan * scans + per_student_close * closes, 5),
    )
    return out


def capacity(
    scan: PerScan,
    prices: dict[str, Any],
    functions: dict[str, FunctionSettings],
    close_per_student: PerScan | None = None,
) -> dict[str, Any]:
    """The 9:00 peak (``prices.yaml`` ``peak``): per function, the instances it needs at
    its configured concurrency and by its CPU, against its ``max_instances`` (and with
    ``assumptions.headroom`` to spare); Firestore writes per second against the
    documented limits; Pub/Sub's publish throughput. With ``close_per_student`` (one
    student's share of a close), the peak also closes ``peak.closing_students``
    students' earlier sessions in the same minutes."""
    peak = prices["peak"]
    seconds = peak["minutes"] * 60
    rate = peak["scans"] / seconds
    close = close_per_student or PerScan(0, 0, 0, 0, 0, 0)
    closing = peak.get("closing_students", 0) / seconds if close_per_student else 0.0
    utilisation = prices["assumptions"]["cpu_utilisation"]
    held = prices["assumptions"]["request_seconds"]
    headroom = prices["assumptions"].get("headroom", 0.3)
    rows = {}
    for name in {**scan.requests, **close.requests}:
        settings = functions[name]
        rps = rate * scan.requests.get(name, 0.0) + closing * close.requests.get(name, 0.0)
        cpu_per_s = rate * scan.cpu_s.get(name, 0.0) + closing * close.cpu_s.get(name, 0.0)
        by_cpu = math.ceil(round(cpu_per_s / (settings.cpu * utilisation), 6))
        by_concurrency = math.ceil(round(rps * held.get(name, 0.1) / settings.concurrency, 6))
        needed = max(by_cpu, by_concurrency, 1)
        rows[name] = {
            "requests_per_s": round(rps),
            "instances_by_cpu": by_cpu,
            "instances_by_concurrency": by_concurrency,
            "instances_needed": needed,
            "max_instances": settings.max_instances,
            "fits": needed <= settings.max_instances,
            "fits_with_headroom": needed * (1 + headroom) <= settings.max_instances,
        }
    limits = prices["limits"]
    writes = rate * (scan.firestore_writes + scan.firestore_deletes) + closing * (
        close.firestore_writes + close.firestore_deletes
    )
    reads = rate * scan.firestore_reads + closing * close.firestore_reads
    publish = rate * scan.messages * scan.message_bytes + closing * (
        close.messages * close.message_bytes
    )
    return {
        "scans_per_s": round(rate, 1),
        "closing_students_per_s": round(closing, 1),
        "headroom": headroom,
        "functions": rows,
        "firestore_writes_per_s": round(writes),
        "firestore_writes_limit_per_s": limits["firestore_writes_per_second"],
        "firestore_ramp_up_start_ops_per_s": limits["firestore_ramp_up_ops_per_second"],
        "firestore_reads_per_s": round(reads),
        "pubsub_publish_bytes_per_s": round(publish),
        "pubsub_publish_limit_bytes_per_s": limits["pubsub_publish_bytes_per_second"],
        "pubsub_pushes_per_s": round(rate * scan.deliveries + closing * close.deliveries),
    }
