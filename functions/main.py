"""Cloud Functions entry points of Rollcall. Each one is thin: it hands its request or
CloudEvent to the ``rollcall`` package, which does the work.

* ``scan`` (HTTP): every endpoint of the scan function, rollcall.http.router;
* ``record_attendance``, ``send_notification``, ``update_dashboard``, ``send_mail``
  (Pub/Sub push of their subscriptions): rollcall.consumers.attendance, .notify,
  .dashboard, .mail, each run by
  rollcall.consumers.delivery (raise to retry, poison to the dead-letter topic).
"""

import os

import functions_framework
from cloudevents.http.event import CloudEvent
from flask import Request
from flask.typing import ResponseReturnValue

from rollcall import clients
from rollcall.consumers import attendance, dashboard, delivery, mail, notify
from rollcall.errors import NotFound
from rollcall.http import router

if os.environ.get("K_SERVICE"):  # serving (Cloud Run, or the local stack), not a test
    target = os.environ.get("FUNCTION_TARGET", "")
    if target == "scan":
        router.warm()
    elif target:
        clients.warm(messaging=target == "send_notification")


@functions_framework.errorhandler(404)
def not_found(error: Exception) -> tuple[dict[str, dict[str, str]], int]:
    """A path Flask's router itself refuses (e.g. one with a newline, which the
    catch-all route does not match) gets the same JSON error as any unknown path."""
    return NotFound("no such endpoint").to_json(), 404


@functions_framework.http
def scan(request: Request) -> ResponseReturnValue:
    """HTTP: ``POST /`` a scan, and the teacher's endpoints (rollcall.http.router)."""
    return router.handle(request)


@functions_framework.cloud_event
def record_attendance(cloud_event: CloudEvent) -> None:
    """Pub/Sub push from subscription ``attendance``: the attendance record."""
    delivery.run("attendance", cloud_event, attendance.handle, attendance.TYPES)


@functions_framework.cloud_event
def send_notification(cloud_event: CloudEvent) -> None:
    """Pub/Sub push from subscription ``notify``: inbox entry and FCM push."""
    delivery.run("notify", cloud_event, notify.handle, notify.TYPES)


@functions_framework.cloud_event
def update_dashboard(cloud_event: CloudEvent) -> None:
    """Pub/Sub push from subscription ``dashboard``: live session aggregates."""
    delivery.run("dashboard", cloud_event, dashboard.handle, dashboard.TYPES)


@functions_framework.cloud_event
def send_mail(cloud_event: CloudEvent) -> None:
    """Pub/Sub push from subscription ``mail``: weekly digests and guardians' alerts."""
    delivery.run("mail", cloud_event, mail.handle, mail.TYPES)
