"""Rotating, signed QR tokens.

A token is ``<version>.<session_id>.<window>.<mac>`` where ``window`` is
``floor(unix_seconds / rotation_seconds)`` and ``mac`` is the first ``MAC_BYTES`` of
HMAC-SHA256(session secret, ``"<session_id>.<window>"``), base64url without padding.
The teacher's page computes the same value with WebCrypto, so a rotation costs no
server round-trip. The current window and the previous one are accepted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from rollcall import contracts
from rollcall.errors import QrExpired, QrInvalid

VERSION = contracts.QR_VERSION
MAC_BYTES = contracts.QR_MAC_BYTES
_MAC_CHARS = -(-MAC_BYTES * 4 // 3)  # base64url length of MAC_BYTES without padding
_TOKEN = re.compile(
    rf"(?P<v>[0-9]+)\.(?P<sid>{contracts.SESSION_ID.pattern})\.(?P<w>[0-9]{{1,12}})"
    r"\.(?P<mac>[A-Za-z0-9_-]+)"
)
MAX_TOKEN_LENGTH = contracts.QR_TOKEN_MAX_LENGTH


@dataclass(frozen=True)
class QrToken:
    session_id: str
    window: int
    mac: str


def new_secret() -> str:
    """A fresh session secret: 32 random bytes, base64url without padding."""
    return _b64(secrets.token_bytes(32))


def decode_secret(secret: str) -> bytes:
    return base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))


def window_at(unix_seconds: float, rotation_seconds: int) -> int:
    return int(unix_seconds // rotation_seconds)


def mac(secret: bytes, session_id: str, window: int) -> str:
    digest = hmac.new(secret, f"{session_id}.{window}".encode(), hashlib.sha256).digest()
    return _b64(digest[:MAC_BYTES])


def mint(secret: bytes, session_id: str, window: int) -> str:
    return f"{VERSION}.{session_id}.{window}.{mac(secret, session_id, window)}"


def parse(token: object) -> QrToken:
    """Split a token into its parts; any malformed token is ``qr_invalid``."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise QrInvalid("QR code is not a Rollcall code")
    m = _TOKEN.fullmatch(token)
    if not m or len(m["mac"]) != _MAC_CHARS or not contracts.is_document_id(m["sid"]):
        raise QrInvalid("QR code is not a Rollcall code")
    if m["v"] != VERSION:
        raise QrInvalid(f"QR code version {m['v']} is not supported")
    return QrToken(session_id=m["sid"], window=int(m["w"]), mac=m["mac"])


def verify(token: QrToken, secret: bytes, rotation_seconds: int, now: float) -> None:
    """Accept a genuine token of the current or the previous window.

    The MAC is checked first and in constant time, so a forged token never learns
    anything about windows; then its age.
    """
    expected = mac(secret, token.session_id, token.window)
    if not hmac.compare_digest(expected.encode(), token.mac.encode()):
        raise QrInvalid("QR code is not genuine")
    current = window_at(now, rotation_seconds)
    if token.window > current:
        raise QrInvalid("QR code is from the future: check the clock of the teacher's screen")
    if token.window < current - 1:
        raise QrExpired("QR code has expired: scan the code on the screen now")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


CODE_DIGITS = contracts.CODE_DIGITS


def typed_code(secret: bytes, session_id: str, window: int) -> str:
    """The short numeric code shown next to the QR code, for typing by hand.

    Same secret and window as the token, a distinct message (``code.`` prefix), and
    RFC 4226 dynamic truncation to ``CODE_DIGITS`` digits.
    """
    digest = hmac.new(secret, f"code.{session_id}.{window}".encode(), hashlib.sha256).digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def matches_code(
    code: str, secret: bytes, session_id: str, rotation_seconds: int, now: float
) -> bool:
    """Whether ``code`` is the session's code of the current or the previous window
    (compared in constant time)."""
    current = window_at(now, rotation_seconds)
    found = False
    for window in (current, current - 1):
        expected = typed_code(secret, session_id, window)
        found |= hmac.compare_digest(expected.encode(), code.encode())
    return found


def code_age(
    code: str, secret: bytes, session_id: str, rotation_seconds: int, now: float, back: int
) -> int | None:
    """How many windows ago ``code`` was the session's code (0: the current window),
    looking ``back`` windows; None if it was none of them. For telling a code that
    expired from one that was never shown (rollcall.http.scan)."""
    current = window_at(now, rotation_seconds)
    age = None
    for ago in range(back + 1):
        expected = typed_code(secret, session_id, current - ago)
        if hmac.compare_digest(expected.encode(), code.encode()) and age is None:
            age = ago
    return age


def is_code(value: object) -> bool:
    return (
        isinstance(value, str) and len(value) == CODE_DIGITS and value.isascii() and value.isdigit()
    )
