// Unit tests of the standing wording: rules line, projection (teacher and student),
// state labels, at-risk ordering, the student's course discovery from the inbox. The
// figures are those functions/rollcall/standing.py gives for the README's worked
// example (75 %, late counts half, 8 planned sessions, alert at 2 absences in a row),
// as pinned by tests/emulator/test_standing.py; per kind, the practical track's figures
// as standing.py stores them (tests/data/practical-track.json, held to
// tests/worked_example.py by tests/unit/test_standing.py).
import assert from "node:assert/strict";
import { test } from "node:test";

import track from "../../tests/data/practical-track.json" with { type: "json" };
import {
  alertsFor,
  belowLabel,
  coursesFromInbox,
  figureParts,
  fromTimetable,
  kindsOf,
  needsAttention,
  ownState,
  pct,
  projection,
  projectionBrief,
  rulesFromCourse,
  rulesLine,
  sortAttentionFirst,
  stateLabel,
  summarize,
  thresholdFor,
  timeline,
  worstLabel,
} from "../src/standing.js";

const RULES = rulesFromCourse({
  min_attendance_percent: 75,
  late_weight: 0.5,
  excused_policy: "not_counted",
  absence_alert_run: 2,
  planned_sessions: 8,
  alerts_after_sessions: 0,
});

/** (held, percent, absence_run, remaining, can_miss, needed, reachable, state) */
const fig = (held, percent, absence_run, remaining, can_miss, needed, reachable, state) => ({
  held,
  percent,
  absence_run,
  remaining,
  can_miss,
  needed,
  reachable,
  state,
});

test("rules line: the worked example, then every variant", () => {
  assert.equal(
    rulesLine(RULES),
    "Minimum 75 % · late counts 0.5 · excused not counted · 8 planned sessions · alert after 2 absences in a row · below-threshold alerts from the first session",
  );
  assert.equal(
    rulesLine(rulesFromCourse({})),
    "Minimum 75 % · late counts in full · excused not counted · no planned sessions (no projection) · alert after 3 absences in a row · below-threshold alerts after 3 sessions",
  );
  assert.equal(
    rulesLine(
      rulesFromCourse({
        min_attendance_percent: 80.5,
        late_weight: 0,
        excused_policy: "attended",
        absence_alert_run: 0,
        planned_sessions: 1,
      }),
    ),
    "Minimum 80.5 % · late counts 0 · excused counts as attended · 1 planned session · no alert for absences in a row · below-threshold alerts after 3 sessions",
  );
  assert.match(rulesLine(rulesFromCourse({ absence_alert_run: 1 })), /alert after each absence ·/);
  assert.match(rulesLine(rulesFromCourse({ alerts_after_sessions: 1 })), /below-threshold alerts after 1 session$/);
});

test("rules from the course take the defaults for missing or invalid values, as standing.Rules.from_course", () => {
  assert.deepEqual(
    rulesFromCourse({
      min_attendance_percent: 120,
      late_weight: "half",
      excused_policy: "sometimes",
      absence_alert_run: 2.5,
      planned_sessions: 0,
    }),
    {
      min_attendance_percent: 75,
      min_attendance_percent_theory: null,
      min_attendance_percent_practical: null,
      min_attendance_percent_tutorial: null,
      late_weight: 1,
      excused_policy: "not_counted",
      absence_alert_run: 3,
      planned_sessions: null,
      alerts_after_sessions: 3,
      auto_open: false,
      dispute_window_days: 7,
      request_window_days: 7,
    },
  );
  assert.deepEqual(rulesFromCourse(null), rulesFromCourse({}));
  assert.equal(rulesFromCourse({ min_attendance_percent: true }).min_attendance_percent, 75);
  assert.equal(rulesFromCourse({ planned_sessions: 1000 }).planned_sessions, 1000);
});

test("percentages: one decimal at most, a space before %", () => {
  assert.equal(pct(75), "75 %");
  assert.equal(pct(66.7), "66.7 %");
  assert.equal(pct(100.0), "100 %");
  assert.equal(pct(0), "0 %");
  assert.equal(pct(null), "–");
});

