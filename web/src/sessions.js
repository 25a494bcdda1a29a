// A session opened from the teacher's dashboard: the document the security rules'
// validNewSession accepts (firestore.rules), built here without the Firebase SDK so it
// can be unit-tested. The page adds `opened_at: serverTimestamp()` and writes it with
// setDoc on sessions/{id}.
//
//   course_id, teacher_uid, secret (32 random bytes, base64url, 43 chars),
//   rotation_seconds, late_after_minutes (at most the duration), starts_at (now),
//   ends_at (starts_at + duration), status: "open"
//
// Limits and defaults are the contracts' (session.* in contracts.json, via
// contracts.js): the numbers the server's session_doc and the rules' validNewSession use.
import { SESSION_DEFAULTS, SESSION_ID, SESSION_LIMITS } from "./contracts.js";
import { base64UrlEncode } from "./qr-token.js";

export const DEFAULTS = SESSION_DEFAULTS;
export const LIMITS = SESSION_LIMITS;
export { SESSION_ID };

function randomBytes(n) {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

/** "s" + 12 hex characters, like the CLI's ids (sessions.new_session_id). */
export function newSessionId(bytes = randomBytes(6)) {
  return `s${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** A fresh QR secret: 32 random bytes, base64url without padding (43 characters). */
export function newSecret(bytes = randomBytes(32)) {
  return base64UrlEncode(bytes);
}

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

/** The new session's fields (without opened_at, which the page sets to serverTimestamp()). */
export function sessionFields({
  courseId,
  teacherUid,
  rotation,
  lateAfter,
  duration,
  startMs = Date.now(),
  secret = newSecret(),
}) {
  const starts = new Date(startMs);
  return {
    course_id: courseId,
    teacher_uid: teacherUid,
    secret,
    rotation_seconds: rotation,
    late_after_minutes: lateAfter,
    starts_at: starts,
    ends_at: new Date(starts.getTime() + duration * 60000),
    status: "open",
  };
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
