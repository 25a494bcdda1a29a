// Unit tests of the browser's QR token code (node --test; Node 20 has WebCrypto).
// The expected tokens were produced by functions/rollcall/qr.py (the backend's
// reference implementation): the page and the scan function must agree byte for byte.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  base64UrlDecode,
  base64UrlEncode,
  extractToken,
  mint,
  parseToken,
  scanLink,
  tokenMinter,
  windowAt,
} from "../src/qr-token.js";

const VECTORS = [
  ["AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", "sabc", 123, "1.sabc.123.AKIjoi6FiqUIFCuf"],
  [
    "q83vEjRWeJq8_-7dzLuqmYh3ZlVEMyIRAP_u3cy7qpk",
    "s5bb68b2093d5",
    356612345,
    "1.s5bb68b2093d5.356612345.WUGDdr6qzD0c0ftx",
  ],
  ["_-_-", "x", 0, "1.x.0.GEDr3jaPf9z-bMyJ"],
];

test("mint matches the backend's qr.mint", async () => {
  for (const [secret, sid, window, expected] of VECTORS) {
    assert.equal(await mint(secret, sid, window), expected);
  }
});

test("a minter signs successive windows", async () => {
  const m = await tokenMinter("sabc", VECTORS[0][0]);
  assert.equal(await m(123), VECTORS[0][3]);
  assert.notEqual(await m(124), VECTORS[0][3]);
});

test("window is floor(seconds / rotation)", () => {
  assert.equal(windowAt(1000, 10), 100);
  assert.equal(windowAt(1009.99, 10), 100);
  assert.equal(windowAt(1010, 10), 101);
});

test("base64url round trip without padding", () => {
  const bytes = new Uint8Array([0, 255, 250, 62, 63, 1]);
  const text = base64UrlEncode(bytes);
  assert.ok(!text.includes("=") && !text.includes("+") && !text.includes("/"));
  assert.deepEqual(base64UrlDecode(text), bytes);
});

test("parseToken accepts tokens and refuses anything else", () => {
  assert.deepEqual(parseToken("1.sabc.123.AKIjoi6FiqUIFCuf"), {
    version: "1",
    sessionId: "sabc",
    window: 123,
    mac: "AKIjoi6FiqUIFCuf",
  });
  assert.equal(parseToken("garbage"), null);
  assert.equal(parseToken("1.sabc.123.short"), null);
});

test("extractToken reads bare tokens and scan links", () => {
  const token = "1.sabc.123.AKIjoi6FiqUIFCuf";
  assert.equal(extractToken(`  ${token}\n`), token);
  assert.equal(extractToken(scanLink("https://rollcall.example", token)), token);
  assert.equal(extractToken(`http://127.0.0.1:5000/scan.html#qr=${token}`), token);
  assert.equal(extractToken("not a code"), "not a code");
});
