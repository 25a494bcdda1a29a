// The projector view's wording and derived state, pure (no DOM, no Firebase), so that
// node --test checks it: the labels tied to the contracts, the class list's rows and
// note, the rejected scans' rows, the close line, and what the code panel shows when.
import { RECORDED_REJECTIONS, STATUSES } from "../contracts.js";
import { fmtTime, toDate } from "../dom.js";
import { keysOf, t, words } from "../i18n/index.js";
import { byRollNo } from "../roll-order.js";
import { sessionTiming } from "../sessions.js";
import { notYet } from "../tally.js";

/** A record's status (and "missing": no record yet) as the teacher reads it. */
export const STATUS_LABEL = words(keysOf("panel.status", ["present", "late", "excused", "absent", "missing"]));

/** The statuses a teacher's override may set, in the dialog's order. */
export const OVERRIDE_STATUSES = STATUSES.override;

/**
 * Why the scan function refused a scan, in the teacher's words: one per rejection the
 * server records (contracts.json `recorded_rejections`).
 */
export const REJECTION_REASONS = words(
  keysOf("panel.rejectionReasons", [
    "qr_invalid",
    "qr_expired",
    "session_closed",
    "not_enrolled",
    "device_in_use",
    "rate_limited",
    "not_in_audience",
  ]),
);

export { RECORDED_REJECTIONS };

/** A refusal in a few words, for the room's counts ("3 tried: code expired"). */
export const TRIED_REASONS = words(
  keysOf("projector.triedReasons", [
    "qr_expired",
    "qr_invalid",
    "session_closed",
    "not_enrolled",
    "device_in_use",
    "rate_limited",
    "not_in_audience",
  ]),
);

/**
 * The students who tried and were refused but have no record (not checked in), one row
 * each, by their latest refusal, latest first: [{uid, code, lastMs, count}]. A student
 * who then checks in (a record arrives) leaves it.
 */
export function triedRows({ rejections, attendance }) {
  const latest = new Map();
  for (const r of rejections.values()) {
    if (!r?.uid || attendance.has(r.uid)) continue;
    const lastMs = toDate(r.last_at)?.getTime() ?? 0;
    const seen = latest.get(r.uid);
    const count = (seen?.count ?? 0) + (r.count ?? 1);
    if (!seen || lastMs > seen.lastMs) latest.set(r.uid, { uid: r.uid, code: r.code, lastMs, count });
    else seen.count = count;
  }
  return [...latest.values()].sort((a, b) => b.lastMs - a.lastMs);
}

/** The room's counts: [{code, count, text: "3 tried: code expired"}], most first. */
export function triedCounts(rows) {
  const by = new Map();
  for (const row of rows) by.set(row.code, (by.get(row.code) ?? 0) + 1);
  return [...by.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, count]) => ({
      code,
      count,
      text: t("projector.tried", { n: count, reason: TRIED_REASONS[code] ?? code }),
    }));
}

export const ROSTER_FILTERS = words(keysOf("panel.filters", ["all", "missing", "arrived"]));

const checkedIn = new Set(STATUSES.checkedIn);

/**
 * Who someone not on the class list is, as far as the page knows: their roster row
 * (people: uid -> {email, name, rollNo, removed}, looked up), else the email a rejected
 * scan of theirs recorded; never only an account id. -> {name, email, rollNo, note}
 */
export function stranger(uid, { people = new Map(), emails = new Map() } = {}) {
  const known = people.get(uid);
  const email = known?.email || emails.get(uid) || "";
  return {
    name: known?.name || email || t("panel.unknownAccount"),
    email: known?.name ? email : "",
    rollNo: known?.rollNo ?? "",
    note: known?.removed ? t("panel.removed") : t("panel.notOnList"),
  };
}

/** uid -> email, from the rejected scans that recorded one. */
export function emailsOf(rejections) {
  const out = new Map();
  for (const r of rejections.values()) if (r.uid && r.email && !out.has(r.uid)) out.set(r.uid, r.email);
  return out;
}

