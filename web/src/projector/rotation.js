// The rotating code: the session's secret imported once into WebCrypto (qr-token.js),
// and at each new window the token, its QR code (an SVG of the scan link) and the
// typed code, into the store's `qr`. Driven by the store's clock and session.
import QRCode from "qrcode";
import { scanLink, sessionSigner } from "../qr-token.js";
import { effect } from "../ui.js";
import { codeState } from "./model.js";

/** Start following the store; returns the function that stops it. */
export function startRotation(store, { origin = location.origin } = {}) {
  let signer = null;
  let secret = null;
  let wanted = null; // the window being made or shown

  async function make(window) {
    const [token, code] = await Promise.all([signer.token(window), signer.code(window)]);
    const link = scanLink(origin, token);
    const svg = await QRCode.toString(link, {
      type: "svg",
      errorCorrectionLevel: "M",
      margin: 2,
      color: { dark: "#000000", light: "#ffffff" },
    });
    if (window === wanted) store.qr.value = { window, token, code, link, svg };
  }

  const stop = effect(() => {
    const session = store.session.value;
    const now = store.now.value;
    if (!session || store.failure.value) return;
    if (session.secret !== secret) {
      secret = session.secret;
      signer = null;
      wanted = null;
      store.qr.value = null;
      sessionSigner(store.sessionId, secret)
        .then((s) => {
          if (secret !== session.secret) return;
          signer = s;
          store.now.value = Date.now(); // draw the code now, not at the next tick
        })
        .catch((err) => {
          store.failure.value = err.message ?? String(err);
        });
      return;
    }
    if (!signer) return;
    const state = codeState(session, now);
    if (state.stopped) {
      wanted = null;
      if (store.qr.value) store.qr.value = null;
      return;
    }
    if (state.window !== wanted) {
      wanted = state.window;
      make(state.window).catch((err) => {
        store.failure.value = `Cannot make the code: ${err.message ?? err}`;
      });
    }
  });
  return stop;
}
