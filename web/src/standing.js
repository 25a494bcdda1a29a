// A student's standing in a course, in words: the course's rules in one line, the
// projection ("can miss 2 more", "needs 3 in a row to get back", "cannot reach 75 %
// this term"), state labels, and the teacher's at-risk ordering. Pure functions over
// the figures the attendance consumer stores on courses/{c}/students/{uid}
// (functions/rollcall/progress.py and standing.py), so each wording has a unit test.
// The settings themselves (names, kinds, bounds, defaults) and the states are the
// contracts' (course_settings and standing_states in contracts.json).
import { COURSE_SETTINGS, STANDING_STATES } from "./contracts.js";

export const STATES = STANDING_STATES;

const isNumber = (v) => typeof v === "number" && Number.isFinite(v);

/** Whether `value` is a valid value of the setting described by `spec` (its kind and bounds). */
const VALID = {
  number: (spec, v) => isNumber(v) && v >= spec.min && v <= spec.max,
  integer: (spec, v) => Number.isInteger(v) && v >= spec.min && v <= spec.max,
  choice: (spec, v) => spec.choices.includes(v),
  boolean: (_spec, v) => typeof v === "boolean",
};
for (const [name, spec] of Object.entries(COURSE_SETTINGS)) {
  if (!VALID[spec.kind]) throw new Error(`course setting ${name}: unknown kind ${spec.kind}`);
}

export const DEFAULT_RULES = Object.freeze(
  Object.fromEntries(Object.entries(COURSE_SETTINGS).map(([name, spec]) => [name, spec.default])),
);

/** The course's settings, as rollcall.core.standing.Rules.from_course reads them: a missing
 * or invalid value takes its default. */
export function rulesFromCourse(doc = {}) {
  const d = doc ?? {};
  return Object.fromEntries(
    Object.entries(COURSE_SETTINGS).map(([name, spec]) => [
      name,
      VALID[spec.kind](spec, d[name]) ? d[name] : spec.default,
    ]),
  );
}

/** 75 -> "75 %", 66.7 -> "66.7 %", null -> "–". */
export function pct(value) {
  if (!isNumber(value)) return "–";
  return `${Math.round(value * 10) / 10} %`;
}

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "Minimum 75 % · late counts 0.5 · excused not counted · 8 planned sessions · alert
 * after 2 absences in a row · below-threshold alerts after 3 sessions". */
export function rulesLine(rules) {
  const r = { ...DEFAULT_RULES, ...rules };
  const late = r.late_weight === 1 ? "late counts in full" : `late counts ${r.late_weight}`;
  const excused = r.excused_policy === "attended" ? "excused counts as attended" : "excused not counted";
  const planned = r.planned_sessions
    ? plural(r.planned_sessions, "planned session")
    : "no planned sessions (no projection)";
  const run = r.absence_alert_run;
  const alert =
    run === 0
      ? "no alert for absences in a row"
      : run === 1
        ? "alert after each absence"
        : `alert after ${run} absences in a row`;
  const after = r.alerts_after_sessions;
  const wait =
    after === 0
      ? "below-threshold alerts from the first session"
      : `below-threshold alerts after ${plural(after, "session")}`;
  return [`Minimum ${pct(r.min_attendance_percent)}`, late, excused, planned, alert, wait].join(" · ");
}

/**
 * The state's label, the one name of each state wherever it shows (the course view's
 * tiles, rows and filters, the student's page): "Below 75 %", "At risk", "Behind pace",
 * "On track", or "No sessions yet".
 */
export function stateLabel(state, rules = DEFAULT_RULES) {
  if (state === "below") return `Below ${pct(rules?.min_attendance_percent ?? DEFAULT_RULES.min_attendance_percent)}`;
  if (state === "at_risk") return "At risk";
  if (state === "behind") return "Behind pace";
  if (state === "ok") return "On track";
  return "No sessions yet";
}

/** The filter of those who need attention (below or at risk), in the same words. */
export const ATTENTION_LABEL = "Below or at risk";

/**
 * The projection in words. `fig` is the student's figures document (or null), `voice`
 * "teacher" (short, for a table cell) or "student" (a sentence). Returns {kind, text}:
 * kind is one of none, needs, unreachable, can_miss, last, done, no_plan.
 */
