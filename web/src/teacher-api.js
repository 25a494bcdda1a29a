// The teacher's calls to the endpoints beside the scan function (functions/rollcall
// teaching and overrides), each with the teacher's Firebase ID token, over the page's
// one HTTP layer (http.js), and the teacher's words for their refusals:
//   POST {scanUrl}sessions {"course_id", "rotation_seconds", "late_after_minutes",
//        "duration_minutes"} or {"planned_id", ...} -> 201 {session_id, course_id, starts_at, ends_at, ...}
//   POST {scanUrl}overrides {"session_id", "uid", "status", "reason"} -> 202 {override_id, status}
//   POST {scanUrl}sessions/close {"session_id"} -> 202 {session_id, status, closed_at, absences}
//   GET  {scanUrl}exports/sessions/{id}.csv, {scanUrl}exports/courses/{id}.csv -> text/csv
//   POST {scanUrl}courses/settings {"course_id", ...rules} -> 200 {course_id, rules}
// Errors are {"error": {"code", "message"}}. Nothing here throws (a network failure is
// {state: "failed", code: "network"}) or builds DOM (the views are in views/ and the
// pages); `fetchImpl` is injectable for tests.
import { TIMETABLE } from "./contracts.js";
import { endpoint, postJson, readJson, refusal, send } from "./http.js";
import { keysOf, t, words } from "./i18n/index.js";

export { endpoint };

/** The catalog keys of the refusals every call can get (to build on: requests-api.js). */
export const COMMON_KEYS = Object.freeze(keysOf("api", ["unauthenticated", "unavailable", "network"]));
export const COMMON_ERRORS = words(COMMON_KEYS);

// ---- overrides -------------------------------------------------------------------------

/**
 * A teacher's override: POST {scanUrl}overrides {session_id, uid, status, reason}.
 * -> {state: "accepted", overrideId, status} | {state: "rejected"|"failed", code, message}
 */
export async function submitOverride({ scanUrl, idToken, sessionId, uid, status, reason, fetchImpl, timeoutMs }) {
  const json = { session_id: sessionId, uid, status, reason };
  const { failed, resp, body } = await postJson(endpoint(scanUrl, "overrides"), {
    idToken,
    json,
    fetchImpl,
    timeoutMs,
  });
  if (failed) return failed;
  if (resp.ok && body?.override_id) return { state: "accepted", overrideId: body.override_id, status: body.status };
  return refusal(resp, body);
}

/** The teacher's words for an override the server refused. */
export const OVERRIDE_ERRORS = words({
  ...keysOf("teacherErrors.override", ["forbidden", "not_enrolled", "unavailable", "network"]),
  unauthenticated: COMMON_KEYS.unauthenticated,
});

/** One line for the teacher about a refused or failed override. */
export function overrideErrorText(result) {
  if (result.code === "bad_request") return t("teacherErrors.overrideRefused", { message: result.message });
  return (
    OVERRIDE_ERRORS[result.code] ??
    t("teacherErrors.overrideRefusedCode", { code: result.code, message: result.message })
  );
}

// ---- open ---------------------------------------------------------------------------------

/**
 * Open a session of the course now, on the server's clock (a laptop's clock never sets
 * when a session starts), of `kind` (the server's default kind when none is given), or start the planned session `plannedId` (the Today page: its
 * audience, kind, room and end are the plan's; starting it again answers the same
 * session): -> {state: "opened", sessionId, startsAt, endsAt} or a rejected/failed
 * result.
 */
export async function openSession({
  scanUrl,
  idToken,
  courseId,
  plannedId,
  kind,
  rotation,
  lateAfter,
  duration,
  fetchImpl,
  timeoutMs,
}) {
  const timing = { rotation_seconds: rotation, late_after_minutes: lateAfter, duration_minutes: duration };
  // a planned session has its kind from the timetable (the server refuses another)
  const json = plannedId ? { planned_id: plannedId } : { course_id: courseId, ...(kind ? { kind } : {}) };
  for (const [name, value] of Object.entries(timing)) {
    if (value !== undefined && !(plannedId && name === "duration_minutes")) json[name] = value;
  }
  const { failed, resp, body } = await postJson(endpoint(scanUrl, "sessions"), { idToken, json, fetchImpl, timeoutMs });
  if (failed) return failed;
  if (resp.ok && body?.session_id) {
    return { state: "opened", sessionId: body.session_id, startsAt: body.starts_at, endsAt: body.ends_at };
  }
  return refusal(resp, body);
}

