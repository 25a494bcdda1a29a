// The signed-in person's claim (POST /me/claim, no body): after every sign-in with a
// verified email, what that email was given before the account existed (an admin
// grant, head of department, a course's teacher or TA, roster rows) becomes the
// account's. -> {email, email_verified, admin, departments, staff: {course: role},
// enrolled: [course]}; an unverified email claims nothing. No DOM; `fetchImpl` is
// injectable for tests.
import { endpoint, postJson, refusal } from "./http.js";
import { t } from "./i18n/index.js";
import { COMMON_ERRORS } from "./teacher-api.js";

/** The claim as the pages keep it (lists and maps never missing). */
export function normalizeClaim(body) {
  return {
    email: body?.email ?? null,
    emailVerified: body?.email_verified === true,
    admin: body?.admin === true,
    departments: Array.isArray(body?.departments) ? [...body.departments] : [],
    staff: body?.staff && typeof body.staff === "object" ? { ...body.staff } : {},
    enrolled: Array.isArray(body?.enrolled) ? [...body.enrolled] : [],
  };
}

/** POST /me/claim -> {state: "claimed", me} or a rejected/failed result. */
export async function claimAccount({ scanUrl, idToken, fetchImpl, timeoutMs = 20000 }) {
  const { failed, resp, body } = await postJson(endpoint(scanUrl, "me/claim"), {
    idToken,
    json: undefined,
    fetchImpl,
    timeoutMs,
  });
  if (failed) return failed;
  if (!resp.ok) return refusal(resp, body);
  return { state: "claimed", me: normalizeClaim(body) };
}

/** Whether the email was given nothing at all: no role, no course, no class list. */
export function nothingClaimed(me) {
  return !!me && !me.admin && !me.departments.length && !Object.keys(me.staff).length && !me.enrolled.length;
}

/**
 * One line about a claim that could not be made, in words (the server's code is for the
 * page's "Details", not the sentence: students read it).
 */
export function claimErrorText(result) {
  const text = COMMON_ERRORS[result.code] ?? t("api.answered", { message: result.message });
  return t("claim.failed", { text });
}
