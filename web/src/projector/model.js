// The projector view's wording and derived state, pure (no DOM, no Firebase), so that
// node --test checks it against the contracts.
import { RECORDED_REJECTIONS, STATUSES } from "../contracts.js";

/** A record's status (and "missing": no record yet) as the teacher reads it. */
export const STATUS_LABEL = Object.freeze({
  present: "Present",
  late: "Late",
  excused: "Excused",
  absent: "Absent",
  missing: "Not yet",
});

/** The statuses a teacher's override may set, in the dialog's order. */
export const OVERRIDE_STATUSES = STATUSES.override;

/**
 * Why the scan function refused a scan, in the teacher's words: one per rejection the
 * server records (contracts.json `recorded_rejections`).
 */
export const REJECTION_REASONS = Object.freeze({
  qr_invalid: "Wrong or forged code",
  qr_expired: "Code had expired (an old photo or a slow scan)",
  session_closed: "Session was not open",
  not_enrolled: "Not enrolled in this course",
  device_in_use: "Phone already used to check in another student",
  rate_limited: "Too many wrong typed codes",
});

export { RECORDED_REJECTIONS };
