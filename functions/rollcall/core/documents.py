"""Absence requests' documents (a medical certificate, a leave letter) in Cloud Storage.

The bucket (``DOCUMENTS_BUCKET``) is private: no client ever reaches it. A document
arrives with its request (``POST /requests``), its type checked by its content (the
file's first bytes, ``filetype``), never by its name or the type the browser claims;
and leaves only through ``GET /requests/{id}/document``, to the student who filed it
and the course's viewers (rollcall.http.requests). One object per filing
(``requests/{filing_id}``), shared by the filing's requests of several courses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rollcall import clients, contracts
from rollcall.config import settings

_LIMITS = contracts.data()["requests"]
#: Largest document accepted, in bytes (5 MB).
MAX_BYTES: int = _LIMITS["document_max_bytes"]
#: The accepted content types -> their file extension.
TYPES: dict[str, str] = dict(_LIMITS["document_types"])


@dataclass(frozen=True)
class Document:
    """An uploaded file as checked: its bytes, its type by content, a safe name."""

    data: bytes
    content_type: str
    filename: str

    def meta(self) -> dict[str, Any]:
        return {
            "content_type": self.content_type,
            "size": len(self.data),
            "filename": self.filename,
        }


def sniff(data: bytes) -> str | None:
    """The file's type by its content (PDF, JPEG, PNG), or None for anything else."""
    import filetype

    kind = filetype.guess(data[:8192])
    mime = kind.mime if kind is not None else None
    return mime if mime in TYPES else None


def safe_filename(name: str | None, content_type: str) -> str:
    """A filename fit for a Content-Disposition header: the sent name's letters,
    digits, dots, dashes and underscores, with the extension of its real type."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    stem = re.sub(r"\.(pdf|jpe?g|png)$", "", stem, flags=re.IGNORECASE).strip("._-")[:80]
    stem = stem or "document"
    return f"{stem}.{TYPES[content_type]}"


def object_name(filing_id: str) -> str:
    return f"requests/{filing_id}"


def _blob(filing_id: str) -> Any:
    bucket = clients.storage_client().bucket(settings().documents_bucket)
    return bucket.blob(object_name(filing_id))


def store(filing_id: str, document: Document) -> None:
    """Write the object (once: an existing object of the same name is an error)."""
    _blob(filing_id).upload_from_string(
        document.data, content_type=document.content_type, if_generation_match=0
    )


def read(filing_id: str) -> bytes | None:
    """The object's bytes, or None if it is gone."""
    from google.api_core.exceptions import NotFound

    try:
        data: bytes = _blob(filing_id).download_as_bytes()
    except NotFound:
        return None
    return data


def delete(filing_id: str) -> None:
    """Remove the object; already gone is fine."""
    from google.api_core.exceptions import NotFound

    try:
        _blob(filing_id).delete()
    except NotFound:
        pass
