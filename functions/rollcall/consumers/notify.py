"""The notification consumer: an in-app inbox entry and an FCM push to the student's
devices.

* Inbox: ``users/{uid}/inbox/{session_id}``, created once per student and session
  for a scan; ``{session_id}-override-{override_id}`` for each override; the alert's
  id (``alert-{course}-{kind}-{n}``) for each alert about the student's standing
  (rollcall.core.standing); ``{notice_id}`` for a notice (an absence request's or a
  dispute's decision). A session's close (absences) notifies nobody: the alerts do; nor
  do the overrides of an approved absence request: its decision's notice does, once.
* Devices: the ``fcm_tokens`` map of ``users/{uid}`` (token -> details); no token means
  inbox only. One document, so the user and the inbox entry come in one batched read.
* Language: ``users/{uid}.language`` (the same read): a scan's and an override's texts
  are worded in it from the catalogs (rollcall.core.messages; English when unset).

The inbox entry also records the push state (``push.status``: ``none``, ``pending``,
``sent``; ``push.delivered``: tokens FCM accepted), so a redelivery neither adds a
second entry nor pushes again to a device that already got it.

FCM's answers, per token (sent in batches of at most 500, FCM's limit):

* ``UNREGISTERED``, ``SENDER_ID_MISMATCH``, or ``INVALID_ARGUMENT`` about the
  registration token: the token is dead; it is deleted and never retried;
* anything else (``QUOTA_EXCEEDED``/429, ``UNAVAILABLE``/503, ``INTERNAL``/500, an
  ``INVALID_ARGUMENT`` about the message itself, a third-party auth error): the push
  stays ``pending`` and the delivery fails, so Pub/Sub redelivers it with backoff and
  finally dead-letters it, for replay once the cause is fixed. (firebase-admin itself
  retries 500 and 503 up to four times within the call first.)

Deliveries for the same student and session can run at once: two messages (a double
tap, a duplicate publish) or two copies of one message (Pub/Sub redelivers a message
whose first delivery is still at work). The push is claimed by one delivery *attempt*
(``push.owner``: the message id plus a nonce of this call; ``push.message``: the message
id), taken only by a create or by an update conditioned on the entry being unchanged,
so exactly one attempt pushes. An attempt that fails releases its claim (``owner``
null) with what it delivered, and raises so its message is retried. Another attempt
that finds a live claim:

* of another message: acknowledges without pushing (the owner's message is not
  acknowledged until its push is done or released, so it is retried if it fails);
* of its own message: fails, so Pub/Sub retries it later, when the push is done or the
  claim released (acknowledging now would lose the push if the owner then crashed).

A claim older than ``CLAIM_LEASE`` (its attempt crashed) may be taken over. An owner
that was dead-lettered will never finish: replaying its dead letter releases the claim
first (``release_claims``), so the replayed delivery pushes at once.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from google.api_core.exceptions import AlreadyExists
from google.cloud import firestore
from google.cloud.firestore import Client, DocumentReference, DocumentSnapshot
from google.cloud.firestore_v1.field_path import FieldPath

from rollcall import clients
from rollcall.clock import now
from rollcall.config import settings
from rollcall.consumers.delivery import Delivery, skipped
from rollcall.core import messages, retention, schema
from rollcall.core.events import REQUEST_BASIS, Alert, AttendanceEvent, Event, StudentNotice
from rollcall.errors import TransientError

#: The message types it takes (its subscription's `types` in infra/topology.yaml).
TYPES = frozenset({"scan", "override", "alert", "notice"})
FCM_BATCH_LIMIT = 500  # messages per send_each call, FCM's limit
NONE, PENDING, SENT = "none", "pending", "sent"


@dataclass(frozen=True)
class Outcome:
    created: bool
    pushed: int = 0
    removed_tokens: int = 0


@dataclass(frozen=True)
class Notice:
    """What the student is told: one inbox entry (``entry_id``) and its push."""

    uid: str
    entry_id: str
    title: str
    body: str
    #: Stored on the inbox entry besides title, body, read and push state.
    fields: dict[str, Any]
    #: The push's data payload (strings only, FCM's rule).
    data: dict[str, str]
    #: The text in the catalogs' terms, worded in the student's language when the
    #: student's document is read (title and body are its English wording); None when
    #: the event brought its own title and body.
    words: messages.Words | None = None

    def in_language(self, language: str) -> Notice:
        """This notice worded in ``language`` (itself when it has no catalog words)."""
        if self.words is None:
            return self
        title, body = self.words.render(language)
        return dataclasses.replace(self, title=title, body=body)


def handle(event: Event, delivery: Delivery) -> dict[str, Any]:
    """The effect of one event on topic ``scans`` (rollcall.consumers.delivery.run)."""
    if not isinstance(event, AttendanceEvent | Alert | StudentNotice) or getattr(
        event, "is_close", False
    ):
        return skipped("notification", event)
    if isinstance(event, AttendanceEvent) and event.basis.startswith(REQUEST_BASIS):
        # The overrides of an approved absence request: the decision's own notice has
        # told the student, once, rather than one push per excused session.
        return skipped("notification", event)
    db = clients.firestore_client()
    context = (
        None if isinstance(event, StudentNotice) else where(db, event.course_id, event.session_id)
    )
    notice = notice_of(event, context)
    if notice is None:
        return skipped("notification", event)
    from rollcall.consumers import figures

    at = now()
    expire_at = retention.inbox(figures.term_ends_on(db, event.course_id), at)
    outcome = notify(db, clients.messaging_app(), notice, delivery.message_id, at, expire_at)
    return {
        "effect": "notification",
        "created": outcome.created,
        "pushed": outcome.pushed,
        "removed_tokens": outcome.removed_tokens,
    }


@dataclass(frozen=True)
class Where:
    """Which course and session a notice is about, in the student's terms."""

    course_name: str
    starts_at: datetime | None

    def label(self, language: str = "en") -> str:
        """'Distributed Systems, Mon 7 Dec, 09:00' (the institution's time zone)."""
        return self.word(language)

    def word(self, language: str) -> str:
        if self.starts_at is None:
            return self.course_name
        local = self.starts_at.astimezone(ZoneInfo(settings().time_zone))
        return messages.text(
            language, "session.label", course=self.course_name, when=messages.When(local)
        )


