// The page's wording and limits are tied to the contracts (functions/rollcall/contracts.json):
// every error code the server can answer has words for the student, every rejection it
// records has words for the teacher, every course setting has a label, and the numbers
// the page checks are the contracts' own.
import assert from "node:assert/strict";
import { test } from "node:test";

import contracts, {
  COURSE_SETTINGS,
  ERROR_CODES,
  ERROR_STATUS,
  RECORDED_REJECTIONS,
  SESSION_DEFAULTS,
  SESSION_LIMITS,
  STATUSES,
} from "../src/contracts.js";
import { OVERRIDE_STATUSES, REJECTION_REASONS, STATUS_LABEL } from "../src/projector/model.js";
import { OUTCOMES, outcomeFor } from "../src/scan-api.js";
import { DEFAULTS, LIMITS, validateSessionForm } from "../src/sessions.js";
import { DEFAULT_RULES, rulesFromCourse } from "../src/standing.js";
import { SETTING_LABELS } from "../src/teacher-api.js";

/** Codes the page makes up itself: the request never reached the server. */
const CLIENT_CODES = ["network"];

test("the contracts are read, not restated: a sample of their values", () => {
  assert.equal(ERROR_STATUS.qr_expired, contracts.errors.qr_expired);
  assert.ok(ERROR_CODES.length >= 10);
  assert.ok(!ERROR_CODES.some((code) => code.startsWith("$")), "comments are not codes");
  for (const [field, key] of [
    ["rotation", "rotation_seconds"],
    ["lateAfter", "late_after_minutes"],
    ["duration", "duration_minutes"],
  ]) {
    assert.equal(SESSION_DEFAULTS[field], contracts.session[key].default);
    assert.deepEqual(SESSION_LIMITS[field], { min: contracts.session[key].min, max: contracts.session[key].max });
  }
});

test("every error code has a student-facing outcome, and no outcome names a code that does not exist", () => {
  for (const code of ERROR_CODES) {
    assert.ok(OUTCOMES[code]?.title && OUTCOMES[code]?.advice, `no outcome text for ${code}`);
    assert.equal(typeof OUTCOMES[code].retry, "boolean", code);
  }
  const known = new Set([...ERROR_CODES, ...CLIENT_CODES]);
  for (const code of Object.keys(OUTCOMES)) assert.ok(known.has(code), `outcome text for unknown code ${code}`);
  for (const code of CLIENT_CODES) assert.ok(OUTCOMES[code], code);
  // an answer the contracts do not know (a newer server) still reads as something
  assert.equal(outcomeFor("something_new").title, "Scan refused");
});

test("every rejection the server records has a reason in the teacher's words, and only those", () => {
  assert.deepEqual(Object.keys(REJECTION_REASONS).sort(), [...RECORDED_REJECTIONS].sort());
  for (const code of RECORDED_REJECTIONS) {
    assert.ok(ERROR_CODES.includes(code), `${code} is recorded but is no error code`);
    assert.ok(REJECTION_REASONS[code].length > 5, code);
  }
});

test("statuses: every record status has a label; the override dialog offers the contracts' statuses", () => {
  for (const status of STATUSES.record) assert.ok(STATUS_LABEL[status], status);
  assert.deepEqual([...OVERRIDE_STATUSES], contracts.statuses.override);
});

test("the session form uses the contracts' limits and defaults", () => {
  assert.deepEqual(DEFAULTS, SESSION_DEFAULTS);
  assert.deepEqual(LIMITS, SESSION_LIMITS);
  for (const field of ["rotation", "lateAfter", "duration"]) {
    const { min, max } = SESSION_LIMITS[field];
    // the late threshold is also bounded by the duration: the longest one here
    const form = { ...DEFAULTS, lateAfter: 0, duration: SESSION_LIMITS.duration.max };
    const at = (n) => validateSessionForm({ ...form, [field]: n }).errors[field];
    assert.equal(at(min), undefined, `${field} = ${min}`);
    assert.equal(at(max), undefined, `${field} = ${max}`);
    assert.ok(at(min - 1), `${field} = ${min - 1}`);
    assert.ok(at(max + 1), `${field} = ${max + 1}`);
  }
});

test("course rules: every setting has a label, its default, and falls back on it when out of bounds", () => {
  assert.deepEqual(
    Object.keys(SETTING_LABELS).sort(),
    Object.keys(COURSE_SETTINGS).sort(),
    "a label for each setting the server validates",
  );
  assert.deepEqual(rulesFromCourse({}), DEFAULT_RULES);
  for (const [name, spec] of Object.entries(COURSE_SETTINGS)) {
    assert.equal(DEFAULT_RULES[name], spec.default, name);
    const bad = {
      choice: ["no-such-choice", 1, null],
      boolean: ["true", 1, null],
    }[spec.kind] ?? [spec.min - 1, spec.max + 1, "12", null];
    if (spec.kind === "integer") bad.push(spec.min + 0.5);
    for (const value of bad) assert.equal(rulesFromCourse({ [name]: value })[name], spec.default, `${name} = ${value}`);
    const good = { choice: spec.choices?.at(-1), boolean: !spec.default }[spec.kind] ?? spec.max;
    assert.equal(rulesFromCourse({ [name]: good })[name], good, `${name} = ${good}`);
  }
});
