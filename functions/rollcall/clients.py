"""Cloud clients, created once per instance on first use (not at import: a cold
start pays only for the clients its function needs)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from rollcall.config import settings

if TYPE_CHECKING:  # pragma: no cover
    import firebase_admin
    from google.cloud import firestore, pubsub_v1


@cache
def firestore_client() -> firestore.Client:
    from google.cloud import firestore

    return firestore.Client(project=settings().project)


@cache
def publisher() -> pubsub_v1.PublisherClient:
    from google.cloud import pubsub_v1

    batch = pubsub_v1.types.BatchSettings(
        max_messages=100,
        max_bytes=1_000_000,
        max_latency=settings().publish_max_latency_ms / 1000,
    )
    return pubsub_v1.PublisherClient(batch_settings=batch)


def topic_path(topic: str) -> str:
    return f"projects/{settings().project}/topics/{topic}"


@cache
def firebase_app() -> firebase_admin.App:
    """The Admin SDK app. On the emulators (a ``demo-`` project) it uses anonymous
    credentials; in Cloud, the function's service account."""
    import firebase_admin
    from firebase_admin import credentials
    from google.auth.credentials import AnonymousCredentials

    class Anonymous(credentials.Base):
        def get_credential(self):
            return AnonymousCredentials()

    project = settings().project
    credential = Anonymous() if project.startswith("demo-") else None
    return firebase_admin.initialize_app(credential, {"projectId": project}, name="rollcall")


@cache
def messaging_app() -> firebase_admin.App:
    """The Admin SDK app for FCM. Locally (``FCM_ENDPOINT`` set) the messaging
    service is pointed at the emulator stack's FCM v1 stand-in, since Google ships no
    FCM emulator; the Admin SDK offers no option for it, hence the one private field."""
    from firebase_admin import messaging

    app = firebase_app()
    endpoint = settings().fcm_endpoint
    if endpoint:
        service = messaging._get_messaging_service(app)
        service._fcm_url = f"{endpoint.rstrip('/')}/v1/projects/{settings().project}/messages:send"
    return app


def warm(target: str) -> None:
    """Create at start-up the clients the function ``target`` uses on every request,
    so the first requests of a burst do not queue behind imports and client set-up.
    Called from main.py when running as a service (Cloud Run sets ``K_SERVICE``; so
    does the local stack); cold start pays the same either way, the first burst less."""
    if target == "scan":
        from firebase_admin import auth  # noqa: F401 (imported for its cost)

        from rollcall import ingest

        firebase_app()
        ingest.directory()
        ingest.device_registry()
        publisher()
    elif target:
        firestore_client()
        if target == "send_notification":
            messaging_app()
