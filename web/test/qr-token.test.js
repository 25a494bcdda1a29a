// Unit tests of the browser's QR token code (node --test; Node 20 has WebCrypto).
// The expected tokens were produced by functions/rollcall/qr.py (the backend's
// reference implementation): the page and the scan function must agree byte for byte.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  base64UrlDecode,
  base64UrlEncode,
  extractToken,
  groupCode,
  mint,
  normalizeCode,
  parseToken,
  scanLink,
  sessionSigner,
  tokenMinter,
  truncate,
  typedCode,
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

// Typed fallback codes: qr.typed_code(secret, session, window), RFC 4226 truncation of
// HMAC-SHA256(secret, "code.<session>.<window>") to 6 digits.
const CODE_VECTORS = [
  // the reference vector: key = 32 bytes of ASCII "k"
  [base64UrlEncode(new TextEncoder().encode("k".repeat(32))), "sabc", 123, "391050"],
  ["AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", "s5bb68b2093d5", 356612345, "911930"],
  ["_-_-", "x", 0, "702432"],
];

test("typedCode matches the backend's qr.typed_code", async () => {
  assert.equal(CODE_VECTORS[0][0], "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s");
  for (const [secret, sid, window, expected] of CODE_VECTORS) {
    assert.equal(await typedCode(secret, sid, window), expected, `${sid}/${window}`);
  }
});

test("one signer makes the token and the code of a window", async () => {
  const [secret, sid, window, token] = VECTORS[0];
  const signer = await sessionSigner(sid, secret);
  assert.equal(await signer.token(window), token);
  assert.equal(await signer.code(window), "884879"); // qr.typed_code, same secret
  assert.notEqual(await signer.code(window + 1), "884879");
});

test("truncate follows RFC 4226 (its HOTP test vector)", () => {
  // RFC 4226 section 5.4: this HMAC-SHA-1 digest truncates to 872921
  const hex = "1f8698690e02ca16618550ef7f19da8e945b555a";
  const digest = Uint8Array.from(hex.match(/../g), (b) => parseInt(b, 16));
  assert.equal(truncate(digest), "872921");
  // the top bit of the 31-bit number is masked; short numbers are zero-padded
  const d = new Uint8Array(32);
  d[0] = 0xff;
  d[3] = 7;
  d[31] = 0;
  assert.equal(truncate(d), String(((0x7f << 24) | 7) % 1e6).padStart(6, "0"));
  assert.equal(truncate(new Uint8Array(32)), "000000");
});

test("codes are shown grouped and read back whatever the student typed", () => {
  assert.equal(groupCode("391050"), "391 050");
  assert.equal(normalizeCode(" 391 050 "), "391050");
  assert.equal(normalizeCode("391-050"), "391050");
  assert.equal(normalizeCode("39105"), null);
  assert.equal(normalizeCode("39105a"), null);
  assert.equal(normalizeCode("3910501"), null);
});
