// Unit tests of the settings a teacher chooses for a session (POST /sessions opens it)
// and of how a session document's timing is read.
import assert from "node:assert/strict";
import { test } from "node:test";

import { DEFAULTS, sessionKind, sessionTiming, validateSessionForm } from "../src/sessions.js";

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

test("the form's kind is one of the contracts' kinds, sent as chosen; the list shows the kind the figures count", () => {
  const form = { rotation: "10", lateAfter: "10", duration: "90" };
  assert.deepEqual(validateSessionForm({ ...form, kind: "practical" }).values, {
    kind: "practical",
    rotation: 10,
    lateAfter: 10,
    duration: 90,
  });
  assert.equal(validateSessionForm({ ...form, kind: "lab" }).values.kind, "theory", "not a kind: the default");
  assert.equal("kind" in validateSessionForm(form).values, false, "no select: the server's default");
  assert.equal(sessionKind({ kind: "tutorial" }), "tutorial");
  assert.equal(sessionKind({}), "theory", "a session that names no kind counts as theory");
});

test("a session document's timing: the contracts' defaults for what it lacks", () => {
  assert.deepEqual(sessionTiming({ rotation_seconds: 30, late_after_minutes: 0 }), { rotation: 30, lateAfter: 0 });
  assert.deepEqual(sessionTiming({}), { rotation: DEFAULTS.rotation, lateAfter: DEFAULTS.lateAfter });
});
