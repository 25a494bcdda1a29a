"""A student's standing in a course: attendance percentage, run of absences, projection,
and which alerts it warrants. Pure (no Firestore), so each rule has a fast unit test.

The rules are course settings, on ``courses/{course_id}`` (defaults in brackets):

* ``min_attendance_percent`` [75]: the threshold a student must stay at or above;
* ``min_attendance_percent_theory``, ``_practical``, ``_tutorial`` [none]: a kind's own
  threshold (SPPU asks for 75 % in theory and in practicals separately); none: the one
  above;
* ``late_weight`` [1]: what a late arrival counts as (1 = an attendance, 0.5 = half);
* ``excused_policy`` [``not_counted``]: ``not_counted`` leaves an excused session out
  of both sides of the fraction; ``attended`` counts it as attended;
* ``absence_alert_run`` [3]: alert when this many sessions in a row are missed
  (0 turns the alert off);
* ``planned_sessions`` [none]: sessions planned for the term, for a course without a
  timetable; a timetable's planned sessions replace it (below);
* ``auto_open`` [false]: planned sessions open by themselves at their start time;
* ``dispute_window_days`` [7]: days after a session's end within which a student may
  dispute an absence or a late mark in it (rollcall.core.disputes);
* ``alerts_after_sessions`` [3]: sessions held before a "below" or "last chance" alert
  can fire (a running percentage after one absence says little): until then a student
  below the threshold is ``behind`` pace, shown without an alarm (0: from the first).

A session counts for a student once it is closed (closing gives everyone without a
record an ``absent`` one), and a teacher's override after that changes it in place.

    percentage = attended / counted
    attended   = present + late_weight x late (+ excused, under ``attended``)
    counted    = held (- excused, under ``not_counted``)

Projection, with R = planned - held sessions still to come, each assumed counted:

* ``can_miss``: the largest m <= R with (attended + R - m) / (counted + R) >= threshold:
  how many of the remaining sessions the student may still miss and end the term at or
  above it; None when even attending all of them would not get there;
* ``needed``: when below the threshold now, the fewest consecutive attendances k with
  (attended + k) / (counted + k) >= threshold; ``reachable`` says whether k <= R.

Per kind: a student's figures exist overall and for each kind of session they have held
or have planned (``Report``), each kind against its own threshold; with a timetable,
R is the planned sessions of that kind for the student's division or batch not yet
held (cancelled ones are on neither side). The percentage alerts fire per kind too when
the student has more than one kind; the run of absences counts sessions of any kind.
A student's ``state`` is the worst of their overall and per-kind states.

Arithmetic is exact (fractions), so 75 % of 12 is 9, never 8.999.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from rollcall import contracts
from rollcall.core import messages

STATUSES = contracts.RECORD_STATUSES
#: The course settings a teacher may set: name -> {kind, min, max, choices, default}.
SETTINGS = contracts.COURSE_SETTINGS
EXCUSED_POLICIES = tuple(SETTINGS["excused_policy"]["choices"])
OK, AT_RISK, BEHIND, BELOW = "ok", "at_risk", "behind", "below"
#: Worst first.
SEVERITY = (BELOW, AT_RISK, BEHIND, OK)
#: The kinds of session (contracts.json ``timetable.kinds``); a session opened without
#: one is theory.
KINDS: tuple[str, ...] = tuple(contracts.data()["timetable"]["kinds"])
DEFAULT_KIND = KINDS[0]
#: The alerts, each sent once per crossing (its condition turning true).
BELOW_THRESHOLD, ABSENCE_RUN, LAST_CHANCE = "below_threshold", "absence_run", "last_chance"
ALERTS = (BELOW_THRESHOLD, ABSENCE_RUN, LAST_CHANCE)


def _default(name: str) -> Any:
    return SETTINGS[name]["default"]


@dataclass(frozen=True)
class Rules:
    min_percent: Fraction = Fraction(_default("min_attendance_percent"))
    late_weight: Fraction = Fraction(_default("late_weight"))
    excused_policy: str = _default("excused_policy")
    absence_alert_run: int = _default("absence_alert_run")
    planned_sessions: int | None = _default("planned_sessions")
    alerts_after_sessions: int = _default("alerts_after_sessions")
    #: Planned sessions open by themselves at their start time (the sweep).
    auto_open: bool = _default("auto_open")
    #: Days after a session's end within which a student may dispute their mark.
    dispute_window_days: int = _default("dispute_window_days")
    #: How many days after a session an absence request may still cover it
    #: (rollcall.core.absences).
    request_window_days: int = _default("request_window_days")
    #: A kind's own threshold in percent (missing: ``min_percent``).
    min_percent_by_kind: Mapping[str, Fraction] = field(default_factory=dict)

    @property
    def threshold(self) -> Fraction:
        return self.min_percent / 100

    def threshold_for(self, kind: str | None) -> Fraction:
        """The threshold of a kind of session (None: overall)."""
        return self.min_percent_by_kind.get(kind or "", self.min_percent) / 100

    @classmethod
    def from_course(cls, doc: Mapping[str, Any]) -> Rules:
        """The course document's settings; a missing or invalid one takes its default
        (the teacher's endpoint validates them; a bad value must not stop the consumers)."""
        default = cls()
        valid = {name: doc[name] for name in SETTINGS if name in doc and _valid(name, doc[name])}
        percent = valid.get("min_attendance_percent")
        late = valid.get("late_weight")
        return cls(
            min_percent=default.min_percent if percent is None else _exact(percent),
            late_weight=default.late_weight if late is None else _exact(late),
            excused_policy=valid.get("excused_policy", default.excused_policy),
            absence_alert_run=valid.get("absence_alert_run", default.absence_alert_run),
            planned_sessions=valid.get("planned_sessions", default.planned_sessions),
            alerts_after_sessions=valid.get("alerts_after_sessions", default.alerts_after_sessions),
            auto_open=valid.get("auto_open", default.auto_open),
            dispute_window_days=valid.get("dispute_window_days", default.dispute_window_days),
            request_window_days=valid.get("request_window_days", default.request_window_days),
            min_percent_by_kind={
                kind: _exact(valid[f"min_attendance_percent_{kind}"])
                for kind in KINDS
                if valid.get(f"min_attendance_percent_{kind}") is not None
            },
        )

    def describe(self) -> dict[str, Any]:
        """The settings as stored and exported (plain numbers)."""
        return {
            "min_attendance_percent": float(self.min_percent),
            "late_weight": float(self.late_weight),
            "excused_policy": self.excused_policy,
            "absence_alert_run": self.absence_alert_run,
            "planned_sessions": self.planned_sessions,
            "alerts_after_sessions": self.alerts_after_sessions,
            "auto_open": self.auto_open,
            "dispute_window_days": self.dispute_window_days,
            "request_window_days": self.request_window_days,
            **{
                f"min_attendance_percent_{kind}": (
                    float(self.min_percent_by_kind[kind])
                    if kind in self.min_percent_by_kind
                    else None
                )
                for kind in KINDS
            },
        }


def _valid(name: str, value: Any) -> bool:
    """Whether ``value`` is acceptable for setting ``name`` (the contract's kind and
    bounds)."""
    spec = SETTINGS[name]
    if value is None:
        return bool(spec.get("nullable"))
    kind = spec["kind"]
    if kind == "choice":
        return value in spec["choices"]
    if kind == "boolean":
        return isinstance(value, bool)
    in_bounds: Callable[[Any], bool] = lambda v: spec["min"] <= v <= spec["max"]  # noqa: E731
    if kind == "integer":
        return _is_int(value) and in_bounds(value)
    return _number(value) and in_bounds(value)


def _expected(name: str) -> str:
    """What setting ``name`` accepts, in words."""
    spec = SETTINGS[name]
    if spec["kind"] == "choice":
        return " or ".join(spec["choices"])
    if spec["kind"] == "boolean":
        return "true or false"
    low, high = spec["min"], spec["max"]
    what = (
        f"a whole number from {low} to {high}"
        if spec["kind"] == "integer"
        else f"a number from {low} to {high}"
    )
    if spec.get("nullable"):
        what += ", or null (none)"
    return what


def validate_settings(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes to store on the course document, or ValueError naming the first
    bad one. Stricter than Rules.from_course, which falls back on defaults: a teacher
    who types 140 % must hear so, not get 75 % silently."""
    unknown = set(changes) - set(SETTINGS)
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        if not _valid(name, value):
            raise ValueError(f"{name} must be {_expected(name)}, not {value!r}")
    return dict(changes)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _exact(value: int | float) -> Fraction:
    """0.1 as one tenth, not the nearest double."""
    return Fraction(str(value))


@dataclass(frozen=True)
class Standing:
    held: int
    present: int
    late: int
    excused: int
    absent: int
    attended: Fraction
    counted: int
    absence_run: int
    remaining: int | None
    can_miss: int | None
    needed: int | None
    reachable: bool | None
    threshold: Fraction

    @property
    def ratio(self) -> Fraction | None:
        return self.attended / self.counted if self.counted else None

    @property
    def percent(self) -> float | None:
        """Percentage to one decimal (for display); the exact ratio decides."""
        ratio = self.ratio
        return None if ratio is None else round(float(ratio * 100), 1)

    @property
    def below(self) -> bool:
        ratio = self.ratio
        return ratio is not None and ratio < self.threshold

    def conditions(self, rules: Rules) -> dict[str, bool]:
        """Each alert's condition now; an alert is sent when it turns true. The
        percentage's alerts wait for ``alerts_after_sessions`` held sessions."""
        run_alert = rules.absence_alert_run
        # Nothing to say of a kind of session before its first one.
        settled = self.held >= max(rules.alerts_after_sessions, 1)
        return {
            BELOW_THRESHOLD: settled and self.below,
            ABSENCE_RUN: run_alert > 0 and self.absence_run >= run_alert,
            # Only when missing all that is left would take the student below: a
            # perfect record with one session to go is no "last chance".
            LAST_CHANCE: (
                settled
                and not self.below
                and self.can_miss is not None
                and self.remaining is not None
                and self.can_miss <= 1
                and self.can_miss < self.remaining
            ),
        }

    def state(self, rules: Rules) -> str:
        """``below`` the threshold, ``at_risk`` (a run of absences, or at most one more
        miss allowed), ``behind`` (below the threshold before its alerts start), or
        ``ok``: what the teacher's at-risk list and the student's page show."""
        conditions = self.conditions(rules)
        if conditions[BELOW_THRESHOLD]:
            return BELOW
        if conditions[ABSENCE_RUN] or conditions[LAST_CHANCE]:
            return AT_RISK
        return BEHIND if self.below else OK

    def figures(self, rules: Rules) -> dict[str, Any]:
        """What is stored on the student's course document and exported."""
        return {
            "held": self.held,
            "present": self.present,
            "late": self.late,
            "excused": self.excused,
            "absent": self.absent,
            "counted": self.counted,
            "attended": float(self.attended),
            "percent": self.percent,
            "absence_run": self.absence_run,
            "remaining": self.remaining,
            "can_miss": self.can_miss,
            "needed": self.needed,
            "reachable": self.reachable,
            "state": self.state(rules),
        }


def compute(
    entries: Iterable[tuple[Any, str]],
    rules: Rules,
    *,
    remaining: int | None = None,
    kind: str | None = None,
) -> Standing:
    """The standing from the student's sessions as (sort key, status) pairs; the sort
    key orders them in time (the session's start). ``remaining``: the planned sessions
    still to come (the timetable's); None: ``planned_sessions`` minus those held, if the
    course sets it (overall only). ``kind``: the figures of one kind, against its
    threshold."""
    ordered = [status for _, status in sorted(entries, key=lambda entry: entry[0])]
    counts = {status: ordered.count(status) for status in STATUSES}
    held = len(ordered)
    attended = counts["present"] + rules.late_weight * counts["late"]
    counted = held
    if rules.excused_policy == "attended":
        attended += counts["excused"]
    else:
        counted -= counts["excused"]
    run = 0
    for status in reversed(ordered):  # an excused session neither breaks nor extends it
        if status == "absent":
            run += 1
        elif status != "excused":
            break
    t = rules.threshold_for(kind)
    can_miss = None
    if remaining is None and kind is None and rules.planned_sessions is not None:
        remaining = max(rules.planned_sessions - held, 0)
    if remaining is not None:
        slack = attended + remaining - t * (counted + remaining)
        can_miss = min(math.floor(slack), remaining) if slack >= 0 else None
    needed: int | None = 0
    reachable: bool | None = True
    if counted and attended / counted < t:
        needed = math.ceil((t * counted - attended) / (1 - t)) if t < 1 else None
        reachable = needed is not None and (remaining is None or needed <= remaining)
        if needed is not None and remaining is None:
            reachable = None  # no plan: cannot tell
    return Standing(
        held=held,
        present=counts["present"],
        late=counts["late"],
        excused=counts["excused"],
        absent=counts["absent"],
        attended=attended,
        counted=counted,
        absence_run=run,
        remaining=remaining,
        can_miss=can_miss,
        needed=needed,
        reachable=reachable,
        threshold=t,
    )


@dataclass(frozen=True)
class Report:
    """A student's standing overall and per kind of session."""

    overall: Standing
    by_kind: Mapping[str, Standing]

    def conditions(self, rules: Rules) -> dict[str, bool]:
        """Each alert's condition: the overall ones (``below_threshold``, ...) and, when
        the student has more than one kind, each kind's percentage alerts
        (``practical.below_threshold``, ...)."""
        found = self.overall.conditions(rules)
        if len(self.by_kind) > 1:
            for kind, part in self.by_kind.items():
                for alert, on in part.conditions(rules).items():
                    if alert != ABSENCE_RUN:
                        found[f"{kind}.{alert}"] = on
        return found

    def state(self, rules: Rules) -> str:
        states = [self.overall.state(rules), *(s.state(rules) for s in self.by_kind.values())]
        return min(states, key=SEVERITY.index)

    def figures(self, rules: Rules) -> dict[str, Any]:
        """The overall figures, ``state`` the worst of all, and ``by_kind``."""
        return {
            **self.overall.figures(rules),
            "state": self.state(rules),
            "by_kind": {kind: part.figures(rules) for kind, part in self.by_kind.items()},
        }


def report(
    entries: Iterable[tuple[Any, str, str]],
    rules: Rules,
    remaining_by_kind: Mapping[str, int] | None = None,
) -> Report:
    """The standing from (sort key, kind, status) triples, overall and for each kind the
    student has held or has still planned. ``remaining_by_kind``: the timetable's
    sessions to come for the student (None: the course has no timetable)."""
    listed = list(entries)
    kinds = {kind for _, kind, _ in listed}
    if remaining_by_kind is not None:
        kinds |= {kind for kind, count in remaining_by_kind.items() if count > 0}
    by_kind = {
        kind: compute(
            [(key, status) for key, k, status in listed if k == kind],
            rules,
            remaining=None if remaining_by_kind is None else remaining_by_kind.get(kind, 0),
            kind=kind,
        )
        for kind in KINDS
        if kind in kinds
    }
    overall = compute(
        [(key, status) for key, _, status in listed],
        rules,
        remaining=None if remaining_by_kind is None else sum(remaining_by_kind.values()),
    )
    return Report(overall, by_kind)


def crossings(before: Mapping[str, bool], now: Mapping[str, bool]) -> list[str]:
    """The alerts whose condition turned true (each is sent once per such crossing;
    one that turns false is re-armed): overall ones first, in ALERTS' order."""
    order = {alert: i for i, alert in enumerate(ALERTS)}
    turned = [key for key, on in now.items() if on and not before.get(key)]
    return sorted(turned, key=lambda key: ("." in key, key.split(".")[0], order[split(key)[1]]))


def split(condition: str) -> tuple[str | None, str]:
    """'practical.below_threshold' -> ('practical', 'below_threshold'); an overall one
    -> (None, 'below_threshold')."""
    kind, _, alert = condition.rpartition(".")
    return kind or None, alert


def alert_text(
    kind: str, course: str | messages.Phrase, standing: Standing, rules: Rules
) -> tuple[str, str]:
    """Title and body of an alert in English (``alert_words``)."""
    return alert_words(kind, course, standing, rules).render(messages.DEFAULT)


def course_label(name: str, kind: str | None) -> str | messages.Phrase:
    """The course an alert is about: its name, or for a per-kind alert its name and the
    kind of session in the student's language ("Distributed Systems (practical)")."""
    if kind is None:
        return name
    return messages.Phrase(
        "alert.course_kind", {"course": name, "kind": messages.Term(f"kind.{kind}")}
    )


def alert_words(
    kind: str, course: str | messages.Phrase, standing: Standing, rules: Rules
) -> messages.Words:
    """Title and body of an alert in the catalogs' terms (``alert.*``), worded in the
    student's language by the notify consumer."""
    have: str | messages.Term = (
        f"{standing.percent:g} %"
        if standing.percent is not None
        else messages.Term("alert.no_figure")
    )
    params: dict[str, Any] = {
        "course": course,
        "need": _pct(standing.threshold * 100),
        "have": have,
    }
    if kind == BELOW_THRESHOLD:
        if standing.reachable is False or standing.needed is None:
            return messages.Words("alert.below.title", "alert.below.unreachable", params)
        return messages.Words(
            "alert.below.title", "alert.below.needs", {**params, "count": standing.needed}
        )
    if kind == ABSENCE_RUN:
        return messages.Words(
            "alert.run.title", "alert.run.body", {**params, "count": standing.absence_run}
        )
    if kind == LAST_CHANCE:
        m = standing.can_miss
        if m == 0:
            return messages.Words("alert.last.none_title", "alert.last.none_body", params)
        remaining = standing.remaining if standing.remaining is not None else 0
        return messages.Words(
            "alert.last.title", "alert.last.body", {**params, "count": m, "remaining": remaining}
        )
    raise ValueError(f"unknown alert {kind!r}")


def _pct(value: Fraction) -> str:
    return f"{float(value):g} %"
