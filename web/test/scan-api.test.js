// Unit tests of the scan endpoint client: every answer becomes one ScanResult.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { ERROR_CODES } from "../src/contracts.js";
import { isTransient, OUTCOMES, outcomeFor, submitScan } from "../src/scan-api.js";

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

test("fetch can be injected: the outbox's sender runs in node without globals", async () => {
  const calls = [];
  const fetchImpl = async (url, init) => {
    calls.push({ url, init });
    return new Response(JSON.stringify({ scan_id: "x1", status: "present" }), { status: 202 });
  };
  const r = await submitScan({ scanUrl: "http://scan/", idToken: "t", code: "123456", device: "d", fetchImpl });
  assert.equal(r.state, "accepted");
  assert.equal(calls[0].url, "http://scan/");
  assert.equal(calls[0].init.credentials, "omit");
});

test("a network failure is 'failed', not 'rejected'", async () => {
  globalThis.fetch = async () => {
    throw new TypeError("Failed to fetch");
  };
  const r = await scan();
  assert.equal(r.state, "failed");
  assert.equal(r.code, "network");
});

test("every error code of the contracts has a message; unknown codes get a generic one", () => {
  for (const code of ERROR_CODES) assert.ok(OUTCOMES[code]?.title, code);
  assert.equal(outcomeFor("something_new").title, "Scan refused");
});

test("a typed code is sent as {code, device_id}; a wrong one reads as a wrong code", async () => {
  answer(403, { error: { code: "qr_invalid", message: "this code is not the one on the screen now" } });
  const r = await submitScan({ scanUrl: "http://scan/", idToken: "tok", code: "123456", device: "d1" });
  assert.deepEqual(JSON.parse(answer.last.init.body), { code: "123456", device_id: "d1" });
  assert.equal(r.code, "qr_invalid");
  assert.equal(outcomeFor("qr_invalid", "code").title, "Wrong code");
  assert.equal(outcomeFor("qr_invalid").title, "Not a valid Rollcall code");
  assert.equal(outcomeFor("rate_limited", "code").title, "Too many wrong codes");
  assert.equal(outcomeFor("device_in_use", "code").title, "Device already used");
  // a real code refused for why it was refused, in a typed code's terms
  assert.match(outcomeFor("qr_expired", "code").advice, /type the code on the screen now/);
  assert.doesNotMatch(outcomeFor("qr_expired", "code").advice, /[Ss]can/);
  assert.equal(outcomeFor("not_enrolled", "code").title, "Not a session of your course");
  assert.equal(outcomeFor("session_closed", "code").retry, false);
  assert.notEqual(outcomeFor("not_enrolled", "code").title, outcomeFor("qr_invalid", "code").title);
});

test("transient results are the ones the outbox sends again", () => {
  assert.equal(isTransient({ state: "failed", code: "network" }), true);
  assert.equal(isTransient({ state: "rejected", code: "unavailable" }), true);
  assert.equal(isTransient({ state: "rejected", code: "qr_expired" }), false);
  assert.equal(isTransient({ state: "accepted" }), false);
});
