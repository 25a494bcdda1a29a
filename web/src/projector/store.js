// The one state store of a session's screens (the projector view for the room and the
// teacher's live panel, each in its own window with its own store): the session and its
// course, the live data the listeners mirror (tally; on the panel also the class list,
// attendance, rejected scans), what the teacher is doing (filter, search, an override
// being saved, a close), the code on screen and the server's clock as the page knows it.
// Components read these signals; listeners.js, rotation.js and controller.js write them.

import { t } from "../i18n/index.js";
import { sumShards } from "../tally.js";
import { batch, computed, signal } from "../ui.js";
import { codeState } from "./model.js";

export function createProjectorStore(sessionId) {
  const store = {
    sessionId,
    /** The session document, once read. */
    session: signal(null),
    /** Why there is no code (no such session, no access, no WebCrypto): shown instead. */
    failure: signal(null),
    /** The listeners' state for the live dot: {ok, text}. */
    // what the live dot says: a catalog key (and its parameters), worded when shown
    live: signal({ ok: false, key: "projector.connecting" }),
    courseName: signal(null),
    /** What of the course decides who may do what here: {department_id, roles}. */
    course: signal(null),
    tally: signal(sumShards([])),
    /** uid -> {uid, name, email} (courses/{c}/enrollments). */
    enrolled: signal(new Map()),
    /** Whether the class list has been read once (before that, nobody is "not on it"). */
    enrolledLoaded: signal(false),
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
    /** uid -> {email, name, rollNo}: students not (or no longer) enrolled, as far as known. */
    people: signal(new Map()),
    /** The code on screen: {window, token, code, link, svg, shownAt} or null. */
    qr: signal(null),
    /** The server's clock as this page knows it (server-clock.js): {known, offset, rtt, checkedAt, failed}. */
    clock: signal({ known: false, offset: 0, rtt: null, checkedAt: null, failed: false }),
    /** The server's time (ms) as this page reckons it, moved on by the view's ticker. */
    now: signal(Date.now()),
    /** The close: {confirming, busy, error: {text, code}, closing, closedHere}. */
    close: signal({ confirming: false, busy: false, error: null, closing: null, closedHere: null }),
  };
  /** Whether the clock has been checked against the server's (or could not be). */
  store.clockChecked = computed(() => store.clock.value.checkedAt !== null);
  /** What the code panel shows now (model.codeState), or null before the session is read. */
  store.code = computed(() =>
    store.session.value && store.clockChecked.value ? codeState(store.session.value, store.now.value) : null,
  );
  /** Why no code is shown (closed, ended, not started), or null: changes rarely, unlike `code`. */
  store.stopped = computed(() => store.code.value?.stopped ?? null);
  /** The state line: the failure, why no code is shown, or until when arrivals are on time. */
  store.stateText = computed(
    () =>
      store.failure.value ??
      store.stopped.value ??
      store.code.value?.state ??
      (store.session.value && !store.clockChecked.value ? t("projector.checkingTime") : ""),
  );
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

/**
 * Document changes gathered and applied together: add(mapSignal, changes, value) keeps
 * each document's latest value (or its removal), and at most every `ms` they are
 * applied to their signals in one batch: 500 students scanning within seconds give the
 * class list a few updates a second, not one per snapshot. Returns {add, flush, stop}.
 */
export function changeBatcher({ ms = 150, setTimer = (fn, t) => setTimeout(fn, t), clearTimer = clearTimeout } = {}) {
  const pending = new Map(); // map signal -> Map(doc id -> value, or null: removed)
  const after = []; // run in the same batch, once the changes are applied
  let timer = null;
  function flush() {
    if (timer !== null) clearTimer(timer);
    timer = null;
    if (!pending.size && !after.length) return;
    const work = [...pending];
    const then = after.splice(0);
    pending.clear();
    batch(() => {
      for (const [mapSignal, docs] of work) {
        const next = new Map(mapSignal.peek());
        for (const [id, value] of docs) {
          if (value === null) next.delete(id);
          else next.set(id, value);
        }
        mapSignal.value = next;
      }
      for (const fn of then) fn();
    });
  }
  return {
    /** `onApplied()`: run in the flush that applies these changes (e.g. "loaded"). */
    add(mapSignal, changes, value = (doc) => doc.data(), onApplied = null) {
      if (onApplied) {
        after.push(onApplied);
        timer ??= setTimer(flush, ms);
      }
      if (!changes.length) return;
      if (!pending.has(mapSignal)) pending.set(mapSignal, new Map());
      const docs = pending.get(mapSignal);
      for (const change of changes) docs.set(change.doc.id, change.type === "removed" ? null : value(change.doc));
      timer ??= setTimer(flush, ms);
    },
    flush,
    stop() {
      if (timer !== null) clearTimer(timer);
      timer = null;
      pending.clear();
    },
  };
}
