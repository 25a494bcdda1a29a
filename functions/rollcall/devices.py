"""One device, one student per session.

The first accepted scan from a device binds it to that student in
``sessions/{sid}/devices/{hash of device id}`` (a create: no read-modify-write). A later
scan from the same device by another student is ``device_in_use``; the same student
scanning again from it is fine. Binding is the last check before publishing, so a scan
rejected for any other reason binds nothing.

The device id comes from the client (a random id the web app keeps in local storage),
so this stops the casual proxy (one phone marking friends), not a determined one who
clears storage; device attestation (App Check) would be the next step.
"""

from __future__ import annotations

import hashlib
from typing import Any

from google.api_core.exceptions import AlreadyExists
from google.cloud import firestore

from rollcall.cache import TtlCache
from rollcall.errors import DeviceInUse


def device_key(device_id: str) -> str:
    return hashlib.sha256(device_id.encode()).hexdigest()[:32]


class DeviceRegistry:
    def __init__(self, db: Any, ttl: float = 300) -> None:
        self._db = db
        self._bound: TtlCache[str] = TtlCache(ttl)

    def claim(self, session_id: str, device_id: str, uid: str) -> None:
        """Bind the device to ``uid`` for the session, or raise DeviceInUse."""
        key = device_key(device_id)
        owner = self._bound.get((session_id, key), lambda: self._claim(session_id, key, uid))
        if owner != uid:
            raise DeviceInUse("this device already checked in another student for this session")

    def _claim(self, session_id: str, key: str, uid: str) -> str:
        ref = (
            self._db.collection("sessions").document(session_id).collection("devices").document(key)
        )
        try:
            ref.create({"uid": uid, "bound_at": firestore.SERVER_TIMESTAMP})
            return uid
        except AlreadyExists:
            return (ref.get().to_dict() or {}).get("uid", "")
