"""What a process asked of the billed services, counted by the code itself: Firestore
reads, writes, deletes and requests, Pub/Sub messages and bytes published, and the
requests the function served (HTTP requests, push deliveries).

Off unless ``ROLLCALL_USAGE_DIR`` is set (the local stack sets it) in a serving
function (``K_SERVICE``; a test or the CLI is not counted): then the counts go, at most
every ``FLUSH_SECONDS``, to ``<dir>/<K_SERVICE>-<pid>.json``, one file per process,
which ``make bench`` adds up before and after a burst (rollcall_ops.bench).
Firestore is counted as it bills: a batched get, one read per document asked for; a
query, one read per document returned and at least one; a count (aggregation), one
read per 1,000 entries counted and at least one; a commit or batch write, one write or
delete per document written. Counting wraps the methods of the client's GAPIC layer
(``client._firestore_api``), the one place every Firestore call of the client goes
through.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

FLUSH_SECONDS = 0.25
#: The counters, one set per process.
KEYS = (
    "firestore_reads",
    "firestore_writes",
    "firestore_deletes",
    "firestore_requests",
    "pubsub_messages",
    "pubsub_bytes",
    "function_requests",
)

_counts: Counter[str] = Counter()
_lock = threading.Lock()
_writer: threading.Thread | None = None


def enabled() -> bool:
    return bool(os.environ.get("ROLLCALL_USAGE_DIR") and os.environ.get("K_SERVICE"))


def add(**amounts: int) -> None:
    """Count ``amounts`` (keys of KEYS); nothing when counting is off."""
    if not enabled():
        return
    with _lock:
        _counts.update(amounts)
    _start_writer()


def snapshot() -> dict[str, int]:
    with _lock:
        return {k: _counts.get(k, 0) for k in KEYS}


def _start_writer() -> None:
    global _writer
    if _writer is not None:
        return
    with _lock:
        if _writer is None:
            _writer = threading.Thread(target=_write_loop, name="usage-writer", daemon=True)
            _writer.start()


def _path() -> Path:
    service = os.environ.get("K_SERVICE", "process")
    return Path(os.environ["ROLLCALL_USAGE_DIR"]) / f"{service}-{os.getpid()}.json"


def _write_loop() -> None:
    written: dict[str, int] = {}
    while True:
        time.sleep(FLUSH_SECONDS)
        now = snapshot()
        if now != written and enabled():  # counting can be turned off meanwhile (tests)
            write(now)
            written = now


def write(counts: dict[str, int]) -> None:
    """Replace this process's file atomically (a reader never sees half of it)."""
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(counts))
    tmp.replace(path)


def read_all(directory: Path) -> dict[str, dict[str, int]]:
    """Every process's counts in ``directory``: file stem -> counts."""
    out = {}
    for path in sorted(directory.glob("*.json")):
        try:
            out[path.stem] = json.loads(path.read_text())
        except (OSError, ValueError):  # replaced meanwhile
            continue
    return out


# --- Firestore ------------------------------------------------------------------------


def _field(request: Any, name: str) -> Any:
    if isinstance(request, dict):
        return request.get(name)
    return getattr(request, name, None)


def _is_delete(write: Any) -> bool:
    if isinstance(write, dict):
        return "delete" in write
    pb = getattr(write, "_pb", write)
    return bool(pb.WhichOneof("operation") == "delete")


def writes_of(request: Any) -> dict[str, int]:
    """The writes and deletes of a commit or batch write request."""
    writes = list(_field(request, "writes") or [])
    deletes = sum(1 for w in writes if _is_delete(w))
    return {"firestore_writes": len(writes) - deletes, "firestore_deletes": deletes}


def _has_document(response: Any) -> bool:
    pb = getattr(response, "_pb", response)
    return bool(pb.HasField("document"))


def _counted_stream(responses: Iterable[Any], per: Callable[[Any], int], least: int) -> Iterator:
    """Yield ``responses``, then count the reads ``per`` gives them (at least ``least``)."""
    reads = 0
    try:
        for response in responses:
            reads += per(response)
            yield response
    finally:
        add(firestore_reads=max(reads, least))


def _aggregated(response: Any) -> int:
    """Reads of a count: one per 1,000 index entries counted."""
    pb = getattr(response, "_pb", response)
    if not pb.HasField("result"):
        return 0
    counted = sum(v.integer_value for v in pb.result.aggregate_fields.values())
    return counted // 1000


def watch_firestore(client: Any) -> None:
    """Count what ``client`` asks of Firestore (when counting is on)."""
    if not enabled():
        return
    api = client._firestore_api

    def wrap(name: str, counts: Callable[[Any, Any], Any]) -> None:
        method = getattr(api, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            request = kwargs.get("request", args[0] if args else None)
            add(firestore_requests=1)
            return counts(request, method(*args, **kwargs))

        setattr(api, name, counted)

    def wrote(request: Any, response: Any) -> Any:
        add(**writes_of(request))
        return response

    def got(request: Any, response: Any) -> Any:
        add(firestore_reads=len(list(_field(request, "documents") or [])))
        return response

    def queried(request: Any, response: Any) -> Any:
        return _counted_stream(response, lambda r: int(_has_document(r)), 1)

    def counted_query(request: Any, response: Any) -> Any:
        return _counted_stream(response, _aggregated, 1)

    def listed(request: Any, response: Any) -> Any:
        return _counted_stream(response, lambda r: 1, 1)

    def other(request: Any, response: Any) -> Any:
        return response

    wrap("commit", wrote)
    wrap("batch_write", wrote)
    wrap("batch_get_documents", got)
    wrap("run_query", queried)
    wrap("run_aggregation_query", counted_query)
    wrap("list_documents", listed)
    wrap("begin_transaction", other)
    wrap("rollback", other)
