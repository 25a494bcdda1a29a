// Unit tests of the Today page's model and calls: planned sessions in words (kinds,
// audiences, days), where one stands at a given moment, the add/move/cancel forms'
// checks, and the requests GET /today and POST /planned/* make (with their refusals in
// words), POST /sessions {planned_id} included.
import assert from "node:assert/strict";
import { test } from "node:test";

import { TIMETABLE } from "../src/contracts.js";
import { addPlanned, cancelPlanned, fetchToday, movePlanned, plannedErrorText } from "../src/planned-api.js";
import { openErrorText, openSession } from "../src/teacher-api.js";
import {
  addBody,
  audienceLabel,
  clockText,
  dayLabel,
  KINDS,
  kindIn,
  kindLabel,
  kindNouns,
  minutesOf,
  planPhase,
  shiftDay,
  sortPlans,
  timeRange,
  validateReason,
  validateWhen,
} from "../src/timetable.js";

const SCAN_URL = "http://scan.test/";

function fakeFetch(status, body) {
  const calls = [];
  const impl = async (url, init) => {
    calls.push({ url, init, json: init.body ? JSON.parse(init.body) : null });
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  };
  return { impl, calls };
}

test("kinds and audiences in words, from the contracts' kinds", () => {
  assert.deepEqual(KINDS, TIMETABLE.kinds);
  assert.deepEqual(
    KINDS.map((k) => [kindLabel(k), kindNouns(k)[1], kindIn(k)]),
    [
      ["Theory", "lectures", "in theory"],
      ["Practical", "practicals", "in practicals"],
      ["Tutorial", "tutorials", "in tutorials"],
    ],
  );
  assert.equal(kindLabel("seminar"), "Seminar");
  assert.deepEqual(kindNouns(undefined), ["session", "sessions"]);
  assert.equal(audienceLabel({ type: "division", value: "A" }), "Division A");
  assert.equal(audienceLabel({ type: "batch", value: " B2 " }), "Batch B2");
  assert.equal(audienceLabel({ type: "course", value: null }), "Whole course");
  assert.equal(audienceLabel({ type: "batch", value: "" }), "Whole course");
  assert.equal(audienceLabel(null), "Whole course");
});

test("times of day and calendar days, whatever the laptop's time zone", () => {
  assert.equal(minutesOf("09:05"), 545);
  assert.equal(minutesOf("9:05"), 545);
  assert.equal(minutesOf("24:00"), null);
  assert.equal(minutesOf("9.05"), null);
  assert.equal(clockText(545 - 15), "08:50");
  assert.equal(clockText(-10), "23:50");
  assert.equal(timeRange({ start: "14:00", end: "16:00" }), "14:00–16:00");
  assert.equal(dayLabel("2026-09-08"), "Tuesday, 8 September 2026");
  assert.equal(dayLabel("soon"), "soon");
  assert.equal(shiftDay("2026-12-31", 1), "2027-01-01");
  assert.equal(shiftDay("2026-03-01", -1), "2026-02-28");
});

const plan = (over = {}) => ({
  planned_id: "p1",
  course_id: "CS301_t",
  course_code: "CS301",
  kind: "practical",
  audience: { type: "batch", value: "B2" },
  date: "2026-09-08",
  start: "09:00",
  end: "10:00",
  starts_at: "2026-09-08T03:30:00+00:00", // 09:00 in Asia/Kolkata
  ends_at: "2026-09-08T04:30:00+00:00",
  status: "planned",
  session_id: null,
  startable: false,
  ...over,
});
const at = (iso) => Date.parse(iso);

test("where a planned session stands: later, startable, started, cancelled, over", () => {
  const early = START_EARLY();
  assert.deepEqual(planPhase(plan(), at("2026-09-08T03:00:00Z")), { key: "later", text: `Start from ${early}` });
  assert.deepEqual(planPhase(plan(), at("2026-09-07T10:00:00Z"), { today: false }), { key: "later", text: "Planned" });
  assert.deepEqual(planPhase(plan({ startable: true }), at("2026-09-08T03:20:00Z")), {
    key: "startable",
    text: "Starts at 09:00",
  });
  assert.deepEqual(planPhase(plan({ startable: true }), at("2026-09-08T03:40:00Z")), {
    key: "startable",
    text: "On now",
  });
  // the server's word wins over the laptop's clock, until the session's end
  assert.equal(planPhase(plan({ startable: true }), at("2026-09-08T02:00:00Z")).key, "startable");
  assert.equal(planPhase(plan({ startable: false }), at("2026-09-08T03:40:00Z")).key, "later");
  assert.deepEqual(planPhase(plan({ startable: true }), at("2026-09-08T04:30:00Z")), {
    key: "over",
    text: "Not started; it ended at 10:00",
  });
  assert.deepEqual(planPhase(plan({ session_id: "s1", startable: true }), at("2026-09-08T03:40:00Z")), {
    key: "started",
    text: "Started",
  });
  assert.deepEqual(planPhase(plan({ status: "cancelled", reason: "holiday: Diwali" })), {
    key: "cancelled",
    text: "Cancelled: holiday: Diwali",
  });
  assert.equal(planPhase(plan({ status: "cancelled", reason: null })).text, "Cancelled");
});

