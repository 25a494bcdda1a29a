"""Cloud Functions entry points of Rollcall. Each one is thin: it hands its request or
CloudEvent to the ``rollcall`` package, which does the work."""

import os

import functions_framework

from rollcall import clients, consumers, ingest

if os.environ.get("K_SERVICE"):  # serving (Cloud Run, or the local stack), not a test
    clients.warm(os.environ.get("FUNCTION_TARGET", ""))


@functions_framework.errorhandler(404)
def not_found(error):
    """A path Flask's router itself refuses (e.g. one with a newline, which the
    catch-all route does not match) gets the same JSON error as any unknown path."""
    from rollcall.errors import NotFound

    return NotFound("no such endpoint").to_json(), 404


@functions_framework.http
def scan(request):
    """HTTP: POST /  {"qr", "device_id"} with a Firebase ID token -> 202 {"scan_id", "status"}."""
    return ingest.handle(request)


@functions_framework.cloud_event
def record_attendance(cloud_event):
    """Pub/Sub push from subscription ``attendance``: the attendance record."""
    consumers.run("attendance", cloud_event, consumers.record_attendance)


@functions_framework.cloud_event
def send_notification(cloud_event):
    """Pub/Sub push from subscription ``notify``: inbox entry and FCM push."""
    consumers.run("notify", cloud_event, consumers.send_notification)


@functions_framework.cloud_event
def update_dashboard(cloud_event):
    """Pub/Sub push from subscription ``dashboard``: live session aggregates."""
    consumers.run("dashboard", cloud_event, consumers.update_dashboard)
