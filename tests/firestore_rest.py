"""A client's view of Firestore: the emulator's REST API with a Firebase ID token, so
the security rules apply (the Admin SDK bypasses them)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import requests


def _base() -> str:
    host = os.environ["FIRESTORE_EMULATOR_HOST"]
    project = os.environ["GOOGLE_CLOUD_PROJECT"]
    return f"http://{host}/v1/projects/{project}/databases/(default)/documents"


def _value(v: Any) -> dict:
    if isinstance(v, bool):
        return {"booleanValue": v}
    if isinstance(v, int):
        return {"integerValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v}
    if isinstance(v, str):
        return {"stringValue": v}
    if isinstance(v, datetime):
        return {"timestampValue": v.astimezone(UTC).isoformat().replace("+00:00", "Z")}
    if isinstance(v, dict):
        return {"mapValue": {"fields": {k: _value(x) for k, x in v.items()}}}
    if isinstance(v, list):
        return {"arrayValue": {"values": [_value(x) for x in v]}}
    if v is None:
        return {"nullValue": None}
    raise TypeError(type(v))


class Client:
    """Requests as a signed-in user (``id_token``) or anonymously (None)."""

    def __init__(self, id_token: str | None) -> None:
        self.headers = {"Authorization": f"Bearer {id_token}"} if id_token else {}

    def get(self, path: str) -> int:
        return requests.get(f"{_base()}/{path}", headers=self.headers, timeout=10).status_code

    def query(
        self,
        collection: str,
        field: str,
        value: Any,
        parent: str = "",
        group: bool = False,
        op: str = "EQUAL",
    ) -> int:
        """A query ``field <op> value`` (``EQUAL``, ``ARRAY_CONTAINS``) on a collection
        (``group``: on every collection of that name, a collection-group query)."""
        url = f"{_base()}/{parent}:runQuery" if parent else f"{_base()}:runQuery"
        body = {
            "structuredQuery": {
                "from": [{"collectionId": collection, "allDescendants": group}],
                "where": {
                    "fieldFilter": {
                        "field": {"fieldPath": field},
                        "op": op,
                        "value": _value(value),
                    }
                },
            }
        }
        return requests.post(url, json=body, headers=self.headers, timeout=10).status_code

    def commit(
        self,
        path: str,
        fields: dict,
        *,
        exists: bool | None = None,
        mask: list[str] | None = None,
        server_time: tuple[str, ...] = (),
    ) -> int:
        """Write ``fields`` to ``path`` (create with exists=False, update with a mask)."""
        project_doc = _base().split("/v1/", 1)[1]
        write: dict[str, Any] = {
            "update": {
                "name": f"{project_doc}/{path}",
                "fields": {k: _value(v) for k, v in fields.items()},
            }
        }
        if mask is not None:
            write["updateMask"] = {"fieldPaths": mask}
        if exists is not None:
            write["currentDocument"] = {"exists": exists}
        if server_time:
            write["updateTransforms"] = [
                {"fieldPath": f, "setToServerValue": "REQUEST_TIME"} for f in server_time
            ]
        url = f"{_base()}:commit"
        resp = requests.post(url, json={"writes": [write]}, headers=self.headers, timeout=10)
        return resp.status_code

    def delete(self, path: str) -> int:
        return requests.delete(f"{_base()}/{path}", headers=self.headers, timeout=10).status_code
