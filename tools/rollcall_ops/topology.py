"""The Pub/Sub topology file (infra/topology.yaml), parsed and checked.

Terraform reads the same file; this is its reading for the emulator bootstrap, the CLI
and the tests.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

ROOT = Path(__file__).resolve().parents[2]
TOPOLOGY_FILE = ROOT / "infra" / "topology.yaml"
_DURATION = re.compile(r"^[0-9]+s$")
_TYPE = re.compile(r"^[a-z_]+$")


@dataclass(frozen=True)
class Subscription:
    name: str
    function: str
    ack_deadline_seconds: int
    minimum_backoff: str
    maximum_backoff: str
    max_delivery_attempts: int
    dead_letter_topic: str
    #: The message types (attribute ``type``) it takes: its Pub/Sub filter.
    types: tuple[str, ...] = ()
    #: Also every message no other subscription declares (untyped, unknown types).
    unknown: bool = False
    #: Its Pub/Sub filter (``Topology.load`` fills it in: it depends on the others).
    filter: str = ""

    @property
    def dead_letter_subscription(self) -> str:
        return self.dead_letter_topic


#: Pub/Sub's limit on a subscription filter, in bytes.
FILTER_MAX_BYTES = 256


def type_filter(types: tuple[str, ...] | list[str]) -> str:
    """``attributes.type = "a" OR attributes.type = "b"``: Pub/Sub's filter syntax."""
    return " OR ".join(f'attributes.type = "{t}"' for t in types)


def subscription_filter(types: tuple[str, ...], unknown: bool, others: set[str]) -> str:
    """The filter of a subscription taking ``types``; with ``unknown``, every message
    but those of the types that only other subscriptions take (``others``), so that an
    untyped or unknown message still reaches a consumer that dead-letters it. The same
    expression as infra/locals.tf builds (tests/infra compares them)."""
    if unknown:
        return f"NOT ({type_filter(sorted(others - set(types)))})"
    return type_filter(types)


@dataclass(frozen=True)
class Schedule:
    """A Cloud Scheduler job publishing ``{"schema": 1, "type": <type>}`` to the topic."""

    name: str
    schedule: str
    time_zone: str
    local_every_seconds: float
    type: str

    def message(self) -> tuple[bytes, dict[str, str]]:
        data = json.dumps({"schema": 1, "type": self.type}, separators=(",", ":")).encode()
        return data, {"type": self.type, "schema": "1"}


@dataclass(frozen=True)
class Topology:
    topic: str
    message_retention: str
    subscriptions: tuple[Subscription, ...]
    dead_letter_ack_deadline_seconds: int
    dead_letter_retention: str
    schedules: tuple[Schedule, ...] = ()

    def subscription(self, name: str) -> Subscription:
        for sub in self.subscriptions:
            if sub.name == name:
                return sub
        raise KeyError(f"no subscription {name!r} in {TOPOLOGY_FILE.name}")


#: The message types a schedule may publish (rollcall.core.events: Sweep, Digest).
SCHEDULE_TYPES = ("sweep", "digest")
_CRON_FIELD = re.compile(r"^[0-9*/,-]+$")


def _schedule(name: str, spec: object) -> Schedule:
    """One entry of ``schedules:``, or ValueError naming what is wrong with it (before
    anything is created or published from it)."""
    if not isinstance(spec, dict):
        raise ValueError(f"schedule {name}: must be a mapping")
    cron = str(spec.get("schedule", ""))
    fields = cron.split()
    if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
        raise ValueError(f"schedule {name}: schedule must be a five-field cron, not {cron!r}")
    zone = str(spec.get("time_zone", "Etc/UTC"))
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"schedule {name}: unknown time_zone {zone!r}") from None
    try:
        every = float(spec["local_every_seconds"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"schedule {name}: local_every_seconds must be a number") from None
    if not every >= 0:
        raise ValueError(f"schedule {name}: local_every_seconds must be 0 (never) or more")
    kind = spec.get("type")
    if kind not in SCHEDULE_TYPES:
        raise ValueError(f"schedule {name}: type must be one of {', '.join(SCHEDULE_TYPES)}")
    return Schedule(
        name=name, schedule=cron, time_zone=zone, local_every_seconds=every, type=str(kind)
    )


def _with_filters(subs: list[Subscription]) -> list[Subscription]:
    """Each subscription with its filter; ValueError if two take unknown messages or a
    filter is longer than Pub/Sub allows."""
    if sum(s.unknown for s in subs) > 1:
        raise ValueError("only one subscription may take unknown messages (unknown: true)")
    declared = {t for s in subs for t in s.types}
    out = []
    for sub in subs:
        expr = subscription_filter(sub.types, sub.unknown, declared)
        if len(expr.encode()) > FILTER_MAX_BYTES:
            raise ValueError(f"{sub.name}: its filter is over {FILTER_MAX_BYTES} bytes: {expr}")
        out.append(replace(sub, filter=expr))
    return out


def load(path: Path = TOPOLOGY_FILE) -> Topology:
    raw = yaml.safe_load(path.read_text())
    suffix = raw["dead_letter"]["suffix"]
    subs = []
    for name, spec in raw["subscriptions"].items():
        attempts = int(spec["max_delivery_attempts"])
        if not 5 <= attempts <= 100:
            raise ValueError(f"{name}: max_delivery_attempts must be within 5..100, not {attempts}")
        for key in ("minimum_backoff", "maximum_backoff"):
            if not _DURATION.match(str(spec[key])):
                raise ValueError(f"{name}: {key} must be seconds like '10s', not {spec[key]!r}")
        if not 10 <= int(spec["ack_deadline_seconds"]) <= 600:
            raise ValueError(f"{name}: ack_deadline_seconds must be within 10..600")
        types = spec.get("types")
        if not types or not all(isinstance(t, str) and _TYPE.match(t) for t in types):
            raise ValueError(f"{name}: types must list the message types it takes")
        subs.append(
            Subscription(
                name=name,
                function=spec["function"],
                ack_deadline_seconds=int(spec["ack_deadline_seconds"]),
                minimum_backoff=spec["minimum_backoff"],
                maximum_backoff=spec["maximum_backoff"],
                max_delivery_attempts=attempts,
                dead_letter_topic=name + suffix,
                types=tuple(types),
                unknown=bool(spec.get("unknown", False)),
            )
        )
    subs = _with_filters(subs)
    schedules = tuple(_schedule(name, spec) for name, spec in (raw.get("schedules") or {}).items())
    return Topology(
        schedules=schedules,
        topic=raw["topic"],
        message_retention=raw["message_retention"],
        subscriptions=tuple(subs),
        dead_letter_ack_deadline_seconds=int(raw["dead_letter"]["ack_deadline_seconds"]),
        dead_letter_retention=raw["dead_letter"]["message_retention"],
    )
