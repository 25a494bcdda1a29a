// Unit tests of the projector view's store and derivations (web/src/projector/model.js,
// store.js): the class list's rows (keyed by uid, flat values, so unchanged students
// render nothing), its note, the rejected scans in the teacher's words, the close line
// and what the code panel shows when.
import assert from "node:assert/strict";
import { test } from "node:test";

import { lookUpPeople } from "../src/projector/listeners.js";
import {
  closeLine,
  codeState,
  rejectionRows,
  rosterNote,
  rosterRows,
  sessionFacts,
  settledOverrides,
  shortDevice,
} from "../src/projector/model.js";
import { correctionFor, nextChangeAt } from "../src/projector/rotation.js";
import { applyChanges, changeBatcher, createProjectorStore } from "../src/projector/store.js";
import { sumShards } from "../src/tally.js";

const at = (iso) => new Date(iso);
const enrolled = new Map(
  [
    ["u10", "Student 10"],
    ["u2", "Student 2"],
    ["u1", "Student 1"],
  ].map(([uid, name]) => [uid, { uid, name, email: `${uid}@rollcall.test` }]),
);

test("class list: by name (numeric), statuses, a record of someone no longer enrolled", () => {
  const attendance = new Map([
    ["u2", { status: "late", scanned_at: at("2026-01-05T09:12:00Z"), source: "scan" }],
    ["gone", { status: "present", scanned_at: at("2026-01-05T09:01:00Z") }],
  ]);
  const list = rosterRows({ enrolled, attendance });
  assert.deepEqual(
    list.rows.map((r) => [r.uid, r.status]),
    [
      ["u1", "missing"],
      ["u2", "late"],
      ["u10", "missing"],
      ["gone", "present"],
    ],
  );
  // someone not on the class list: what is known of them, never the account id alone
  const gone = list.rows[3];
  assert.deepEqual([gone.name, gone.email, gone.note], ["Unknown account", "", "Not on the class list"]);
  assert.deepEqual(list.counts, { present: 1, late: 1, excused: 0, absent: 0, missing: 2 });
  assert.equal(list.rows[1].at, Date.parse("2026-01-05T09:12:00Z"));
  for (const row of list.rows) {
    for (const value of Object.values(row)) assert.ok(value === null || typeof value !== "object", "flat values only");
  }
  assert.equal(rosterNote(list), "2 of 3 enrolled checked in");
});

test("class list: filters and search; the note says how many are shown", () => {
  const attendance = new Map([
    ["u1", { status: "excused", source: "override", reason: "Doctor's note", previous_status: "present" }],
    ["u2", { status: "present" }],
  ]);
  const missing = rosterRows({ enrolled, attendance, filter: "missing" });
  assert.deepEqual(
    missing.rows.map((r) => r.uid),
    ["u10"],
  );
  assert.equal(rosterNote(missing), "1 of 3 enrolled checked in · 1 excused · showing 1");
  assert.deepEqual(
    rosterRows({ enrolled, attendance, filter: "arrived" }).rows.map((r) => r.uid),
    ["u2"],
  );
  assert.deepEqual(
    rosterRows({ enrolled, attendance, term: "U10@ROLLCALL" }).rows.map((r) => r.uid),
    ["u10"],
  );
  const [overridden] = rosterRows({ enrolled, attendance, term: "student 1 " }).rows;
  assert.deepEqual(
    [overridden.source, overridden.reason, overridden.previousStatus],
    ["override", "Doctor's note", "present"],
  );
});

test("class list: a row is 'Saving…' until its record carries the override's id", () => {
  const pendingOverrides = new Map([["u1", { overrideId: "o1", status: "absent" }]]);
  const before = new Map([["u1", { status: "present" }]]);
  const after = new Map([["u1", { status: "absent", override_id: "o1", source: "override" }]]);
  assert.equal(rosterRows({ enrolled, attendance: before, pendingOverrides }).rows[0].saving, true);
  assert.equal(rosterRows({ enrolled, attendance: after, pendingOverrides }).rows[0].saving, false);
  assert.equal(settledOverrides(pendingOverrides, before), pendingOverrides, "nothing settled: the same map");
  assert.equal(settledOverrides(pendingOverrides, after).size, 0);
});

