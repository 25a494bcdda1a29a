// The scan endpoint's client: POST {qr, device_id} with the student's Firebase ID
// token. Every answer becomes one ScanResult, so the page (and later the offline
// queue) handle outcomes in one place.
//
//   {state: "accepted", scanId, status: "present"|"late"}
//   {state: "rejected", code, message, retry: bool}      (the server's stable codes)
//   {state: "failed",   code: "network", message, retry: true}   (never reached it)

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
      : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
          b.toString(16).padStart(2, "0"),
        ).join("");
    try {
      localStorage.setItem(DEVICE_KEY, id);
    } catch {
      // see above
    }
  }
  return id;
}

/** What the student sees for each outcome: a title, a line of advice, retryable? */
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
  unavailable: {
    title: "Rollcall is busy",
    advice: "The scan was not recorded. Wait a moment and try again.",
    retry: true,
  },
  network: {
    title: "No connection",
    advice: "Could not reach Rollcall, so the scan was not recorded. Check your connection and try again.",
    retry: true,
  },
};

export function outcomeFor(code) {
  return (
    OUTCOMES[code] ?? {
      title: "Scan refused",
      advice: "The scan was not recorded. Try again, or ask your teacher.",
      retry: true,
    }
  );
}

/** Send one scan. Never throws: network failures are a "failed" result. */
export async function submitScan({ scanUrl, idToken, qr, device = deviceId(), timeoutMs = 15000 }) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let resp;
  try {
    resp = await fetch(scanUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${idToken}` },
      body: JSON.stringify({ qr, device_id: device }),
      signal: controller.signal,
      credentials: "omit",
    });
  } catch (err) {
    return { state: "failed", code: "network", message: String(err?.message ?? err), retry: true };
  } finally {
    clearTimeout(timer);
  }
  let body = null;
  try {
    body = await resp.json();
  } catch {
    // not JSON (a proxy's error page): handled below by the status
  }
  if (resp.ok && body && body.scan_id) {
    return { state: "accepted", scanId: body.scan_id, status: body.status };
  }
  const code = body?.error?.code ?? (resp.status >= 500 ? "unavailable" : `http_${resp.status}`);
  const message = body?.error?.message ?? `HTTP ${resp.status}`;
  return { state: "rejected", code, message, retry: outcomeFor(code).retry, httpStatus: resp.status };
}
