// Unit tests of the scan endpoint client: every answer becomes one ScanResult.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { OUTCOMES, outcomeFor, submitScan } from "../src/scan-api.js";

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

function answer(status, body) {
  globalThis.fetch = async (url, init) => {
    answer.last = { url, init };
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
  };
}

const scan = () => submitScan({ scanUrl: "http://scan/", idToken: "tok", qr: "1.s.1.x", device: "d1" });

test("a 202 is accepted, and the request carries token, code and device", async () => {
  answer(202, { scan_id: "abc", status: "late" });
  assert.deepEqual(await scan(), { state: "accepted", scanId: "abc", status: "late" });
  assert.equal(answer.last.init.method, "POST");
  assert.equal(answer.last.init.headers.Authorization, "Bearer tok");
  assert.deepEqual(JSON.parse(answer.last.init.body), { qr: "1.s.1.x", device_id: "d1" });
});

test("an error body is rejected with its stable code", async () => {
  answer(403, { error: { code: "qr_expired", message: "QR code has expired" } });
  const r = await scan();
  assert.equal(r.state, "rejected");
  assert.equal(r.code, "qr_expired");
  assert.equal(r.retry, true);
});

test("a 5xx without a JSON body is unavailable", async () => {
  answer(502, "<html>bad gateway</html>");
  const r = await scan();
  assert.equal(r.code, "unavailable");
  assert.equal(r.state, "rejected");
});

test("a network failure is 'failed', not 'rejected'", async () => {
  globalThis.fetch = async () => {
    throw new TypeError("Failed to fetch");
  };
  const r = await scan();
  assert.equal(r.state, "failed");
  assert.equal(r.code, "network");
});

test("every documented error code has a message; unknown codes get a generic one", () => {
  for (const code of [
    "unauthenticated",
    "bad_request",
    "qr_invalid",
    "qr_expired",
    "session_closed",
    "not_enrolled",
    "payload_too_large",
    "unsupported_media_type",
    "unavailable",
    "device_in_use",
  ]) {
    assert.ok(OUTCOMES[code]?.title, code);
  }
  assert.equal(outcomeFor("something_new").title, "Scan refused");
});
