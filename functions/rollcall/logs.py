"""Structured JSON logs on stdout, as Cloud Logging reads them.

One line per record with ``severity`` and ``message``; any keyword becomes a field
(``scan_id``, ``session_id``, ...). ``trace`` is mapped to Cloud Logging's trace field.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

from rollcall.config import settings


def log(severity: str, message: str, *, trace: str | None = None, **fields: object) -> None:
    entry: dict[str, object] = {
        "severity": severity,
        "message": message,
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
    }
    entry.update({k: v for k, v in fields.items() if v is not None})
    if trace:
        entry["logging.googleapis.com/trace"] = f"projects/{settings().project}/traces/{trace}"
    sys.stdout.write(json.dumps(entry, default=str) + "\n")
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
    return header.split("/", 1)[0] or None
