// A session's settings as the teacher chooses them ("Open a session…": rotation, late
// threshold, duration, checked against the contracts' limits before POST /sessions opens
// it on the server's clock) and as the server reads a session document. No client writes
// a session (firestore.rules): its start, end and secret are the server's.
//
// Limits and defaults are the contracts' (session.* in contracts.json, via contracts.js):
// the numbers the server's session_doc uses.
import { SESSION_DEFAULTS, SESSION_ID, SESSION_LIMITS } from "./contracts.js";

export const DEFAULTS = SESSION_DEFAULTS;
export const LIMITS = SESSION_LIMITS;
export { SESSION_ID };

/**
 * Check the "Open session" form. Values are strings from inputs (or numbers).
 * -> {values: {rotation, lateAfter, duration}, errors: {field: message}}
 */
export function validateSessionForm(raw) {
  const values = {};
  const errors = {};
  const names = {
    rotation: ["New code every", "seconds"],
    lateAfter: ["Late after", "minutes"],
    duration: ["Duration", "minutes"],
  };
  for (const [field, [label, unit]] of Object.entries(names)) {
    const text = String(raw[field] ?? "").trim();
    const n = Number(text === "" ? NaN : text);
    const { min, max } = LIMITS[field];
    if (!Number.isInteger(n) || n < min || n > max) {
      errors[field] = `${label}: a whole number of ${unit} from ${min} to ${max}.`;
    } else {
      values[field] = n;
    }
  }
  if (!errors.lateAfter && !errors.duration && values.lateAfter > values.duration) {
    errors.lateAfter = "Late after: at most the session's duration.";
  }
  return { values, errors };
}

/**
 * A session document's rotation and late threshold as the server reads them
 * (Session.from_doc): a missing field takes the contracts' default.
 */
export function sessionTiming(doc) {
  const rotation = Number(doc?.rotation_seconds);
  const lateAfter = Number(doc?.late_after_minutes);
  return {
    rotation: Number.isFinite(rotation) && rotation > 0 ? rotation : DEFAULTS.rotation,
    lateAfter: Number.isFinite(lateAfter) && lateAfter >= 0 ? lateAfter : DEFAULTS.lateAfter,
  };
}
