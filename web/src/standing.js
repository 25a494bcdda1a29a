// A student's standing in a course, in words: the course's rules in one line, the
// projection ("can miss 2 more", "needs 3 in a row to get back", "cannot reach 75 %
// this term"), state labels, and the teacher's at-risk ordering. Pure functions over
// the figures the attendance consumer stores on courses/{c}/students/{uid}
// (functions/rollcall/progress.py and standing.py), so each wording has a unit test.
// The settings themselves (names, kinds, bounds, defaults) and the states are the
// contracts' (course_settings and standing_states in contracts.json).
//
// Per kind of session (theory, practical, tutorial): the figures document holds the
// overall figures at its top and each kind's under `by_kind`, each against its own
// threshold (thresholdFor); its `state` is the worst of them all, so the overall's own
// state is derived here as standing.py's Standing.state decides it (ownState), and
// figureParts() gives the overall and each kind side by side.
import { COURSE_SETTINGS, STANDING_STATES } from "./contracts.js";
import { fmt, t } from "./i18n/index.js";
import { KINDS, kindIn, kindNouns } from "./timetable.js";

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
  return `${fmt.number(Math.round(value * 10) / 10)} %`;
}

/** A kind's threshold in percent (its own if the course sets one, else the course's);
 * `kind` null: the course's. As standing.py's Rules.threshold_for. */
export function thresholdFor(rules, kind = null) {
  const r = { ...DEFAULT_RULES, ...rules };
  const own = kind ? r[`min_attendance_percent_${kind}`] : null;
  return isNumber(own) ? own : r.min_attendance_percent;
}

/** "Minimum 75 % · late counts 0.5 · excused not counted · 8 planned sessions · alert
 * after 2 absences in a row · below-threshold alerts after 3 sessions"; a kind's own
 * threshold joins the first part ("Minimum 75 %, 80 % in practicals"), `timetable`
 * (the figures come from one) replaces the planned count, and "sessions open by
 * themselves" ends it when they do. */
export function rulesLine(rules, { timetable = false } = {}) {
  const r = { ...DEFAULT_RULES, ...rules };
  const say = (key, params) => t(`standingTeacher.${key}`, params);
  const late = r.late_weight === 1 ? say("lateFull") : say("lateWeight", { weight: fmt.number(r.late_weight) });
  const excused = r.excused_policy === "attended" ? say("excusedAttended") : say("excusedNot");
  const planned = timetable
    ? say("fromTimetable")
    : r.planned_sessions
      ? say("planned", { count: r.planned_sessions })
      : say("noPlanned");
  const run = r.absence_alert_run;
  const alert = run === 0 ? say("noRunAlert") : run === 1 ? say("eachAbsence") : say("runAlert", { run });
  const after = r.alerts_after_sessions;
  const wait = after === 0 ? say("alertsFirst") : say("alertsAfter", { count: after });
  const ownThresholds = KINDS.filter((kind) => isNumber(r[`min_attendance_percent_${kind}`])).map((kind) =>
    say("kindMinimum", { need: pct(r[`min_attendance_percent_${kind}`]), in: kindIn(kind) }),
  );
  const minimum = [say("minimum", { need: pct(r.min_attendance_percent) }), ...ownThresholds].join(", ");
  const parts = [minimum, late, excused, planned, alert, wait];
  if (r.auto_open === true) parts.push(say("autoOpen"));
  return parts.join(" · ");
}

/**
 * The state's label, the one name of each state wherever it shows (the course view's
 * tiles, rows and filters, the student's page): "Below 75 %", "At risk", "Behind pace",
 * "On track", or "No sessions yet"; with a `kind`, "Below" names that kind's threshold.
 */
export function stateLabel(state, rules = DEFAULT_RULES, kind = null) {
  if (state === "below") return t("standing.below", { need: pct(thresholdFor(rules, kind)) });
  if (state === "at_risk") return t("standing.at_risk");
  if (state === "behind") return t("standing.behind");
  if (state === "ok") return t("standing.ok");
  return t("standing.none");
}

