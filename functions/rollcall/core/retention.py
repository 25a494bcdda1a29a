"""How long what expires is kept: one expiry field, ``expire_at`` (a Timestamp), set by
the code on every document of a collection that expires, which a Firestore TTL policy
on that collection group deletes after the time (infra/firestore.tf; within about a
day of it). The emulator applies no TTL: there the field is set all the same, and the
tests check it (docs/privacy.md lists what expires and why; decision 0029).

* ``sessions/{s}/devices/{key}``: the session's end + ``RETENTION_DEVICE_DAYS``;
* ``sessions/{s}/rejections/{id}``: the session's end + ``RETENTION_REJECTION_DAYS``;
* ``users/{uid}/inbox/{entry}``: the end of the course's term + ``RETENTION_INBOX_DAYS``;
* ``requests/{id}``: filed + ``RETENTION_REQUEST_DAYS`` (its document in the bucket
  goes at the same age, by the bucket's lifecycle rule);
* ``mail/{marker}``: sent + ``RETENTION_MAIL_DAYS``.

The periods are Terraform variables (``retention_*_days``), given to the functions as
these environment variables.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from rollcall.config import settings

FIELD = "expire_at"
#: Each expiring collection group -> the variable its period comes from (Terraform:
#: ``retention_days.<group>``; tests/infra check both sides).
EXPIRING = {
    "devices": "RETENTION_DEVICE_DAYS",
    "rejections": "RETENTION_REJECTION_DAYS",
    "inbox": "RETENTION_INBOX_DAYS",
    "requests": "RETENTION_REQUEST_DAYS",
    "mail": "RETENTION_MAIL_DAYS",
}
#: Where the term is unknown, an inbox entry is kept this long after it was made.
TERM_DAYS = 180


def after(base: datetime, days: int) -> datetime:
    return base + timedelta(days=days)


def device(session_ends_at: datetime) -> datetime:
    return after(session_ends_at, settings().retention_device_days)


def rejection(session_ends_at: datetime) -> datetime:
    return after(session_ends_at, settings().retention_rejection_days)


def inbox(term_ends_on: Any, made_at: datetime) -> datetime:
    """The day after the term's last day (``YYYY-MM-DD``), plus the period; without a
    term, TERM_DAYS after the entry was made, plus the period."""
    try:
        end = datetime.combine(date.fromisoformat(term_ends_on), time(), UTC) + timedelta(days=1)
    except (TypeError, ValueError):
        end = after(made_at, TERM_DAYS)
    return after(max(end, made_at), settings().retention_inbox_days)


def request(filed_at: datetime) -> datetime:
    return after(filed_at, settings().retention_request_days)


def mail(sent_at: datetime) -> datetime:
    return after(sent_at, settings().retention_mail_days)
