"""Settings, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass(frozen=True)
class Settings:
    project: str
    scan_topic: str
    dead_letter_suffix: str
    #: Largest accepted scan request body, in bytes.
    max_body_bytes: int
    #: Web origins allowed to call the scan endpoint from a browser.
    cors_origins: tuple[str, ...]
    #: How long a session document may be served from the ingest cache.
    session_cache_seconds: float
    #: How long a course roster may be served from the ingest cache.
    roster_cache_seconds: float
    #: Publisher batching window: a scan's answer waits at most this for its batch.
    publish_max_latency_ms: float
    #: Shards of each session's live tally (dashboard); see rollcall.consumers.dashboard.
    tally_shards: int
    #: Local only: base URL of an FCM v1 compatible endpoint (the emulator stack's).
    fcm_endpoint: str | None
    #: The institution's time zone (IANA): how times are written in messages.
    time_zone: str
    #: The Cloud Storage bucket of absence requests' documents (private; only the scan
    #: function's service account may use it). Locally on the stack's storage emulator.
    documents_bucket: str
    #: The institution's name, at the head of its reports.
    institution_name: str
    #: The SMTP relay of the mail consumer (rollcall.core.mail); STARTTLS unless local.
    #: Empty: no relay configured, no email is sent (the consumer says so and acks).
    smtp_host: str
    smtp_port: int
    smtp_user: str
    #: From Secret Manager in the cloud (Terraform: secret_environment_variables).
    smtp_password: str
    mail_from: str
    #: Signs the unsubscribe links (HMAC); from Secret Manager in the cloud.
    mail_link_secret: str
    #: Base URL of the scan function, for the links in emails.
    mail_link_base: str
    #: Days kept after the event that ends their use (rollcall.core.retention).
    retention_device_days: int
    retention_rejection_days: int
    retention_inbox_days: int
    retention_request_days: int
    retention_mail_days: int

    @property
    def local(self) -> bool:
        """A local project (``demo-...``): the emulators, test email domains allowed."""
        return self.project.startswith("demo-")


@cache
def settings() -> Settings:
    project = os.environ.get("GOOGLE_CLOUD_PROJECT") or os.environ.get("GCLOUD_PROJECT")
    if not project:
        raise RuntimeError("GOOGLE_CLOUD_PROJECT is not set")
    origins = os.environ.get("CORS_ORIGINS", "")
    return Settings(
        project=project,
        scan_topic=os.environ.get("SCAN_TOPIC", "scans"),
        dead_letter_suffix=os.environ.get("DEAD_LETTER_SUFFIX", "-dead-letter"),
        max_body_bytes=_int("MAX_BODY_BYTES", 4096),
        cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        session_cache_seconds=float(os.environ.get("SESSION_CACHE_SECONDS", 5)),
        roster_cache_seconds=float(os.environ.get("ROSTER_CACHE_SECONDS", 10)),
        publish_max_latency_ms=float(os.environ.get("PUBLISH_MAX_LATENCY_MS", 2)),
        tally_shards=_int("TALLY_SHARDS", 20),
        fcm_endpoint=os.environ.get("FCM_ENDPOINT") or None,
        time_zone=os.environ.get("TIME_ZONE", "Asia/Kolkata"),
        documents_bucket=os.environ.get("DOCUMENTS_BUCKET") or f"{project}-rollcall-documents",
        institution_name=os.environ.get("INSTITUTION_NAME", "Rollcall"),
        smtp_host=os.environ.get("SMTP_HOST", ""),
        smtp_port=_int("SMTP_PORT", 2525),
        smtp_user=os.environ.get("SMTP_USER", ""),
        smtp_password=os.environ.get("SMTP_PASSWORD", ""),
        mail_from=os.environ.get("MAIL_FROM", "Rollcall <rollcall@rollcall.test>"),
        mail_link_secret=os.environ.get("MAIL_LINK_SECRET", ""),
        mail_link_base=os.environ.get("MAIL_LINK_BASE", "").rstrip("/"),
        retention_device_days=_int("RETENTION_DEVICE_DAYS", 7),
        retention_rejection_days=_int("RETENTION_REJECTION_DAYS", 30),
        retention_inbox_days=_int("RETENTION_INBOX_DAYS", 30),
        retention_request_days=_int("RETENTION_REQUEST_DAYS", 365),
        retention_mail_days=_int("RETENTION_MAIL_DAYS", 90),
    )
