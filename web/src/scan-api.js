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

/**
 * What the student sees for each outcome: a title, a line of advice, retryable? One per
 * error code of the contracts (contracts.json `errors`, tied by web/test/contracts.test.js)
 * and `network`, the page's own (the request never reached Rollcall).
 */
export const OUTCOMES = {
  unauthenticated: {
    title: "Please sign in again",
    advice: "Your sign-in has expired. Sign in, then scan the code again.",
    retry: false,
  },
  bad_request: {
    title: "Not a Rollcall code",
    advice: "That did not look like a Rollcall code. Scan the code on the teacher's screen.",
    retry: true,
  },
  qr_invalid: {
    title: "Not a valid Rollcall code",
    advice: "This code was not made by Rollcall for a session. Scan the code on the teacher's screen.",
    retry: true,
  },
  rate_limited: {
    title: "Too many wrong codes",
    advice: "You typed too many wrong codes. Wait a few minutes, or scan the QR code with the camera.",
    retry: false,
  },
  qr_expired: {
    title: "This code has expired",
    advice: "The code on the screen changes every few seconds. Scan it again now.",
    retry: true,
  },
  session_closed: {
    title: "This session is closed",
    advice: "The session is not open for check-in. Ask your teacher.",
    retry: false,
  },
  not_enrolled: {
    title: "You are not on the class list",
    advice: "Your account is not enrolled in this course. Ask your teacher to add you.",
    retry: false,
  },
  not_in_audience: {
    title: "Not your group's session",
    advice: "This session is for another division or batch. Check in at your own group's session.",
    retry: false,
  },
  cancelled: {
    title: "This session was cancelled",
    advice: "The session was cancelled. Check the timetable or ask your teacher.",
    retry: false,
  },
  not_now: {
    title: "Not open now",
    advice: "This session is not at this time. Check the timetable.",
    retry: false,
  },
  // A dispute's answers (disputes-api.js has the words the dispute form shows).
  not_disputable: {
    title: "Nothing to dispute",
    advice: "Only an absence or a late mark can be disputed.",
    retry: false,
  },
  dispute_window_closed: {
    title: "Too late to dispute",
    advice: "The time to dispute this session has passed. Speak to your teacher.",
    retry: false,
  },
  already_disputed: {
    title: "Already disputed",
    advice: "You have disputed this session already. Your teacher will answer it.",
    retry: false,
  },
  // Absence requests' refusals (requests-api.js words them there; a scan never gets them).
  outside_window: {
    title: "Outside the time allowed",
    advice: "That is outside the time allowed for requests.",
    retry: false,
  },
  already_decided: {
    title: "Decided already",
    advice: "This was decided already: a decision is final.",
    retry: false,
  },
  unsupported_document: {
    title: "Not a PDF, JPEG or PNG",
    advice: "The document must be a PDF, JPEG or PNG file.",
    retry: false,
  },
  document_required: {
    title: "Document needed",
    advice: "A request this long needs a document (a PDF, JPEG or PNG).",
    retry: false,
  },
  device_in_use: {
    title: "Device already used",
    advice: "This phone was already used to check in another student. Use your own phone.",
    retry: false,
  },
  payload_too_large: {
    title: "Could not send the scan",
    advice: "The app sent a request the server refused. Reload the page and try again.",
    retry: true,
  },
  unsupported_media_type: {
    title: "Could not send the scan",
    advice: "The app sent a request the server refused. Reload the page and try again.",
    retry: true,
  },
  method_not_allowed: {
    title: "Could not send the scan",
    advice: "The app sent a request the server refused. Reload the page and try again.",
    retry: true,
  },
  not_found: {
    title: "Could not send the scan",
    advice: "The app sent the scan to the wrong address. Reload the page and try again.",
    retry: true,
  },
  forbidden: {
    title: "Not allowed",
    advice: "Your account may not check in here. Ask your teacher.",
    retry: false,
  },
  unavailable: {
    title: "Rollcall is busy",
    advice: "The scan was not recorded. Wait a moment and try again.",
    retry: true,
  },
  // Answered by the administrators' endpoints, never by a scan; worded for completeness.
  conflict: {
    title: "Rollcall is busy",
    advice: "Something else is being changed right now. Wait a moment and try again.",
    retry: true,
  },
  import_invalid: {
    title: "Could not send the scan",
    advice: "The app sent a request the server refused. Reload the page and try again.",
    retry: false,
  },
  outside_term: {
    title: "Could not send the scan",
    advice: "The app sent a request the server refused. Reload the page and try again.",
    retry: false,
  },
  network: {
    title: "No connection",
    advice: "Could not reach Rollcall, so the scan was not recorded. Check your connection and try again.",
    retry: true,
  },
};

/**
 * Typed codes fail differently from scanned ones: say it in their terms. The server
 * tells a real code of another course's session (not_enrolled), of a closed session
 * (session_closed) or of an earlier window (qr_expired) from a wrong one (qr_invalid);
 * only wrong ones count toward the lockout (rate_limited).
 */
const CODE_OUTCOMES = {
  qr_invalid: {
    title: "Wrong code",
    advice: "That is not the code on the teacher's screen now. Check the six digits and type the code shown now.",
    retry: true,
  },
  qr_expired: {
    title: "This code has expired",
    advice: "The code on the screen changes every few seconds: type the code on the screen now.",
    retry: true,
  },
  session_closed: {
    title: "This session is closed",
    advice: "That code is from a session that is not open for check-in now. Ask your teacher.",
    retry: false,
  },
  not_enrolled: {
    title: "Not a session of your course",
    advice:
      "That code is from a session of a course whose class list you are not on. If it is your class, ask your " +
      "teacher or the department office to add you.",
    retry: false,
  },
  bad_request: {
    title: "Type six digits",
    advice: "The code on the teacher's screen has six digits.",
    retry: true,
  },
};

/**
 * What to tell the student about `code`; `kind` is "qr" (scanned) or "code" (typed).
 * `retry` means: doing it again now can work ("Scan again" / "Type the code again").
 */
export function outcomeFor(code, kind = "qr") {
  return (
    (kind === "code" ? CODE_OUTCOMES[code] : null) ??
    OUTCOMES[code] ?? {
      title: "Scan refused",
      advice: "The scan was not recorded. Try again, or ask your teacher.",
      retry: true,
    }
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
