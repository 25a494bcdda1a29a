// A session's settings as the teacher chooses them ("Open a session…": its kind, rotation,
// late threshold, duration, checked against the contracts' limits before POST /sessions opens
// it on the server's clock) and as the server reads a session document. No client writes
// a session (firestore.rules): its start, end and secret are the server's.
//
// Limits and defaults are the contracts' (session.* in contracts.json, via contracts.js):
// the numbers the server's session_doc uses.
import { SESSION_DEFAULTS, SESSION_ID, SESSION_LIMITS } from "./contracts.js";
import { t } from "./i18n/index.js";
import { DEFAULT_KIND, KINDS } from "./timetable.js";

export const DEFAULTS = SESSION_DEFAULTS;
export const LIMITS = SESSION_LIMITS;
export { SESSION_ID };

/**
 * Check the "Open session" form. Values are strings from inputs (or numbers); kind is
 * the select's (one of the contracts' kinds; anything else is the default kind).
 * -> {values: {kind?, rotation, lateAfter, duration}, errors: {field: message}}
 */
export function validateSessionForm(raw) {
  const values = {};
  const errors = {};
  if (raw.kind !== undefined) values.kind = KINDS.includes(raw.kind) ? raw.kind : DEFAULT_KIND;
  const names = {
    rotation: "wholeSeconds",
    lateAfter: "wholeMinutes",
    duration: "wholeMinutes",
  };
  for (const [field, rule] of Object.entries(names)) {
    const text = String(raw[field] ?? "").trim();
    const n = Number(text === "" ? NaN : text);
    const { min, max } = LIMITS[field];
    if (!Number.isInteger(n) || n < min || n > max) {
      errors[field] = t(`sessionsList.${rule}`, { label: t(`sessionsList.${field}`), min, max });
    } else {
      values[field] = n;
    }
  }
  if (!errors.lateAfter && !errors.duration && values.lateAfter > values.duration) {
    errors.lateAfter = t("sessionsList.lateMax");
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

/** A session document's kind as the figures count it: a session that names none is the default kind. */
export function sessionKind(doc) {
  return KINDS.includes(doc?.kind) ? doc.kind : DEFAULT_KIND;
}
