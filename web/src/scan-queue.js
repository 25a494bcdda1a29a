// The student's outbox: every scan (a scanned token or a typed code) is written here
// first, then sent; it leaves the outbox only when the server has decided (accepted
// or rejected). A scan that could not be sent (no network, or the server said
// "unavailable") stays, marked pending, and is sent again with exponential backoff,
// at once when the browser comes back online. The server treats a repeated scan of
// the same student as a duplicate, so sending again after an unknown outcome (a
// request that died half-way) is safe; and it decides on what it receives: a token
// that expired while the phone was offline comes back as qr_expired, which is right.
//
// Kept in localStorage (small, synchronous, survives a reload or a closed tab) under
// one key: {pending: [entry], done: [entry]}, newest last. An entry:
//   {id, uid, kind: "qr"|"code", value, device_id, taken_at (ms), attempts,
//    next_at (ms), last_code?}                                        (pending)
//   ... + {state: "accepted"|"rejected", code?, message?, status?, scan_id?,
//          session_id?, resolved_at}                                   (done)
// Entries belong to the student who made them: another account signed in on the same
// phone neither sends nor sees them.
//
// Pure logic (storage and clock injected), unit-tested with node --test.

export const STORAGE_KEY = "rollcall.scan_queue.v1";
export const BASE_DELAY_MS = 2000;
export const MAX_DELAY_MS = 60000;
export const HISTORY = 10;

/** The wait before attempt `attempts + 1`: 2 s, 4 s, 8 s ... 60 s, "equal jitter". */
export function backoff(attempts, random = Math.random) {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** localStorage, or a Map-backed stand-in where storage is disabled (private mode). */
export function defaultStorage() {
  try {
    const probe = "rollcall.probe";
    globalThis.localStorage.setItem(probe, "1");
    globalThis.localStorage.removeItem(probe);
    return globalThis.localStorage;
  } catch {
    const map = new Map();
    return {
      getItem: (k) => (map.has(k) ? map.get(k) : null),
      setItem: (k, v) => map.set(k, String(v)),
      removeItem: (k) => map.delete(k),
    };
  }
}

function newId(random) {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.floor(random() * 1e12).toString(36)}`;
}

export class ScanQueue {
  constructor({ storage = defaultStorage(), key = STORAGE_KEY, now = () => Date.now(), random = Math.random } = {}) {
    this.storage = storage;
    this.key = key;
    this.now = now;
    this.random = random;
  }

  read() {
    try {
      const state = JSON.parse(this.storage.getItem(this.key) ?? "null");
      if (state && Array.isArray(state.pending) && Array.isArray(state.done)) return state;
    } catch {
      // unreadable (another version, hand-edited): start over rather than break the page
    }
    return { pending: [], done: [] };
  }

  write(state) {
    this.storage.setItem(this.key, JSON.stringify(state));
  }

  /** Keep a scan before sending it. Returns the entry. */
  add({ uid, kind, value, deviceId }) {
    if (kind !== "qr" && kind !== "code") throw new Error(`unknown scan kind ${kind}`);
    const at = this.now();
    const entry = {
      id: newId(this.random),
      uid,
      kind,
      value,
      device_id: deviceId,
      taken_at: at,
      attempts: 0,
      next_at: at,
    };
    const state = this.read();
    state.pending.push(entry);
    this.write(state);
    return entry;
  }

  get(id) {
    const state = this.read();
    return state.pending.find((e) => e.id === id) ?? state.done.find((e) => e.id === id) ?? null;
  }

  pending(uid) {
    return this.read().pending.filter((e) => e.uid === uid);
  }

  /** The student's decided scans, newest first. */
  recent(uid) {
    return this.read()
      .done.filter((e) => e.uid === uid)
      .reverse();
  }

  /** Pending entries whose time has come (all of them with `force`). */
  due(uid, { force = false } = {}) {
    const now = this.now();
    return this.pending(uid).filter((e) => force || e.next_at <= now);
  }

  /** When the next pending entry is due (ms), or null if none is pending. */
  nextDue(uid) {
    const times = this.pending(uid).map((e) => e.next_at);
    return times.length ? Math.min(...times) : null;
  }

  /** Not decided (no network, or the server was unavailable): try again later. */
  retryLater(id, result) {
    const state = this.read();
    const entry = state.pending.find((e) => e.id === id);
    if (!entry) return null;
    entry.attempts += 1;
    entry.next_at = this.now() + backoff(entry.attempts, this.random);
    entry.last_code = result?.code ?? "network";
    this.write(state);
    return entry;
  }

  /** The server decided: move the entry to the history (kept: the latest HISTORY). */
  resolve(id, result) {
    const state = this.read();
    const index = state.pending.findIndex((e) => e.id === id);
    if (index < 0) return null;
    const [entry] = state.pending.splice(index, 1);
    const done = {
      ...entry,
      attempts: entry.attempts + 1,
      state: result.state === "accepted" ? "accepted" : "rejected",
      code: result.code ?? null,
      message: result.message ?? null,
      status: result.status ?? null,
      scan_id: result.scanId ?? null,
      session_id: result.sessionId ?? null,
      resolved_at: this.now(),
    };
    delete done.next_at;
    state.done.push(done);
    state.done = state.done.slice(-HISTORY);
    this.write(state);
    return done;
  }

  /** Forget the student's decided scans (the "Clear" of the recent list). */
  clearRecent(uid) {
    const state = this.read();
    state.done = state.done.filter((e) => e.uid !== uid);
    this.write(state);
  }
}

/**
 * Record what became of one attempt: the server decided (resolve) or not (retry later).
 * Returns {entry, result, decided}.
 */
export function settle(queue, entry, result, transient) {
  if (transient(result)) return { entry: queue.retryLater(entry.id, result), result, decided: false };
  return { entry: queue.resolve(entry.id, result), result, decided: true };
}

/**
 * Send what is due, one at a time, through `send(entry) -> ScanResult`; `transient(result)`
 * says whether the server left it undecided. After a network failure the rest of the
 * due entries wait too (they would fail the same way). `skip(entry)` leaves out
 * entries already in flight. Returns [{entry, result, decided}].
 */
export async function flush(
  queue,
  uid,
  send,
  { force = false, transient, skip = () => false, onChange = () => {} } = {},
) {
  const outcomes = [];
  const due = queue.due(uid, { force }).filter((e) => !skip(e));
  for (let i = 0; i < due.length; i++) {
    const result = await send(due[i]);
    outcomes.push(settle(queue, due[i], result, transient));
    if (result.state === "failed") {
      for (const rest of due.slice(i + 1)) outcomes.push(settle(queue, rest, result, transient));
      onChange();
      break;
    }
    onChange();
  }
  return outcomes;
}
