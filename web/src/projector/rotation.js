// The rotating code: the session's secret imported once into WebCrypto (qr-token.js),
// and for each window the token, its QR code (an SVG of the short scan link) and the
// typed code, into the store's `qr`. On the server's time (server-clock.js), and on its
// own timer: the code changes at the window's boundary whatever else the page is doing
// (the next window's code is made ahead, so the change is one assignment), never on a
// render or a snapshot. The countdown, the "opens at"/"ended at" lines and the tiles are
// drawn by the components from the store's `now`, which a separate ticker moves on.
import QRCode from "qrcode";
import { toDate } from "../dom.js";
import { sessionSigner, shortScanLink } from "../qr-token.js";
import { effect } from "../ui.js";
import { codeState } from "./model.js";

/** Make ahead: the next window's code is ready this long before it is due (ms). */
const AHEAD_MS = 2000;

/**
 * The error correction of a link's QR code: M (15 % of the code may be lost), unless L
 * (7 %) makes a smaller code. A projected code is not torn or smudged; what fails at the
 * back of a hall is the size of its modules, which a smaller version makes larger.
 */
export function correctionFor(link) {
  const version = (level) => QRCode.create(link, { errorCorrectionLevel: level }).version;
  return version("L") < version("M") ? "L" : "M";
}

/** The QR code of a link: an SVG string. */
export function qrSvg(link) {
  return QRCode.toString(link, {
    type: "svg",
    errorCorrectionLevel: correctionFor(link),
    margin: 2,
    color: { dark: "#000000", light: "#ffffff" },
  });
}

/**
 * When the code shown at `nowMs` must change next (ms of the same clock): the next
 * window's boundary, the session's end if sooner, its start if it has not started; null
 * when nothing will change by time alone (closed).
 */
export function nextChangeAt(session, nowMs) {
  const state = codeState(session, nowMs);
  const start = toDate(session.starts_at)?.getTime() ?? null;
  const end = toDate(session.ends_at)?.getTime() ?? null;
  if (state.stopped) return session.status === "open" && start !== null && nowMs < start ? start : null;
  const boundary = (state.window + 1) * state.rotation * 1000;
  return end !== null && end < boundary ? end : boundary;
}

/**
 * Start following the store; `now()` is the server's time as the page knows it. Returns
 * the function that stops it.
 */
export function startRotation(
  store,
  { now, origin = location.origin, setTimer = setTimeout, clearTimer = clearTimeout },
) {
  let signer = null;
  let secret = null;
  let timer = null;
  let stopped = false;
  const made = new Map(); // window -> Promise<{window, token, code, link, svg}>

  async function make(window) {
    const [token, code] = await Promise.all([signer.token(window), signer.code(window)]);
    const link = shortScanLink(origin, token);
    return { window, token, code, link, svg: await qrSvg(link) };
  }

  function codeFor(window) {
    if (!made.has(window)) {
      const p = make(window);
      p.catch((err) => {
        made.delete(window);
        store.failure.value = `Cannot make the code: ${err.message ?? err}`;
      });
      made.set(window, p);
    }
    for (const w of made.keys()) if (w < window - 1) made.delete(w);
    return made.get(window);
  }

  /** Show what is due now, make the next code ahead, and come back when it is due. */
  function step() {
    if (timer !== null) clearTimer(timer);
    timer = null;
    if (stopped) return;
    const session = store.session.peek();
    if (!session || store.failure.peek() || !signer || !store.clockChecked.peek()) return;
    const at = now();
    const state = codeState(session, at);
    if (state.stopped) {
      if (store.qr.peek()) store.qr.value = null;
    } else if (store.qr.peek()?.window !== state.window) {
      const window = state.window;
      codeFor(window).then(
        (qr) => {
          // still due (the clock moved on, or the session stopped, while it was made?)
          const due = codeState(store.session.peek(), now());
          if (!stopped && !due.stopped && due.window === window) store.qr.value = { ...qr, shownAt: now() };
        },
        () => {},
      );
    }
    const next = nextChangeAt(session, at);
    if (next === null) return;
    const wait = Math.max(0, next - at);
    if (!state.stopped && wait > AHEAD_MS) {
      timer = setTimer(() => {
        codeFor(state.window + 1);
        timer = setTimer(step, Math.max(0, next - now()));
      }, wait - AHEAD_MS);
    } else {
      if (!state.stopped) codeFor(state.window + 1);
      timer = setTimer(step, wait);
    }
  }

  const stopEffect = effect(() => {
    const session = store.session.value;
    store.failure.value;
    store.clock.value; // a new offset: the boundaries move
    if (!session || store.failure.peek()) return;
    if (session.secret !== secret) {
      secret = session.secret;
      signer = null;
      made.clear();
      store.qr.value = null;
      sessionSigner(store.sessionId, secret)
        .then((s) => {
          if (secret !== session.secret || stopped) return;
          signer = s;
          step();
        })
        .catch((err) => {
          store.failure.value = err.message ?? String(err);
        });
      return;
    }
    step();
  });
  return () => {
    stopped = true;
    stopEffect();
    if (timer !== null) clearTimer(timer);
  };
}
