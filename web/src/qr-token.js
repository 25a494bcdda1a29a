// Rotating QR tokens, computed in the teacher's page with WebCrypto (no server
// round-trip per rotation). Mirrors functions/rollcall/qr.py:
//   token  = "1." + sessionId + "." + window + "." + mac
//   window = floor(unixSeconds / rotationSeconds)
//   mac    = base64url(first 12 bytes of HMAC-SHA256(secret, sessionId + "." + window)),
//            without padding (16 characters)
// The secret is the session document's `secret`, base64url without padding.
//
// The typed fallback code (for a student whose camera fails) comes from the same
// secret and window (qr.typed_code):
//   code   = RFC 4226 dynamic truncation of HMAC-SHA256(secret, "code." + sessionId +
//            "." + window) to 6 digits, zero-padded

import { QR, SESSION_ID } from "./contracts.js";

export const VERSION = QR.version;
export const MAC_BYTES = QR.macBytes;
export const CODE_DIGITS = QR.codeDigits;
/** <version>.<session id>.<window>.<mac>: the MAC's bytes as base64url without padding. */
const TOKEN = new RegExp(
  `^([0-9]+)\\.(${SESSION_ID.source.replace(/^\^|\$$/g, "")})\\.([0-9]{1,12})\\.([A-Za-z0-9_-]{${Math.ceil((MAC_BYTES * 4) / 3)}})$`,
);

export function base64UrlDecode(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function base64UrlEncode(bytes) {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function windowAt(unixSeconds, rotationSeconds) {
  return Math.floor(unixSeconds / rotationSeconds);
}

function subtle() {
  const s = globalThis.crypto?.subtle;
  if (!s) {
    throw new Error("WebCrypto is unavailable: open the dashboard over https (or http://localhost)");
  }
  return s;
}

/** A signing function for one session: (window) => Promise<token>. */
export async function tokenMinter(sessionId, secret) {
  const signer = await sessionSigner(sessionId, secret);
  return (window) => signer.token(window);
}

/** RFC 4226 dynamic truncation of an HMAC digest to `digits` decimal digits. */
export function truncate(digest, digits = CODE_DIGITS) {
  const offset = digest[digest.length - 1] & 0x0f;
  const number =
    ((digest[offset] & 0x7f) << 24) | (digest[offset + 1] << 16) | (digest[offset + 2] << 8) | digest[offset + 3];
  return String(number % 10 ** digits).padStart(digits, "0");
}

/**
 * A signer for one session: {token(window), code(window)} -> Promise<string>. The key
 * is imported once (non-extractable) and serves both.
 */
export async function sessionSigner(sessionId, secret) {
  const key = await subtle().importKey("raw", base64UrlDecode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const encoder = new TextEncoder();
  const sign = async (text) => new Uint8Array(await subtle().sign("HMAC", key, encoder.encode(text)));
  return {
    async token(window) {
      const digest = await sign(`${sessionId}.${window}`);
      return `${VERSION}.${sessionId}.${window}.${base64UrlEncode(digest.slice(0, MAC_BYTES))}`;
    },
    async code(window) {
      return truncate(await sign(`code.${sessionId}.${window}`));
    },
  };
}

/** The typed code of a session's window (mirrors qr.typed_code). */
export async function typedCode(secret, sessionId, window) {
  return (await sessionSigner(sessionId, secret)).code(window);
}

/** "391050" -> "391 050" (easier to read from the back of a lecture hall). */
export function groupCode(code) {
  return code.length === CODE_DIGITS ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
}

/** Six digits typed by a student (spaces and dashes ignored), or null. */
export function normalizeCode(text) {
  const digits = String(text ?? "").replace(/[\s-]/g, "");
  return new RegExp(`^[0-9]{${CODE_DIGITS}}$`).test(digits) ? digits : null;
}

export async function mint(secret, sessionId, window) {
  return (await tokenMinter(sessionId, secret))(window);
}

/** {version, sessionId, window, mac} of a well-formed token, else null. */
export function parseToken(token) {
  if (typeof token !== "string" || token.length > QR.tokenMaxLength) return null;
  const m = TOKEN.exec(token);
  if (!m) return null;
  return { version: m[1], sessionId: m[2], window: Number(m[3]), mac: m[4] };
}

/**
 * The token in what a student scanned or typed: a bare token, or a scan-page link
 * whose fragment carries it (what the projector's QR encodes, so that a phone's own
 * camera app opens the scan page directly), the token itself or its compact form.
 */
export function extractToken(text) {
  const value = String(text ?? "").trim();
  const hash = value.indexOf("#");
  const inLink = hash >= 0 && /^https?:\/\//i.test(value);
  const token = inLink
    ? decodeURIComponent(value.slice(hash + 1))
        .replace(/^qr=/, "")
        .trim()
    : value;
  return expandToken(token) ?? token;
}

/** The link a projector QR encodes: the scan page with the token in the fragment. */
export function scanLink(origin, token) {
  return `${origin}/scan.html#${token}`;
}

// ---- the short link -------------------------------------------------------------------
// The projector's QR code carries `${origin}/c#<compact>`: /c is the scan page (a
// Hosting rewrite, firebase.json), and <compact> is the token's bytes in base64url: the
// session id's 6 bytes ("s" + 12 hex digits, the ids POST /sessions and the CLI make),
// the window (4 bytes, big-endian) and the MAC (12 bytes): 22 bytes, 30 characters
// instead of 42 for "1.s0123456789ab.178123456.<16>". The whole link is then about 55
// characters instead of 76: a QR code of 33 modules instead of 37, so each module is
// larger at the same size on the screen, and the back of the hall reads it. The scan
// page turns it back into the token, which is what it sends: the server's format does
// not change. A token of another shape (other ids) goes into the link as it is.

export const SHORT_PATH = "/c";
const COMPACT_SESSION = /^s([0-9a-f]{12})$/;
const COMPACT = /^[A-Za-z0-9_-]{30}$/;

/** The compact form of a token, or null when it has none (another version or id shape). */
export function compactToken(token) {
  const t = parseToken(token);
  const id = t && t.version === VERSION ? COMPACT_SESSION.exec(t.sessionId) : null;
  if (!id || t.window >= 2 ** 32) return null;
  const mac = base64UrlDecode(t.mac);
  if (mac.length !== MAC_BYTES) return null;
  const bytes = new Uint8Array(6 + 4 + MAC_BYTES);
  for (let i = 0; i < 6; i++) bytes[i] = Number.parseInt(id[1].slice(2 * i, 2 * i + 2), 16);
  new DataView(bytes.buffer).setUint32(6, t.window);
  bytes.set(mac, 10);
  return base64UrlEncode(bytes);
}

/** The token of a compact form, or null when `text` is not one. */
export function expandToken(text) {
  if (!COMPACT.test(String(text ?? ""))) return null;
  const bytes = base64UrlDecode(text);
  if (bytes.length !== 6 + 4 + MAC_BYTES) return null;
  const id = Array.from(bytes.slice(0, 6), (b) => b.toString(16).padStart(2, "0")).join("");
  const window = new DataView(bytes.buffer, bytes.byteOffset).getUint32(6);
  return `${VERSION}.s${id}.${window}.${base64UrlEncode(bytes.slice(10))}`;
}

/** The link the projector's QR code carries: /c with the compact token (or the token). */
export function shortScanLink(origin, token) {
  return `${origin}${SHORT_PATH}#${compactToken(token) ?? token}`;
}
