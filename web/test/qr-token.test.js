// Unit tests of the browser's QR token code (node --test; Node 20 has WebCrypto).
// The expected tokens and typed codes are the shared vectors tests/data/qr-vectors.json,
// produced by the backend's reference implementation (rollcall qr) and checked by the
// Python tests too: the page and the scan function must agree byte for byte.
import assert from "node:assert/strict";
import { test } from "node:test";
import qrVectors from "../../tests/data/qr-vectors.json" with { type: "json" };
import {
  base64UrlDecode,
  base64UrlEncode,
  compactToken,
  expandToken,
  extractToken,
  groupCode,
  mint,
  normalizeCode,
  parseToken,
  scanLink,
  sessionSigner,
  shortScanLink,
  tokenMinter,
  truncate,
  typedCode,
  windowAt,
} from "../src/qr-token.js";

const { vectors: VECTORS } = qrVectors;

test("the shared vectors are there, the reference one first (key = 32 ASCII 'k' bytes)", () => {
  assert.ok(VECTORS.length >= 3);
  assert.equal(VECTORS[0].secret, base64UrlEncode(new TextEncoder().encode("k".repeat(32))));
  assert.equal(VECTORS[0].code, "391050");
});

test("mint matches the backend's tokens", async () => {
  for (const v of VECTORS) {
    assert.equal(await mint(v.secret, v.session_id, v.window), v.token, `${v.session_id}/${v.window}`);
  }
});

test("a minter signs successive windows", async () => {
  const [v] = VECTORS;
  const m = await tokenMinter(v.session_id, v.secret);
  assert.equal(await m(v.window), v.token);
  assert.notEqual(await m(v.window + 1), v.token);
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

// Typed fallback codes: RFC 4226 truncation of HMAC-SHA256(secret, "code.<session>.<window>")
// to 6 digits, as the backend's typed_code.
test("typedCode matches the backend's typed codes", async () => {
  for (const v of VECTORS) {
    assert.equal(await typedCode(v.secret, v.session_id, v.window), v.code, `${v.session_id}/${v.window}`);
  }
});

test("one signer makes the token and the code of a window", async () => {
  for (const v of VECTORS) {
    const signer = await sessionSigner(v.session_id, v.secret);
    assert.equal(await signer.token(v.window), v.token);
    assert.equal(await signer.code(v.window), v.code);
  }
  const [v] = VECTORS;
  const signer = await sessionSigner(v.session_id, v.secret);
  assert.notEqual(await signer.code(v.window + 1), v.code);
});

test("parseToken reads every vector's token back", () => {
  for (const v of VECTORS) {
    assert.deepEqual(parseToken(v.token), {
      version: "1",
      sessionId: v.session_id,
      window: v.window,
      mac: v.token.split(".")[3],
    });
  }
  assert.equal(parseToken(`1.${"s".repeat(65)}.1.AKIjoi6FiqUIFCuf`), null, "longer than a session id");
  assert.equal(parseToken(`1.s.1.${"A".repeat(200)}`), null);
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

test("the short link: 30 characters for the token's bytes, back to the very token", async () => {
  const secret = base64UrlEncode(new TextEncoder().encode("k".repeat(32)));
  for (const window of [0, 178_123_456, 2 ** 32 - 1]) {
    const token = await mint(secret, "s0123456789ab", window);
    const compact = compactToken(token);
    assert.equal(compact.length, 30);
    assert.match(compact, /^[A-Za-z0-9_-]+$/);
    assert.equal(expandToken(compact), token);
    const link = shortScanLink("https://rollcall.example", token);
    assert.equal(link, `https://rollcall.example/c#${compact}`);
    assert.equal(extractToken(link), token, "the scan page reads it back");
    assert.equal(extractToken(compact), token, "pasted without the link too");
  }
  // other shapes go into the link as they are
  const other = await mint(secret, "demo-session_1", 5);
  assert.equal(compactToken(other), null);
  assert.equal(shortScanLink("https://r.example", other), `https://r.example/c#${other}`);
  assert.equal(extractToken(`https://r.example/c#${other}`), other);
  assert.equal(compactToken(await mint(secret, "s0123456789ab", 2 ** 32)), null, "a window beyond 4 bytes");
  assert.equal(expandToken("not a compact token"), null);
  assert.equal(expandToken("x".repeat(31)), null);
  // the old links still work
  assert.equal(extractToken(scanLink("https://r.example", other)), other);
});
