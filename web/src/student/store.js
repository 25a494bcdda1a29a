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
    /**
     * entry id -> the attendance record as the card tells it: {state: "waiting" |
     * "recorded" | "unknown", at?, status?, source?, reason?, courseId?, overridden?}.
     */
    records: signal(new Map()),
    /** course id -> its name (read once, for the result card of a scan). */
    courseNames: signal(new Map()),
    /** users/{uid}/inbox, newest first: {entries, unreadEntries, unread, loaded, unreadKnown, error}. */
    inbox: signal({ entries: [], unreadEntries: [], unread: 0, loaded: false, unreadKnown: false, error: null }),
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

/**
 * The course and session a scan was for, as the result card names them: from an inbox
 * entry of that session (the notify consumer writes course_name and session_starts_at),
 * else the course's name alone; null while neither is known.
 * -> {courseName, startsAt?}
 */
export function sessionContext({ sessionId, courseId = null, inbox, courseNames }) {
  if (sessionId) {
    const named = inbox.entries.find((e) => e.session_id === sessionId && e.course_name);
    if (named) return { courseName: named.course_name, startsAt: named.session_starts_at ?? null };
  }
  const name = courseId ? courseNames.get(courseId) : null;
  return name ? { courseName: name, startsAt: null } : null;
}

/**
 * What a watched attendance record tells the card after an accepted scan: the record
 * is final when it is this scan's (or an earlier scan's: already checked in) or a
 * teacher's override (which a scan does not change); a close's absence is not (the scan
 * replaces it). -> the card's record, or null (keep waiting).
 */
export function recordOutcome(rec) {
  if (!rec || rec.source === "close") return null;
  return {
    state: "recorded",
    at: rec.scanned_at ?? rec.status_at ?? null,
    status: rec.status ?? null,
    source: rec.source ?? null,
    reason: rec.reason ?? null,
    courseId: rec.course_id ?? null,
    overridden: rec.source === "override",
  };
}
