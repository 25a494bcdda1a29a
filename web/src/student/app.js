// The student page's controller: the one place that writes the page's store
// (store.js). It follows the signed-in user (an unverified email is asked to verify
// first; a verified one claims its courses, account.js), runs the outbox (outbox.js)
// for them, keeps the inbox and the record watches, answers the browser's
// online/offline/visibility and hashchange events, and renders the views (check-in
// form, result card, outbox bar, inbox, attendance) from the store.
import { accountController } from "../account.js";
import { Account, SignInForm, watchUser } from "../auth-ui.js";
import { ClaimNotice } from "../claim-notice.js";
import { firebase, firestore } from "../config.js";
import { language, t } from "../i18n/index.js";
import { showMyAttendance } from "../my-attendance.js";
import { Outbox } from "../outbox.js";
import { forgetProfile, LanguagePicker, loadProfile, noticeDue, profile } from "../profile.js";
import { registerServiceWorker } from "../pwa.js";
import { extractToken, parseToken } from "../qr-token.js";
import { deviceId } from "../scan-api.js";
import { ScanQueue } from "../scan-queue.js";
import { effect, html, Island, render } from "../ui.js";
import { VerifyEmail } from "../verify-email.js";
import { CheckInForm } from "./check-in-form.js";
import { GuardianCard } from "./guardian.js";
import { InboxTab, InboxView, watchInbox } from "./inbox.js";
import { NoticeCard } from "./notice.js";
import { OutboxBar } from "./outbox-bar.js";
import { watchRecord } from "./record-watch.js";
import { RequestsView } from "./requests.js";
import { ResultCard } from "./result-card.js";
import { createStudentStore, findEntry, recordOutcome, sessionContext } from "./store.js";

/** After this long without the record, the card says "Accepted." only. */
export const GIVE_UP_MS = 20000;

const EMPTY_INBOX = { entries: [], unreadEntries: [], unread: 0, loaded: false, unreadKnown: false, error: null };