function START_EARLY() {
  return clockText(9 * 60 - TIMETABLE.startEarlyMinutes);
}

test("the day's sessions by start, then course, then whole course, divisions, batches (2 before 10)", () => {
  const rows = [
    plan({ planned_id: "c", start: "10:00", course_code: "CS301" }),
    plan({ planned_id: "b", start: "09:00", course_code: "CS302" }),
    plan({ planned_id: "a10", start: "09:00", course_code: "CS301", audience: { type: "batch", value: "B10" } }),
    plan({ planned_id: "a2", start: "09:00", course_code: "CS301", audience: { type: "batch", value: "B2" } }),
    plan({ planned_id: "dB", start: "09:00", course_code: "CS301", audience: { type: "division", value: "B" } }),
    plan({ planned_id: "dA", start: "09:00", course_code: "CS301", audience: { type: "division", value: "A" } }),
    plan({ planned_id: "all", start: "09:00", course_code: "CS301", audience: { type: "course", value: null } }),
  ];
  assert.deepEqual(
    sortPlans(rows).map((r) => r.planned_id),
    ["all", "dA", "dB", "a2", "a10", "b", "c"],
  );
  assert.deepEqual(sortPlans(null), []);
});

test("the move and add forms are checked before they are sent", () => {
  assert.deepEqual(validateWhen({ date: "2026-09-09", start: "9:30", end: "10:30", room: "  Lab   2 " }), {
    values: { date: "2026-09-09", start: "09:30", end: "10:30", room: "Lab 2" },
    errors: {},
  });
  assert.equal(validateWhen({ date: "2026-09-09", start: "09:30", end: "10:30", room: "" }).values.room, null);
  const bad = validateWhen({ date: "", start: "half past", end: "09:00", room: "x".repeat(201) });
  assert.deepEqual(Object.keys(bad.errors).sort(), ["date", "room", "start"]);
  assert.equal(validateWhen({ date: "2026-09-09", start: "10:00", end: "10:00" }).errors.end, "End: after the start.");

  const when = { date: "2026-09-09", start: "14:00", end: "16:00", room: "Lab 2" };
  assert.deepEqual(addBody({ ...when, courseId: "CS301_t", kind: "practical", audience: "batch:B2" }).body, {
    course_id: "CS301_t",
    kind: "practical",
    batch: "B2",
    date: "2026-09-09",
    start: "14:00",
    end: "16:00",
    room: "Lab 2",
  });
  assert.deepEqual(addBody({ ...when, room: "", courseId: "c", kind: "theory", audience: "division:A" }).body, {
    course_id: "c",
    kind: "theory",
    division: "A",
    date: "2026-09-09",
    start: "14:00",
    end: "16:00",
  });
  assert.equal(addBody({ ...when, courseId: "c", kind: "tutorial", audience: "course" }).body.batch, undefined);
  const refused = addBody({ ...when, courseId: "", kind: "lab", audience: "batch:" });
  assert.equal(refused.body, null);
  assert.deepEqual(Object.keys(refused.errors).sort(), ["audience", "course", "kind"]);

  assert.deepEqual(validateReason("  teacher   away "), { reason: "teacher away", error: null });
  assert.match(validateReason(" ").error, /^Give a reason/);
  assert.match(validateReason("x".repeat(201)).error, /at most 200/i);
});

