// The server's clock, as a page that shows time-bound codes must read it: the page's own
// clock plus an offset learnt from GET {scanUrl}time ({"now", "epoch_ms"}, no sign-in,
// not cached). A laptop whose clock is 25 s or 10 minutes off still shows the code the
// scan function accepts now, counts down to the server's next window and knows whether
// the session has started or ended (the projector, decision 0022).
//
// Each sample: the page's clock when the request left (t0) and when the answer came (t1),
// and the server's epoch_ms (s); the server read its clock somewhere between t0 and t1,
// so offset = s - (t0 + t1) / 2, wrong by at most (t1 - t0) / 2. Several samples, the one
// with the shortest round trip wins; learnt again every few minutes (a laptop's clock may
// be corrected, or drift, while the projector runs for 90 minutes). Pure and injectable
// (fetch, clock, timers), so node --test checks it.
import { fmt, t } from "./i18n/index.js";

/** Beyond this, the teacher is told the computer's clock is off (the code does not care). */
export const WARN_SKEW_MS = 2000;
/** Samples per measurement, and how often the offset is learnt again. */
export const SAMPLES = 5;
export const REFRESH_MS = 5 * 60_000;
/** After a failed measurement, try again after this long. */
export const RETRY_MS = 10_000;

/** One sample: {offset, rtt} (ms), or null when the answer is not a time. */
export function sampleOf({ sentAt, receivedAt, serverMs }) {
  if (![sentAt, receivedAt, serverMs].every(Number.isFinite) || receivedAt < sentAt) return null;
  return { offset: serverMs - (sentAt + receivedAt) / 2, rtt: receivedAt - sentAt };
}

/** The sample with the shortest round trip (the first of equals), or null. */
export function bestSample(samples) {
  let best = null;
  for (const s of samples) if (s && (!best || s.rtt < best.rtt)) best = s;
  return best;
}

/**
 * Measure the offset: `samples` requests one after the other. Resolves to {offset, rtt,
 * samples: n} (offset rounded to the millisecond), or null when no request got an answer.
 */
export async function measureOffset({ url, fetchImpl = globalThis.fetch, now = () => Date.now(), samples = SAMPLES }) {
  const got = [];
  for (let i = 0; i < samples; i++) {
    const sentAt = now();
    try {
      const resp = await fetchImpl(url, { method: "GET", cache: "no-store", credentials: "omit" });
      const receivedAt = now();
      if (!resp.ok) continue;
      const body = await resp.json();
      got.push(sampleOf({ sentAt, receivedAt, serverMs: Number(body?.epoch_ms) }));
    } catch {
      // a lost request: the others may still answer
    }
  }
  const best = bestSample(got);
  return best ? { offset: Math.round(best.offset), rtt: best.rtt, samples: got.filter(Boolean).length } : null;
}

/**
 * The page's view of the server's clock. `now()` is the server's time (ms) as well as the
 * page can tell; `state()` is {known, offset, rtt, checkedAt, failed}. start() measures at
 * once and then every `refreshMs`; onChange(state) after each measurement.
 */
export function createServerClock({
  url,
  fetchImpl,
  now = () => Date.now(),
  refreshMs = REFRESH_MS,
  retryMs = RETRY_MS,
  samples = SAMPLES,
  onChange = () => {},
  setTimer = (fn, ms) => setTimeout(fn, ms),
  clearTimer = (t) => clearTimeout(t),
}) {
  let state = { known: false, offset: 0, rtt: null, checkedAt: null, failed: false };
  let timer = null;
  let stopped = false;
  let running = null;

  async function sync() {
    running ??= (async () => {
      const measured = await measureOffset({ url, fetchImpl, now, samples });
      if (stopped) return state;
      if (measured) {
        state = { known: true, offset: measured.offset, rtt: measured.rtt, checkedAt: now(), failed: false };
      } else {
        state = { ...state, failed: true, checkedAt: now() };
      }
      onChange(state);
      return state;
    })().finally(() => {
      running = null;
    });
    return running;
  }

  function loop() {
    sync().then((s) => {
      if (stopped) return;
      timer = setTimer(loop, s.known && !s.failed ? refreshMs : retryMs);
    });
  }

  return {
    now: () => now() + state.offset,
    state: () => state,
    sync,
    start() {
      stopped = false;
      loop();
      return this;
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimer(timer);
      timer = null;
    },
  };
}

/** An amount of a unit in the page's language, short: "10 mins", "1 hr", "२५ से" (Intl). */
const unit = (n, name) => fmt.number(n, { style: "unit", unit: name, unitDisplay: "short" });

/** 25 400 -> "25 secs", 600 000 -> "10 mins", 127 000 -> "2 mins 7 secs" (in English). */
export function durationText(ms) {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return unit(s, "second");
  const m = Math.floor(s / 60);
  const rest = s % 60;
  const two = (first, second) => t("clockNotice.parts", { first, second });
  if (m < 60) return rest ? two(unit(m, "minute"), unit(rest, "second")) : unit(m, "minute");
  const h = Math.floor(m / 60);
  return m % 60 ? two(unit(h, "hour"), unit(m % 60, "minute")) : unit(h, "hour");
}

/**
 * What the teacher is told about this computer's clock, or null when it is within
 * WARN_SKEW_MS of the server's. `offset` = server - page (a fast laptop has a negative one).
 */
export function skewWarning(offset, { warnMs = WARN_SKEW_MS } = {}) {
  if (!Number.isFinite(offset) || Math.abs(offset) <= warnMs) return null;
  const how = offset < 0 ? "fast" : "slow";
  return {
    how,
    text: t(how === "fast" ? "projector.clockFast" : "projector.clockSlow", { duration: durationText(offset) }),
  };
}
