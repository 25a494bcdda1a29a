// Unit tests of the disputes' words and rules (web/src/disputes-api.js) and of the
// "tried, not checked in" derivations (web/src/projector/model.js): which sessions a
// student may dispute, the evidence as sentences, the room's counts and the panel's rows.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  decideDispute,
  describeEvidence,
  disputeErrorText,
  disputeState,
  fileDispute,
  mayDispute,
} from "../src/disputes-api.js";
import { triedCounts, triedRows } from "../src/projector/model.js";
import { settingsFromForm } from "../src/teacher-api.js";

const DAY = 86400000;
const at = (iso) => ({ toDate: () => new Date(iso) });

test("a student may dispute an absence or a late mark within the course's window, nothing else", () => {
  const now = Date.parse("2026-12-10T10:00:00Z");
  const start = Date.parse("2026-12-05T09:00:00Z");
  assert.equal(mayDispute({ status: "absent", at: start }, 7, now), true);
  assert.equal(mayDispute({ status: "late", at: start }, 7, now), true);
  assert.equal(mayDispute({ status: "present", at: start }, 7, now), false);
  assert.equal(mayDispute({ status: "excused", at: start }, 7, now), false);
  assert.equal(mayDispute({ status: "absent", at: start }, 3, now), false);
  assert.equal(mayDispute({ status: "absent", at: now - 7 * DAY }, 7, now), true);
  assert.equal(mayDispute({ status: "absent", at: now - 7 * DAY - 1 }, 7, now), false);
});

test("a dispute's state in the student's words", () => {
  assert.equal(disputeState({ status: "open" }).label, "Dispute sent: waiting for your teacher");
  assert.equal(disputeState({ status: "accepted", set_status: "late" }).label, "Dispute accepted: now late");
  assert.equal(disputeState({ status: "accepted", set_status: "present" }).label, "Dispute accepted: now present");
  assert.equal(disputeState({ status: "declined" }).label, "Dispute declined");
  assert.equal(disputeErrorText({ code: "already_decided" }), "This dispute was decided already; nothing was changed.");
  assert.equal(
    disputeErrorText({ code: "bad_request", message: "field 'note' must be text" }),
    "Refused: field 'note' must be text",
  );
});

test("the evidence reads as sentences, times in the institution's time zone", () => {
  const e = describeEvidence({
    time_zone: "Asia/Kolkata",
    rejections: [
      {
        code: "qr_expired",
        device_id: "phone-0123456789abcdef",
        count: 2,
        first_at: "2026-12-07T03:34:12+00:00",
        last_at: "2026-12-07T03:34:40+00:00",
      },
      { code: "qr_invalid", device_id: "other", count: 1, first_at: null, last_at: "2026-12-07T03:35:00+00:00" },
    ],
    devices: [
      {
        device_id: "phone-0123456789abcdef",
        first_used_at: "2026-11-30T03:31:00+00:00",
        last_used_at: "2026-12-04T03:31:00+00:00",
        sessions: 3,
        bound_here: false,
      },
    ],
    record: { status: "absent", source: "close" },
    history: [
      {
        at: "2026-12-07T05:00:00+00:00",
        previous_status: "absent",
        status: "present",
        reason: "Seen",
        basis: "dispute/x",
      },
    ],
  });
  assert.equal(
    e.rejections[0].text,
    "Refused twice, Mon, 7 Dec, 09:04:12 to Mon, 7 Dec, 09:04:40: Code had already changed (a slow scan, an old photo, or typed late).",
  );
  assert.equal(
    e.rejections[0].device,
    "Same phone as this student's check-ins since Mon, 30 Nov, 09:01:00 (3 sessions).",
  );
  assert.equal(e.rejections[1].device, "A phone this student has never checked in with in this course.");
  assert.match(e.rejections[1].text, /^Refused once, Mon, 7 Dec, 09:05:00: Code not recognised/);
  assert.equal(e.record, "Marked absent at the close.");
  assert.equal(e.history[0], "Mon, 7 Dec, 10:30:00: absent → present (“Seen”), by this dispute.");
  assert.match(e.phones[0], /^Phone phon…cdef: checked in with it in 3 sessions/);
});

