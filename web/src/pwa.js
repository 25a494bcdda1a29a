// The student page as an installable web app that opens offline (decision 0010).
// Registers the service worker (web/src/sw.js, built into /sw.js with the scan page's
// precache list) with the scope /scan.html, and again with the scope /c, the short path
// of the projector's QR link (a Hosting rewrite to the scan page), so that a link opened
// by the phone's camera app with no network opens the page too: it serves the scan page
// only, and the teacher dashboard never runs through it. The manifest is linked from
// scan.html.

export const SW_URL = "/sw.js";
export const SW_SCOPE = "/scan.html";
export const SHORT_SCOPE = "/c";

let registration = null;

/**
 * Register the service worker once the page has loaded. Resolves to the registration,
 * or null where none can run: a browser without service workers, a page that is not
 * a secure context (http other than localhost), or the Vite dev server (no sw.js).
 * A failure is logged, not thrown: the page works without it, only not offline.
 */
export function registerServiceWorker({
  nav = globalThis.navigator,
  win = globalThis.window,
  dev = import.meta.env?.DEV,
} = {}) {
  registration ??= (async () => {
    if (dev || !nav?.serviceWorker || !win?.isSecureContext) return null;
    if (win.document?.readyState !== "complete") {
      await new Promise((resolve) => win.addEventListener("load", resolve, { once: true }));
    }
    try {
      const main = await nav.serviceWorker.register(SW_URL, { scope: SW_SCOPE });
      // the short link's scope: best effort (the page works without it)
      nav.serviceWorker.register(SW_URL, { scope: SHORT_SCOPE }).catch(() => {});
      return main;
    } catch (err) {
      console.warn("Rollcall: no service worker, so this page will not open offline.", err);
      return null;
    }
  })();
  return registration;
}

/** The active registration (push needs one), waiting at most timeoutMs; null if none. */
export async function activeRegistration({ nav = globalThis.navigator, timeoutMs = 15000 } = {}) {
  if (!(await registerServiceWorker({ nav }))) return null;
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(resolve, timeoutMs, null);
  });
  try {
    return await Promise.race([nav.serviceWorker.ready, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Forget the registration promise (unit tests). */
export function _resetForTests() {
  registration = null;
}
