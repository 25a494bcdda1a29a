// The page's one HTTP layer for Rollcall's endpoints (the scan function and the
// teacher's endpoints beside it): a request with the user's Firebase ID token and a
// timeout, the stable error shape {"error": {"code", "message"}} read in one place,
// and a network failure as a result instead of an exception. scan-api.js (the
// student's calls) and teacher-api.js (the teacher's) are built on it; `fetchImpl` is
// injectable so both are tested in node.

/** An endpoint next to the scan URL (overrides, sessions/close, exports, ...). */
export function endpoint(scanUrl, path) {
  return new URL(path, scanUrl).toString();
}

/** The request never reached Rollcall (offline, DNS, a timeout): worth sending again. */
export function networkFailure(err) {
  return { state: "failed", code: "network", message: String(err?.message ?? err), retry: true };
}

/**
 * Send one request: `json` is the body (POST), or `body` with its `contentType` (a
 * file: a Blob), `idToken` the bearer token. Resolves to {resp} or {failed} (a network
 * failure); never throws.
 */
export async function send(
  url,
  { method = "POST", idToken, json, body, contentType, fetchImpl = globalThis.fetch, timeoutMs = 15000 },
) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const headers = { Authorization: `Bearer ${idToken}` };
  if (json !== undefined) headers["Content-Type"] = "application/json";
  else if (body !== undefined && contentType) headers["Content-Type"] = contentType;
  try {
    const resp = await fetchImpl(url, {
      method,
      headers,
      body: json === undefined ? body : JSON.stringify(json),
      signal: controller.signal,
      credentials: "omit",
    });
    return { resp };
  } catch (err) {
    return { failed: networkFailure(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** The answer's JSON body, or null (empty, or not JSON: a proxy's error page). */
export async function readJson(resp) {
  try {
    return await resp.json();
  } catch {
    return null;
  }
}

/**
 * A refusal as a result: the server's stable code and message; without an error body,
 * a 5xx is `unavailable` (a proxy or a cold start: try again) and anything else
 * `http_<status>`.
 */
export function refusal(resp, body) {
  return {
    state: "rejected",
    code: body?.error?.code ?? (resp.status >= 500 ? "unavailable" : `http_${resp.status}`),
    message: body?.error?.message ?? `HTTP ${resp.status}`,
    httpStatus: resp.status,
  };
}

/** GET and read the JSON answer: {resp, body} or {failed}. */
export async function getJson(url, { idToken, fetchImpl, timeoutMs }) {
  const { resp, failed } = await send(url, { method: "GET", idToken, fetchImpl, timeoutMs });
  if (failed) return { failed };
  return { resp, body: await readJson(resp) };
}

/** POST JSON and read the JSON answer: {resp, body} or {failed}. */
export async function postJson(url, { idToken, json, fetchImpl, timeoutMs }) {
  const { resp, failed } = await send(url, { method: "POST", idToken, json, fetchImpl, timeoutMs });
  if (failed) return { failed };
  return { resp, body: await readJson(resp) };
}
