// The admin page's calls (institution admins and heads of department), over the page's
// one HTTP layer (http.js), and the admin's words for their refusals:
//   POST {scanUrl}admin/departments {code, name, heads}
//   POST {scanUrl}admin/terms {id, name, starts_on, ends_on, holidays}
//   POST {scanUrl}imports/courses[?dry_run=true][&base=N]              body: the CSV file
//   POST {scanUrl}imports/roster?course_id=C[&dry_run=true][&base=N]   body: the CSV file
//   POST {scanUrl}imports/timetable?term_id=T[&dry_run=true][&base=N]  body: the CSV file
//   GET  {scanUrl}reports/defaulters.(csv|pdf)?department=D[&division=X]&as_of=YYYY-MM-DD
//   GET  {scanUrl}reports/department?department=D[&division=X][&as_of=YYYY-MM-DD][&course=C]
// An import answers its report (200), or 422 import_invalid {error, report} when an
// apply meets an error, or 409 conflict. No DOM; `fetchImpl` is injectable for tests.
import { IMPORTS } from "./contracts.js";
import { endpoint, getJson, postJson, readJson, refusal, send } from "./http.js";
import { COMMON_ERRORS, fetchFile } from "./teacher-api.js";

// ---- departments and terms -------------------------------------------------------------

