"""The contracts Rollcall shares with its web app, security rules and tests, read from
``contracts.json`` (beside this module; the web build imports the same file). What is
stated there is stated nowhere else: id patterns, session limits and defaults, the QR
format, statuses, error codes and the course settings' bounds."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PATH = Path(__file__).with_name("contracts.json")
_DATA: dict[str, Any] = json.loads(PATH.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Limit:
    """A whole number setting: its default and inclusive bounds."""

    default: int
    min: int
    max: int

    def __contains__(self, value: object) -> bool:
        return (
            isinstance(value, int) and not isinstance(value, bool) and self.min <= value <= self.max
        )


def data() -> dict[str, Any]:
    """The whole file (for tests and tools that compare it with other statements)."""
    return _DATA


def _limit(name: str) -> Limit:
    entry = _DATA["session"][name]
    return Limit(default=entry["default"], min=entry["min"], max=entry["max"])


#: A document id a client may name (request bodies, paths).
DOCUMENT_ID = re.compile(_DATA["ids"]["document"].strip("^$"))
#: A session id (also the session part of a QR token).
SESSION_ID = re.compile(_DATA["ids"]["session"].strip("^$"))
#: Ids Firestore reserves for itself (``__.*__``): it refuses them as document ids.
RESERVED_ID = re.compile(_DATA["ids"]["reserved"].strip("^$"))


def is_document_id(value: object, pattern: re.Pattern[str] = DOCUMENT_ID) -> bool:
    """Whether a client-supplied ``value`` may name a document: the pattern, and not one
    of the ids Firestore reserves (which it would refuse with an error, not a miss)."""
    return (
        isinstance(value, str)
        and pattern.fullmatch(value) is not None
        and RESERVED_ID.fullmatch(value) is None
    )


ROTATION_SECONDS = _limit("rotation_seconds")
LATE_AFTER_MINUTES = _limit("late_after_minutes")
DURATION_MINUTES = _limit("duration_minutes")
SESSION_SECRET = re.compile(_DATA["session"]["secret_pattern"].strip("^$"))

QR_VERSION: str = _DATA["qr"]["version"]
QR_MAC_BYTES: int = _DATA["qr"]["mac_bytes"]
CODE_DIGITS: int = _DATA["qr"]["code_digits"]
QR_TOKEN_MAX_LENGTH: int = _DATA["qr"]["token_max_length"]

SCAN_STATUSES: tuple[str, ...] = tuple(_DATA["statuses"]["scan"])
OVERRIDE_STATUSES: tuple[str, ...] = tuple(_DATA["statuses"]["override"])
RECORD_STATUSES: tuple[str, ...] = tuple(_DATA["statuses"]["record"])
CHECKED_IN: tuple[str, ...] = tuple(_DATA["statuses"]["checked_in"])

#: Every error code an endpoint answers -> its HTTP status.
ERROR_STATUS: dict[str, int] = {k: v for k, v in _DATA["errors"].items() if not k.startswith("$")}
#: Rejected scans recorded for the teacher (rollcall.core.rejections).
RECORDED_REJECTIONS: frozenset[str] = frozenset(_DATA["recorded_rejections"])

#: The course settings (rollcall.core.standing): name -> {kind, min, max, choices, default}.
COURSE_SETTINGS: dict[str, dict[str, Any]] = {
    k: v for k, v in _DATA["course_settings"].items() if not k.startswith("$")
}
STANDING_STATES: tuple[str, ...] = tuple(_DATA["standing_states"])
ALERTS: tuple[str, ...] = tuple(_DATA["alerts"])

#: The languages of the pages and the notifications (users/{uid}.language, decision 0031).
LANGUAGES: tuple[str, ...] = tuple(_DATA["languages"]["codes"])
DEFAULT_LANGUAGE: str = _DATA["languages"]["default"]
#: The privacy notice's version: a student who acknowledged an older one sees it again.
NOTICE_VERSION: int = _DATA["languages"]["notice_version"]
