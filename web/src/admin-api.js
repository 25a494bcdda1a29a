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
// The admin's words are in the catalogs (`adminErrors.*`; a refusal's code also names
// its `errors.<code>` entry); the server's own message is passed as a placeholder.
import { IMPORTS } from "./contracts.js";
import { endpoint, getJson, postJson, readJson, refusal, send } from "./http.js";
import { fmt, t } from "./i18n/index.js";
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
        errors.push(t("adminErrors.holidayLine", { line: i + 1, text: line }));
        return;
      }
      holidays.push({ date, name: (m[2] ?? "").trim() || t("adminErrors.holidayName") });
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

/** One line about a department, term or setting that was not saved. */
export function adminErrorText(result) {
  if (result.code === "bad_request") return t("adminErrors.notSaved", { message: result.message });
  if (result.code === "forbidden") return t("adminErrors.notSavedForbidden");
  const reason = COMMON_ERRORS[result.code] ?? errorTitle(result);
  return t("adminErrors.notSavedCode", { message: reason, code: result.code });
}

/** A refusal's own words: its `errors.<code>` title when the catalog has one, else the server's message. */
function errorTitle(result) {
  const key = `errors.${result.code}.title`;
  const text = t(key);
  return text === key ? (result.message ?? result.code) : text;
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
  if (!file) return t("adminErrors.noFile");
  if (file.size === 0) return t("adminErrors.emptyFile", { name: file.name });
  if (file.size > IMPORTS.maxBytes) {
    const mb = (n) => fmt.number(n / (1024 * 1024), { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    return t("adminErrors.tooLargeFile", { name: file.name, size: mb(file.size), max: mb(IMPORTS.maxBytes) });
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

/** The import refusals the admin is told about in their own words (`adminErrors.import.<code>`). */
const IMPORT_CODES = ["conflict", "forbidden", "payload_too_large", "unsupported_media_type", "not_found", "network"];

/** One line about an import that did not happen. */
export function importErrorText(result) {
  let text;
  if (IMPORT_CODES.includes(result.code)) {
    text = t(`adminErrors.import.${result.code}`, { mb: fmt.number(Math.round(IMPORTS.maxBytes / (1024 * 1024))) });
  } else if (result.code in COMMON_ERRORS) {
    text = COMMON_ERRORS[result.code];
  } else {
    text = t("adminErrors.import.refused", { message: result.message });
  }
  return t("adminErrors.withCode", { text, code: result.code });
}

/**
 * What an import issue's code (contracts.json `imports`) means, in the page's language:
 * a report shows it beside the server's `message`, which quotes the file's values (data).
 */
export function importIssueText(code) {
  const key = `adminImport.issues.${code}`;
  const text = t(key);
  return text === key ? String(code) : text;
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

/** The report refusals said in the report's own words (`adminErrors.<report>.<code>`). */
const REPORT_CODES = ["forbidden", "not_found", "outside_term", "bad_request"];

/**
 * One line about a department report that could not be made: `report` names its
 * section of `adminErrors` (defaulters, department), whose `failed` is the fallback.
 */
function reportErrorText(result, report) {
  const message = result.message ?? "";
  let text;
  if (REPORT_CODES.includes(result.code)) text = t(`adminErrors.${report}.${result.code}`, { message });
  else if (result.code in COMMON_ERRORS) text = COMMON_ERRORS[result.code];
  else text = t(`adminErrors.${report}.failed`, { message });
  return t("adminErrors.withCode", { text, code: result.code });
}

/** One line about a defaulter list that could not be made. */
export function defaultersErrorText(result) {
  return reportErrorText(result, "defaulters");
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
  return reportErrorText(result, "department");
}
