// The student's consent to their guardian being emailed their below-threshold alerts
// (functions/rollcall/http/mail.py; docs/mail.md):
//   GET  {scanUrl}me/guardian -> 200 {enabled, guardian_email, consent, consented_at}
//   POST {scanUrl}me/guardian-consent {consent: true|false} -> 200 the same
// Nothing here throws or builds DOM; `fetchImpl` is injectable for tests.
import { endpoint, getJson, postJson, refusal } from "./http.js";
import { t } from "./i18n/index.js";
import { COMMON_ERRORS } from "./teacher-api.js";

/** The consent as the page keeps it. */
export function normalizeGuardian(body) {
  return {
    enabled: body?.enabled === true,
    guardianEmail: typeof body?.guardian_email === "string" ? body.guardian_email : null,
    consent: body?.consent === true,
    consentedAt: body?.consented_at ? new Date(body.consented_at) : null,
  };
}

async function answer(call) {
  const { failed, resp, body } = await call;
  if (failed) return failed;
  if (!resp.ok) return refusal(resp, body);
  return { state: "ok", guardian: normalizeGuardian(body) };
}

/** GET /me/guardian -> {state: "ok", guardian} or a rejected/failed result. */
export function readGuardian({ scanUrl, idToken, fetchImpl, timeoutMs = 20000 }) {
  return answer(getJson(endpoint(scanUrl, "me/guardian"), { idToken, fetchImpl, timeoutMs }));
}

/** POST /me/guardian-consent -> {state: "ok", guardian} or a rejected/failed result. */
export function setGuardianConsent({ scanUrl, idToken, consent, fetchImpl, timeoutMs = 20000 }) {
  const url = endpoint(scanUrl, "me/guardian-consent");
  return answer(postJson(url, { idToken, json: { consent }, fetchImpl, timeoutMs }));
}

/** Whether the card shows at all: the institution sends them and a guardian is listed. */
export function showsCard(guardian) {
  return !!guardian && guardian.enabled && !!guardian.guardianEmail;
}

/** One line about a refused or failed change, in words. */
export function guardianErrorText(result) {
  return COMMON_ERRORS[result.code] ?? t("guardian.failed", { message: result.message });
}
