"""Email: the period of a digest, the messages, the unsubscribe links, and the SMTP
send with its verdict (decision 0027).

* ``period_of``: the ISO week (``2026-W49``) of an instant in the institution's time
  zone: the digest's once-per-period key;
* ``compose``: an ``EmailMessage``, plain text and a simple HTML part, UTF-8 (names in
  Devanagari survive), with ``List-Unsubscribe`` and an unsubscribe link;
* ``link_token``/``email_of``: the unsubscribe token, the address and its HMAC
  (``MAIL_LINK_SECRET``); a token that does not verify names nobody;
* ``send``: one message through the relay (``SMTP_HOST``/``SMTP_PORT``, STARTTLS and
  login unless local). ``Sent``; ``Bounced`` (a permanent 5xx for the address: record
  it, do not retry); raises ``TransientError`` for a 4xx or a connection failure (the
  delivery is retried, then dead-lettered).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import smtplib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import quote
from zoneinfo import ZoneInfo

from google.api_core.exceptions import AlreadyExists
from google.cloud.firestore import Client

from rollcall.config import settings
from rollcall.core import messages
from rollcall.errors import TransientError

SMTP_TIMEOUT = 20
#: ``mail/{marker}``: each email's once-only marker (rollcall.consumers.mail);
#: ``mail_optouts/{key}``: who unsubscribed; ``mail_bounces/{key}``: refused addresses.
MARKERS, OPTOUTS, BOUNCES = "mail", "mail_optouts", "mail_bounces"


def period_of(at: datetime, tz: str) -> str:
    """The ISO week ``at`` falls in, in the time zone ``tz``: ``2026-W49``."""
    year, week, _ = at.astimezone(ZoneInfo(tz)).isocalendar()
    return f"{year}-W{week:02d}"


def window(period: str, at: datetime, tz: str) -> tuple[datetime, datetime]:
    """The seven days a digest for ``period`` reports: those before ``at`` when ``at``
    falls in the period (the scheduled run), else the period's own Monday to Monday
    (a digest sent again for a past week)."""
    monday = date.fromisocalendar(int(period[:4]), int(period[6:]), 1)
    start = datetime.combine(monday, time(), ZoneInfo(tz))
    end = start + timedelta(days=7)
    if start <= at < end:
        return at - timedelta(days=7), at
    return start, end


def key(email: str) -> str:
    """The id part of what is keyed by an address (markers, opt-outs, bounces): a hash,
    so addresses do not show in paths or logs."""
    return "m" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:31]


def _mac(email: str) -> str:
    secret = settings().mail_link_secret.encode()
    return hmac.new(secret, email.strip().lower().encode(), hashlib.sha256).hexdigest()[:32]


def link_token(email: str) -> str:
    """The unsubscribe token of an address: the address (base64url) and its HMAC."""
    raw = base64.urlsafe_b64encode(email.strip().lower().encode()).decode().rstrip("=")
    return f"{raw}.{_mac(email)}"


def email_of(token: str) -> str | None:
    """The address a token was made for, or None when it does not verify (a secret
    that is not set verifies nothing)."""
    if not settings().mail_link_secret or not isinstance(token, str) or token.count(".") != 1:
        return None
    raw, mac = token.split(".")
    try:
        email = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (binascii.Error, ValueError):
        return None
    if not email or "@" not in email or not hmac.compare_digest(mac, _mac(email)):
        return None
    return email


def unsubscribe_url(email: str, language: str = messages.DEFAULT) -> str:
    """The link in an email; the page it opens is in the email's language."""
    url = f"{settings().mail_link_base}/mail/unsubscribe?token={quote(link_token(email))}"
    return url if language == messages.DEFAULT else f"{url}&lang={quote(language)}"