test("teacher projections of the worked example", () => {
  const cases = [
    [fig(1, 100.0, 0, 7, 2, 0, true, "ok"), "can_miss", "can miss 2 more"],
    [fig(2, 75.0, 0, 6, 1, 0, true, "at_risk"), "can_miss", "can miss 1 more"],
    [fig(1, 0.0, 1, 7, 1, 3, true, "below"), "needs", "needs 3 in a row to get back"],
    [fig(4, 37.5, 2, 4, null, 6, false, "below"), "unreachable", "cannot reach 75 % this term"],
    [fig(5, 70.0, 0, 3, 0, 1, true, "below"), "needs", "needs 1 in a row to get back"],
    [fig(7, 75.0, 0, 1, 0, 0, true, "at_risk"), "last", "cannot miss another session"],
    [fig(8, 80.0, 0, 0, 0, 0, true, "ok"), "done", "term complete, requirement met"],
    [fig(3, 90.0, 0, null, null, 0, true, "ok"), "no_plan", "no planned sessions to project"],
    [fig(3, 50.0, 0, null, null, 3, null, "below"), "needs", "needs 3 in a row to get back"],
    [fig(0, null, 0, 8, 2, 0, true, "ok"), "none", "no closed sessions yet"],
    [null, "none", "no closed sessions yet"],
  ];
  for (const [f, kind, text] of cases)
    assert.deepEqual(projection(f, RULES, "teacher"), { kind, text }, JSON.stringify(f));
});

test("student projections are sentences in the second person", () => {
  const s = (f) => projection(f, RULES, "student").text;
  assert.equal(
    s(fig(3, 100.0, 0, 5, 2, 0, true, "ok")),
    "You can miss 2 more of the 5 remaining sessions and stay at or above 75 %.",
  );
  assert.equal(
    s(fig(7, 75.0, 0, 1, 0, 0, true, "at_risk")),
    "Do not miss any of the 1 remaining session: missing one takes you below 75 %.",
  );
  assert.equal(s(fig(3, 66.7, 1, 5, 1, 1, true, "below")), "Attend the next session to get back to 75 %.");
  assert.equal(s(fig(3, 50.0, 1, 5, 0, 3, true, "below")), "Attend the next 3 sessions in a row to get back to 75 %.");
  assert.equal(
    s(fig(3, 0.0, 3, 5, null, 9, false, "below")),
    "You can no longer reach 75 % this term: talk to your teacher.",
  );
  assert.equal(s(fig(8, 80.0, 0, 0, 0, 0, true, "ok")), "No sessions left: you met the 75 % requirement.");
  assert.equal(s(fig(3, 90.0, 0, null, null, 0, true, "ok")), "Keep attending to stay at or above 75 %.");
  assert.match(s(null), /^No closed sessions yet/);
  // a threshold of 100 %: below it can never be made up (needed is None)
  const strict = rulesFromCourse({ min_attendance_percent: 100, planned_sessions: 8 });
  assert.equal(
    projection(fig(2, 50.0, 1, 6, null, null, false, "below"), strict, "student").text,
    "You can no longer reach 100 % this term: talk to your teacher.",
  );
});

test("state labels name the threshold", () => {
  assert.equal(stateLabel("below", RULES), "Below 75 %");
  assert.equal(stateLabel("at_risk", RULES), "At risk");
  assert.equal(stateLabel("ok", RULES), "On track");
  assert.equal(stateLabel("behind", RULES), "Behind pace");
  assert.equal(stateLabel(undefined, RULES), "No sessions yet");
});

test("at-risk first: below (lowest first), at risk, on track, no figures; by name within", () => {
  const rows = [
    { uid: "u1", name: "Student 10", fig: fig(3, 100, 0, 5, 2, 0, true, "ok") },
    { uid: "u2", name: "Student 2", fig: fig(3, 100, 0, 5, 2, 0, true, "ok") },
    { uid: "u3", name: "Ana", fig: fig(3, 83.3, 0, 5, 1, 0, true, "at_risk") },
    { uid: "u4", name: "Dan", fig: fig(3, 66.7, 1, 5, 1, 1, true, "below") },
    { uid: "u5", name: "Cem", fig: fig(3, 0, 3, 5, null, 9, false, "below") },
    { uid: "u6", name: "Eve", fig: null },
    { uid: "u7", name: "Fay", fig: fig(0, null, 0, 8, 2, 0, true, "ok") },
  ];
  assert.deepEqual(
    sortAttentionFirst(rows).map((r) => r.name),
    ["Cem", "Dan", "Ana", "Student 2", "Student 10", "Eve", "Fay"],
  );
  assert.deepEqual(summarize(rows), { all: 7, below: 2, at_risk: 1, behind: 0, ok: 2, none: 2, attention: 3 });
  assert.deepEqual(
    rows.filter((r) => needsAttention(r.fig)).map((r) => r.uid),
    ["u3", "u4", "u5"],
  );
  assert.equal(rows[0].name, "Student 10", "the input is not reordered");
});

test("sorting 500 students stays fast and stable", () => {
  const states = ["ok", "at_risk", "below"];
  const rows = Array.from({ length: 500 }, (_, i) => ({
    uid: `s${i}`,
    name: `Student ${String(i).padStart(3, "0")}`,
    fig: fig(4, (i * 7) % 101, 0, 4, 1, 0, true, states[i % 3]),
  }));
  const t0 = performance.now();
  const sorted = sortAttentionFirst(rows);
  assert.ok(performance.now() - t0 < 100);
  assert.equal(sorted.length, 500);
  assert.deepEqual(sortAttentionFirst(sorted), sorted);
  assert.ok(sorted.slice(0, 166).every((r) => r.fig.state === "below"));
  assert.equal(sorted[166].fig.state, "at_risk");
});

