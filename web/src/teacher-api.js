// The teacher's endpoints on the scan function (functions/rollcall/teaching.py), each
// with the teacher's Firebase ID token:
//   POST {scanUrl}sessions/close {"session_id"} -> 202 {session_id, status, closed_at, absences}
//   GET  {scanUrl}exports/sessions/{id}.csv, {scanUrl}exports/courses/{id}.csv -> text/csv
//   POST {scanUrl}courses/settings {"course_id", ...rules} -> 200 {course_id, rules}
// Errors are {"error": {"code", "message"}}. The functions here never throw: a network
// failure is {state: "failed", code: "network"}. `fetchImpl` is injectable for tests.
import { h } from "./dom.js";

/** An endpoint next to the scan URL (as overrides are). */
export function endpoint(scanUrl, path) {
  return new URL(path, scanUrl).toString();
}

/** "exports/sessions/<id>.csv" or "exports/courses/<id>.csv". */
export function exportPath(kind, id) {
  if (kind !== "sessions" && kind !== "courses") throw new Error(`unknown export ${kind}`);
  return `exports/${kind}/${encodeURIComponent(id)}.csv`;
}

async function call(url, init, { fetchImpl = globalThis.fetch, timeoutMs = 20000 } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return { resp: await fetchImpl(url, { ...init, signal: controller.signal, credentials: "omit" }) };
  } catch (err) {
    return { failed: { state: "failed", code: "network", message: String(err?.message ?? err) } };
  } finally {
    clearTimeout(timer);
  }
}

async function rejection(resp) {
  let body = null;
  try {
    body = await resp.json();
  } catch {
    // not JSON (a proxy's error page): the status decides
  }
  return {
    state: "rejected",
    code: body?.error?.code ?? (resp.status >= 500 ? "unavailable" : `http_${resp.status}`),
    message: body?.error?.message ?? `HTTP ${resp.status}`,
    httpStatus: resp.status,
  };
}

/**
 * Close a session: -> {state: "closed", closedAt, absences: "marking"|"marked"} or a
 * rejected/failed result.
 */
