// The contracts the page shares with the server, the security rules and the tests,
// read from their one source, functions/rollcall/contracts.json (Vite bundles the
// JSON; node --test reads it through the same import attribute). Nothing here restates
// a number: session limits and defaults, id patterns, statuses, error codes, the
// rejections the server records, and the course settings come from that file.
import contracts from "../../functions/rollcall/contracts.json" with { type: "json" };

export default contracts;

/** Every error code an endpoint answers (the JSON body's error.code). */
export const ERROR_CODES = Object.freeze(Object.keys(contracts.errors).filter((k) => !k.startsWith("$")));

/** The HTTP status of each error code. */
export const ERROR_STATUS = Object.freeze(
  Object.fromEntries(ERROR_CODES.map((code) => [code, contracts.errors[code]])),
);

/** The refused scans the server records for the teacher (sessions/{s}/rejections). */
export const RECORDED_REJECTIONS = Object.freeze([...contracts.recorded_rejections]);

/** What a scan gives, what an override sets, what a record holds, who counts as checked in. */
export const STATUSES = Object.freeze({
  scan: Object.freeze([...contracts.statuses.scan]),
  override: Object.freeze([...contracts.statuses.override]),
  record: Object.freeze([...contracts.statuses.record]),
  checkedIn: Object.freeze([...contracts.statuses.checked_in]),
});

/** The session settings a teacher chooses: {rotation, lateAfter, duration} -> {min, max}. */
export const SESSION_LIMITS = Object.freeze({
  rotation: bounds(contracts.session.rotation_seconds),
  lateAfter: bounds(contracts.session.late_after_minutes),
  duration: bounds(contracts.session.duration_minutes),
});

/** Their defaults (the teacher's form, and what a session without the field means). */
export const SESSION_DEFAULTS = Object.freeze({
  rotation: contracts.session.rotation_seconds.default,
  lateAfter: contracts.session.late_after_minutes.default,
  duration: contracts.session.duration_minutes.default,
});

export const SESSION_ID = new RegExp(contracts.ids.session);
export const DOCUMENT_ID = new RegExp(contracts.ids.document);
export const SESSION_SECRET = new RegExp(contracts.session.secret_pattern);

/** The QR token format: version, MAC length in bytes, typed-code digits, longest token. */
export const QR = Object.freeze({
  version: contracts.qr.version,
  macBytes: contracts.qr.mac_bytes,
  codeDigits: contracts.qr.code_digits,
  tokenMaxLength: contracts.qr.token_max_length,
});

/** A course's attendance rules: name -> {kind, min?, max?, choices?, default, nullable?}. */
export const COURSE_SETTINGS = Object.freeze(
  Object.fromEntries(
    Object.entries(contracts.course_settings)
      .filter(([name]) => !name.startsWith("$"))
      .map(([name, spec]) => [name, Object.freeze({ ...spec })]),
  ),
);

export const STANDING_STATES = Object.freeze([...contracts.standing_states]);

function bounds({ min, max }) {
  return Object.freeze({ min, max });
}

/** Who may do what (roles.actions): action -> the roles that may take it (web/src/roles.js). */
export const ROLE_ACTIONS = Object.freeze(
  Object.fromEntries(
    Object.entries(contracts.roles.actions)
      .filter(([action]) => !action.startsWith("$"))
      .map(([action, roles]) => [action, Object.freeze([...roles])]),
  ),
);

/** The roles a course's staff hold (courses/{c}.roles values). */
export const STAFF_ROLES = Object.freeze([...contracts.roles.staff]);

/** An imported file's limits, and the codes of what a file or a row can get wrong. */
export const IMPORTS = Object.freeze({
  maxRows: contracts.imports.max_rows,
  maxBytes: contracts.imports.max_bytes,
  fileErrors: Object.freeze([...contracts.imports.file_errors]),
  rowErrors: Object.freeze([...contracts.imports.row_errors]),
  warnings: Object.freeze([...contracts.imports.warnings]),
});

/** Planned sessions: the kinds of session, and how early before its start one may be started. */
export const TIMETABLE = Object.freeze({
  kinds: Object.freeze([...contracts.timetable.kinds]),
  startEarlyMinutes: contracts.timetable.start_early_minutes,
});

/** Absence requests: kinds, statuses, the document's limit and types (rollcall.core.absences). */
export const REQUESTS = Object.freeze({
  kinds: Object.freeze([...contracts.requests.kinds]),
  statuses: Object.freeze([...contracts.requests.statuses]),
  maxReason: contracts.requests.max_reason,
  maxComment: contracts.requests.max_comment,
  documentMaxBytes: contracts.requests.document_max_bytes,
  documentTypes: Object.freeze(Object.keys(contracts.requests.document_types)),
});