/** Emails as people paste them: separated by commas, semicolons, spaces or new lines. */
export function parseEmails(text) {
  return [
    ...new Set(
      String(text ?? "")
        .split(/[\s,;|]+/)
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Holidays, one a line: "2026-08-15 Independence Day" (or "2026-08-15 = Independence
 * Day", or a date alone). -> {holidays: [{date, name}], errors: ["line 2: ..."]}.
 */
export function parseHolidays(text) {
  const holidays = [];
  const errors = [];
  String(text ?? "")
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = raw.trim();
      if (!line) return;
      const m = /^(\S+)\s*(?:[=:,;–-]\s*)?(.*)$/.exec(line);
      const date = m?.[1] ?? "";
      if (!DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
        errors.push(`line ${i + 1}: "${line}" does not start with a date (YYYY-MM-DD)`);
        return;
      }
      holidays.push({ date, name: (m[2] ?? "").trim() || "Holiday" });
    });
  return { holidays, errors };
}

/** Holidays back as the form's text. */
export function holidaysText(holidays) {
  return (holidays ?? []).map((h) => `${h.date} ${h.name ?? ""}`.trim()).join("\n");
}

async function postAdmin(path, { scanUrl, idToken, json, fetchImpl, timeoutMs = 20000 }) {
  const { failed, resp, body } = await postJson(endpoint(scanUrl, path), { idToken, json, fetchImpl, timeoutMs });
  if (failed) return failed;
  if (!resp.ok) return refusal(resp, body);
  return { state: "saved", stored: body };
}

/** Create or replace a department: -> {state: "saved", stored} or a rejected/failed result. */
export function saveDepartment({ scanUrl, idToken, code, name, heads, fetchImpl }) {
  return postAdmin("admin/departments", {
    scanUrl,
    idToken,
    json: { code: String(code).trim(), name: String(name).trim(), heads: parseEmails(heads) },
    fetchImpl,
  });
}

/** Create or replace a term: -> {state: "saved", stored} or a rejected/failed result. */
export function saveTerm({ scanUrl, idToken, id, name, startsOn, endsOn, holidays, fetchImpl }) {
  return postAdmin("admin/terms", {
    scanUrl,
    idToken,
    json: { id: String(id).trim(), name: String(name).trim(), starts_on: startsOn, ends_on: endsOn, holidays },
    fetchImpl,
  });
}

/** One line about a department or term that was not saved. */
export function adminErrorText(result) {
  if (result.code === "bad_request") return `Not saved: ${result.message}`;
  if (result.code === "forbidden") return "Not saved: only institution admins set departments and terms.";
  return `Not saved: ${COMMON_ERRORS[result.code] ?? result.message} (${result.code})`;
}

// ---- imports -------------------------------------------------------------------------------

/** "imports/courses?dry_run=true", "imports/roster?course_id=C&base=3", "imports/timetable?term_id=T", ... */
export function importPath(kind, { courseId = null, termId = null, dryRun = false, base = null } = {}) {
  if (!["courses", "roster", "timetable"].includes(kind)) throw new Error(`unknown import ${kind}`);
  const params = new URLSearchParams();
  if (kind === "roster") {
    if (!courseId) throw new Error("a roster import names its course");
    params.set("course_id", courseId);
  }
  if (kind === "timetable") {
    if (!termId) throw new Error("a timetable import names its term");
    params.set("term_id", termId);
  }
  if (dryRun) params.set("dry_run", "true");
  if (!dryRun && Number.isInteger(base)) params.set("base", String(base));
  const query = params.toString();
  return `imports/${kind}${query ? `?${query}` : ""}`;
}

/** A file the server would refuse for its size, said before sending it; null if fine. */
export function fileProblem(file) {
  if (!file) return "Choose a file first.";
  if (file.size === 0) return `${file.name} is empty.`;
  if (file.size > IMPORTS.maxBytes) {
    const mb = (n) => `${(n / (1024 * 1024)).toFixed(1)} MB`;
    return `${file.name} is ${mb(file.size)}: files of at most ${mb(IMPORTS.maxBytes)} can be imported.`;
  }
  return null;
}

/**
 * Preview (`dryRun`) or apply a file (`body`: a Blob or the file's bytes). ->
 * {state: "report", report} (200: a preview, or an applied import), {state: "invalid",
 * report, message} (422: the file has errors, nothing applied), or a rejected/failed
 * result (409 conflict, 403, ...).
 */
export async function importFile({
  scanUrl,
  idToken,
  kind,
  courseId,
  termId,
  body,
  dryRun,
  base,
  fetchImpl,
  timeoutMs = 600000,
}) {
  const { resp, failed } = await send(endpoint(scanUrl, importPath(kind, { courseId, termId, dryRun, base })), {
    idToken,
    body,
    contentType: "text/csv",
    fetchImpl,
    timeoutMs,
  });
  if (failed) return failed;
  const answer = await readJson(resp);
  if (resp.ok && answer?.counts) return { state: "report", report: answer };
  if (resp.status === 422 && answer?.report) {
    return { state: "invalid", report: answer.report, message: answer.error?.message ?? "" };
  }
  return refusal(resp, answer);
}

/** One line about an import that did not happen. */
export function importErrorText(result) {
  const text =
    {
      ...COMMON_ERRORS,
      conflict:
        "Another import of this is running, or it changed since your preview. Nothing was applied: preview the file again.",
      forbidden: "Only institution admins and the heads of its department may import this.",
      payload_too_large: `The file is too large: at most ${Math.round(IMPORTS.maxBytes / (1024 * 1024))} MB.`,
      unsupported_media_type: "The file was not sent as CSV.",
      not_found: "There is no such course or term: import the courses file (or set the term) first.",
      network:
        "No connection to Rollcall. If you were applying, the import may still finish: preview the file again to see.",
    }[result.code] ?? `The import was refused: ${result.message}`;
  return `${text} (${result.code})`;
}

// ---- institution settings --------------------------------------------------------------------

/**
 * The institution's settings (POST /admin/settings): `documentRequiredAfterDays` is text
 * from the form, blank for "never required". -> {state: "saved", stored} or a refusal.
 */
export function saveInstitutionSettings({ scanUrl, idToken, documentRequiredAfterDays, fetchImpl }) {
  const text = String(documentRequiredAfterDays ?? "").trim();
  const value = text === "" ? null : Number(text);
  return postAdmin("admin/settings", {
    scanUrl,
    idToken,
    json: { document_required_after_days: Number.isFinite(value) ? value : text },
    fetchImpl,
  });
}

// ---- reports -------------------------------------------------------------------------------

/** "reports/defaulters.csv?department=...&as_of=..." (division only when chosen). */
export function defaultersPath({ format, department, division, asOf }) {
  if (format !== "csv" && format !== "pdf") throw new Error(`unknown format ${format}`);
  const query = new URLSearchParams({ department });
  if (division) query.set("division", division);
  query.set("as_of", asOf);
  return `reports/defaulters.${format}?${query}`;
}

/** GET the defaulter list: -> {state: "ok", blob, filename} or a rejected/failed result. */
export async function fetchDefaulters({ scanUrl, idToken, fetchImpl, timeoutMs = 120000, ...which }) {
  const fallback = `defaulters-${which.department}-${which.asOf}.${which.format}`;
  return fetchFile(endpoint(scanUrl, defaultersPath(which)), { idToken, fallback, fetchImpl, timeoutMs });
}

/** One line about a department report that could not be made: `what` the department's ("its defaulter list"), `failed` the fallback's start. */
function reportErrorText(result, what, failed) {
  const text =
    {
      ...COMMON_ERRORS,
      forbidden: `Only the department's heads and institution admins can see ${what}.`,
      not_found: `Nothing to show: ${result.message}.`,
      outside_term: `Pick a date within the term: ${result.message}.`,
      bad_request: `The request was refused: ${result.message}.`,
    }[result.code] ?? `${failed}: ${result.message}`;
  return `${text} (${result.code})`;
}

/** One line about a defaulter list that could not be made. */
export function defaultersErrorText(result) {
  return reportErrorText(result, "its defaulter list", "The list could not be made");
}

/** "reports/department?department=D[&division=X][&as_of=...][&course=C]": what is chosen only. */
export function departmentPath({ department, division, asOf, course }) {
  const query = new URLSearchParams({ department });
  if (division) query.set("division", division);
  if (asOf) query.set("as_of", asOf);
  if (course) query.set("course", course);
  return `reports/department?${query}`;
}

/** GET the department view: -> {state: "ok", view} or a rejected/failed result. */
export async function fetchDepartmentView({ scanUrl, idToken, fetchImpl, timeoutMs = 120000, ...which }) {
  const url = endpoint(scanUrl, departmentPath(which));
  const { failed, resp, body } = await getJson(url, { idToken, fetchImpl, timeoutMs });
  if (failed) return failed;
  if (!resp.ok) return refusal(resp, body);
  return { state: "ok", view: body };
}

/** One line about a department view that could not be shown. */
export function departmentErrorText(result) {
  return reportErrorText(result, "its attendance", "The attendance could not be loaded");
}