export function projection(fig, rules = DEFAULT_RULES, voice = "teacher") {
  const student = voice === "student";
  const need = pct(rules?.min_attendance_percent ?? DEFAULT_RULES.min_attendance_percent);
  if (!fig?.held) {
    return {
      kind: "none",
      text: student
        ? "No closed sessions yet: your attendance appears once a session is closed."
        : "no closed sessions yet",
    };
  }
  const remaining = fig.remaining ?? null;
  if (fig.state === "behind") {
    // below the threshold before its alerts start: a pace, not an alarm
    const after = rules?.alerts_after_sessions ?? DEFAULT_RULES.alerts_after_sessions;
    const n = fig.needed;
    const catchUp = Number.isInteger(n) && n > 0;
    if (student) {
      return {
        kind: "behind",
        text:
          `Early days: ${pct(fig.percent)} after ${plural(fig.held, "session")}. ` +
          (catchUp
            ? `Attend the next ${n === 1 ? "session" : `${n} sessions`} to get to ${need}.`
            : `Keep attending to reach ${need}.`) +
          ` Rollcall starts alerts after ${plural(after, "session")}.`,
      };
    }
    return { kind: "behind", text: catchUp ? `behind pace: ${n} in a row to get to ${need}` : "behind pace" };
  }
  if (fig.state === "below") {
    if (fig.reachable === false || fig.needed === null || fig.needed === undefined) {
      return {
        kind: "unreachable",
        text: student
          ? `You can no longer reach ${need} this term: talk to your teacher.`
          : `cannot reach ${need} this term`,
      };
    }
    const n = fig.needed;
    if (student) {
      return {
        kind: "needs",
        text:
          n === 1
            ? `Attend the next session to get back to ${need}.`
            : `Attend the next ${n} sessions in a row to get back to ${need}.`,
      };
    }
    return { kind: "needs", text: `needs ${n} in a row to get back` };
  }
  if (remaining === null) {
    return {
      kind: "no_plan",
      text: student ? `Keep attending to stay at or above ${need}.` : "no planned sessions to project",
    };
  }
  if (remaining === 0) {
    return {
      kind: "done",
      text: student ? `No sessions left: you met the ${need} requirement.` : "term complete, requirement met",
    };
  }
  const m = fig.can_miss;
  if (m === null || m === undefined) {
    return {
      kind: "unreachable",
      text: student
        ? `You can no longer reach ${need} this term: talk to your teacher.`
        : `cannot reach ${need} this term`,
    };
  }
  if (m === 0) {
    return {
      kind: "last",
      text: student
        ? `Do not miss any of the ${plural(remaining, "remaining session")}: missing one takes you below ${need}.`
        : "cannot miss another session",
    };
  }
  return {
    kind: "can_miss",
    text: student
      ? `You can miss ${m} more of the ${plural(remaining, "remaining session")} and stay at or above ${need}.`
      : `can miss ${m} more`,
  };
}

const RANK = { below: 0, at_risk: 1, behind: 2, ok: 3 };
// one collator (localeCompare with options builds one per call: slow over 500 rows)
const byName = new Intl.Collator(undefined, { numeric: true }).compare;

/** Attention first: below the threshold (lowest first), then at risk, behind pace, on
 * track, then students without figures; by name within a group. Rows: {name, uid, fig}. */
export function sortAttentionFirst(rows) {
  const rank = (r) => RANK[r.fig?.held ? r.fig.state : ""] ?? 4;
  const percent = (r) => (isNumber(r.fig?.percent) ? r.fig.percent : Infinity);
  const name = (r) => String(r.name ?? r.uid ?? "");
  return [...rows].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      percent(a) - percent(b) ||
      byName(name(a), name(b)) ||
      String(a.uid).localeCompare(String(b.uid)),
  );
}

/** Counts per state, and `attention` = below + at risk (the list of who needs attention). */
export function summarize(rows) {
  const out = { all: rows.length, below: 0, at_risk: 0, behind: 0, ok: 0, none: 0, attention: 0 };
  for (const r of rows) {
    const state = r.fig?.held ? r.fig.state : null;
    if (state in RANK) out[state] += 1;
    else out.none += 1;
  }
  out.attention = out.below + out.at_risk;
  return out;
}

/** Whether a row is on the at-risk list. */
export function needsAttention(fig) {
  return !!fig?.held && (fig.state === "below" || fig.state === "at_risk");
}

function millis(value) {
  if (!value) return 0;
  if (typeof value.toMillis === "function") return value.toMillis();
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number") return value;
  const t = Date.parse(value);
  return Number.isNaN(t) ? 0 : t;
}

/** The figures' sessions map as a timeline, oldest first: [{id, status, at}]. */
export function timeline(sessions = {}) {
  return Object.entries(sessions ?? {})
    .map(([id, e]) => ({ id, status: e?.status ?? "", at: millis(e?.starts_at) }))
    .sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
}

/** The course ids a student's inbox entries name, newest entry first, each once. */
export function coursesFromInbox(entries) {
  const seen = [];
  for (const e of entries ?? []) if (e?.course_id && !seen.includes(e.course_id)) seen.push(e.course_id);
  return seen;
}

/** The alerts of one course in a student's inbox (entries come newest first). */
export function alertsFor(entries, courseId) {
  return (entries ?? []).filter((e) => e?.type === "alert" && e.course_id === courseId);
}
