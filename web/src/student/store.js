// The student page's one state store: who is signed in, which view shows, what the
// outbox holds (a copy of scan-queue.js's entries, refreshed when the outbox moves),
// whether each accepted scan is recorded yet, and the inbox. Views read these signals;
// only the page's controller (app.js) writes them.
import { signal } from "../ui.js";

export function createStudentStore() {
  return {
    /** {config, auth, app} once Firebase is up; startError if it cannot start. */
    ctx: signal(null),
    startError: signal(null),
    /** The signed-in user: undefined while unknown, null when signed out. */
    user: signal(undefined),
    /** What the email is and was given (account.js): unverified, claiming, ready, failed. */
    account: signal({ state: "signed-out" }),
    /** {name: "scan"|"result"|"inbox"|"attendance", entryId}. */
    view: signal({ name: "scan", entryId: null }),
    /** The outbox for this student: {pending, recent, sending: Set of entry ids}. */
    outbox: signal({ pending: [], recent: [], sending: new Set() }),
    /** navigator.onLine, kept current by the online/offline events. */
    online: signal(true),
    /** The camera is scanning (a scan decided meanwhile does not take the screen). */
    cameraOpen: signal(false),
    /** A scan decided in the background, shown as a notice above the view. */
    notice: signal(null),
    /** entry id -> {state: "waiting"|"recorded"|"unknown", at?: Date}: the attendance record. */
    records: signal(new Map()),
    /** users/{uid}/inbox, newest first: {entries, unread, loaded, error}. */
    inbox: signal({ entries: [], unread: 0, loaded: false, error: null }),
  };
}

/** The entry with this id among the outbox's pending and decided ones, or null. */
export function findEntry(outbox, id) {
  return outbox.pending.find((e) => e.id === id) ?? outbox.recent.find((e) => e.id === id) ?? null;
}

/** What the result card shows for an entry: sending, pending, accepted or rejected. */
export function entryState(entry, sending) {
  if (entry.state) return entry.state;
  return sending && entry.attempts === 0 ? "sending" : "pending";
}
