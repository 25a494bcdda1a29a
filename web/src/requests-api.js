// Absence requests' calls (functions/rollcall/http/absences.py) over the page's one HTTP
// layer (http.js), and the words for their refusals:
//   POST {scanUrl}requests  multipart/form-data {kind, reason, from, to | course_id,
//        session_ids, document?} -> 201 {filing_id, requests: [{request_id, course_id, ...}]}
//   POST {scanUrl}requests/decide {request_id, decision, comment} -> 200 {request_id, status, excused}
//   GET  {scanUrl}requests/{id}/document -> the file (PDF, JPEG or PNG)
// Nothing here throws or builds DOM; `fetchImpl` is injectable for tests.
import { REQUESTS } from "./contracts.js";
import { endpoint, postJson, readJson, refusal, send } from "./http.js";
import { fmt, keysOf, words } from "./i18n/index.js";
import { COMMON_KEYS } from "./teacher-api.js";

export const MAX_DOCUMENT_BYTES = REQUESTS.documentMaxBytes;
export const DOCUMENT_TYPES = REQUESTS.documentTypes;

/** What a student or a teacher reads for each refusal. */
export const REQUEST_ERRORS = words({
  ...keysOf("requests.errors", [
    "bad_request",
    "outside_window",
    "not_enrolled",
    "not_in_audience",
    "not_found",
    "cancelled",
    "unsupported_document",
    "payload_too_large",
    "document_required",
    "already_decided",
    "forbidden",
  ]),
  ...COMMON_KEYS,
});

/** One line for a refusal: our words, then the server's detail. */
export function requestErrorText(result) {
  const ours = REQUEST_ERRORS[result.code];
  if (!ours) return `${result.message} (${result.code})`;
  return result.code === "bad_request" || result.code === "outside_window" ? `${ours} ${result.message}` : ours;
}

/** A file the student picked, checked before sending (the server checks it again, by content). */
export function documentProblem(file) {
  if (!file) return null;
  if (file.size > MAX_DOCUMENT_BYTES) return REQUEST_ERRORS.payload_too_large;
  if (file.type && !DOCUMENT_TYPES.includes(file.type)) return REQUEST_ERRORS.unsupported_document;
  return null;
}

/**
 * File a request. `fields`: {kind, reason, from, to, courseId, sessionIds}; `file` a
 * Blob or null. -> {state: "filed", filingId, requests} | {state: "rejected"|"failed", code, message}
 */
export async function fileRequest({ scanUrl, idToken, fields, file = null, fetchImpl, timeoutMs = 60000 }) {
  const form = new FormData();
  form.append("kind", fields.kind);
  form.append("reason", fields.reason);
  if (fields.sessionIds?.length) {
    for (const id of fields.sessionIds) form.append("session_ids", id);
  } else {
    form.append("from", fields.from);
    form.append("to", fields.to);
  }
  if (fields.courseId) form.append("course_id", fields.courseId);
  if (file) form.append("document", file, file.name ?? "document");
  const { resp, failed } = await send(endpoint(scanUrl, "requests"), { idToken, body: form, fetchImpl, timeoutMs });
  if (failed) return failed;
  const body = await readJson(resp);
  if (!resp.ok) return refusal(resp, body);
  return { state: "filed", filingId: body.filing_id, requests: body.requests };
}

/** Approve or decline: -> {state: "decided", status, excused} | a refusal. */
export async function decideRequest({ scanUrl, idToken, requestId, decision, comment = "", fetchImpl }) {
  const json = { request_id: requestId, decision, comment };
  const { failed, resp, body } = await postJson(endpoint(scanUrl, "requests/decide"), { idToken, json, fetchImpl });
  if (failed) return failed;
  if (!resp.ok) return refusal(resp, body);
  return { state: "decided", status: body.status, excused: body.excused };
}

/** The request's document as a Blob (the bucket is private: only this endpoint serves it). */
export async function fetchDocument({ scanUrl, idToken, requestId, fetchImpl }) {
  const url = endpoint(scanUrl, `requests/${encodeURIComponent(requestId)}/document`);
  const { resp, failed } = await send(url, { method: "GET", idToken, fetchImpl, timeoutMs: 60000 });
  if (failed) return failed;
  if (!resp.ok) return refusal(resp, await readJson(resp));
  return { state: "ok", blob: await resp.blob() };
}

/** "12 Dec" or "12 Dec – 14 Dec" for a request's days (YYYY-MM-DD, the institution's). */
export function daysLabel(from, to) {
  const day = (iso) => {
    const [y, m, d] = iso.split("-").map(Number);
    return fmt.date(new Date(Date.UTC(y, m - 1, d)), { day: "numeric", month: "short", timeZone: "UTC" });
  };
  if (!from) return "";
  return from === to || !to ? day(from) : `${day(from)} – ${day(to)}`;
}

export const KIND_LABELS = words(keysOf("requests.kind", ["leave", "medical"]));
export const STATUS_LABELS = words(keysOf("requests.status", ["open", "approved", "declined"]));
