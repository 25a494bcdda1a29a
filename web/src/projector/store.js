// The projector view's one state store: the session and its course, the live data the
// listeners mirror (tally, class list, attendance, rejected scans), what the teacher
// is doing (filter, search, an override being saved, a close), the code on screen and
// the page's clock. Panels read these signals; listeners.js, rotation.js and the
// actions in index.js write them.
import { sumShards } from "../tally.js";
import { computed, signal } from "../ui.js";
import { codeState } from "./model.js";

export function createProjectorStore(sessionId) {
  const store = {
    sessionId,
    /** The session document, once read. */
    session: signal(null),
    /** Why there is no code (no such session, no access, no WebCrypto): shown instead. */
    failure: signal(null),
    /** The listeners' state for the live dot: {ok, text}. */
    live: signal({ ok: false, text: "Connecting…" }),
    courseName: signal(null),
    /** What of the course decides who may do what here: {department_id, roles}. */
    course: signal(null),
    tally: signal(sumShards([])),
    /** uid -> {uid, name, email} (courses/{c}/enrollments). */
    enrolled: signal(new Map()),
    /** uid -> attendance record. */
    attendance: signal(new Map()),
    /** rejection doc id -> {uid, code, message, device_id, last_at, count}. */
    rejections: signal(new Map()),
    /** device id -> uid it is bound to in this session (looked up for "phone already used"). */
    deviceOwners: signal(new Map()),
    /** uid -> {overrideId, status}: an override sent, not yet in the record. */
    pendingOverrides: signal(new Map()),
    rosterError: signal(null),
    rejectionsError: signal(null),
    filter: signal("all"),
    search: signal(""),
    /** The code on screen: {window, token, code, link, svg} or null. */
    qr: signal(null),
    /** The page's clock (ms), moved on by the view's ticker. */
    now: signal(Date.now()),
    /** The close: {confirming, busy, error: {text, code}, closing, closedHere}. */
    close: signal({ confirming: false, busy: false, error: null, closing: null, closedHere: null }),
  };
  /** What the code panel shows now (model.codeState), or null before the session is read. */
  store.code = computed(() => (store.session.value ? codeState(store.session.value, store.now.value) : null));
  /** Why no code is shown (closed, ended, not started), or null: changes rarely, unlike `code`. */
  store.stopped = computed(() => store.code.value?.stopped ?? null);
  /** The state line: the failure, why no code is shown, or until when arrivals are on time. */
  store.stateText = computed(() => store.failure.value ?? store.stopped.value ?? store.code.value?.state ?? "");
  return store;
}

/**
 * A Map signal after a snapshot's document changes: a new Map (so the signal fires)
 * in which the documents that did not change keep their values, so a row built from
 * them renders nothing.
 */
export function applyChanges(mapSignal, changes, value = (doc) => doc.data()) {
  if (!changes.length) return;
  const next = new Map(mapSignal.value);
  for (const change of changes) {
    if (change.type === "removed") next.delete(change.doc.id);
    else next.set(change.doc.id, value(change.doc));
  }
  mapSignal.value = next;
}