/** "Below 75 %" for a course with one threshold; "Below a minimum" when a kind of
 * session has its own (the tiles and the at-risk filter count them all). */
export function belowLabel(rules = DEFAULT_RULES) {
  const overall = thresholdFor(rules);
  return KINDS.some((kind) => thresholdFor(rules, kind) !== overall)
    ? t("standing.belowAny")
    : stateLabel("below", rules);
}

/** The filter of those who need attention (below or at risk), in the same words. */
export function attentionLabel(rules = DEFAULT_RULES) {
  return t("standingTeacher.attention", { below: belowLabel(rules) });
}

/**
 * The projection in words. `fig` is the student's figures document (or null), or one
 * kind's part of it (`kind`: its threshold, and what one attends of it: "the next 3
 * practicals"), with its own state (figureParts); `voice` "teacher" (short, for a table
 * cell) or "student" (a sentence). Returns {kind, text}: kind is one of none, behind,
 * needs, unreachable, can_miss, last, done, no_plan.
 */
export function projection(fig, rules = DEFAULT_RULES, voice = "teacher", kind = null) {
  const student = voice === "student";
  const need = pct(thresholdFor(rules, kind));
  const [one, many] = kindNouns(kind);
  // the student's sentences are the catalogs' (projection.*); the teacher's table cells
  // are English still (the course view is not in the catalogs yet)
  const say = (key, params = {}) => t(`projection.${key}`, { need, one, many, ...params });
  const count = (n) => t("projection.count", { count: n, one, many });
  const inKind = kind ? kindIn(kind) : null;
  if (!fig?.held) {
    return {
      kind: "none",
      text: kind
        ? student
          ? say("noneKind")
          : t("standingTeacher.noneKind", { many })
        : student
          ? say("none")
          : t("standingTeacher.noneClosed"),
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
        text: [
          say("behindStart", { percent: pct(fig.percent), held: count(fig.held) }),
          catchUp ? say("behindCatchUp", { count: n }) : say("behindKeep"),
          say("behindAlerts", { after: count(after) }),
        ].join(" "),
      };
    }
    return { kind: "behind", text: catchUp ? t("standingTeacher.behindN", { n, need }) : t("standingTeacher.behind") };
  }
  if (fig.state === "below") {
    if (fig.reachable === false || fig.needed === null || fig.needed === undefined) {
      return {
        kind: "unreachable",
        text: student
          ? inKind
            ? say("unreachableKind", { in: inKind })
            : say("unreachable")
          : t("standingTeacher.cannotReach", { need }),
      };
    }
    const n = fig.needed;
    if (student) {
      return {
        kind: "needs",
        text: say("needs", { count: n }),
      };
    }
    return { kind: "needs", text: t("standingTeacher.needs", { n }) };
  }
  if (remaining === null) {
    return {
      kind: "no_plan",
      text: student ? say("noPlan") : t("standingTeacher.noPlan"),
    };
  }
  if (remaining === 0) {
    return {
      kind: "done",
      text: student ? say("done") : t("standingTeacher.done"),
    };
  }
  const m = fig.can_miss;
  if (m === null || m === undefined) {
    return {
      kind: "unreachable",
      text: student
        ? inKind
          ? say("unreachableKind", { in: inKind })
          : say("unreachable")
        : t("standingTeacher.cannotReach", { need }),
    };
  }
  if (m === 0) {
    return {
      kind: "last",
      text: student ? say("last", { count: remaining }) : t("standingTeacher.last", { one }),
    };
  }
  return {
    kind: "can_miss",
    text: student ? say("canMiss", { count: remaining, m }) : t("standingTeacher.canMiss", { m }),
  };
}

/**
 * A projection in a few words, for a kind's cell beside the others: "can miss 2",
 * "needs 3", "out of reach", "no more misses", "met", "behind: 3 to go", "" (no plan).
 */
