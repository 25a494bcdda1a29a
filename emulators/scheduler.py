"""Cloud Scheduler stand-in: publishes each schedule of infra/topology.yaml to the
Pub/Sub emulator every ``local_every_seconds`` (Google ships no Scheduler emulator).

``python -m emulators.scheduler --pubsub HOST:PORT --project P [--every SECONDS]``;
``--every`` overrides every schedule's period, 0 publishes nothing (the test stack
sends its sweeps itself, at the moments a test chooses).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from base64 import b64encode

import requests

from rollcall_ops import topology


def publish(pubsub: str, project: str, topic: str, schedule: topology.Schedule) -> str:
    """One tick: the message Cloud Scheduler's Pub/Sub target would publish."""
    data, attributes = schedule.message()
    resp = requests.post(
        f"http://{pubsub}/v1/projects/{project}/topics/{topic}:publish",
        json={"messages": [{"data": b64encode(data).decode(), "attributes": attributes}]},
        timeout=10,
    )
    resp.raise_for_status()
    return resp.json()["messageIds"][0]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pubsub", required=True, help="HOST:PORT of the Pub/Sub emulator")
    p.add_argument("--project", required=True)
    p.add_argument("--every", type=float, help="seconds between ticks, for every schedule")
    args = p.parse_args(argv)
    topo = topology.load()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    due = {s.name: time.monotonic() + (args.every or s.local_every_seconds) for s in topo.schedules}
    print(
        json.dumps(
            {
                "severity": "INFO",
                "message": "scheduler stand-in started",
                "schedules": [s.name for s in topo.schedules],
                "every": args.every,
            }
        ),
        flush=True,
    )
    while not stop.is_set():
        for schedule in topo.schedules:
            every = args.every if args.every is not None else schedule.local_every_seconds
            if every <= 0 or time.monotonic() < due[schedule.name]:
                continue
            due[schedule.name] = time.monotonic() + every
            try:
                message_id = publish(args.pubsub, args.project, topo.topic, schedule)
                entry = {
                    "severity": "INFO",
                    "message": "schedule published",
                    "schedule": schedule.name,
                    "message_id": message_id,
                }
            except requests.RequestException as exc:  # the emulator restarting: next tick
                entry = {
                    "severity": "WARNING",
                    "message": "schedule not published",
                    "schedule": schedule.name,
                    "error": repr(exc),
                }
            print(json.dumps(entry), flush=True)
        stop.wait(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