/** One line for the teacher about a session that was not opened. */
export function openErrorText(result) {
  const { message } = result;
  const text =
    {
      ...COMMON_ERRORS,
      forbidden: t("sessionsList.openForbidden"),
      not_now: t("sessionsList.openNotNow", { message, minutes: TIMETABLE.startEarlyMinutes }),
      cancelled: t("sessionsList.openCancelled", { message }),
      not_found: t("sessionsList.openNotFound"),
      unavailable: t("sessionsList.openBusy"),
      network: t("sessionsList.openNetwork"),
      bad_request: t("sessionsList.notOpened", { message }),
    }[result.code] ?? t("sessionsList.notOpened", { message });
  return t("sessionsList.withCode", { text, code: result.code });
}

// ---- close -------------------------------------------------------------------------------

/**
 * Close a session: -> {state: "closed", closedAt, absences: "marking"|"marked"} or a
 * rejected/failed result.
 */
export async function closeSession({ scanUrl, idToken, sessionId, fetchImpl, timeoutMs = 20000 }) {
  const { resp, failed } = await send(endpoint(scanUrl, "sessions/close"), {
    idToken,
    json: { session_id: sessionId },
    fetchImpl,
    timeoutMs,
  });
  if (failed) return failed;
  const body = await readJson(resp); // a 2xx without the answer: closed, marking
  if (!resp.ok) return refusal(resp, body);
  return { state: "closed", closedAt: body?.closed_at ?? null, absences: body?.absences ?? "marking" };
}

/** One line for the teacher about a close that did not happen. */
export function closeErrorText(result) {
  const text =
    {
      ...COMMON_ERRORS,
      ...words(keysOf("teacherErrors.close", ["forbidden", "unavailable", "network", "not_found"])),
    }[result.code] ?? t("teacherErrors.closeRefused", { message: result.message });
  return t("teacherErrors.withCode", { text, code: result.code });
}

// ---- exports -----------------------------------------------------------------------------

/** "exports/sessions/<id>.csv" or "exports/courses/<id>.csv". */
export function exportPath(kind, id) {
  if (kind !== "sessions" && kind !== "courses") throw new Error(`unknown export ${kind}`);
  return `exports/${kind}/${encodeURIComponent(id)}.csv`;
}

/**
 * GET a file (an export, a report): -> {state: "ok", blob, filename} (the answer's
 * Content-Disposition name, else `fallback`) or a rejected/failed result.
 */
export async function fetchFile(url, { idToken, fallback, fetchImpl, timeoutMs = 60000 }) {
  const { resp, failed } = await send(url, { method: "GET", idToken, fetchImpl, timeoutMs });
  if (failed) return failed;
  if (!resp.ok) return refusal(resp, await readJson(resp));
  return {
    state: "ok",
    blob: await resp.blob(),
    filename: filenameFromDisposition(resp.headers.get("Content-Disposition"), fallback),
  };
}

/** GET an export: -> {state: "ok", blob, filename} or a rejected/failed result. */
export async function fetchExport({ scanUrl, idToken, kind, id, fetchImpl, timeoutMs = 60000 }) {
  const fallback = `rollcall-${kind.slice(0, -1)}-${id}.csv`;
  return fetchFile(endpoint(scanUrl, exportPath(kind, id)), { idToken, fallback, fetchImpl, timeoutMs });
}

/** One line for the teacher about an export that failed. */
export function exportErrorText(result) {
  const text =
    {
      ...COMMON_ERRORS,
      ...words(keysOf("teacherErrors.export", ["forbidden", "not_found"])),
    }[result.code] ?? t("teacherErrors.exportFailed", { message: result.message });
  return t("teacherErrors.withCode", { text, code: result.code });
}

/**
 * The file name of a Content-Disposition header (`filename*=UTF-8''...` preferred,
 * then `filename="..."` or bare), reduced to a safe base name; `fallback` otherwise.
 */
