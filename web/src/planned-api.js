// The Today page's calls (functions/rollcall/http/planned.py), each with the staff
// member's Firebase ID token, over the page's one HTTP layer (http.js), and their
// words for the refusals:
//   GET  {scanUrl}today[?date=YYYY-MM-DD] -> 200 {date, sessions: [{planned_id, course_id,
//        course_code, course_name, role, kind, audience, date, start, end, starts_at,
//        ends_at, room, status, reason, source, session_id, startable}]}
//   POST {scanUrl}planned/cancel {planned_id, reason}                        -> 200 the planned session
//   POST {scanUrl}planned/move   {planned_id, date, start, end, room}        -> 200 the planned session
//   POST {scanUrl}planned/add    {course_id, kind, division?|batch?, date, start, end, room?} -> 201
// Starting one is POST /sessions {planned_id} (teacher-api.js openSession). Nothing here
// throws or builds DOM; `fetchImpl` is injectable for tests.
import { endpoint, getJson, postJson, refusal } from "./http.js";
import { t } from "./i18n/index.js";
import { COMMON_ERRORS } from "./teacher-api.js";

/** The planned sessions of my courses on `date` (today, the institution's, if none). */
export async function fetchToday({ scanUrl, idToken, date = null, fetchImpl, timeoutMs = 20000 }) {
  const path = date ? `today?date=${encodeURIComponent(date)}` : "today";
  const { failed, resp, body } = await getJson(endpoint(scanUrl, path), { idToken, fetchImpl, timeoutMs });
  if (failed) return failed;
  if (resp.ok && Array.isArray(body?.sessions)) return { state: "ok", date: body.date, sessions: body.sessions };
  return refusal(resp, body);
}

async function change(scanUrl, path, { idToken, json, fetchImpl, timeoutMs = 20000 }) {
  const { failed, resp, body } = await postJson(endpoint(scanUrl, path), { idToken, json, fetchImpl, timeoutMs });
  if (failed) return failed;
  if (resp.ok && body?.planned_id) return { state: "saved", planned: body };
  return refusal(resp, body);
}

/** Cancel one planned session, with its reason. */
export function cancelPlanned({ scanUrl, idToken, plannedId, reason, fetchImpl, timeoutMs }) {
  return change(scanUrl, "planned/cancel", {
    idToken,
    json: { planned_id: plannedId, reason },
    fetchImpl,
    timeoutMs,
  });
}

/** Move one to another day, time or room (`room` null clears it). */
export function movePlanned({ scanUrl, idToken, plannedId, date, start, end, room, fetchImpl, timeoutMs }) {
  return change(scanUrl, "planned/move", {
    idToken,
    json: { planned_id: plannedId, date, start, end, room: room ?? null },
    fetchImpl,
    timeoutMs,
  });
}

/** Add an extra session: `body` as timetable.js addBody makes it. */
export function addPlanned({ scanUrl, idToken, body, fetchImpl, timeoutMs }) {
  return change(scanUrl, "planned/add", { idToken, json: body, fetchImpl, timeoutMs });
}

const WHATS = ["cancelled", "moved", "added", "changed"];

/** One line about a change to the timetable that did not happen (`what`: "cancelled", "moved", "added"). */
export function plannedErrorText(result, what = "changed") {
  const not = t(`sessionsList.not.${WHATS.includes(what) ? what : "changed"}`, { message: result.message });
  const text =
    {
      ...COMMON_ERRORS,
      forbidden: t("sessionsList.plannedForbidden"),
      conflict: t("sessionsList.plannedConflict"),
      not_found: t("sessionsList.plannedNoTerm"),
      bad_request: not,
    }[result.code] ?? not;
  return t("sessionsList.withCode", { text, code: result.code });
}

/** One line about a list that could not be read. */
export function todayErrorText(result) {
  const text =
    {
      ...COMMON_ERRORS,
      bad_request: t("sessionsList.dayUnreadable", { message: result.message }),
    }[result.code] ?? t("sessionsList.todayUnreadable", { message: result.message });
  return t("sessionsList.withCode", { text, code: result.code });
}
