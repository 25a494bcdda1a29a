"""Notifications: an in-app inbox entry and an FCM push to the student's devices.

* Inbox: ``users/{uid}/inbox/{session_id}``, created once per student and session.
* Devices: ``users/{uid}/fcm_tokens/{token}``; no token means inbox only.

The inbox entry also records the push state (``push.status``: ``none``, ``pending``,
``sent``; ``push.delivered``: tokens FCM accepted), so a redelivery neither adds a
second entry nor pushes again to a device that already got it. A token FCM reports as
unregistered or invalid is deleted and not retried. Quota and server errors leave the
push ``pending`` and raise, so Pub/Sub redelivers (and finally dead-letters).
"""

from __future__ import annotations

from dataclasses import dataclass
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


def notify(db: Any, app: Any, event: ScanEvent) -> Outcome:
    user = db.collection("users").document(event.uid)
    inbox = user.collection("inbox").document(event.session_id)
    tokens = [ref.id for ref in user.collection("fcm_tokens").list_documents()]
    title, body = message_text(event)
    delivered: list[str] = []
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
                "push": {"status": PENDING if tokens else NONE, "delivered": []},
            }
        )
        created = True
    except AlreadyExists:
        existing = (inbox.get().to_dict() or {}).get("push") or {}
        if existing.get("status") != PENDING:
            return Outcome(created=False)
        delivered = list(existing.get("delivered") or [])
        created = False

    pending = [t for t in tokens if t not in delivered]
    if not pending:
        if tokens:
            inbox.update({"push.status": SENT})
        return Outcome(created=created)
    sent, removed, failed = push(app, pending, title, body, event)
    for token in removed:
        user.collection("fcm_tokens").document(token).delete()
    delivered += sent
    inbox.update({"push.status": PENDING if failed else SENT, "push.delivered": delivered})
    if failed:
        raise TransientError(f"FCM refused {len(failed)} of {len(pending)} pushes: {failed[0]}")
    return Outcome(created=created, pushed=len(sent), removed_tokens=len(removed))


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
        messages = [
            messaging.Message(
                token=token,
                notification=messaging.Notification(title=title, body=body),
                data={"type": "attendance", "session_id": event.session_id, "status": event.status},
            )
            for token in batch
        ]
        result = messaging.send_each(messages, app=app)
        for token, response in zip(batch, result.responses, strict=True):
            error = response.exception
            if response.success:
                sent.append(token)
            elif isinstance(error, remove_token_errors):
                removed.append(token)
            else:
                failed.append(f"{type(error).__name__}: {error}")
    return sent, removed, failed
