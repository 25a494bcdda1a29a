// Unit tests of the student page's pure parts (web/src/student/): what an accepted scan's
// card says about its record (a teacher's override stands; a close's absence is
// replaced), which course and session it names, and the inbox entries' context line.
import assert from "node:assert/strict";
import { test } from "node:test";

import { entryContext } from "../src/student/inbox.js";
import { sessionLabel } from "../src/student/result-card.js";
import { recordOutcome, sessionContext } from "../src/student/store.js";

const at = (iso) => new Date(iso);

test("the record after an accepted scan: this scan's, an override that stands, a close's absence to wait out", () => {
  const scanned = { status: "present", source: "scan", scanned_at: at("2026-12-07T09:03:00Z"), course_id: "ds" };
  assert.deepEqual(recordOutcome(scanned), {
    state: "recorded",
    at: scanned.scanned_at,
    status: "present",
    source: "scan",
    reason: null,
    courseId: "ds",
    overridden: false,
  });
  const excused = {
    status: "excused",
    source: "override",
    reason: "Doctor's note",
    status_at: at("2026-12-07T08:00:00Z"),
  };
  assert.equal(recordOutcome(excused).overridden, true);
  assert.equal(recordOutcome(excused).status, "excused");
  assert.equal(recordOutcome({ status: "absent", source: "close" }), null, "the scan replaces it: keep waiting");
  assert.equal(recordOutcome(null), null);
});

test("the course and session a result names: the inbox entry's, else the course's name alone", () => {
  const inbox = {
    entries: [
      { session_id: "s2", title: "Alert" },
      { session_id: "s1", course_name: "Distributed Systems", session_starts_at: at("2026-12-07T09:00:00Z") },
    ],
  };
  const courseNames = new Map([["ds", "Distributed Systems"]]);
  const context = sessionContext({ sessionId: "s1", inbox, courseNames });
  assert.equal(context.courseName, "Distributed Systems");
  assert.equal(context.startsAt.toISOString(), "2026-12-07T09:00:00.000Z");
  assert.match(sessionLabel(context), /^Distributed Systems, .+, .+$/);
  assert.deepEqual(sessionContext({ sessionId: "s2", courseId: "ds", inbox, courseNames }), {
    courseName: "Distributed Systems",
    startsAt: null,
  });
  assert.equal(sessionLabel({ courseName: "Distributed Systems", startsAt: null }), "Distributed Systems");
  assert.equal(sessionContext({ sessionId: "s3", inbox, courseNames }), null);
  assert.equal(sessionLabel(null), null);
});

test("an inbox entry's context: its course and session, the course's name for older entries", () => {
  const e = { course_name: "Compilers", session_starts_at: at("2026-12-07T09:00:00Z"), course_id: "cc" };
  assert.match(entryContext(e), /^Compilers · .+, .+$/);
  const said = { ...e, title: "Attendance recorded: Compilers", body: "You were marked present for Compilers, …" };
  assert.equal(entryContext(said), "", "its text names them already");
  assert.equal(entryContext({ course_id: "cc" }, new Map([["cc", "Compilers"]])), "Compilers");
  assert.equal(entryContext({ type: "alert" }), "");
});
