import assert from "node:assert/strict";
import { test } from "node:test";
import { ERROR_CODES } from "../src/contracts.js";
import {
  daysLabel,
  decideRequest,
  documentProblem,
  fileRequest,
  MAX_DOCUMENT_BYTES,
  REQUEST_ERRORS,
  requestErrorText,
} from "../src/requests-api.js";
import { orderRequests } from "../src/teacher/requests-tab.js";

function fakeFetch(status, body) {
  const calls = [];
  const impl = async (url, init) => {
    calls.push({ url, init });
    return { ok: status < 300, status, json: async () => body };
  };
  return { impl, calls };
}

test("a request goes as multipart: the fields, each session id, the file; no JSON type set", async () => {
  const { impl, calls } = fakeFetch(201, { filing_id: "f1", requests: [{ request_id: "r1", course_id: "c1" }] });
  const file = new Blob([new Uint8Array([37, 80, 68, 70])], { type: "application/pdf" });
  const r = await fileRequest({
    scanUrl: "http://scan/",
    idToken: "tok",
    fields: { kind: "medical", reason: "Fever", courseId: "c1", sessionIds: ["s1", "s2"] },
    file,
    fetchImpl: impl,
  });
  assert.deepEqual(r, { state: "filed", filingId: "f1", requests: [{ request_id: "r1", course_id: "c1" }] });
  const { url, init } = calls[0];
  assert.equal(url, "http://scan/requests");
  assert.equal(init.headers["Content-Type"], undefined); // the browser sets the boundary
  assert.deepEqual(init.body.getAll("session_ids"), ["s1", "s2"]);
  assert.equal(init.body.get("from"), null);
  assert.equal(init.body.get("kind"), "medical");
  assert.ok(init.body.get("document"));
});

test("a refusal reads in plain words; a decision is posted as JSON", async () => {
  const { impl } = fakeFetch(409, { error: { code: "already_decided", message: "this request was approved already" } });
  const r = await decideRequest({
    scanUrl: "http://scan/",
    idToken: "t",
    requestId: "r1",
    decision: "approve",
    fetchImpl: impl,
  });
  assert.equal(r.code, "already_decided");
  assert.equal(requestErrorText(r), REQUEST_ERRORS.already_decided);
  for (const code of ["outside_window", "unsupported_document", "document_required", "already_decided"]) {
    assert.ok(ERROR_CODES.includes(code), code);
  }
});

test("a picked file is checked before sending: size and type", () => {
  assert.equal(documentProblem(null), null);
  assert.equal(documentProblem({ size: 10, type: "application/pdf" }), null);
  assert.equal(
    documentProblem({ size: MAX_DOCUMENT_BYTES + 1, type: "application/pdf" }),
    REQUEST_ERRORS.payload_too_large,
  );
  assert.equal(documentProblem({ size: 10, type: "text/plain" }), REQUEST_ERRORS.unsupported_document);
});

test("open requests come first, oldest first; days read as a range", () => {
  const at = (ms) => ({ toMillis: () => ms });
  const list = [
    { id: "a", status: "approved", filed_at: at(1) },
    { id: "b", status: "open", filed_at: at(3) },
    { id: "c", status: "open", filed_at: at(2) },
    { id: "d", status: "declined", filed_at: at(4) },
  ];
  assert.deepEqual(
    orderRequests(list).map((r) => r.id),
    ["c", "b", "d", "a"],
  );
  assert.equal(daysLabel("2026-12-07", "2026-12-07"), "7 Dec");
  assert.equal(daysLabel("2026-12-07", "2026-12-09"), "7 Dec – 9 Dec");
});