def where(db: Client, course_id: str, session_id: str) -> Where:
    """The course's name and the session's start (cached: neither changes)."""
    from rollcall.consumers import figures

    name = figures.course(db, course_id).get("name") or course_id
    return Where(name, figures.session_info(db, session_id)[0])


def notice_of(
    event: AttendanceEvent | Alert | StudentNotice, context: Where | None = None
) -> Notice | None:
    """The notice an event gives, or None (a close's absences notify nobody).
    ``context`` names the course and the session in the text and on the entry."""
    if isinstance(event, Alert | StudentNotice):
        # An alert names its session on the entry; a notice carries its own extras.
        head = {"type": event.type, "kind": event.kind, "course_id": event.course_id}
        if isinstance(event, Alert):
            entry_id, shown, sent = event.alert_id, {"session_id": event.session_id}, {}
        else:
            entry_id, shown, sent = event.notice_id, event.extra, event.extra
        words = messages.Words.from_json(event.words) if event.words else None
        return Notice(
            uid=event.uid,
            entry_id=entry_id,
            title=event.title,
            body=event.body,
            fields={**head, **shown},
            data={**head, **sent},
            words=words,
        )
    if event.is_close:
        return None
    words = message_words(event, context)
    title, body = words.render(messages.DEFAULT)
    return Notice(
        uid=event.uid,
        entry_id=inbox_id(event),
        title=title,
        body=body,
        words=words,
        fields={
            "type": event.type,
            "session_id": event.session_id,
            "course_id": event.course_id,
            "course_name": context.course_name if context else None,
            "session_starts_at": context.starts_at if context else None,
            "status": event.status,
            "scan_id": event.event_id,
            "reason": event.reason or None,
        },
        data={"type": event.type, "session_id": event.session_id, "status": event.status},
    )


def inbox_id(event: AttendanceEvent) -> str:
    """One entry per student and session for the scan; one per override on top."""
    if event.is_override:
        return f"{event.session_id}-override-{event.event_id}"
    return event.session_id


def message_text(event: AttendanceEvent, context: Where | None = None) -> tuple[str, str]:
    """Title and body in English, naming the course and the session when known."""
    return message_words(event, context).render(messages.DEFAULT)


