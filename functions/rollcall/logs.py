"""Structured JSON logs on stdout, as Cloud Logging reads them.

One line per record: ``severity`` and ``message`` (Cloud Logging's own fields), ``time``,
then any keyword as a field of ``jsonPayload`` (``scan_id``, ``session_id``, ``reason``,
...; ``None`` values are left out). ``trace`` (the id from ``X-Cloud-Trace-Context``)
becomes ``logging.googleapis.com/trace``, so Cloud Logging files the line under the
request's trace. What Rollcall logs:

* ``scan accepted`` (INFO) and ``scan rejected`` (WARNING, ERROR for 5xx, with
  ``reason``): one line per scan request, from the scan function;
* ``consumer effect applied`` / ``consumer effect already applied`` (INFO): one line
  per delivery a consumer handled, with ``subscription`` and ``message_id``;
* ``consumer effect failed, delivery will be retried`` (ERROR): one per failed delivery;
* ``poison event dead-lettered`` (ERROR, with ``reason``): one per poison event;
* ``data taken`` (NOTICE, ``trail: access``): one per export, report, document, dispute
  evidence or data request someone took, saying who (``by``, ``role``), what, about
  which course or person, and how many rows (``taken``): the access trail that
  infra/logging.tf's sink keeps in its log bucket (docs/privacy.md).

A request thread does not write its line itself: it queues it, and one writer thread
per process writes whatever is queued in one go. Writing from each of the server's
threads (80 in the scan function) made every request wait on stdout and hand the GIL
over once more: 0.22 ms of CPU per request in ``make bench``'s throughput phase, a
fifth of the ingest's cost. ``flush()`` waits until every line logged so far is
written; it runs at exit.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import sys
import threading
import time
from datetime import UTC, datetime
from typing import Any

from rollcall.config import settings

TRACE_FIELD = "logging.googleapis.com/trace"
#: Fields a caller cannot overwrite; a keyword of the same name is kept as ``field_<name>``.
RESERVED = frozenset({"severity", "message", "time", TRACE_FIELD})
#: The writer thread writes at most this often (seconds): a line waits up to this long.
WRITE_EVERY = 0.01


class _Writer:
    """The process's one writer of log lines to stdout (started on first use, and
    again in a forked child, which gets a fresh queue)."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[Any, str] | threading.Event] = queue.SimpleQueue()
        self._pid: int | None = None
        self._start_lock = threading.Lock()

    def put(self, line: str) -> None:
        """Queue a line for the stdout of this moment (tests swap sys.stdout)."""
        if self._pid != os.getpid():
            self._start()
        self._queue.put((sys.stdout, line))

    def flush(self, timeout: float = 5) -> None:
        if self._pid != os.getpid():
            return  # nothing logged in this process
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout)

    def _start(self) -> None:
        with self._start_lock:
            if self._pid == os.getpid():
                return
            self._queue = queue.SimpleQueue()
            threading.Thread(target=self._run, name="rollcall-logs", daemon=True).start()
            self._pid = os.getpid()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            lines: dict[int, tuple[Any, list[str]]] = {}
            for item in batch:
                if isinstance(item, tuple):
                    stream, line = item
                    lines.setdefault(id(stream), (stream, []))[1].append(line)
            for stream, text in lines.values():
                try:
                    stream.write("".join(text))
                    stream.flush()
                except (OSError, ValueError):  # stdout closed or gone: nowhere to log
                    pass
            for item in batch:
                if isinstance(item, threading.Event):
                    item.set()
            time.sleep(WRITE_EVERY)  # let lines gather: fewer wake-ups and writes


_writer = _Writer()


def entry(
    severity: str, message: str, *, trace: str | None = None, **fields: object
) -> dict[str, object]:
    """The record as Cloud Logging's structured-logging agent reads it."""
    record: dict[str, object] = {
        "severity": severity,
        "message": message,
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
    }
    for key, value in fields.items():
        if value is not None:
            record[f"field_{key}" if key in RESERVED else key] = value
    if trace:
        record[TRACE_FIELD] = f"projects/{settings().project}/traces/{trace}"
    return record


def log(severity: str, message: str, *, trace: str | None = None, **fields: object) -> None:
    _writer.put(json.dumps(entry(severity, message, trace=trace, **fields), default=str) + "\n")


def flush() -> None:
    """Wait until every line logged so far is written to stdout."""
    _writer.flush()


atexit.register(flush)


def info(message: str, **fields: Any) -> None:
    log("INFO", message, **fields)


def warning(message: str, **fields: Any) -> None:
    log("WARNING", message, **fields)


def error(message: str, **fields: Any) -> None:
    log("ERROR", message, **fields)


#: The field and value by which the access trail's sink picks ``data taken`` lines.
TRAIL = "access"


def taken(
    what: str,
    *,
    by: str,
    role: str | None,
    rows: int | None,
    trace: str | None = None,
    **about: object,
) -> None:
    """One line of the access trail: ``by`` (a uid, or ``cli:<user>``) acting as
    ``role`` took ``what`` (``course_csv``, ``defaulters_pdf``, ``privacy_export``...)
    about ``about`` (course_id, session_id, department, as_of...), ``rows`` rows."""
    log(
        "NOTICE",
        "data taken",
        trace=trace,
        trail=TRAIL,
        what=what,
        by=by,
        role=role,
        rows=rows,
        **about,
    )


def trace_id(header: str | None) -> str | None:
    """The trace id of an ``X-Cloud-Trace-Context: TRACE/SPAN;o=1`` header."""
    if not header:
        return None
    return header.split("/", 1)[0].split(";", 1)[0].strip() or None