test("timeline orders the figures' sessions by start", () => {
  const at = (ms) => ({ toMillis: () => ms });
  assert.deepEqual(
    timeline({
      s2: { status: "absent", starts_at: at(2000) },
      s1: { status: "late", starts_at: at(1000) },
      s3: { status: "present", starts_at: new Date(3000) },
    }),
    [
      { id: "s1", status: "late", at: 1000 },
      { id: "s2", status: "absent", at: 2000 },
      { id: "s3", status: "present", at: 3000 },
    ],
  );
  assert.deepEqual(timeline(undefined), []);
});

test("a student's courses and alerts come from the inbox", () => {
  const entries = [
    { id: "alert-c2-below_threshold-1", type: "alert", kind: "below_threshold", course_id: "c2" },
    { id: "s9", type: "scan", course_id: "c1" },
    { id: "alert-c1-absence_run-1", type: "alert", kind: "absence_run", course_id: "c1" },
    { id: "s8", type: "scan", course_id: "c2" },
    { id: "old", type: "scan" },
  ];
  assert.deepEqual(coursesFromInbox(entries), ["c2", "c1"]);
  assert.deepEqual(
    alertsFor(entries, "c1").map((e) => e.id),
    ["alert-c1-absence_run-1"],
  );
  assert.deepEqual(alertsFor(entries, "c3"), []);
});

test("behind pace: below the threshold before alerts start, told as a pace, not an alarm", () => {
  const rules = { ...RULES, alerts_after_sessions: 3 };
  const early = fig(1, 0, 1, 11, 2, 3, true, "behind");
  assert.deepEqual(projection(early, rules, "teacher"), {
    kind: "behind",
    text: "behind pace: 3 in a row to get to 75 %",
  });
  const said = projection(early, rules, "student").text;
  assert.equal(
    said,
    "Early days: 0 % after 1 session. Attend the next 3 sessions to get to 75 %. Rollcall starts alerts after 3 sessions.",
  );
  assert.doesNotMatch(said, /below|cannot|talk to your teacher/i);
  // behind pace counts apart from those who need attention, and sorts after them
  const rows = [
    { uid: "b", name: "Bea", fig: early },
    { uid: "a", name: "Al", fig: fig(4, 50, 2, 4, 0, 4, true, "below") },
    { uid: "c", name: "Cy", fig: fig(1, 100, 0, 11, 3, 0, true, "ok") },
  ];
  assert.deepEqual(summarize(rows), { all: 3, below: 1, at_risk: 0, behind: 1, ok: 1, none: 0, attention: 1 });
  assert.deepEqual(
    sortAttentionFirst(rows).map((r) => r.uid),
    ["a", "b", "c"],
  );
  assert.equal(needsAttention(early), false);
});

// ---- per kind of session: the worked example's practical track --------------------------

const TRACK_RULES = rulesFromCourse(track.rules);
const step = (n) => track.steps[n - 1].figures;

test("a kind's threshold is its own if the course sets one, else the course's", () => {
  assert.equal(thresholdFor(TRACK_RULES, "practical"), 80);
  assert.equal(thresholdFor(TRACK_RULES, "theory"), 75);
  assert.equal(thresholdFor(TRACK_RULES), 75);
  assert.equal(thresholdFor(rulesFromCourse({ min_attendance_percent_tutorial: 150 }), "tutorial"), 75);
  assert.equal(stateLabel("below", TRACK_RULES, "practical"), "Below 80 %");
  assert.equal(stateLabel("below", TRACK_RULES), "Below 75 %");
  assert.equal(belowLabel(TRACK_RULES), "Below a minimum");
  assert.equal(belowLabel(RULES), "Below 75 %");
  assert.equal(
    belowLabel(rulesFromCourse({ min_attendance_percent_theory: 75 })),
    "Below 75 %",
    "the same: one minimum",
  );
});

test("the overall figures' own state is what standing.py's Standing.state says, at every step", () => {
  for (const s of track.steps) {
    assert.equal(ownState(s.figures, TRACK_RULES), s.overall_state, `step ${s.step}`);
    // each kind's stored state is its own: the same derivation gives it back
    for (const [kind, part] of Object.entries(s.figures.by_kind))
      assert.equal(ownState(part, TRACK_RULES), part.held ? part.state : "ok", `step ${s.step} ${kind}`);
  }
  // the worked example's single track too: 75 %, below from the first session on
  assert.equal(ownState(fig(3, 50, 1, 5, 0, 3, true, "below"), RULES), "below");
  assert.equal(ownState(fig(7, 75, 0, 1, 0, 0, true, "at_risk"), RULES), "at_risk");
  assert.equal(ownState(fig(1, 0, 1, 11, 2, 3, true, "behind"), { ...RULES, alerts_after_sessions: 3 }), "behind");
  assert.equal(ownState(null, RULES), "ok");
});