test("a snapshot changes only the records it names: the others keep their identity", () => {
  const store = createProjectorStore("s1");
  const doc = (id, data) => ({ id, data: () => data });
  applyChanges(store.attendance, [
    { type: "added", doc: doc("u1", { status: "present" }) },
    { type: "added", doc: doc("u2", { status: "present" }) },
  ]);
  const first = store.attendance.value;
  applyChanges(store.attendance, [{ type: "modified", doc: doc("u2", { status: "excused" }) }]);
  const second = store.attendance.value;
  assert.notEqual(second, first, "a new map: the signal fires");
  assert.equal(second.get("u1"), first.get("u1"), "u1 unchanged, same object");
  assert.equal(second.get("u2").status, "excused");
  applyChanges(store.attendance, [{ type: "removed", doc: doc("u1", {}) }]);
  assert.deepEqual([...store.attendance.value.keys()], ["u2"]);
  applyChanges(store.attendance, []);
  assert.equal(store.attendance.value.size, 1);

  // so the class list's row of u1 has the same values: its memoised row does not render
  const rows = (map) => rosterRows({ enrolled, attendance: map }).rows;
  const [a, b] = [rows(first), rows(second)];
  assert.deepEqual(
    a.find((r) => r.uid === "u1"),
    b.find((r) => r.uid === "u1"),
  );
  assert.notDeepEqual(
    a.find((r) => r.uid === "u2"),
    b.find((r) => r.uid === "u2"),
  );
});

test("rejected scans: latest first, in the teacher's words, whose phone it was", () => {
  const rejections = new Map([
    ["a", { uid: "u1", code: "qr_expired", device_id: "d1", last_at: at("2026-01-05T09:01:00Z"), count: 2 }],
    ["b", { uid: "u2", code: "device_in_use", device_id: "phone-abcdef-123456", last_at: at("2026-01-05T09:05:00Z") }],
    ["c", { uid: "stranger", code: "not_enrolled", device_id: "d3", last_at: at("2026-01-05T09:03:00Z") }],
  ]);
  const rows = rejectionRows({ rejections, enrolled, deviceOwners: new Map([["phone-abcdef-123456", "u10"]]) });
  assert.deepEqual(
    rows.map((r) => [r.uid, r.reason, r.count]),
    [
      ["u2", "Phone already used to check in another student: Student 10", 1],
      ["stranger", "Not enrolled in this course", 1],
      ["u1", "Code had already changed (a slow scan, an old photo, or typed late)", 2],
    ],
  );
  assert.equal(rows[1].known, false);
  assert.equal(rows[1].name, "Unknown account", "never the account id alone");
  assert.equal(rows[0].name, "Student 2");
  // the email the rejected scan recorded, or the roster row of someone removed from the list
  rejections.get("c").email = "visitor@college.example";
  const withEmail = rejectionRows({ rejections, enrolled });
  assert.deepEqual(
    [withEmail[1].name, withEmail[1].email, withEmail[1].note],
    ["visitor@college.example", "visitor@college.example", "Not on the class list"],
  );
  const people = new Map([
    ["stranger", { name: "Rhea Roy", email: "rhea@college.example", rollNo: "41", removed: true }],
  ]);
  const removed = rejectionRows({ rejections, enrolled, people })[1];
  assert.deepEqual(
    [removed.name, removed.email, removed.note],
    ["Rhea Roy", "rhea@college.example", "Removed from the class list"],
  );
  assert.equal(shortDevice("phone-abcdef-123456"), "phon…3456");
  assert.equal(shortDevice("d1"), "d1");
});

