"""Rejected scans, recorded for the teacher: who (and the email they signed in with, by
which a teacher knows someone who is not on the class list), which device, why, when.

Only rejections that can be attributed (a signed-in student and a known session) are
recorded, in ``sessions/{sid}/rejections/{uid}__{code}``: one document per student and
reason, with a ``count``, the time of the first (``first_at_ms``, epoch milliseconds:
a server-side minimum, so instances racing keep the earliest) and of the last
(``last_at``), so a student who retries a hundred times leaves one document,
not a hundred. Each instance writes a given document at most once per ``WRITE_EVERY``
seconds; repeats in between are held and written by a timer at the end of that time
(with the latest device, message and time), so the count is complete at most
``WRITE_EVERY`` seconds later: a dispute's evidence counts every refusal. This record is
the one document a rejected scan writes; no event is published for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from google.cloud import firestore
from google.cloud.firestore import Client

from rollcall import logs
from rollcall.contracts import RECORDED_REJECTIONS
from rollcall.core import retention, schema

RECORDED_CODES = RECORDED_REJECTIONS
WRITE_EVERY = 10.0


class RejectionLog:
    def __init__(
        self,
        db: Client,
        write_every: float = WRITE_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._write_every = write_every
        self._clock = clock
        self._lock = threading.Lock()
        self._last_write: dict[str, float] = {}
        self._pending: dict[str, int] = {}
        #: key -> the latest held rejection's document fields, for the timer's write.
        self._held: dict[str, tuple[str, str, dict[str, Any]]] = {}

    def due(self, key: str) -> int:
        """How many rejections to add now for ``key`` (0: not yet, collapse it)."""
        now = self._clock()
        with self._lock:
            self._pending[key] = self._pending.get(key, 0) + 1
            last = self._last_write.get(key)
            if last is not None and now - last < self._write_every:
                return 0
            self._last_write[key] = now
            return self._pending.pop(key)

    def record(
        self,
        session_id: str,
        uid: str,
        device_id: str | None,
        code: str,
        message: str,
        at: Any,
        email: str | None = None,
        expire_at: Any = None,
    ) -> bool:
        """Record one rejection; False when it was collapsed into a later write.
        ``expire_at``: when the record goes (rollcall.core.retention)."""
        if code not in RECORDED_CODES:
            return False
        doc_id = f"{uid}__{code}"
        key = f"{session_id}/{doc_id}"
        fields = {
            "uid": uid,
            "email": email,
            "code": code,
            "message": message,
            "device_id": device_id,
            "last_at": at,
            "first_at_ms": firestore.Minimum(int(at.timestamp() * 1000)),
            retention.FIELD: expire_at,
        }
        count = self.due(key)
        if not count:
            self._hold(key, session_id, doc_id, fields)
            return False
        self._write(session_id, doc_id, fields, count)
        return True

    def _write(self, session_id: str, doc_id: str, fields: dict[str, Any], count: int) -> None:
        schema.rejection(self._db, session_id, doc_id).set(
            {**fields, "count": firestore.Increment(count)}, merge=True
        )

    def _hold(self, key: str, session_id: str, doc_id: str, fields: dict[str, Any]) -> None:
        """Keep the latest held rejection of ``key``; the first one held starts the timer
        that writes them when the key's quiet time is over."""
        with self._lock:
            first = key not in self._held
            self._held[key] = (session_id, doc_id, fields)
            wait = self._write_every - (self._clock() - self._last_write.get(key, self._clock()))
        if first:
            timer = threading.Timer(max(wait, 0.0), self._flush, args=(key,))
            timer.daemon = True
            timer.start()

    def _flush(self, key: str) -> None:
        with self._lock:
            held = self._held.pop(key, None)
            count = self._pending.pop(key, 0)
            if count:
                self._last_write[key] = self._clock()
        if held and count:
            try:
                self._write(*held, count)
            except Exception as error:  # a lost count must not kill the timer thread
                logs.error("could not record held rejections", error=repr(error), key=key)
