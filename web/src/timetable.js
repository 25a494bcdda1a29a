// Planned sessions in words, for the Today page, the timetable import's preview, the
// projector and the figures per kind: the kinds of session and their names, a session's
// audience ("Division A", "Batch A1", "Whole course"), where a planned session stands
// now (to be started, startable, started, cancelled, over), the checks of the add and
// move forms before POST /planned/*, and days as the institution names them. Pure, so
// node --test checks it. Times of day are the institution's ("09:00", as GET /today and
// the timetable file give them), never converted to the laptop's time zone.
import { TIMETABLE } from "./contracts.js";
import { fmt, t } from "./i18n/index.js";

export const KINDS = TIMETABLE.kinds;
/** The kind of a session that names none (the server's standing.DEFAULT_KIND: the first). */
export const DEFAULT_KIND = KINDS[0];
export const START_EARLY_MINUTES = TIMETABLE.startEarlyMinutes;

// The kinds' words are the catalogs' kinds.<kind>.{label, one, many, in}.
const known = (k) => KINDS.includes(k);

const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);

/** "Theory", "Practical", "Tutorial" (an unknown kind as it comes, capitalised). */
export function kindLabel(kind) {
  const k = String(kind ?? "").toLowerCase();
  return known(k) ? t(`kinds.${k}.label`) : capital(k);
}

/** What one attends of a kind: ["lecture", "lectures"], ["practical", "practicals"], ... */
export function kindNouns(kind) {
  const k = String(kind ?? "").toLowerCase();
  return known(k) ? [t(`kinds.${k}.one`), t(`kinds.${k}.many`)] : [t("kinds.session.one"), t("kinds.session.many")];
}

/** "in theory", "in practicals", "in tutorials". */
export function kindIn(kind) {
  const k = String(kind ?? "").toLowerCase();
  return known(k) ? t(`kinds.${k}.in`) : t("kinds.in", { kind: k });
}

/** {type: "division", value: "A"} -> "Division A"; a batch -> "Batch A1"; else "Whole course". */
export function audienceLabel(audience) {
  const value = typeof audience?.value === "string" ? audience.value.trim() : "";
  if (audience?.type === "division" && value) return t("audience.division", { value });
  if (audience?.type === "batch" && value) return t("audience.batch", { value });
  return t("audience.course");
}

/** "09:00" -> minutes since midnight; null for anything else. */
export function minutesOf(text) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(String(text ?? "").trim());
  if (!m) return null;
  const [h, min] = [Number(m[1]), Number(m[2])];
  return h <= 23 && min <= 59 ? h * 60 + min : null;
}