export function filenameFromDisposition(header, fallback = "rollcall.csv") {
  if (!header) return fallback;
  let name = null;
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (star) {
    try {
      name = decodeURIComponent(star[2].trim().replace(/^"|"$/g, ""));
    } catch {
      name = null;
    }
  }
  if (!name) {
    const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(header);
    if (plain) name = plain[1] !== undefined ? plain[1].replace(/\\(.)/g, "$1") : plain[2];
  }
  name = (name ?? "")
    .split(/[/\\]/)
    .pop()
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .trim();
  return name && name !== "." && name !== ".." ? name : fallback;
}

// ---- course settings -----------------------------------------------------------------------

/** The teacher's name of each course setting (the contracts' course_settings). */
export const SETTING_LABELS = words(
  keysOf("rulesForm.label", [
    "min_attendance_percent",
    "min_attendance_percent_theory",
    "min_attendance_percent_practical",
    "min_attendance_percent_tutorial",
    "late_weight",
    "excused_policy",
    "absence_alert_run",
    "planned_sessions",
    "alerts_after_sessions",
    "auto_open",
    "dispute_window_days",
    "request_window_days",
  ]),
);

/**
 * The course rules form's values (strings, as inputs give them; `autoOpen` a checkbox's
 * boolean) as the settings the endpoint takes: numbers where numbers go, a blank
 * "planned sessions" as null (no plan) and a blank threshold of a kind as null (the
 * course's threshold). The server validates; this only converts (and refuses what is
 * not a number). Fields left undefined are not sent.
 */
export function settingsFromForm({
  minPercent,
  lateWeight,
  excusedPolicy,
  absenceRun,
  plannedSessions,
  alertsAfter,
  minTheory,
  minPractical,
  minTutorial,
  autoOpen,
  disputeWindow,
  requestWindow,
}) {
  const number = (text, name) => {
    const value = Number(String(text).trim().replace(",", "."));
    if (String(text).trim() === "" || !Number.isFinite(value)) {
      throw new Error(t("rulesForm.mustBeNumber", { label: SETTING_LABELS[name] }));
    }
    return value;
  };
  const orNull = (text, name) => (String(text ?? "").trim() === "" ? null : number(text, name));
  const optional = (value, name, read) => (value === undefined ? {} : { [name]: read(value, name) });
  return {
    min_attendance_percent: number(minPercent, "min_attendance_percent"),
    ...optional(minTheory, "min_attendance_percent_theory", orNull),
    ...optional(minPractical, "min_attendance_percent_practical", orNull),
    ...optional(minTutorial, "min_attendance_percent_tutorial", orNull),
    late_weight: number(lateWeight, "late_weight"),
    excused_policy: excusedPolicy,
    absence_alert_run: number(absenceRun, "absence_alert_run"),
    planned_sessions: orNull(plannedSessions, "planned_sessions"),
    ...optional(alertsAfter, "alerts_after_sessions", number),
    ...optional(autoOpen, "auto_open", (value) => value === true),
    ...optional(disputeWindow, "dispute_window_days", number),
    ...optional(requestWindow, "request_window_days", number),
  };
}

/** Store the course's rules: -> {state: "saved", rules} or a rejected/failed result. */
export async function saveCourseSettings({ scanUrl, idToken, courseId, settings, fetchImpl, timeoutMs = 20000 }) {
  const { failed, resp, body } = await postJson(endpoint(scanUrl, "courses/settings"), {
    idToken,
    json: { course_id: courseId, ...settings },
    fetchImpl,
    timeoutMs,
  });
  if (failed) return failed;
  if (!resp.ok) return refusal(resp, body);
  return { state: "saved", rules: body?.rules ?? null };
}

/** One line for the teacher about rules that were not saved. */
export function settingsErrorText(result) {
  if (result.code === "bad_request") {
    // The server names the setting by its field; the teacher knows it by its label.
    const text = String(result.message)
      .replace(/^[a-z_]+/, (name) => SETTING_LABELS[name] ?? name)
      .replace(", or null (none)", ", or blank"); // the form's blank is the server's null
    return t("rulesForm.notSaved", { text });
  }
  if (result.code === "forbidden") return t("rulesForm.forbidden");
  return t("rulesForm.notSavedCode", { text: COMMON_ERRORS[result.code] ?? result.message, code: result.code });
}