/** A token in the page's fragment (a phone camera opened the projector's link), taken out of it. */
function takeTokenFromUrl() {
  const raw = location.hash.replace(/^#/, "");
  if (!raw) return null;
  // never resubmit on reload; the short link's /c becomes the page's own name
  history.replaceState(null, "", `/scan.html${location.search}`);
  return extractToken(decodeURIComponent(raw));
}

/**
 * The session whose attendance record an accepted scan created: a scanned token names
 * it; for a typed code the server's answer does (an older server did not: then the
 * inbox entry the notify consumer writes for the scan does).
 */
function sessionOf(entry, inbox) {
  if (entry.kind === "qr") return parseToken(entry.value)?.sessionId ?? null;
  if (entry.session_id) return entry.session_id;
  return (entry.scan_id && inbox.entries.find((e) => e.scan_id === entry.scan_id)?.session_id) || null;
}

export function startStudentPage({ app, account }) {
  const store = createStudentStore();
  const queue = new ScanQueue();
  let outbox = null;
  let stopInbox = null;
  let claims = null; // account.js's controller, once the config is read
  let pendingToken = takeTokenFromUrl();
  const watches = new Map(); // entry id -> {stop, stopped}: the records being watched

  // ---- outbox -------------------------------------------------------------------------

  function refresh() {
    const uid = store.user.value?.uid;
    store.outbox.value = uid
      ? { pending: queue.pending(uid), recent: queue.recent(uid), sending: new Set(outbox?.inFlight ?? []) }
      : { pending: [], recent: [], sending: new Set() };
  }

  /** The outbox moved: redraw; a scan decided in the background is shown, or noticed. */
  function changed(entryId, outcome) {
    refresh();
    if (!entryId || !store.user.value) return;
    const view = store.view.value;
    if (view.name === "result" && view.entryId === entryId) return; // the card follows the store
    if (outcome?.decided && view.name === "scan" && !store.cameraOpen.value) show("result", entryId);
    else if (outcome?.decided) store.notice.value = outcome.entry;
  }

  function checkIn({ kind, value }) {
    const entry = outbox.checkIn({ kind, value });
    show("result", entry.id);
  }

  // ---- record watches ------------------------------------------------------------------

  function setRecord(entryId, value) {
    const records = new Map(store.records.value);
    if (value) records.set(entryId, value);
    else records.delete(entryId);
    store.records.value = records;
  }

  async function ensureWatch(entry, sessionId) {
    if (watches.has(entry.id)) return;
    const slot = { stop: null, stopped: false };
    watches.set(entry.id, slot);
    if (!store.records.value.has(entry.id)) setRecord(entry.id, { state: "waiting" });
    const uid = store.user.value.uid;
    let fsx;
    try {
      fsx = await firestore();
    } catch (err) {
      slot.failed = true; // tried again when the phone is back online
      throw err;
    }
    if (slot.stopped) return;
    slot.stop = watchRecord(
      fsx,
      { sessionId, uid },
      {
        onRecord(rec) {
          const outcome = recordOutcome(rec);
          if (!outcome) return; // a close's absence, which this scan replaces
          setRecord(entry.id, outcome);
          if (outcome.courseId) nameCourse(outcome.courseId, fsx);
          stopWatch(entry.id);
        },
        onError() {
          setRecord(entry.id, { state: "unknown" });
        },
      },
    );
  }

  /** The course's name, read once (the student may read an enrolled course's document). */
  function nameCourse(courseId, { fs, db }) {
    if (store.courseNames.peek().has(courseId)) return;
    store.courseNames.value = new Map(store.courseNames.peek()).set(courseId, null);
    fs.getDoc(fs.doc(db, "courses", courseId))
      .then((snap) => {
        const name = snap.exists() ? snap.data().name : null;
        if (name) store.courseNames.value = new Map(store.courseNames.peek()).set(courseId, name);
      })
      .catch(() => {}); // the inbox entry names it too
  }

  function stopWatch(entryId) {
    const slot = watches.get(entryId);
    if (!slot) return;
    slot.stopped = true;
    slot.stop?.();
    watches.delete(entryId);
    if (store.records.value.get(entryId)?.state === "waiting") setRecord(entryId, null);
  }

  function stopWatches(except = null) {
    for (const id of [...watches.keys()]) if (id !== except) stopWatch(id);
  }

  // The result card of an accepted scan: watch its record, and after a while stop
  // saying "Recording…" (the 202 already said accepted).
  let giveUp = null; // {entryId, timer}
  effect(() => {
    const view = store.view.value;
    const entry = view.name === "result" ? findEntry(store.outbox.value, view.entryId) : null;
    if (entry?.state !== "accepted" || store.records.value.get(entry.id)?.state === "recorded") return;
    if (giveUp?.entryId !== entry.id) {
      clearTimeout(giveUp?.timer);
      const timer = setTimeout(() => {
        if (store.records.value.get(entry.id)?.state !== "recorded") setRecord(entry.id, { state: "unknown" });
      }, GIVE_UP_MS);
      giveUp = { entryId: entry.id, timer };
    }
    const sessionId = sessionOf(entry, store.inbox.value);
    if (sessionId) ensureWatch(entry, sessionId).catch(() => setRecord(entry.id, { state: "unknown" }));
  });

  // Inbox entries written before they named their course: the course's name, read once.
  effect(() => {
    const { entries } = store.inbox.value;
    if (store.view.value.name !== "inbox") return;
    const missing = [...new Set(entries.filter((e) => !e.course_name && e.course_id).map((e) => e.course_id))];
    if (!missing.length) return;
    firestore().then(
      (fsx) => {
        for (const id of missing) nameCourse(id, fsx);
      },
      () => {},
    );
  });

  // The leave page names the student's courses (its course choice and the requests).
  effect(() => {
    if (store.view.value.name !== "requests") return;
    const enrolled = store.account.value.me?.enrolled ?? [];
    const missing = enrolled.filter((id) => !store.courseNames.peek().has(id));
    if (!missing.length) return;
    firestore().then(
      (fsx) => {
        for (const id of missing) nameCourse(id, fsx);
      },
      () => {},
    );
  });

  // ---- views ---------------------------------------------------------------------------

  function show(name, entryId = null) {
    stopWatches(name === "result" ? entryId : null);
    store.view.value = { name, entryId };
    if (entryId && store.notice.value?.id === entryId) store.notice.value = null;
  }

  effect(() => {
    const user = store.user.value;
    if (user !== undefined) document.body.dataset.view = user ? store.view.value.name : "signin";
    document.body.dataset.account = store.account.value.state; // unverified, claiming, ready, failed
    // the user's document read at sign-in (language, notice): loading, loaded, failed
    const p = profile.value;
    document.body.dataset.profile = !p.uid ? "none" : p.loaded ? "loaded" : p.error ? "failed" : "loading";
    document.body.dataset.notice = noticeDue(p) ? "due" : "";
  });

  const actions = {
    checkIn,
    show,
    sendNow: (entry) => outbox?.send(queue.get(entry.id) ?? entry),
    back: () => show("scan"),
    openInbox: () => show("inbox"),
    signInAgain: () => store.ctx.value?.auth.signOut(),
    claim: () => claims?.claim(),
    // verified on this page ("I have verified", or back from the mail app): start as a sign-in does
    recheck: async () => {
      const verified = (await claims?.recheck()) ?? false;
      const user = store.user.value;
      if (verified && user && !outbox) startFor(user, claims.settled());
      return verified;
    },
    markRead: async (entry) => {
      const { fs } = await firestore();
      await fs.updateDoc(entry.ref, { read: true });
    },
    /** Every unread entry marked read in one batch (the rules let a student change only `read`). */
    markAllRead: async (entries) => {
      const { fs, db } = await firestore();
      const batch = fs.writeBatch(db);
      for (const e of entries) batch.update(e.ref, { read: true });
      await batch.commit();
    },
  };

  // ---- the signed-in student -----------------------------------------------------------

  function onUser(user) {
    const claimed = claims.setUser(user);
    outbox?.stop();
    outbox = null;
    stopWatches();
    stopInbox?.();
    stopInbox = null;
    store.inbox.value = EMPTY_INBOX;
    store.notice.value = null;
    store.records.value = new Map();
    store.cameraOpen.value = false;
    store.user.value = user;
    forgetProfile();
    if (!user?.emailVerified) return;
    startFor(user, claimed);
  }

  /** The inbox listener (again, if Firestore could not be loaded before: offline). */
  function startInbox(user) {
    if (stopInbox) return;
    firestore()
      .then((fsx) => {
        if (store.user.value === user && !stopInbox) stopInbox = watchInbox(fsx, user.uid, store.inbox);
      })
      .catch((err) => {
        store.inbox.value = { ...EMPTY_INBOX, error: String(err.message ?? err) };
      });
  }

  /** A verified student: the outbox, the inbox, and a scan link kept through the sign-in. */
  function startFor(user, claimed) {
    const ctx = store.ctx.value;
    outbox = new Outbox({
      queue,
      uid: user.uid,
      scanUrl: ctx.config.scanUrl,
      idToken: () => user.getIdToken(),
      deviceId,
      onChange: changed,
    });
    // Firestore now, not at the first scan: the unread badge is right from the start, and
    // the connection is up by the time a scan's record is to be watched.
    startInbox(user);
    loadProfile(user.uid); // the language stored there, the notice acknowledged
    refresh();
    if (pendingToken) {
      // a first sign-in's claim makes the enrollment: check in once it is done
      const token = pendingToken;
      pendingToken = null;
      show("scan");
      claimed.finally(() => {
        if (store.user.value === user && outbox) checkIn({ kind: "qr", value: token });
      });
    } else {
      show("scan");
    }
    outbox.sendDue({ force: true }); // scans kept from an earlier visit
  }

  window.addEventListener("online", () => {
    store.online.value = true;
    outbox?.sendDue({ force: true });
    const user = store.user.value;
    if (outbox && user) startInbox(user); // Firestore could not load while offline
    for (const [id, slot] of watches) {
      if (!slot.failed) continue;
      watches.delete(id);
      setRecord(id, { state: "waiting" }); // the card's effect watches it again
    }
    if (store.account.value.state === "failed") claims?.claim(); // offline at sign-in
  });
  window.addEventListener("offline", () => {
    store.online.value = false;
    refresh();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") outbox?.sendDue({ force: true });
  });
  window.addEventListener("hashchange", () => {
    const token = takeTokenFromUrl();
    if (!token) return;
    if (outbox) checkIn({ kind: "qr", value: token });
    else pendingToken = token;
  });
  store.online.value = navigator.onLine !== false;

  app.replaceChildren();
  account.replaceChildren();
  render(html`<${StudentPage} store=${store} actions=${actions} pendingToken=${() => pendingToken} />`, app);
  render(html`<${AccountArea} store=${store} />`, account);

  registerServiceWorker(); // offline start and push (decision 0010); the page works without it

  (async () => {
    try {
      store.ctx.value = await firebase();
    } catch (err) {
      store.startError.value = String(err.message ?? err);
      return;
    }
    claims = accountController(store.account, { scanUrl: store.ctx.value.config.scanUrl });
    watchUser(store.ctx.value.auth, onUser);
  })();
  return store;
}

function AccountArea({ store }) {
  const ctx = store.ctx.value;
  return html`<${LanguagePicker} />${ctx ? html`<${Account} auth=${ctx.auth} user=${store.user.value} />` : null}`;
}

function StudentPage({ store, actions, pendingToken }) {
  const ctx = store.ctx.value;
  const user = store.user.value;
  if (store.startError.value) {
    return html`<p class="form-error" role="alert">${t("page.cannotStart", { error: store.startError.value })}</p>`;
  }
  if (!ctx || user === undefined) return html`<p class="muted loading">${t("common.loading")}</p>`;
  if (!user) {
    return html`${
      pendingToken() ? html`<p class="notice" role="status">${t("page.signInToFinish")}</p>` : null
    }<${SignInForm} auth=${ctx.auth} title=${t("page.checkInTitle")} intro=${t("page.signInIntro")} />`;
  }
  const acct = store.account.value;
  if (acct.state === "unverified") {
    return html`<${VerifyEmail} key=${user.uid} auth=${ctx.auth} user=${user} recheck=${actions.recheck} />`;
  }
  const p = profile.value;
  const view = store.view.value;
  const outbox = store.outbox.value;
  const online = store.online.value;
  const shownEntry = view.name === "result" ? view.entryId : null;
  const tab = ["inbox", "attendance", "requests"].includes(view.name) ? view.name : "scan";
  const notice = store.notice.value;
  return html`${noticeDue(p) ? html`<${NoticeCard} key=${p.uid} again=${p.notice != null} />` : null}
    <nav class="tabs" aria-label=${t("page.tabs")}>
      <button class="tab" type="button" id="tab-scan" aria-current=${String(tab === "scan")} onClick=${actions.back}>
        ${t("page.tabCheckIn")}
      </button>
      <button
        class="tab"
        type="button"
        id="tab-attendance"
        aria-current=${String(tab === "attendance")}
        onClick=${() => actions.show("attendance")}
      >
        ${t("page.tabAttendance")}
      </button>
      <button
        class="tab"
        type="button"
        id="tab-requests"
        aria-current=${String(tab === "requests")}
        onClick=${() => actions.show("requests")}
      >
        ${t("page.tabLeave")}
      </button>
      <${InboxTab}
        unread=${store.inbox.value.unread}
        known=${store.inbox.value.unreadKnown}
        current=${tab === "inbox"}
        onClick=${actions.openInbox}
      />
    </nav>
    <${ClaimNotice} account=${acct} claim=${actions.claim} quietOffline=${true} />
    <${OutboxBar}
      pending=${outbox.pending.filter((e) => e.id !== shownEntry)}
      notice=${notice && notice.id !== shownEntry ? notice : null}
      online=${online}
      show=${(id) => actions.show("result", id)}
    />
    <div id="view"><${View} store=${store} actions=${actions} view=${view} ctx=${ctx} user=${user} /></div>`;
}

function View({ store, actions, view, ctx, user }) {
  const outbox = store.outbox.value;
  if (view.name === "result") {
    const entry = findEntry(outbox, view.entryId);
    if (entry) {
      const record = store.records.value.get(entry.id) ?? null;
      const context = sessionContext({
        sessionId: sessionOf(entry, store.inbox.value),
        courseId: record?.courseId ?? null,
        inbox: store.inbox.value,
        courseNames: store.courseNames.value,
      });
      return html`<${ResultCard}
        entry=${entry}
        sending=${outbox.sending.has(entry.id)}
        online=${store.online.value}
        record=${record}
        context=${context}
        actions=${actions}
      />`;
    }
  }
  if (view.name === "inbox") {
    return html`<${InboxView}
      inbox=${store.inbox.value}
      markRead=${actions.markRead}
      markAllRead=${actions.markAllRead}
      courseNames=${store.courseNames.value}
    />`;
  }
  if (view.name === "requests") {
    const enrolled = store.account.value.me?.enrolled ?? [];
    return html`<${RequestsView} ctx=${ctx} user=${user} enrolled=${enrolled} courseNames=${store.courseNames.value} />`;
  }
  if (view.name === "attendance") {
    const enrolled = store.account.value.me?.enrolled ?? [];
    return html`<${Island}
      key=${`${user.uid}/${enrolled.join(",")}/${language.value}`}
      style="display: contents"
      mount=${(el) => showMyAttendance(el, { user, enrolled })}
    />
    <${GuardianCard} key=${user.uid} user=${user} />`;
  }
  return html`<${CheckInForm}
    ctx=${ctx}
    user=${user}
    recent=${outbox.recent}
    checkIn=${actions.checkIn}
    cameraOpen=${store.cameraOpen}
  />`;
}