export function projectionBrief(fig, rules = DEFAULT_RULES, kind = null) {
  const p = projection(fig, rules, "teacher", kind);
  const words = {
    none: "",
    behind:
      Number.isInteger(fig?.needed) && fig.needed > 0
        ? t("standingTeacher.briefBehindN", { n: fig.needed })
        : t("standingTeacher.behind"),
    needs: t("standingTeacher.briefNeeds", { n: fig?.needed }),
    unreachable: t("standingTeacher.briefUnreachable"),
    no_plan: "",
    done: t("standingTeacher.briefDone"),
    last: t("standingTeacher.briefLast"),
    can_miss: t("standingTeacher.briefCanMiss", { n: fig?.can_miss }),
  };
  return { kind: p.kind, text: words[p.kind] ?? p.text };
}

/**
 * The state of one part of a student's figures by itself, as standing.py's
 * Standing.state decides it: below the threshold once alerts have started (`below`), a
 * run of absences or at most one more miss allowed (`at_risk`), below before alerts
 * start (`behind`), else `ok`. The stored top-level state is the worst of all parts;
 * this is what the overall figures say on their own. Below is `needed` != 0 (it is 0
 * exactly when the ratio is at or above the threshold).
 */
export function ownState(fig, rules = DEFAULT_RULES) {
  const r = { ...DEFAULT_RULES, ...rules };
  const held = fig?.held ?? 0;
  const below = held > 0 && fig.needed !== 0 && fig.needed !== undefined;
  const settled = held >= Math.max(r.alerts_after_sessions, 1);
  if (settled && below) return "below";
  const run = r.absence_alert_run > 0 && (fig?.absence_run ?? 0) >= r.absence_alert_run;
  const { can_miss: m, remaining } = fig ?? {};
  const last = settled && !below && Number.isInteger(m) && Number.isInteger(remaining) && m <= 1 && m < remaining;
  if (run || last) return "at_risk";
  return below ? "behind" : "ok";
}

/**
 * A student's figures part by part: {overall, kinds: [{kind, fig}], worst}. `overall`
 * is the top-level figures with their own state (ownState), each kind's part keeps the
 * state stored with it, `worst` is the stored state (the worst of all). `kinds` lists
 * the kinds the student has (held or planned), in the contracts' order.
 */
export function figureParts(fig, rules = DEFAULT_RULES) {
  if (!fig) return { overall: null, kinds: [], worst: null };
  const byKind = fig.by_kind ?? {};
  return {
    overall: { ...fig, state: ownState(fig, rules) },
    kinds: KINDS.filter((kind) => byKind[kind]).map((kind) => ({ kind, fig: byKind[kind] })),
    worst: fig.state ?? null,
  };
}

/** The kinds any of these figures documents has, in the contracts' order. */
export function kindsOf(figures) {
  const seen = new Set();
  for (const fig of figures) for (const kind of Object.keys(fig?.by_kind ?? {})) seen.add(kind);
  return KINDS.filter((kind) => seen.has(kind));
}

/** Whether figures come from a timetable: a kind's part has planned sessions left (`remaining`). */
export function fromTimetable(figures) {
  for (const fig of figures)
    for (const part of Object.values(fig?.by_kind ?? {}))
      if (part?.remaining !== null && part?.remaining !== undefined) return true;
  return false;
}

/**
 * The state's label for a student's figures as a whole: that of the worst state, and
 * where it comes from when that is not the overall figures ("Below 80 % in
 * practicals", "At risk in theory").
 */
export function worstLabel(fig, rules = DEFAULT_RULES) {
  if (!fig?.held) return stateLabel(null, rules);
  const { overall, kinds, worst } = figureParts(fig, rules);
  if (!worst || overall.state === worst) return stateLabel(worst ?? overall.state, rules);
  const from = kinds.find((k) => k.fig?.held && k.fig.state === worst);
  if (!from) return stateLabel(worst, rules);
  return t("standingTeacher.worstIn", { state: stateLabel(worst, rules, from.kind), in: kindIn(from.kind) });
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