test("an accepted scan says when the phone queued it", () => {
  const e = describeEvidence({
    time_zone: "UTC",
    record: {
      status: "late",
      source: "scan",
      scanned_at: "2026-12-07T09:20:00+00:00",
      device_id: "p1",
      queued_at: "2026-12-07T09:19:40+00:00",
    },
  });
  assert.equal(
    e.record,
    "Marked late by a scan. Scan accepted Mon, 7 Dec, 09:20:00 from phone p1. The phone had queued it at Mon, 7 Dec, 09:19:40.",
  );
});

test("tried, not checked in: one row per student by the latest refusal; a record removes them; counts in plain words", () => {
  const rejections = new Map([
    ["a__qr_expired", { uid: "a", code: "qr_expired", count: 2, last_at: at("2026-12-07T09:04:00Z") }],
    ["a__qr_invalid", { uid: "a", code: "qr_invalid", count: 1, last_at: at("2026-12-07T09:03:00Z") }],
    ["b__qr_expired", { uid: "b", code: "qr_expired", count: 1, last_at: at("2026-12-07T09:05:00Z") }],
    ["c__device_in_use", { uid: "c", code: "device_in_use", count: 1, last_at: at("2026-12-07T09:01:00Z") }],
    ["d__qr_expired", { uid: "d", code: "qr_expired", count: 1, last_at: at("2026-12-07T09:06:00Z") }],
  ]);
  const attendance = new Map([["d", { status: "present" }]]);
  const rows = triedRows({ rejections, attendance });
  assert.deepEqual(
    rows.map((r) => [r.uid, r.code, r.count]),
    [
      ["b", "qr_expired", 1],
      ["a", "qr_expired", 3],
      ["c", "device_in_use", 1],
    ],
  );
  assert.deepEqual(
    triedCounts(rows).map((c) => c.text),
    ["2 tried: code expired", "1 tried: phone already used"],
  );
  assert.deepEqual(triedCounts([]), []);
});

test("the endpoints: bodies sent and answers read", async () => {
  const calls = [];
  const fetchImpl = async (url, init) => {
    calls.push({ url, body: init.body ? JSON.parse(init.body) : null, method: init.method });
    if (url.endsWith("/disputes"))
      return new Response(JSON.stringify({ dispute_id: "s__u", status: "open" }), { status: 201 });
    return new Response(JSON.stringify({ error: { code: "already_decided", message: "x" } }), { status: 409 });
  };
  const filed = await fileDispute({ scanUrl: "http://scan/", idToken: "t", sessionId: "s", note: "n", fetchImpl });
  assert.equal(filed.state, "accepted");
  assert.deepEqual(calls[0].body, { session_id: "s", note: "n" });
  const decided = await decideDispute({
    scanUrl: "http://scan/",
    idToken: "t",
    disputeId: "s__u",
    decision: "decline",
    comment: "no",
    fetchImpl,
  });
  assert.equal(decided.code, "already_decided");
  assert.deepEqual(calls[1].body, { dispute_id: "s__u", decision: "decline", comment: "no" });
  await decideDispute({
    scanUrl: "http://scan/",
    idToken: "t",
    disputeId: "s__u",
    decision: "accept",
    status: "late",
    fetchImpl,
  });
  assert.deepEqual(calls[2].body, { dispute_id: "s__u", decision: "accept", comment: "", status: "late" });
});

test("the rules form sends the dispute window as a number", () => {
  const base = {
    minPercent: "75",
    lateWeight: "1",
    excusedPolicy: "not_counted",
    absenceRun: "3",
    plannedSessions: "",
  };
  assert.equal(settingsFromForm({ ...base, disputeWindow: "14" }).dispute_window_days, 14);
  assert.equal("dispute_window_days" in settingsFromForm(base), false);
  assert.throws(() => settingsFromForm({ ...base, disputeWindow: "" }), /Days to dispute a mark must be a number/);
});