test("GET /today with the token, for a day if one is chosen", async () => {
  const ok = fakeFetch(200, { date: "2026-09-08", sessions: [plan()] });
  const got = await fetchToday({ scanUrl: SCAN_URL, idToken: "tok", fetchImpl: ok.impl });
  assert.deepEqual(got, { state: "ok", date: "2026-09-08", sessions: [plan()] });
  assert.equal(ok.calls[0].url, "http://scan.test/today");
  assert.equal(ok.calls[0].init.method, "GET");
  assert.equal(ok.calls[0].init.headers.Authorization, "Bearer tok");
  await fetchToday({ scanUrl: SCAN_URL, idToken: "tok", date: "2026-09-09", fetchImpl: ok.impl });
  assert.equal(ok.calls[1].url, "http://scan.test/today?date=2026-09-09");
  const refused = fakeFetch(401, { error: { code: "unauthenticated", message: "expired" } });
  assert.equal(
    (await fetchToday({ scanUrl: SCAN_URL, idToken: "x", fetchImpl: refused.impl })).code,
    "unauthenticated",
  );
});

test("cancel, move and add post what the endpoints take; refusals in words", async () => {
  const stored = { planned_id: "p1", status: "cancelled", reason: "ill" };
  const ok = fakeFetch(200, stored);
  assert.deepEqual(
    await cancelPlanned({ scanUrl: SCAN_URL, idToken: "t", plannedId: "p1", reason: "ill", fetchImpl: ok.impl }),
    { state: "saved", planned: stored },
  );
  assert.equal(ok.calls[0].url, "http://scan.test/planned/cancel");
  assert.deepEqual(ok.calls[0].json, { planned_id: "p1", reason: "ill" });
  await movePlanned({
    scanUrl: SCAN_URL,
    idToken: "t",
    plannedId: "p1",
    date: "2026-09-09",
    start: "11:00",
    end: "12:00",
    room: null,
    fetchImpl: ok.impl,
  });
  assert.equal(ok.calls[1].url, "http://scan.test/planned/move");
  assert.deepEqual(ok.calls[1].json, {
    planned_id: "p1",
    date: "2026-09-09",
    start: "11:00",
    end: "12:00",
    room: null,
  });
  const body = { course_id: "c", kind: "theory", date: "2026-09-09", start: "11:00", end: "12:00" };
  await addPlanned({ scanUrl: SCAN_URL, idToken: "t", body, fetchImpl: ok.impl });
  assert.equal(ok.calls[2].url, "http://scan.test/planned/add");
  assert.deepEqual(ok.calls[2].json, body);

  const started = fakeFetch(409, { error: { code: "conflict", message: "started" } });
  const refused = await cancelPlanned({
    scanUrl: SCAN_URL,
    idToken: "t",
    plannedId: "p1",
    reason: "x",
    fetchImpl: started.impl,
  });
  assert.equal(
    plannedErrorText(refused, "cancelled"),
    "This session has been started: it can no longer be changed. (conflict)",
  );
  assert.equal(
    plannedErrorText(
      { code: "bad_request", message: "the date is outside the term (2026-07-01 to 2026-11-30)" },
      "moved",
    ),
    "Not moved: the date is outside the term (2026-07-01 to 2026-11-30) (bad_request)",
  );
  assert.match(plannedErrorText({ code: "forbidden", message: "x" }), /teachers/);
});

test("Start is POST /sessions {planned_id}; not now and cancelled are said as such", async () => {
  const ok = fakeFetch(201, { session_id: "s0123456789ab", starts_at: "x", ends_at: "y", planned_id: "p1" });
  const opened = await openSession({ scanUrl: SCAN_URL, idToken: "t", plannedId: "p1", fetchImpl: ok.impl });
  assert.equal(opened.state, "opened");
  assert.equal(opened.sessionId, "s0123456789ab");
  assert.deepEqual(ok.calls[0].json, { planned_id: "p1" });
  await openSession({
    scanUrl: SCAN_URL,
    idToken: "t",
    plannedId: "p1",
    rotation: 10,
    duration: 60,
    kind: "practical",
    fetchImpl: ok.impl,
  });
  assert.deepEqual(
    ok.calls[1].json,
    { planned_id: "p1", rotation_seconds: 10 },
    "a planned session ends at its end and is of its planned kind",
  );
  assert.equal(
    openErrorText({ code: "not_now", message: "this session is planned for 2026-09-09 09:00-10:00" }),
    `Not now: this session is planned for 2026-09-09 09:00-10:00. A planned session can be started from ${TIMETABLE.startEarlyMinutes} minutes before its start until its end. (not_now)`,
  );
  assert.equal(
    openErrorText({ code: "cancelled", message: "this session was cancelled: teacher away" }),
    "Not opened: this session was cancelled: teacher away. (cancelled)",
  );
});
