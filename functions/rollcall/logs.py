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
* ``poison event dead-lettered`` (ERROR, with ``reason``): one per poison event.
"""

from __future__ import annotations

import json
import sys
import threading
from datetime import UTC, datetime

from rollcall.config import settings

TRACE_FIELD = "logging.googleapis.com/trace"
#: Fields a caller cannot overwrite; a keyword of the same name is kept as ``field_<name>``.
RESERVED = frozenset({"severity", "message", "time", TRACE_FIELD})
_write_lock = threading.Lock()  # gunicorn threads share stdout: one line at a time


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
    line = json.dumps(entry(severity, message, trace=trace, **fields), default=str) + "\n"
    with _write_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def info(message: str, **fields: object) -> None:
    log("INFO", message, **fields)


def warning(message: str, **fields: object) -> None:
    log("WARNING", message, **fields)


def error(message: str, **fields: object) -> None:
    log("ERROR", message, **fields)


def trace_id(header: str | None) -> str | None:
    """The trace id of an ``X-Cloud-Trace-Context: TRACE/SPAN;o=1`` header."""
    if not header:
        return None
    return header.split("/", 1)[0].split(";", 1)[0].strip() or None