test("the close line follows the absences as they are marked", () => {
  const session = { status: "closed", closed_at: null };
  const tally = (absent) => ({ ...sumShards([]), total: 2, present: 2, absent });
  const line = (args) => closeLine({ session, tally: tally(0), enrolledCount: 5, ...args });
  assert.deepEqual(line({ closing: { expected: 3, absences: "marking" } }), {
    text: "Closed. Marking 3 absences…",
    state: "marking",
  });
  assert.deepEqual(line({ closedHere: { expected: 3 }, tally: tally(3) }), {
    text: "Closed. 3 absences marked.",
    state: "marked",
  });
  assert.equal(line({ closedHere: { expected: 1 }, tally: tally(0) }).text, "Closed. Marking 1 absence…");
  assert.equal(line({ closedHere: { expected: 0 } }).text, "Closed. Everyone has a status: no absences to mark.");
  assert.equal(line({ closedHere: { absences: "marked" } }).text, "Closed. Absences had already been marked.");
  assert.deepEqual(line({ tally: tally(1) }), { text: "Closed. Marking absences… (2 to go)", state: "marking" });
  assert.deepEqual(line({ tally: tally(3) }), { text: "Closed. 3 absent.", state: "marked" });
});

test("the code panel: the window and countdown while open; why not when not", () => {
  const start = Date.parse("2026-01-05T09:00:00Z");
  const session = {
    status: "open",
    starts_at: new Date(start),
    ends_at: new Date(start + 3600_000),
    rotation_seconds: 10,
    late_after_minutes: 10,
  };
  const open = codeState(session, start + 125_500);
  assert.equal(open.window, Math.floor((start + 125_500) / 10_000));
  assert.equal(open.rotation, 10);
  assert.ok(Math.abs(open.left - 4.5) < 1e-9);
  assert.match(open.state, /^On time until /);
  assert.equal(codeState(session, start + 11 * 60_000).state, "Arrivals now count as late");
  assert.match(codeState(session, start - 1).stopped, /^Check-in opens at /);
  assert.match(codeState(session, start + 3600_000).stopped, /^This session ended at /);
  assert.equal(codeState({ ...session, status: "closed" }, start).stopped, "This session is closed.");
  // a session without the fields takes the contracts' defaults, as the server does
  const bare = codeState({ status: "open", starts_at: new Date(start) }, start + 1000);
  assert.equal(bare.rotation, 10);
  assert.match(bare.state, /^On time until /);
});

test("the code changes at the window's boundary, at the end, or at the start; not when closed", () => {
  const start = Date.parse("2026-01-05T09:00:00Z");
  const session = {
    status: "open",
    starts_at: new Date(start),
    ends_at: new Date(start + 3600_000 + 2500),
    rotation_seconds: 10,
  };
  assert.equal(nextChangeAt(session, start + 125_500), start + 130_000);
  assert.equal(nextChangeAt(session, start + 3600_001), start + 3600_000 + 2500, "the end comes first");
  assert.equal(nextChangeAt(session, start - 60_000), start, "not started: at the start");
  assert.equal(nextChangeAt(session, start + 7200_000), null, "ended");
  assert.equal(nextChangeAt({ ...session, status: "closed" }, start + 1000), null);
});

test("the session's division, batch, kind and room for the room; nothing when it has none", () => {
  assert.equal(
    sessionFacts({ division: "A", batch: "A1", kind: "practical", room: "204" }),
    "Division A · Batch A1 · Practical · Room 204",
  );
  assert.equal(sessionFacts({ kind: "theory", room: "LH-2" }), "Theory · Room LH-2");
  // as a planned session's start stores it: its audience
  assert.equal(
    sessionFacts({ kind: "practical", audience: { type: "batch", value: "B2" }, room: "Lab 2" }),
    "Batch B2 · Practical · Room Lab 2",
  );
  assert.equal(sessionFacts({ kind: "theory", audience: { type: "division", value: "A" } }), "Division A · Theory");
  assert.equal(sessionFacts({ kind: "tutorial", audience: { type: "course", value: null } }), "Tutorial");
  assert.equal(sessionFacts({ course_id: "c1", status: "open" }), "");
  assert.equal(sessionFacts({ division: { bad: 1 }, room: " " }), "");
  assert.equal(sessionFacts(null), "");
});

