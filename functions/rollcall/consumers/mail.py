"""The mail consumer (subscription ``mail``; decision 0027): the weekly digests and the
guardians' alerts, each email sent once.

* ``digest``: one email per teacher and per head of department for the period
  (rollcall.core.digests);
* ``alert`` of kind below-threshold: the student's guardian, with the student's
  consent and the institution's ``guardian_alerts`` on (rollcall.core.guardians);
* any other type: not this consumer's.

Once per email: ``mail/{marker}`` (``{period}-{address key}``, or ``{alert id}-{address
key}``) is created before the send with a claim (``status`` sending, ``owner`` this
attempt, ``claimed_at``), then marked ``sent`` (or ``bounced``). A second trigger or a
redelivery finds the marker and sends nothing; a claim of another message that is still
live is left to its owner (acknowledged); a copy of the same message fails and is retried
later; a claim older than ``CLAIM_LEASE`` (its attempt died) is taken over. An attempt
that dies between the relay's acceptance and the ``sent`` mark may, at worst, have its
email sent a second time by the attempt that takes the claim over.

Skipped before any send: an address that unsubscribed (``mail_optouts/{key}``, from the
link in every digest) or bounced (``mail_bounces/{key}``: a permanent 5xx, recorded with
its code and reason; never retried until the operator clears it, ``rollcall mail
clear-bounce``). A transient failure (4xx, no connection) releases the claim and fails
the delivery once the other emails are done: Pub/Sub retries, then dead-letters.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from google.api_core.exceptions import AlreadyExists, FailedPrecondition
from google.cloud import firestore
from google.cloud.firestore import Client, DocumentSnapshot

from rollcall import clients, logs
from rollcall.clock import now
from rollcall.config import settings
from rollcall.consumers.delivery import Delivery, skipped
from rollcall.core import digests, guardians, mail, messages, retention, standing
from rollcall.core.events import Alert, Digest, Event
from rollcall.errors import TransientError

SENDING, SENT, BOUNCED = "sending", "sent", "bounced"
#: The message types it takes (its subscription's `types` in infra/topology.yaml).
TYPES = frozenset({"digest", "alert"})
CLAIM_LEASE = timedelta(seconds=300)  # longer than the mail ack deadline


class ClaimedByCopy(TransientError):
    """Another attempt of this very message is sending this email: retry later."""


def handle(event: Event, delivery: Delivery) -> dict[str, Any]:
    """The effect of one event on topic ``scans`` (rollcall.consumers.delivery.run)."""
    if not isinstance(event, Digest | Alert):
        return skipped("mail", event)
    if not settings().smtp_host:  # no relay configured (Terraform var.smtp null)
        return {"effect": "mail", "sent": 0, "relay": "not configured"}
    db = clients.firestore_client()
    at = now()
    if isinstance(event, Digest):
        published = _published(delivery) or at
        tz = settings().time_zone
        period = event.period or mail.period_of(published, tz)
        start, end = mail.window(period, published, tz)
        mails = digests.all_mails(db, period, start, min(end, at), tz)
        return {
            "effect": "mail",
            "for_period": period,
            **send_all(db, mails, delivery.message_id, at),
        }
    if isinstance(event, Alert) and standing.split(event.kind)[1] == standing.BELOW_THRESHOLD:
        found = guardians.recipient(db, event.uid)
        if found is None:
            return {"effect": "mail", "sent": 0, "guardian": "none or no consent"}
        alert = guardian_mail(event, found)
        return {"effect": "mail", **send_all(db, [alert], delivery.message_id, at)}
    return skipped("mail", event)


def guardian_mail(event: Alert, guardian: guardians.Guardian) -> mail.Mail:
    """A guardian's email about a student's alert, in ``guardian.language``: the alert as
    the student was told it (its ``words``; an alert published without them: its
    English title and body)."""
    language = guardian.language
    title, body = event.title, event.body
    if event.words is not None:
        try:
            title, body = messages.Words.from_json(event.words).render(language)
        except (KeyError, ValueError):  # words from another version: the English text
            logs.warning("alert words not worded: English", alert_id=event.alert_id)
    name = guardian.name or messages.text(language, "mail.guardian.the_student")

    def say(key: str, **params: str) -> str:
        return messages.text(language, f"mail.guardian.{key}", name=name, **params)

    return mail.Mail(
        marker=f"{event.alert_id}-{event.uid}-{mail.key(guardian.email)}",
        kind="guardian_alert",
        to=guardian.email,
        subject=say("subject", title=title),
        lines=(say("intro"), "", body, "", say("why")),
        unsubscribe=False,
        language=language,
    )


def _published(delivery: Delivery) -> datetime | None:
    try:
        return datetime.fromisoformat(str(delivery.publish_time).replace("Z", "+00:00"))
    except ValueError:
        return None


def send_all(db: Client, mails: list[mail.Mail], message_id: str, at: datetime) -> dict[str, Any]:
    """Send each email once; raise after trying them all when any failed for now."""
    counts = {"sent": 0, "already": 0, "opted_out": 0, "bounced": 0}
    failed: list[str] = []
    for m in mails:
        try:
            counts[send_once(db, m, message_id, at)] += 1
        except TransientError as exc:
            failed.append(str(exc))
    if failed:
        raise TransientError(f"{len(failed)} of {len(mails)} emails not sent: {failed[0]}")
    return {"created": counts["sent"] > 0 or not mails, **counts}


def send_once(db: Client, m: mail.Mail, message_id: str, at: datetime) -> str:
    """One email, once: ``sent``, ``already`` (sent or being sent already),
    ``opted_out`` or ``bounced``."""
    address = mail.key(m.to)
    blocked = mail.blocked(db, m.to)
    if blocked is not None:
        return blocked
    ref = db.collection(mail.MARKERS).document(m.marker)
    attempt = f"{message_id}/{uuid.uuid4().hex[:12]}"
    claim = {"status": SENDING, "owner": attempt, "message": message_id, "claimed_at": at}
    try:
        ref.create(
            {
                **claim,
                "kind": m.kind,
                "to": m.to,
                "created_at": at,
                retention.FIELD: retention.mail(at),
            }
        )
    except AlreadyExists:
        if not _take_over(db, ref.get(), attempt, message_id, at):
            return "already"
    try:
        bounce = mail.send(mail.compose(m))
    except TransientError:
        ref.update({"owner": None, "claimed_at": None})  # the retry may take it at once
        raise
    if bounce is not None:
        batch = db.batch()
        batch.set(
            db.collection(mail.BOUNCES).document(address),
            {"email": m.to, "code": bounce.code, "reason": bounce.reason, "at": at},
        )
        batch.update(ref, {"status": BOUNCED, "owner": None, "bounce_code": bounce.code})
        batch.commit()
        logs.warning("email bounced: address not retried", kind=m.kind, code=bounce.code)
        return "bounced"
    ref.update({"status": SENT, "owner": None, "sent_at": firestore.SERVER_TIMESTAMP})
    return "sent"


def _take_over(
    db: Client, snap: DocumentSnapshot, attempt: str, message_id: str, at: datetime
) -> bool:
    """Whether this attempt now holds the marker's claim (nobody sent the email, and no
    live attempt is sending it). Raises ``ClaimedByCopy`` when a copy of this message
    holds a live claim."""
    doc = snap.to_dict() or {}
    if doc.get("status") != SENDING:
        return False
    claimed = doc.get("claimed_at")
    live = doc.get("owner") is not None and claimed is not None and at - claimed <= CLAIM_LEASE
    if live:
        if doc.get("message") == message_id:
            raise ClaimedByCopy("a copy of this delivery is sending this email now")
        return False
    try:
        snap.reference.update(
            {"owner": attempt, "message": message_id, "claimed_at": at},
            option=db.write_option(last_update_time=snap.update_time),
        )
    except FailedPrecondition:  # another attempt took it first
        return False
    return True
