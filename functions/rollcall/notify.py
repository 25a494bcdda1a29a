"""Notifications: an in-app inbox entry and an FCM push to the student's devices.

* Inbox: ``users/{uid}/inbox/{session_id}``, created once per student and session.
* Devices: the ``fcm_tokens`` map of ``users/{uid}`` (token -> details); no token means
  inbox only. One document, so the user and the inbox entry come in one batched read.

The inbox entry also records the push state (``push.status``: ``none``, ``pending``,
``sent``; ``push.delivered``: tokens FCM accepted), so a redelivery neither adds a
second entry nor pushes again to a device that already got it. A token FCM reports as
unregistered or invalid is deleted and not retried. Quota and server errors leave the
push ``pending`` and raise, so Pub/Sub redelivers (and finally dead-letters).

Two deliveries for the same student and session can run at once (a double tap, a
duplicate publish). The first to create the entry owns the push (``push.owner``: its
delivery id); another delivery that finds a fresh claim by someone else acknowledges
without pushing, since the owner finishes or is retried. A claim older than
``CLAIM_LEASE`` (an owner that was dead-lettered, say) may be taken over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from google.api_core.exceptions import AlreadyExists
from google.cloud import firestore

from rollcall.errors import TransientError
from rollcall.events import ScanEvent

FCM_BATCH_LIMIT = 500  # messages per send_each call, FCM's limit
NONE, PENDING, SENT = "none", "pending", "sent"


@dataclass(frozen=True)
class Outcome:
    created: bool
    pushed: int = 0
    removed_tokens: int = 0


def message_text(event: ScanEvent) -> tuple[str, str]:
    if event.status == "late":
        return "Attendance recorded: late", "You were marked late for this session."
    return "Attendance recorded", "You were marked present for this session."


CLAIM_LEASE = timedelta(seconds=120)  # longer than the notify ack deadline


def notify(db: Any, app: Any, event: ScanEvent, delivery_id: str, at: datetime) -> Outcome:
    """Inbox entry plus push, once. Firestore work without devices: one batched read
    (user, entry) and one create; with devices, one more write after the push."""
    user_ref = db.collection("users").document(event.uid)
    inbox = user_ref.collection("inbox").document(event.session_id)
    user, entry_snap = _read_both(db, user_ref, inbox)
    tokens = sorted((user.to_dict() or {}).get("fcm_tokens") or {}) if user.exists else []
    title, body = message_text(event)
    claim = {
        "status": PENDING if tokens else NONE,
        "delivered": [],
        "owner": delivery_id,
        "claimed_at": at,
    }

    if entry_snap.exists:
        state = (entry_snap.to_dict() or {}).get("push") or {}
        if not _may_push(state, delivery_id, at):
            return Outcome(created=False)
        created = False
        if state.get("owner") != delivery_id:
            inbox.update({"push.owner": delivery_id, "push.claimed_at": at})
    else:
        try:
            inbox.create(
                {
                    "type": "attendance",
                    "title": title,
                    "body": body,
                    "session_id": event.session_id,
                    "course_id": event.course_id,
                    "status": event.status,
                    "scan_id": event.scan_id,
                    "created_at": firestore.SERVER_TIMESTAMP,
                    "read": False,
                    "push": claim,
                }
            )
        except AlreadyExists:  # a concurrent delivery created it first: it owns the push
            return Outcome(created=False)
        if not tokens:
            return Outcome(created=True)
        state, created = claim, True

    delivered = list(state.get("delivered") or [])
    pending = [t for t in tokens if t not in delivered]
    sent, removed, failed = push(app, pending, title, body, event)
    if removed:
        user_ref.update(
            {
                firestore.FieldPath("fcm_tokens", t).to_api_repr(): firestore.DELETE_FIELD
                for t in removed
            }
        )
    inbox.update({"push.status": PENDING if failed else SENT, "push.delivered": delivered + sent})
    if failed:
        raise TransientError(f"FCM refused {len(failed)} of {len(pending)} pushes: {failed[0]}")
    return Outcome(created=created, pushed=len(sent), removed_tokens=len(removed))


def _may_push(state: dict, delivery_id: str, at: datetime) -> bool:
    """Whether this delivery should (go on to) push for an existing entry."""
    if state.get("status") != PENDING:
        return False  # sent, or nothing to send
    if state.get("owner") == delivery_id:
        return True  # our own earlier attempt failed part-way: finish it
    claimed_at = state.get("claimed_at")
    return claimed_at is None or at - claimed_at > CLAIM_LEASE


def _read_both(db: Any, first: Any, second: Any) -> tuple[Any, Any]:
    snaps = {snap.reference.path: snap for snap in db.get_all([first, second])}
    return snaps[first.path], snaps[second.path]


def push(app: Any, tokens: list[str], title: str, body: str, event: ScanEvent):
    """Send to each token. Returns (sent tokens, tokens to remove, transient errors)."""
    from firebase_admin import exceptions, messaging

    # FCM says the token is dead or not one of ours: delete it, never retry it.
    remove_token_errors = (
        messaging.UnregisteredError,
        messaging.SenderIdMismatchError,
        exceptions.InvalidArgumentError,
    )
    sent: list[str] = []
    removed: list[str] = []
    failed: list[str] = []
    for start in range(0, len(tokens), FCM_BATCH_LIMIT):
        batch = tokens[start : start + FCM_BATCH_LIMIT]
        messages = [message(token, title, body, event) for token in batch]
        for token, error in zip(batch, _send(messaging, app, messages), strict=True):
            if error is None:
                sent.append(token)
            elif isinstance(error, remove_token_errors):
                removed.append(token)
            else:
                failed.append(f"{type(error).__name__}: {error}")
    return sent, removed, failed


def message(token: str, title: str, body: str, event: ScanEvent) -> Any:
    """One push. The session id is its tag/collapse key, so a repeated push replaces
    the first on the device instead of showing twice."""
    from firebase_admin import messaging

    tag = f"attendance-{event.session_id}"
    return messaging.Message(
        token=token,
        notification=messaging.Notification(title=title, body=body),
        data={"type": "attendance", "session_id": event.session_id, "status": event.status},
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
