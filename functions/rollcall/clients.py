"""Cloud clients, created once per instance on first use (not at import: a cold
start pays only for the clients its function needs)."""

from __future__ import annotations

import threading
from functools import cache
from typing import TYPE_CHECKING

from rollcall.config import settings

if TYPE_CHECKING:  # pragma: no cover
    import firebase_admin
    from google.cloud import firestore
    from google.cloud.pubsub_v1 import PublisherClient
    from google.cloud.storage import Client as StorageClient


@cache
def firestore_client() -> firestore.Client:
    from google.cloud import firestore

    from rollcall import usage

    client = firestore.Client(project=settings().project)
    usage.watch_firestore(client)
    return client


@cache
def publisher() -> PublisherClient:
    from google.cloud.pubsub_v1 import PublisherClient
    from google.cloud.pubsub_v1.types import BatchSettings

    batch = BatchSettings(
        max_messages=100,
        max_bytes=1_000_000,
        max_latency=settings().publish_max_latency_ms / 1000,
    )
    return PublisherClient(batch_settings=batch)


@cache
def storage_client() -> StorageClient:
    """Cloud Storage (absence requests' documents). With ``STORAGE_EMULATOR_HOST`` set
    (the local stack's emulator) the client goes there, without credentials."""
    import os

    from google.auth.credentials import AnonymousCredentials
    from google.cloud.storage import Client

    local = bool(os.environ.get("STORAGE_EMULATOR_HOST"))
    credentials = AnonymousCredentials() if local else None
    return Client(project=settings().project, credentials=credentials)


def topic_path(topic: str) -> str:
    return f"projects/{settings().project}/topics/{topic}"


FIREBASE_APP = "rollcall"
_FIREBASE_APP_LOCK = threading.Lock()


@cache
def firebase_app() -> firebase_admin.App:
    """The Admin SDK app. On the emulators (a ``demo-`` project) it uses anonymous
    credentials; in Cloud, the function's service account."""
    import firebase_admin
    from firebase_admin import credentials
    from google.auth.credentials import AnonymousCredentials

    class Anonymous(credentials.Base):
        def get_credential(self) -> AnonymousCredentials:
            return AnonymousCredentials()

    project = settings().project
    credential = Anonymous() if project.startswith("demo-") else None
    # Two threads' first calls may both get here (functools.cache does not lock): the
    # second takes the app the first made instead of failing with "already exists".
    with _FIREBASE_APP_LOCK:
        try:
            return firebase_admin.get_app(FIREBASE_APP)
        except ValueError:
            return firebase_admin.initialize_app(
                credential, {"projectId": project}, name=FIREBASE_APP
            )


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


def warm(messaging: bool = False) -> None:
    """Create at start-up the clients a consumer uses on every delivery (and FCM's, for
    the notification consumer), so the first deliveries of a burst do not queue behind
    client set-up. The scan function warms its own (rollcall.http.router.warm)."""
    firestore_client()
    if messaging:
        messaging_app()