/**
 * The class list: every enrolled student (and any record of a student no longer
 * enrolled, shown by what is known of them), in roll-number order (2 before 10; then by
 * name), with roll number, division and status; filtered and searched. Rows are flat
 * values (strings, numbers, booleans), so a row whose values did not change renders
 * nothing. -> {rows, counts: {present, late, excused, absent, missing}, total, enrolled}
 */
export function rosterRows({
  enrolled,
  attendance,
  pendingOverrides = new Map(),
  filter = "all",
  term = "",
  people = new Map(),
  emails = new Map(),
}) {
  const students = [...enrolled.values()];
  for (const uid of attendance.keys()) {
    if (enrolled.has(uid)) continue;
    const who = stranger(uid, { people, emails });
    students.push({ uid, name: who.name, email: who.email, roll_no: who.rollNo, note: who.note });
  }
  students.sort(byRollNo);
  const counts = { present: 0, late: 0, excused: 0, absent: 0, missing: 0 };
  const search = term.trim().toLowerCase();
  const rows = [];
  for (const s of students) {
    const rec = attendance.get(s.uid);
    const status = rec && STATUS_LABEL[rec.status] ? rec.status : rec ? "present" : "missing";
    counts[status] += 1;
    if (filter === "missing" && status !== "missing") continue;
    if (filter === "arrived" && !checkedIn.has(status)) continue;
    if (search && !`${s.roll_no ?? ""} ${s.name} ${s.email}`.toLowerCase().includes(search)) continue;
    const pending = pendingOverrides.get(s.uid);
    rows.push({
      uid: s.uid,
      rollNo: s.roll_no == null ? "" : String(s.roll_no),
      division: s.division ?? "",
      name: s.name || s.email || t("panel.unknownAccount"),
      email: s.email ?? "",
      note: s.note ?? "",
      status,
      source: rec?.source ?? "",
      reason: rec?.reason ?? "",
      previousStatus: rec?.previous_status ?? "",
      at: toDate(rec?.scanned_at)?.getTime() ?? null,
      saving: !!pending && rec?.override_id !== pending.overrideId,
    });
  }
  return { rows, counts, total: students.length, enrolled: enrolled.size };
}

/** The line under the class list's title. */
export function rosterNote({ rows, counts, total, enrolled }) {
  return [
    t("panel.rosterNote", { checked: counts.present + counts.late, enrolled }),
    counts.excused ? t("panel.noteExcused", { n: counts.excused }) : "",
    counts.absent ? t("panel.noteAbsent", { n: counts.absent }) : "",
    rows.length !== total ? t("panel.noteShowing", { n: rows.length }) : "",
  ]
    .filter(Boolean)
    .join(" · ");
}

/** Overrides the server has applied (the record carries their id): no longer "Saving…". */
export function settledOverrides(pendingOverrides, attendance) {
  const left = new Map(pendingOverrides);
  for (const [uid, pending] of pendingOverrides) {
    if (attendance.get(uid)?.override_id === pending.overrideId) left.delete(uid);
  }
  return left.size === pendingOverrides.size ? pendingOverrides : left;
}

/** A device id as shown: the first and last four characters of a long one. */
export function shortDevice(device = "") {
  return device.length > 12 ? `${device.slice(0, 4)}…${device.slice(-4)}` : device;
}

/**
 * The rejected scans, latest first, in the teacher's words: who (a student on the class
 * list, or what is known of someone who is not: never only an account id), why, and for
 * "phone already used" whose phone it is once known.
 */
export function rejectionRows({ rejections, enrolled, deviceOwners = new Map(), people = new Map() }) {
  const emails = emailsOf(rejections);
  const nameOf = (uid) => enrolled.get(uid)?.name ?? stranger(uid, { people, emails }).name;
  return [...rejections.entries()]
    .map(([id, r]) => ({ id, ...r, lastMs: toDate(r.last_at)?.getTime() ?? 0 }))
    .sort((a, b) => b.lastMs - a.lastMs)
    .map((r) => {
      const known = enrolled.get(r.uid);
      const who = known ? null : stranger(r.uid, { people, emails });
      let reason = REJECTION_REASONS[r.code] ?? r.code;
      const owner = r.code === "device_in_use" ? deviceOwners.get(r.device_id) : null;
      if (owner) reason = t("panel.reasonOwner", { reason, name: nameOf(owner) });
      return {
        id: r.id,
        uid: r.uid,
        code: r.code,
        known: !!known,
        name: known ? (known.name ?? known.email ?? "") : who.name,
        email: known ? (known.email ?? "") : who.email || (who.name.includes("@") ? who.name : ""),
        note: who?.note ?? "",
        reason,
        message: r.message ?? "",
        device: r.device_id ?? "",
        lastMs: r.lastMs || null,
        count: r.count ?? 1,
      };
    });
}

