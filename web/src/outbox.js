// The outbox's sender: takes a student's scan into the outbox (scan-queue.js, kept on
// the phone) and sends it; a scan the server did not decide (no network, a 503) waits
// with backoff and is sent again when its time comes, at once when the page says the
// connection is back (sendDue({force: true})), and on the next visit. While the
// browser says it is offline nothing is attempted; a slow timer checks again in case
// the `online` event never comes.
//
// Everything it touches from outside is injected, so it runs in node: the clock
// (now, setTimeout, clearTimeout), fetch, the ID-token source and whether the browser
// is online. `onChange(entryId, outcome)` tells the page what to redraw: an entry
// started sending (outcome null), or an attempt ended ({entry, result, decided}).
import { isTransient, submitScan } from "./scan-api.js";
import { flush, settle } from "./scan-queue.js";

/** While offline, check again this often (the `online` event usually comes first). */
export const OFFLINE_RECHECK_MS = 30000;

export const systemClock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (timer) => globalThis.clearTimeout(timer),
});

const browserOnline = () => globalThis.navigator?.onLine !== false;

export class Outbox {
  /**
   * queue: a ScanQueue; uid: the signed-in student (only their entries are sent);
   * scanUrl; idToken(): Promise<string> (the student's Firebase ID token); deviceId():
   * this phone's id; fetchImpl, clock, online(): injectable.
   */
  constructor({
    queue,
    uid,
    scanUrl,
    idToken,
    deviceId,
    fetchImpl,
    clock = systemClock,
    online = browserOnline,
    onChange = () => {},
  }) {
    Object.assign(this, { queue, uid, scanUrl, idToken, deviceId, fetchImpl, clock, online, onChange });
    this.inFlight = new Set(); // entry ids being sent now
    this.timer = null;
    this.stopped = false;
    this.work = new Set(); // promises of sends under way (idle() waits for them)
  }

  /** Whether the entry is being sent right now. */
  sending(entryId) {
    return this.inFlight.has(entryId);
  }

  /** Keep a scan, then send it. Returns the entry (the send goes on in the background). */
  checkIn({ kind, value }) {
    const entry = this.queue.add({ uid: this.uid, kind, value, deviceId: this.deviceId() });
    this.track(this.send(entry));
    return entry;
  }

  /** Send one entry now (unless it is in flight already). Resolves to its outcome or null. */
  async send(entry) {
    if (this.stopped || this.inFlight.has(entry.id)) return null;
    this.inFlight.add(entry.id);
    this.onChange(entry.id, null);
    let outcome;
    try {
      outcome = settle(this.queue, entry, await this.attempt(entry), isTransient);
    } finally {
      this.inFlight.delete(entry.id);
    }
    this.onChange(entry.id, outcome);
    this.schedule();
    return outcome;
  }

  /** Send the pending entries that are due (all of them with `force`), one at a time. */
  async sendDue({ force = false } = {}) {
    if (this.stopped) return [];
    this.clock.clearTimeout(this.timer);
    if (!this.online()) {
      this.onChange(null, null);
      this.schedule(); // the `online` event sends them
      return [];
    }
    const outcomes = await flush(
      this.queue,
      this.uid,
      async (entry) => {
        this.inFlight.add(entry.id);
        this.onChange(entry.id, null);
        try {
          return await this.attempt(entry);
        } finally {
          this.inFlight.delete(entry.id);
        }
      },
      { force, transient: isTransient, skip: (e) => this.inFlight.has(e.id) },
    );
    for (const outcome of outcomes) this.onChange(outcome.entry?.id ?? null, outcome);
    this.schedule();
    return outcomes;
  }

  /** Set the timer for the next pending entry (offline: a slow recheck). */
  schedule() {
    this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    const next = this.queue.nextDue(this.uid);
    if (next === null) return;
    const online = this.online();
    const wait = online ? Math.max(0, next - this.clock.now()) : OFFLINE_RECHECK_MS;
    this.timer = this.clock.setTimeout(() => this.track(this.sendDue({ force: this.online() })), wait);
  }

  /** One attempt: the ID token, then the request. A ScanResult, never an exception. */
  async attempt(entry) {
    let idToken;
    try {
      idToken = await this.idToken();
    } catch (err) {
      // offline with an expired ID token: not decided, keep it
      if (err?.code === "auth/network-request-failed") {
        return { state: "failed", code: "network", message: String(err.message ?? err), retry: true };
      }
      return { state: "rejected", code: "unauthenticated", message: String(err?.message ?? err) };
    }
    const scan = entry.kind === "code" ? { code: entry.value } : { qr: entry.value };
    return submitScan({
      scanUrl: this.scanUrl,
      idToken,
      device: entry.device_id,
      // sent again after a failed attempt: how long the phone has held it (a duration,
      // so the phone's clock being off does not matter)
      queuedMs: entry.attempts > 0 ? Math.max(0, Math.round(this.clock.now() - entry.taken_at)) : undefined,
      fetchImpl: this.fetchImpl,
      ...scan,
    });
  }

  track(promise) {
    this.work.add(promise);
    promise.finally(() => this.work.delete(promise));
    return promise;
  }

  /** Resolves when no send is under way (tests; a page has no need to wait). */
  async idle() {
    while (this.work.size) await Promise.allSettled([...this.work]);
  }

  /** The student signed out or the page goes: no more timers, no more sends. */
  stop() {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
