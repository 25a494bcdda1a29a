"""Bench-only functions (never deployed; `make bench` serves them like the ingest).

* ``bare``: the floor. Publishes one message per request and answers 202: what any
  HTTP-to-Pub/Sub function costs on this server, with the ingest's publisher settings.
* ``scan_sync``: the design not taken. The ingest's checks, then the three effects
  done inside the request (attendance record, inbox and push, dashboard tally) before
  answering, instead of publishing for the consumers.
"""

import sys
import uuid
from pathlib import Path

import functions_framework

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "functions"))

from rollcall import clients  # noqa: E402
from rollcall.clock import now  # noqa: E402
from rollcall.config import settings  # noqa: E402
from rollcall.consumers import attendance, dashboard, notify  # noqa: E402
from rollcall.errors import RequestError  # noqa: E402
from rollcall.http import scan  # noqa: E402

BARE_TOPIC = "bench-bare"


@functions_framework.http
def bare(request):
    data = request.get_data() or b"{}"
    topic = clients.topic_path(BARE_TOPIC)
    clients.publisher().publish(topic, data, type="bench").result(10)
    return {"scan_id": uuid.uuid4().hex, "status": "present"}, 202


def _apply_effects(event):
    db = clients.firestore_client()
    attendance.record(db, event)
    notify.notify(db, clients.messaging_app(), notify.notice_of(event), event.event_id, now())
    dashboard.tally(db, event, settings().tally_shards)


class _EffectsInsteadOfPublishing:
    """rollcall.pubsub as the scan endpoint sees it in this bench-only process: its last
    step, publishing, becomes the three effects themselves; every check before it stays
    the same."""

    @staticmethod
    def publish(events):
        for event in events:
            _apply_effects(event)


scan.pubsub = _EffectsInsteadOfPublishing


@functions_framework.http
def scan_sync(request):
    try:
        event = scan.accept(request, {})
    except RequestError as exc:
        return exc.to_json(), exc.status
    return {"scan_id": event.event_id, "status": event.status}, 202