def message_words(event: AttendanceEvent, context: Where | None = None) -> messages.Words:
    """Title and body in the catalogs' terms (``scan.*``, ``override.*``), naming the
    course and the session when ``context`` is known."""
    bare = "" if context else "_bare"
    params: dict[str, Any] = {
        "session": context if context else messages.Term("session.this"),
        "course": context.course_name if context else "",
        "status": messages.Term(f"status.{event.status}"),
    }
    if event.is_override:
        return messages.Words(
            f"override.title{bare}", "override.body", {**params, "reason": event.reason}
        )
    kind = "late" if event.status == "late" else "present"
    return messages.Words(f"scan.{kind}_title{bare}", f"scan.{kind}_body", params)


CLAIM_LEASE = timedelta(seconds=120)  # longer than the notify ack deadline


class ClaimedByCopy(TransientError):
    """Another attempt of this very message is pushing: retry later."""


def notify(
    db: Client,
    app: Any,
    notice: Notice,
    delivery_id: str,
    at: datetime,
    expire_at: datetime | None = None,
) -> Outcome:
    """Inbox entry plus push, once, in the user's language; the entry expires at
    ``expire_at`` (after the course's term: rollcall.core.retention). Firestore work
    without devices: one read (the user's tokens and language) and one create; with
    devices, one more write after the push. The entry is not read first: its create
    fails on a redelivery, which then reads it."""
    user_ref = schema.user(db, notice.uid)
    inbox = schema.inbox(db, notice.uid, notice.entry_id)
    user = user_ref.get()
    profile = (user.to_dict() or {}) if user.exists else {}
    tokens = sorted(profile.get("fcm_tokens") or {})
    notice = notice.in_language(messages.language_of(profile.get("language")))
    attempt = f"{delivery_id}/{uuid.uuid4().hex[:12]}"
    claim: dict[str, Any] = {
        "status": PENDING if tokens else NONE,
        "delivered": [],
        "owner": attempt if tokens else None,
        "message": delivery_id,
        "claimed_at": at,
    }
    try:
        inbox.create(
            {
                **notice.fields,
                "title": notice.title,
                "body": notice.body,
                "created_at": firestore.SERVER_TIMESTAMP,
                "read": False,
                "push": claim,
                retention.FIELD: expire_at,
            }
        )
    except AlreadyExists:  # a redelivery, or a concurrent one: decide on what is there
        taken = _take_claim(db, inbox, inbox.get(), attempt, delivery_id, at)
        if taken is None:
            return Outcome(created=False)
        state, created = taken, False
    else:
        if not tokens:
            return Outcome(created=True)
        state, created = claim, True

    delivered = list(state.get("delivered") or [])
    pending = [t for t in tokens if t not in delivered]
    sent, removed, failed = push(app, pending, notice)
    # The push state and the dead tokens' removal in one atomic write: a retry neither
    # pushes again to a device that got it nor keeps a token FCM called dead. A failed
    # attempt releases its claim, so the retry of its message may take it at once.
    batch = db.batch()
    if removed:
        batch.update(
            user_ref,
            {FieldPath("fcm_tokens", t).to_api_repr(): firestore.DELETE_FIELD for t in removed},
        )
    batch.update(
        inbox,
        {
            "push.status": PENDING if failed else SENT,
            "push.delivered": delivered + sent,
            "push.owner": None,
        },
    )
    batch.commit()
    if failed:
        raise TransientError(f"FCM refused {len(failed)} of {len(pending)} pushes: {failed[0]}")
    return Outcome(created=created, pushed=len(sent), removed_tokens=len(removed))


def _take_claim(
    db: Client,
    inbox: DocumentReference,
    entry: DocumentSnapshot,
    attempt: str,
    message_id: str,
    at: datetime,
) -> dict[str, Any] | None:
    """The push state this attempt now owns, or None when there is nothing for it to
    push (sent, nothing to send, or a live claim of another message). Raises
    ``ClaimedByCopy`` when a copy of this message holds a live claim."""
    from google.api_core.exceptions import FailedPrecondition

    for _ in range(3):  # a lost race re-reads; a third loss in a row is a busy entry
        state = (entry.to_dict() or {}).get("push") or {} if entry.exists else {}
        if state.get("status") != PENDING:
            return None  # sent, or nothing to send
        if not _claim_is_free(state, at):
            if state.get("message") == message_id:
                raise ClaimedByCopy("a copy of this delivery is pushing now")
            return None
        try:
            inbox.update(
                {"push.owner": attempt, "push.message": message_id, "push.claimed_at": at},
                option=db.write_option(last_update_time=entry.update_time),
            )
        except FailedPrecondition:  # changed since it was read: someone else took it
            entry = inbox.get()
            continue
        return state
    raise TransientError("the push claim keeps changing: retry later")