const KINDS = words({
  theory: "kinds.theory.label",
  practical: "kinds.practical.label",
  tutorial: "kinds.tutorial.label",
  lab: "projector.lab",
});

/**
 * What the room is told about the session besides the course: "Division A · Batch A1 ·
 * Practical · Room 204", from the session's (planned session's) fields when it has
 * them; "" when it has none.
 */
export function sessionFacts(session) {
  if (!session) return "";
  const text = (v) => (typeof v === "string" || typeof v === "number" ? String(v).trim() : "");
  const kind = text(session.kind).toLowerCase();
  // a planned session's audience ({type: "division"|"batch", value}; the whole course says nothing)
  const audience = session.audience ?? {};
  const division = text(session.division) || (audience.type === "division" ? text(audience.value) : "");
  const batch = text(session.batch) || (audience.type === "batch" ? text(audience.value) : "");
  return [
    division && t("audience.division", { value: division }),
    batch && t("audience.batch", { value: batch }),
    kind && (KINDS[kind] ?? kind.charAt(0).toUpperCase() + kind.slice(1)),
    text(session.room) && t("projector.room", { room: text(session.room) }),
  ]
    .filter(Boolean)
    .join(" · ");
}

/**
 * The close result line: "Closed. Marking N absences…", then "Closed. N absences
 * marked." as they arrive; for a session closed elsewhere, its close time and what is
 * left to mark. closedHere/closing: {expected, absences} of this page's close.
 */
export function closeLine({ session, closedHere, closing, tally, enrolledCount }) {
  const waiting = enrolledCount ? notYet(tally, enrolledCount) : null;
  // the session's snapshot may say closed before the close's answer arrives
  const closed = closedHere ?? closing;
  if (closed && closed.absences === "marked") return { text: t("panel.closedAlready"), state: "marked" };
  if (closed) {
    const count = closed.expected;
    if (count === 0) return { text: t("panel.closedNone"), state: "marked" };
    if (waiting === null || waiting > 0) return { text: t("panel.closedMarking", { count }), state: "marking" };
    return { text: t("panel.closedMarked", { count }), state: "marked" };
  }
  const at = toDate(session?.closed_at);
  const time = at ? fmtTime(at) : null;
  if (waiting)
    return { text: t(time ? "panel.closedAtWaiting" : "panel.closedWaiting", { time, n: waiting }), state: "marking" };
  return { text: t(time ? "panel.closedAtAbsent" : "panel.closedAbsent", { time, n: tally.absent }), state: "marked" };
}

/**
 * What the code panel shows at `nowMs`: {stopped: text} when no code may be shown (closed,
 * ended, not started), else {state: text, window, left (s to the next code), rotation}.
 */
export function codeState(session, nowMs) {
  const start = toDate(session.starts_at);
  const end = toDate(session.ends_at);
  const { rotation, lateAfter } = sessionTiming(session);
  if (session.status !== "open") return { stopped: t("projector.closed") };
  if (end && nowMs >= end.getTime()) return { stopped: t("projector.endedAt", { time: fmtTime(end) }) };
  if (start && nowMs < start.getTime()) return { stopped: t("projector.opensAt", { time: fmtTime(start) }) };
  const lateAt = start ? new Date(start.getTime() + lateAfter * 60000) : null;
  const state =
    lateAt && nowMs < lateAt.getTime() ? t("projector.onTimeUntil", { time: fmtTime(lateAt) }) : t("projector.lateNow");
  return {
    state,
    window: Math.floor(nowMs / 1000 / rotation),
    left: rotation - ((nowMs / 1000) % rotation),
    rotation,
  };
}