test("figures part by part: overall with its own state, theory and practical with theirs", () => {
  // step 4: 75 % overall (fine), 50 % in practicals (below their 80 %): below as a whole
  const parts = figureParts(step(4), TRACK_RULES);
  assert.equal(parts.worst, "below");
  assert.equal(parts.overall.state, "ok");
  assert.deepEqual(
    parts.kinds.map((k) => [k.kind, k.fig.percent, k.fig.state]),
    [
      ["theory", 100, "ok"],
      ["practical", 50, "below"],
    ],
  );
  assert.equal(worstLabel(step(4), TRACK_RULES), "Below 80 % in practicals");
  assert.equal(worstLabel(step(5), TRACK_RULES), "Below 75 %", "below overall too: said as before");
  assert.equal(worstLabel(step(1), TRACK_RULES), "At risk in theory");
  assert.equal(worstLabel(null, TRACK_RULES), "No sessions yet");
  assert.deepEqual(figureParts(null), { overall: null, kinds: [], worst: null });
  assert.deepEqual(kindsOf([step(1), null, { by_kind: { tutorial: {} } }]), ["theory", "practical", "tutorial"]);
  assert.equal(fromTimetable([step(1)]), true);
  assert.equal(fromTimetable([{ by_kind: { theory: { remaining: null } } }, null]), false);
});

test("each kind's projection against its own threshold, in its own nouns", () => {
  const parts = (n) => Object.fromEntries(figureParts(step(n), TRACK_RULES).kinds.map((k) => [k.kind, k.fig]));
  const say = (n, kind, voice = "student") => projection(parts(n)[kind], TRACK_RULES, voice, kind).text;
  assert.equal(say(1, "practical"), "No practicals held yet.");
  assert.equal(say(1, "practical", "teacher"), "no practicals yet");
  assert.equal(say(1, "theory"), "You can miss 1 more of the 6 remaining lectures and stay at or above 75 %.");
  assert.equal(say(4, "practical"), "Attend the next 3 practicals in a row to get back to 80 %.");
  assert.equal(say(4, "practical", "teacher"), "needs 3 in a row to get back");
  assert.equal(say(5, "theory"), "Attend the next lecture to get back to 75 %.");
  assert.equal(say(8, "practical"), "You can no longer reach 80 % this term in practicals: talk to your teacher.");
  assert.equal(say(6, "practical", "teacher"), "needs 2 in a row to get back");
  // overall, with its own state: at step 4 the student is fine overall
  const overall = figureParts(step(4), TRACK_RULES).overall;
  assert.equal(
    projection(overall, TRACK_RULES, "student").text,
    "You can miss 2 more of the 10 remaining sessions and stay at or above 75 %.",
  );
  assert.deepEqual(projectionBrief(parts(4).practical, TRACK_RULES, "practical"), { kind: "needs", text: "needs 3" });
  assert.deepEqual(projectionBrief(parts(4).theory, TRACK_RULES, "theory"), { kind: "can_miss", text: "can miss 2" });
  assert.deepEqual(projectionBrief(parts(8).practical, TRACK_RULES, "practical"), {
    kind: "unreachable",
    text: "out of reach",
  });
  assert.deepEqual(projectionBrief(parts(1).practical, TRACK_RULES, "practical"), { kind: "none", text: "" });
  const lastTheory = { ...parts(7).theory, can_miss: 0 };
  assert.deepEqual(projectionBrief(lastTheory, TRACK_RULES, "theory"), { kind: "last", text: "no more misses" });
  assert.equal(projection(lastTheory, TRACK_RULES, "teacher", "theory").text, "cannot miss another lecture");
});

test("the rules line names a kind's own threshold, the timetable and sessions that open by themselves", () => {
  assert.equal(
    rulesLine(TRACK_RULES, { timetable: true }),
    "Minimum 75 %, 80 % in practicals · late counts in full · excused not counted · planned sessions from the timetable · alert after 3 absences in a row · below-threshold alerts from the first session",
  );
  assert.match(
    rulesLine(
      rulesFromCourse({ min_attendance_percent_theory: 70, min_attendance_percent_tutorial: 50, auto_open: true }),
    ),
    /^Minimum 75 %, 70 % in theory, 50 % in tutorials · .* · sessions open by themselves$/,
  );
});