/** Minutes since midnight -> "08:45". */
export function clockText(minutes) {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/** "09:00–10:00". */
export function timeRange(plan) {
  return `${plan?.start ?? "?"}–${plan?.end ?? "?"}`;
}

const millis = (iso) => {
  const t = Date.parse(iso ?? "");
  return Number.isNaN(t) ? null : t;
};

/**
 * Where a planned session of GET /today stands at `nowMs` (the server's clock when the
 * page knows it): {key, text}, key one of
 *   cancelled  cancelled, with its reason
 *   started    started: its session exists (open, or closed since)
 *   startable  may be started now (the server's `startable`, or within its window)
 *   later      not yet: "Start from 08:45" (START_EARLY_MINUTES before its start), or
 *              "Planned" on a day other than today (`today` false)
 *   over       its end has passed and nobody started it
 */
export function planPhase(plan, nowMs = Date.now(), { today = true } = {}) {
  if (plan?.status === "cancelled") {
    return {
      key: "cancelled",
      text: plan.reason ? t("phase.cancelledReason", { reason: plan.reason }) : t("phase.cancelled"),
    };
  }
  if (plan?.session_id) return { key: "started", text: t("phase.started") };
  const starts = millis(plan?.starts_at);
  const ends = millis(plan?.ends_at);
  const now = (text) => ({ key: "startable", text });
  // the server said so when the list was read: its clock decides, not the laptop's
  if (plan?.startable === true && !(ends !== null && nowMs >= ends)) {
    return now(starts !== null && nowMs < starts ? t("phase.startsAt", { time: plan.start }) : t("phase.onNow"));
  }
  if (ends !== null && nowMs >= ends) return { key: "over", text: t("phase.over", { time: plan.end }) };
  const early = minutesOf(plan?.start);
  const from = early === null ? "" : clockText(early - START_EARLY_MINUTES);
  if (plan?.startable === false || (starts !== null && nowMs < starts - START_EARLY_MINUTES * 60000)) {
    if (!today) return { key: "later", text: t("phase.planned") };
    return { key: "later", text: from ? t("phase.startFrom", { time: from }) : t("phase.notYet") };
  }
  return now(starts !== null && nowMs < starts ? t("phase.startsAt", { time: plan.start }) : t("phase.onNow"));
}

const AUDIENCE_RANK = { course: 0, division: 1, batch: 2 };
const byText = new Intl.Collator(undefined, { numeric: true }).compare;

/** A day's planned sessions: by start, then course code, then the whole course, its
 * divisions, its batches (A2 before A10). */
export function sortPlans(plans) {
  const rank = (p) => AUDIENCE_RANK[p.audience?.type] ?? 0;
  return [...(plans ?? [])].sort(
    (a, b) =>
      String(a.start).localeCompare(String(b.start)) ||
      byText(String(a.course_code ?? a.course_id), String(b.course_code ?? b.course_id)) ||
      rank(a) - rank(b) ||
      byText(String(a.audience?.value ?? ""), String(b.audience?.value ?? "")) ||
      String(a.planned_id).localeCompare(String(b.planned_id)),
  );
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_LONG = { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" };

/** "2026-09-08" -> "Tuesday, 8 September 2026" (a calendar day: no time zone moves it). */
export function dayLabel(iso) {
  if (!DAY.test(String(iso ?? ""))) return String(iso ?? "");
  return fmt.date(new Date(`${iso}T12:00:00Z`), DAY_LONG);
}

/** "2026-09-08", +1 -> "2026-09-09". */
export function shiftDay(iso, days) {
  const t = Date.parse(`${iso}T12:00:00Z`);
  if (Number.isNaN(t)) return iso;
  return new Date(t + days * 86400000).toISOString().slice(0, 10);
}

const TEXT_MAX = 200;

/**
 * The move form and the add form's "when": {date, start, end, room} as the inputs give
 * them (type=date, type=time). -> {values, errors: {field: message}}. The server checks
 * again (the term's dates among others); this only spares a round trip for the obvious.
 */
export function validateWhen(raw) {
  const values = {};
  const errors = {};
  const date = String(raw?.date ?? "").trim();
  if (!DAY.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) errors.date = t("plan.errors.date");
  else values.date = date;
  for (const field of ["start", "end"]) {
    const text = String(raw?.[field] ?? "").trim();
    const minutes = minutesOf(text);
    if (minutes === null) errors[field] = t(`plan.errors.${field}`);
    else values[field] = clockText(minutes);
  }
  if (!errors.start && !errors.end && minutesOf(values.end) <= minutesOf(values.start)) {
    errors.end = t("plan.errors.endAfter");
  }
  const room = String(raw?.room ?? "")
    .replace(/\s+/g, " ")
    .trim();
  if (room.length > TEXT_MAX) errors.room = t("plan.errors.room", { max: TEXT_MAX });
  else values.room = room || null;
  return { values, errors };
}

/**
 * The add form: the course, the kind, who it is for ("course", "division:A",
 * "batch:A1") and when. -> {body, errors}: body is POST /planned/add's.
 */
export function addBody(raw) {
  const { values, errors } = validateWhen(raw);
  const courseId = String(raw?.courseId ?? "").trim();
  if (!courseId) errors.course = t("plan.errors.course");
  const kind = String(raw?.kind ?? "");
  if (!KINDS.includes(kind)) errors.kind = t("plan.errors.kind");
  const [type, ...rest] = String(raw?.audience ?? "course").split(":");
  const value = rest.join(":");
  if ((type === "division" || type === "batch") && !value) errors.audience = t("plan.errors.audience");
  if (Object.keys(errors).length) return { body: null, errors };
  const body = { course_id: courseId, kind };
  if (type === "division" || type === "batch") body[type] = value;
  Object.assign(body, { date: values.date, start: values.start, end: values.end });
  if (values.room) body.room = values.room;
  return { body, errors };
}

/** The reason of a cancellation: required, one line, at most TEXT_MAX characters. */
export function validateReason(text) {
  const reason = String(text ?? "")
    .replace(/\s+/g, " ")
    .trim();
  if (!reason) return { reason: null, error: t("plan.errors.reason") };
  if (reason.length > TEXT_MAX) return { reason: null, error: t("plan.errors.reasonLong", { max: TEXT_MAX }) };
  return { reason, error: null };
}