def _claim_is_free(state: dict[str, Any], at: datetime) -> bool:
    """Nobody holds the claim: released by a failed attempt, released for a replay, or
    held longer than CLAIM_LEASE (its attempt died)."""
    claimed_at = state.get("claimed_at")
    if state.get("owner") is None or claimed_at is None:
        return True
    return bool(at - claimed_at > CLAIM_LEASE)


def push(app: Any, tokens: list[str], notice: Notice) -> tuple[list[str], list[str], list[str]]:
    """Send to each token. Returns (sent tokens, tokens to remove, transient errors)."""
    from firebase_admin import messaging

    sent: list[str] = []
    removed: list[str] = []
    failed: list[str] = []
    for start in range(0, len(tokens), FCM_BATCH_LIMIT):
        batch = tokens[start : start + FCM_BATCH_LIMIT]
        messages = [message(token, notice) for token in batch]
        for token, error in zip(batch, _send(messaging, app, messages), strict=True):
            if error is None:
                sent.append(token)
            elif token_is_dead(error):
                removed.append(token)
            else:
                failed.append(f"{type(error).__name__}: {error}")
    return sent, removed, failed


def token_is_dead(error: Exception) -> bool:
    """FCM says this token will never work again: the app was uninstalled
    (``UNREGISTERED``), the token belongs to another sender, or it is not a valid
    registration token. An ``INVALID_ARGUMENT`` about the message itself is our bug,
    not the device's: deleting every token for it would lose them all, so it fails
    the delivery instead."""
    from firebase_admin import exceptions, messaging

    if isinstance(error, messaging.UnregisteredError | messaging.SenderIdMismatchError):
        return True
    return isinstance(error, exceptions.InvalidArgumentError) and (
        "registration token" in str(error).lower()
    )


def release_claims(db: Client, notices: list[Notice]) -> int:
    """Free the push claims of these notices' inbox entries that are still ``pending``,
    so the next delivery pushes instead of waiting out ``CLAIM_LEASE``. For replaying
    notify's dead letters: the claim's owner was dead-lettered and will not finish.
    Returns how many claims were released."""
    from google.api_core.exceptions import FailedPrecondition, NotFound

    paths = {(n.uid, n.entry_id) for n in notices}
    refs = [schema.inbox(db, uid, entry) for uid, entry in sorted(paths)]
    released = 0
    for start in range(0, len(refs), 300):
        for snap in db.get_all(refs[start : start + 300]):
            push_state = (snap.to_dict() or {}).get("push") or {} if snap.exists else {}
            if push_state.get("status") != PENDING or push_state.get("claimed_at") is None:
                continue
            try:
                snap.reference.update(
                    {"push.claimed_at": None},
                    option=db.write_option(last_update_time=snap.update_time),
                )
            except (FailedPrecondition, NotFound):
                continue  # changed meanwhile: a delivery is at work on it
            released += 1
    return released


def message(token: str, notice: Notice) -> Any:
    """One push. The inbox entry's id is its tag/collapse key, so a repeated push
    replaces the first on the device instead of showing twice."""
    from firebase_admin import messaging

    tag = f"rollcall-{notice.entry_id}"
    return messaging.Message(
        token=token,
        notification=messaging.Notification(title=notice.title, body=notice.body),
        data=notice.data,
        android=messaging.AndroidConfig(
            collapse_key=tag, notification=messaging.AndroidNotification(tag=tag)
        ),
        apns=messaging.APNSConfig(headers={"apns-collapse-id": tag}),
        webpush=messaging.WebpushConfig(notification=messaging.WebpushNotification(tag=tag)),
    )


def _send(messaging: Any, app: Any, messages: list[Any]) -> list[Exception | None]:
    """Per-message error or None. One message goes out directly (send_each would spin
    up a thread pool for it); more go through send_each."""
    from firebase_admin import exceptions

    if len(messages) == 1:
        try:
            messaging.send(messages[0], app=app)
        except exceptions.FirebaseError as exc:
            return [exc]
        return [None]
    return [r.exception for r in messaging.send_each(messages, app=app).responses]