test("the store waits for the clock before it shows a code or its state", () => {
  const store = createProjectorStore("s1");
  const start = Date.parse("2026-01-05T09:00:00Z");
  store.session.value = { status: "open", starts_at: new Date(start), ends_at: new Date(start + 3600_000) };
  store.now.value = start + 60_000;
  assert.equal(store.code.value, null);
  assert.equal(store.stateText.value, "Checking the time…");
  store.clock.value = { known: true, offset: -600_000, rtt: 4, checkedAt: 1, failed: false };
  assert.match(store.stateText.value, /^On time until /);
  assert.equal(store.code.value.window, Math.floor((start + 60_000) / 10_000));
});

test("document changes are batched: one update per signal per flush, the latest value of each", () => {
  const timers = [];
  const batcher = changeBatcher({ ms: 150, setTimer: (fn) => timers.push(fn), clearTimer: () => {} });
  const store = createProjectorStore("s1");
  let updates = 0;
  const stop = store.attendance.subscribe(() => updates++);
  updates = 0;
  const doc = (id, data) => ({ id, data: () => data });
  let loaded = false;
  batcher.add(store.attendance, [{ type: "added", doc: doc("u1", { status: "present" }) }]);
  batcher.add(store.attendance, [{ type: "added", doc: doc("u2", { status: "present" }) }], undefined, () => {
    loaded = true;
  });
  batcher.add(store.attendance, [{ type: "modified", doc: doc("u1", { status: "late" }) }]);
  batcher.add(store.rejections, []);
  assert.equal(timers.length, 1, "one timer for the burst");
  assert.equal(updates, 0);
  timers[0]();
  assert.equal(updates, 1);
  assert.ok(loaded);
  assert.deepEqual(Object.fromEntries([...store.attendance.value].map(([k, v]) => [k, v.status])), {
    u1: "late",
    u2: "present",
  });
  batcher.add(store.attendance, [{ type: "removed", doc: doc("u2", {}) }]);
  batcher.flush();
  assert.deepEqual([...store.attendance.value.keys()], ["u1"]);
  stop();
});

test("the QR code's error correction: M, unless L makes a smaller code", () => {
  const link = (n) => `https://a.example/c#${"AbCdEfGhIjKlMnOpQrStUvWxYz0123456789".repeat(2).slice(0, n)}`;
  assert.equal(correctionFor(link(20)), "M", "29 modules either way");
  assert.equal(correctionFor(link(40)), "M", "33 modules either way");
  assert.equal(correctionFor(link(30)), "L", "29 modules instead of 33");
  assert.equal(correctionFor(link(50)), "L", "33 modules instead of 37");
});

test("someone not on the class list as read: enrolled since (into the list), else their roster row", async () => {
  const store = createProjectorStore("s1");
  store.session.value = { course_id: "c1" };
  store.enrolled.value = new Map([["u1", { uid: "u1", name: "Student 1" }]]);
  store.enrolledLoaded.value = true;
  store.attendance.value = new Map([
    ["u1", { status: "present" }],
    ["late-joiner", { status: "present" }],
    ["removed", { status: "late" }],
  ]);
  const docs = {
    "courses/c1/enrollments/late-joiner": { uid: "late-joiner", name: "Lata Joshi" },
  };
  const roster = { removed: { email: "r@x.test", name: "Ravi", roll_no: 7, status: "removed" } };
  const asked = [];
  const fs = {
    doc: (_db, ...path) => path.join("/"),
    collection: (_db, ...path) => path.join("/"),
    where: (_field, _op, value) => value,
    limit: () => null,
    query: (_col, uid) => uid,
    async getDoc(path) {
      asked.push(path);
      return { exists: () => path in docs, data: () => docs[path] };
    },
    async getDocs(uid) {
      asked.push(`roster?uid=${uid}`);
      const row = roster[uid];
      return { empty: !row, docs: row ? [{ data: () => row }] : [] };
    },
  };
  lookUpPeople(store, { fs, db: null });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(asked.sort(), [
    "courses/c1/enrollments/late-joiner",
    "courses/c1/enrollments/removed",
    "roster?uid=removed",
  ]);
  assert.equal(store.enrolled.value.get("late-joiner").name, "Lata Joshi", "into the class list");
  assert.deepEqual(store.people.value.get("removed"), { email: "r@x.test", name: "Ravi", rollNo: "7", removed: true });
  assert.equal(store.people.value.has("late-joiner"), false);
});
