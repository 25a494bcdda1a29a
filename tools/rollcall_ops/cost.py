"""What a scan costs in Google Cloud, and what a 9:00 peak needs: the bench's own counts
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
    """What one accepted scan asks of the billed services, in Cloud (with the
    subscriptions' filters: only the consumers that take a scan receive it)."""

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
    """USD per scan by service: firestore, pubsub, functions (CPU, memory, requests)."""
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


def summary(
    scan: PerScan, prices: dict[str, Any], functions: dict[str, FunctionSettings]
) -> dict[str, Any]:
    """``results.json``'s ``cost``: per 1,000 scans, per student-term, and the parts."""
    parts = cost_per_scan(scan, prices, functions)
    per_scan = sum(parts.values())
    return {
        "per_1000_scans_usd": round(per_scan * 1000, 4),
        "per_student_term_usd": round(per_scan * scans_per_student_term(prices), 5),
        "price_table_date": str(prices["date"]),
        "scans_per_student_term": scans_per_student_term(prices),
        "per_1000_scans_by_service_usd": {k: round(v * 1000, 5) for k, v in parts.items()},
    }


def capacity(
    scan: PerScan, prices: dict[str, Any], functions: dict[str, FunctionSettings]
) -> dict[str, Any]:
    """The 9:00 peak (``prices.yaml`` ``peak``): per function, the instances it needs at
    its configured concurrency and by its CPU, against its ``max_instances``; Firestore
    writes per second against the documented limits; Pub/Sub's publish throughput."""
    peak = prices["peak"]
    rate = peak["scans"] / (peak["minutes"] * 60)
    utilisation = prices["assumptions"]["cpu_utilisation"]
    held = prices["assumptions"]["request_seconds"]
    rows = {}
    for name, per_scan in scan.requests.items():
        settings = functions[name]
        rps = rate * per_scan
        cpu_per_request = scan.cpu_s.get(name, 0.0) / per_scan if per_scan else 0.0
        by_cpu = math.ceil(rps * cpu_per_request / (settings.cpu * utilisation))
        by_concurrency = math.ceil(rps * held.get(name, 0.1) / settings.concurrency)
        needed = max(by_cpu, by_concurrency, 1)
        rows[name] = {
            "requests_per_s": round(rps),
            "instances_by_cpu": by_cpu,
            "instances_by_concurrency": by_concurrency,
            "instances_needed": needed,
            "max_instances": settings.max_instances,
            "fits": needed <= settings.max_instances,
        }
    limits = prices["limits"]
    writes = rate * (scan.firestore_writes + scan.firestore_deletes)
    publish = rate * scan.messages * scan.message_bytes
    return {
        "scans_per_s": round(rate, 1),
        "functions": rows,
        "firestore_writes_per_s": round(writes),
        "firestore_writes_limit_per_s": limits["firestore_writes_per_second"],
        "firestore_ramp_up_start_ops_per_s": limits["firestore_ramp_up_ops_per_second"],
        "firestore_reads_per_s": round(rate * scan.firestore_reads),
        "pubsub_publish_bytes_per_s": round(publish),
        "pubsub_publish_limit_bytes_per_s": limits["pubsub_publish_bytes_per_second"],
        "pubsub_pushes_per_s": round(rate * scan.deliveries),
    }
