// Unit tests of the session a teacher opens from the dashboard (the shape the rules'
// validNewSession accepts).
import assert from "node:assert/strict";
import { test } from "node:test";

import { base64UrlDecode } from "../src/qr-token.js";
import { DEFAULTS, newSecret, newSessionId, SESSION_ID, sessionFields, validateSessionForm } from "../src/sessions.js";

test("ids and secrets have the shapes the rules check", () => {
  assert.equal(newSessionId(new Uint8Array([0, 1, 0xab, 0xcd, 0xef, 0xff])), "s0001abcdefff");
  for (let i = 0; i < 50; i++) {
    const id = newSessionId();
    assert.match(id, /^s[0-9a-f]{12}$/);
    assert.match(id, SESSION_ID);
    const secret = newSecret();
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(base64UrlDecode(secret).length, 32);
  }
  assert.notEqual(newSecret(), newSecret());
});

test("the form takes whole numbers within the limits", () => {
  assert.deepEqual(validateSessionForm({ rotation: "10", lateAfter: "10", duration: "90" }), {
    values: { rotation: 10, lateAfter: 10, duration: 90 },
    errors: {},
  });
  assert.deepEqual(validateSessionForm({ rotation: 5, lateAfter: 0, duration: 720 }).errors, {});
  const bad = validateSessionForm({ rotation: "4", lateAfter: "-1", duration: "721" });
  assert.deepEqual(Object.keys(bad.errors).sort(), ["duration", "lateAfter", "rotation"]);
  assert.ok(validateSessionForm({ rotation: "301", lateAfter: "1", duration: "5" }).errors.rotation);
  assert.ok(validateSessionForm({ rotation: "7.5", lateAfter: "1", duration: "5" }).errors.rotation);
  assert.ok(validateSessionForm({ rotation: "", lateAfter: "1", duration: "5" }).errors.rotation);
  assert.match(validateSessionForm({ rotation: "10", lateAfter: "60", duration: "45" }).errors.lateAfter, /at most/);
});

test("sessionFields: exactly the fields validNewSession allows (opened_at added by the page)", () => {
  const start = Date.UTC(2026, 0, 5, 9, 0);
  const doc = sessionFields({
    courseId: "c1",
    teacherUid: "t1",
    ...DEFAULTS,
    startMs: start,
    secret: "x".repeat(43),
  });
  assert.deepEqual(Object.keys(doc).sort(), [
    "course_id",
    "ends_at",
    "late_after_minutes",
    "rotation_seconds",
    "secret",
    "starts_at",
    "status",
    "teacher_uid",
  ]);
  assert.equal(doc.status, "open");
  assert.equal(doc.starts_at.getTime(), start);
  assert.equal(doc.ends_at.getTime() - start, 90 * 60000);
  assert.ok(Number.isInteger(doc.rotation_seconds) && Number.isInteger(doc.late_after_minutes));
});