@dataclass(frozen=True)
class Mail:
    """One email to send once: ``marker`` is its once-only key (``{period}-{key}``, or
    ``{alert id}-{key}`` for a guardian's alert)."""

    marker: str
    kind: str  # digest_teacher | digest_head | guardian_alert
    to: str
    subject: str
    lines: tuple[str, ...]
    #: Digests can be unsubscribed from; a guardian's alert stops with the consent.
    unsubscribe: bool = True
    #: The recipient's language (its subject and lines are in it; so is the unsubscribe line).
    language: str = messages.DEFAULT


def compose(mail: Mail) -> EmailMessage:
    """The message: plain text and HTML alternatives, UTF-8, with the unsubscribe link
    in the text, the HTML and ``List-Unsubscribe``."""
    msg = EmailMessage()
    msg["From"] = settings().mail_from
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Message-ID"] = make_msgid(domain="rollcall")
    msg["X-Rollcall-Kind"] = mail.kind
    lines = list(mail.lines)
    if mail.unsubscribe:
        url = unsubscribe_url(mail.to, mail.language)
        msg["List-Unsubscribe"] = f"<{url}>"
        lines += ["", messages.text(mail.language, "mail.unsubscribe_text", url=url)]
    msg.set_content("\n".join(lines) + "\n", charset="utf-8")
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" if line else "" for line in mail.lines)
    if mail.unsubscribe:
        paragraphs += (
            f'<p style="color:#666"><a href="{html.escape(url)}">'
            f"{html.escape(messages.text(mail.language, 'mail.unsubscribe_link'))}</a></p>"
        )
    msg.add_alternative(
        f'<!doctype html><html lang="{html.escape(mail.language)}">'
        f'<body style="font-family:sans-serif">{paragraphs}</body></html>',
        subtype="html",
        charset="utf-8",
    )
    msg["Content-Language"] = mail.language  # after the content: setting it clears Content-*
    # Headers unfolded up to RFC 5322's 998 characters: Python's folding of a long
    # Devanagari subject into several encoded words drops the space at the fold
    # ("डिफॉल्टर, आठवडा" arrived as "डिफॉल्टर,आठवडा"); the parts were encoded above.
    msg.policy = msg.policy.clone(max_line_length=998)
    return msg


@dataclass(frozen=True)
class Bounced:
    """The relay refused the address for good (a 5xx): record it, never retry it."""

    code: int
    reason: str


def send(msg: EmailMessage) -> Bounced | None:
    """Send through the relay: None when accepted, ``Bounced`` when refused for good;
    raises ``TransientError`` when it may work later (4xx, no connection)."""
    s = settings()
    try:
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT) as smtp:
            if not s.local:
                smtp.starttls()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password)
            smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        code, reason = next(iter(exc.recipients.values()))
        return _verdict(code, reason)
    except smtplib.SMTPDataError as exc:  # the message refused after the address
        return _verdict(exc.smtp_code, exc.smtp_error)
    except (smtplib.SMTPException, OSError) as exc:
        # No connection, a 4xx, or a refusal that is about us, not the address (login,
        # sender): the delivery is retried, then dead-lettered for the operator.
        raise TransientError(f"SMTP relay unavailable: {exc!r}") from None
    return None


def _verdict(code: int, reason: bytes | str) -> Bounced:
    text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
    if 500 <= code < 600:
        return Bounced(code, text[:300])
    raise TransientError(f"SMTP relay answered {code}: {text[:300]}")


def blocked(db: Client, email: str) -> str | None:
    """Why no email may go to the address: ``opted_out``, ``bounced``, or None."""
    address = key(email)
    refs = [db.collection(OPTOUTS).document(address), db.collection(BOUNCES).document(address)]
    found = {snap.reference.parent.id for snap in db.get_all(refs) if snap.exists}
    if OPTOUTS in found:
        return "opted_out"
    return "bounced" if BOUNCES in found else None


def unsubscribe(db: Client, email: str, at: datetime) -> bool:
    """Record the address's opt-out from the digests (idempotent): True when new."""
    try:
        db.collection(OPTOUTS).document(key(email)).create({"email": email, "at": at})
    except AlreadyExists:
        return False
    return True