export async function closeSession({ scanUrl, idToken, sessionId, fetchImpl, timeoutMs }) {
  const { resp, failed } = await call(
    endpoint(scanUrl, "sessions/close"),
    {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${idToken}` },
      body: JSON.stringify({ session_id: sessionId }),
    },
    { fetchImpl, timeoutMs },
  );
  if (failed) return failed;
  if (!resp.ok) return rejection(resp);
  let body = null;
  try {
    body = await resp.json();
  } catch {
    // a 2xx without the answer: treat as closed, marking
  }
  return { state: "closed", closedAt: body?.closed_at ?? null, absences: body?.absences ?? "marking" };
}

const COMMON_ERRORS = {
  unauthenticated: "Your sign-in has expired. Sign in again, then retry.",
  unavailable: "Rollcall is busy. Try again in a moment.",
  network: "No connection to Rollcall. Check the network and try again.",
};

/** One line for the teacher about a close that did not happen. */
export function closeErrorText(result) {
  const text =
    {
      ...COMMON_ERRORS,
      forbidden: "Only the teacher of this course can close its sessions.",
      unavailable: "Rollcall is busy: the session is still open. Try again.",
      network: "No connection to Rollcall: the session is still open. Try again.",
      not_found: "This session no longer exists.",
      bad_request: `The close was refused: ${result.message}`,
    }[result.code] ?? `The close was refused: ${result.message}`;
  return `${text} (${result.code})`;
}

/** One line for the teacher about an export that failed. */
export function exportErrorText(result) {
  const text =
    {
      ...COMMON_ERRORS,
      forbidden: "Only the teacher of this course can export its attendance.",
      not_found: "There is nothing to export: no such session or course.",
    }[result.code] ?? `The export failed: ${result.message}`;
  return `${text} (${result.code})`;
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

/** GET an export: -> {state: "ok", blob, filename} or a rejected/failed result. */
export async function fetchExport({ scanUrl, idToken, kind, id, fetchImpl, timeoutMs = 60000 }) {
  const { resp, failed } = await call(
    endpoint(scanUrl, exportPath(kind, id)),
    { method: "GET", headers: { Authorization: `Bearer ${idToken}` } },
    { fetchImpl, timeoutMs },
  );
  if (failed) return failed;
  if (!resp.ok) return rejection(resp);
  const fallback = `rollcall-${kind.slice(0, -1)}-${id}.csv`;
  return {
    state: "ok",
    blob: await resp.blob(),
    filename: filenameFromDisposition(resp.headers.get("Content-Disposition"), fallback),
  };
}

/** Hand a blob to the browser as a download (an object URL on a temporary link). */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}

/**
 * An "Export CSV" button (and its error line): fetches the export with the teacher's
 * ID token and saves it. `getContext()` resolves to {scanUrl, idToken}; `targetId()`
 * is the session or course id.
 */
export function exportButton({ id, label, kind, targetId, getContext, small = false }) {
  const error = h("span.form-error.inline.export-error", { id: `${id}-error`, role: "alert" });
  const button = h(
    small ? "button.btn.btn-small" : "button.btn",
    {
      type: "button",
      id,
      async onclick() {
        button.disabled = true;
        error.textContent = "";
        delete error.dataset.code;
        button.textContent = "Preparing…";
        try {
          const { scanUrl, idToken } = await getContext();
          const result = await fetchExport({ scanUrl, idToken, kind, id: targetId() });
          if (result.state === "ok") saveBlob(result.blob, result.filename);
          else {
            error.textContent = exportErrorText(result);
            error.dataset.code = result.code;
          }
        } catch (err) {
          error.textContent = `The export failed: ${err.message ?? err}`;
        } finally {
          button.disabled = false;
          button.textContent = label;
        }
      },
    },
    label,
  );
  return h("span.export-area", {}, button, error);
}

/**
 * The course rules form's values (strings, as inputs give them) as the settings the
 * endpoint takes: numbers where numbers go, a blank "planned sessions" as null (no
 * plan). The server validates; this only converts (and refuses what is not a number).
 */
export function settingsFromForm({ minPercent, lateWeight, excusedPolicy, absenceRun, plannedSessions }) {
  const number = (text, name) => {
    const value = Number(String(text).trim().replace(",", "."));
    if (String(text).trim() === "" || !Number.isFinite(value)) throw new Error(`${name} must be a number`);
    return value;
  };
  const planned = String(plannedSessions ?? "").trim();
  return {
    min_attendance_percent: number(minPercent, "Minimum attendance"),
    late_weight: number(lateWeight, "Late counts as"),
    excused_policy: excusedPolicy,
    absence_alert_run: number(absenceRun, "Alert after absences in a row"),
    planned_sessions: planned === "" ? null : number(planned, "Planned sessions"),
  };
}

/** Store the course's rules: -> {state: "saved", rules} or a rejected/failed result. */
export async function saveCourseSettings({ scanUrl, idToken, courseId, settings, fetchImpl, timeoutMs }) {
  const { resp, failed } = await call(
    endpoint(scanUrl, "courses/settings"),
    {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${idToken}` },
      body: JSON.stringify({ course_id: courseId, ...settings }),
    },
    { fetchImpl, timeoutMs },
  );
  if (failed) return failed;
  if (!resp.ok) return rejection(resp);
  const body = await resp.json().catch(() => ({}));
  return { state: "saved", rules: body.rules ?? null };
}

/** One line for the teacher about rules that were not saved. */
export const SETTING_LABELS = {
  min_attendance_percent: "Minimum attendance",
  late_weight: "Late counts as",
  excused_policy: "Excused sessions",
  absence_alert_run: "Alert after absences in a row",
  planned_sessions: "Planned sessions",
};

export function settingsErrorText(result) {
  if (result.code === "bad_request") {
    // The server names the setting by its field; the teacher knows it by its label.
    const text = String(result.message).replace(/^[a-z_]+/, (name) => SETTING_LABELS[name] ?? name);
    return `Not saved: ${text}`;
  }
  if (result.code === "forbidden") return "Not saved: only the course's teacher changes its rules.";
  return `Not saved: ${COMMON_ERRORS[result.code] ?? result.message} (${result.code})`;
}
