// The student's calls to the scan endpoint: POST {qr, device_id} (a scanned token) or
// {code, device_id} (a typed 6-digit code) with the student's Firebase ID token, over
// the page's one HTTP layer (http.js). Every answer becomes one ScanResult, so the page
// and the outbox (outbox.js) handle outcomes in one place:
//
//   {state: "accepted", scanId, status: "present"|"late", sessionId?}
//   {state: "rejected", code, message, retry: bool}      (the server's stable codes)
//   {state: "failed",   code: "network", message, retry: true}   (never reached it)
//
// The teacher's calls are in teacher-api.js.
import { postJson, refusal } from "./http.js";
import { t } from "./i18n/index.js";

const DEVICE_KEY = "rollcall.device_id";

/** A stable id for this browser, kept in localStorage (sent with every scan). */
export function deviceId() {
  let id = null;
  try {
    id = localStorage.getItem(DEVICE_KEY);
  } catch {
    // storage disabled (private mode): an id per page load still works
  }
  if (!id) {
    id = globalThis.crypto?.randomUUID
      ? crypto.randomUUID()
      : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
    try {
      localStorage.setItem(DEVICE_KEY, id);
    } catch {
      // see above
    }
  }
  return id;
}

/** Whether doing it again now can work, per code (the texts are in the catalogs). */
const RETRY = {
  unauthenticated: false,
  bad_request: true,
  qr_invalid: true,
  rate_limited: false,
  qr_expired: true,
  session_closed: false,
  not_enrolled: false,
  not_in_audience: false,
  cancelled: false,
  not_now: false,
  not_disputable: false,
  dispute_window_closed: false,
  already_disputed: false,
  outside_window: false,
  already_decided: false,
  unsupported_document: false,
  document_required: false,
  device_in_use: false,
  payload_too_large: true,
  unsupported_media_type: true,
  method_not_allowed: true,
  not_found: true,
  forbidden: false,
  unavailable: true,
  conflict: true,
  import_invalid: false,
  outside_term: false,
  network: true,
};
/** The codes a typed code words its own way. */
const TYPED = ["qr_invalid", "qr_expired", "session_closed", "not_enrolled", "bad_request"];

/**
 * What the student sees for each outcome: a title, a line of advice (both from the
 * catalogs, errors.<code>, in the page's language when read), retryable? One per error
 * code of the contracts (contracts.json `errors`, tied by web/test/contracts.test.js)
 * and `network`, the page's own (the request never reached Rollcall).
 */
export const OUTCOMES = outcomes("errors", RETRY);

/**
 * Typed codes fail differently from scanned ones: say it in their terms (codeErrors.*).
 * The server tells a real code of another course's session (not_enrolled), of a closed
 * session (session_closed) or of an earlier window (qr_expired) from a wrong one
 * (qr_invalid); only wrong ones count toward the lockout (rate_limited).
 */
const CODE_OUTCOMES = outcomes("codeErrors", Object.fromEntries(TYPED.map((code) => [code, RETRY[code]])));

function outcomes(section, retries) {
  return Object.freeze(
    Object.fromEntries(
      Object.entries(retries).map(([code, retry]) => [
        code,
        Object.freeze({
          get title() {
            return t(`${section}.${code}.title`);
          },
          get advice() {
            return t(`${section}.${code}.advice`);
          },
          retry,
        }),
      ]),
    ),
  );
}

/**
 * What to tell the student about `code`; `kind` is "qr" (scanned) or "code" (typed).
 * `retry` means: doing it again now can work ("Scan again" / "Type the code again").
 */
export function outcomeFor(code, kind = "qr") {
  return (
    (kind === "code" ? CODE_OUTCOMES[code] : null) ??
    OUTCOMES[code] ?? { title: t("errors.refused.title"), advice: t("errors.refused.advice"), retry: true }
  );
}

/**
 * Send one scan: `qr` (a scanned token) or `code` (six typed digits); `queuedMs`: how
 * long the outbox held it, for a scan sent again. Never throws:
 * network failures are a "failed" result. `fetchImpl` is injectable (tests).
 */
export async function submitScan({
  scanUrl,
  idToken,
  qr,
  code,
  device = deviceId(),
  queuedMs,
  fetchImpl,
  timeoutMs = 15000,
}) {
  const kind = code !== undefined && code !== null ? "code" : "qr";
  const json = kind === "code" ? { code, device_id: device } : { qr, device_id: device };
  // a scan sent again from the outbox says how long the phone held it (a dispute's evidence)
  if (Number.isInteger(queuedMs) && queuedMs > 0) json.queued_ms = Math.min(queuedMs, 86400000);
  const { failed, resp, body } = await postJson(scanUrl, { idToken, json, fetchImpl, timeoutMs });
  if (failed) return failed;
  if (resp.ok && body?.scan_id) {
    // the session a typed code was for (the server names it; a token names it itself)
    const session = body.session_id ? { sessionId: body.session_id } : {};
    return { state: "accepted", scanId: body.scan_id, status: body.status, ...session };
  }
  const result = refusal(resp, body);
  return { ...result, retry: outcomeFor(result.code, kind).retry };
}

/** Whether a result means "not decided by the server: send the same scan again later". */
export function isTransient(result) {
  return result.state === "failed" || (result.state === "rejected" && result.code === "unavailable");
}
