// Student scan page (mobile first): sign in, scan the code on the teacher's screen
// (camera), type its 6-digit code, or paste it, and see what became of the scan:
// sending, pending (kept on the phone until it can be sent), accepted (then
// recorded), or rejected with the reason and what to do. And the student's inbox.
//
// Every scan goes through the outbox (scan-queue.js): it is stored first, then sent;
// it stays pending until the server decides, and is sent again with backoff (at once
// when the browser comes back online). The result card follows its entry.
//
// The Attendance tab (my-attendance.js) shows the student's figures per course.
import { signInForm, signOutButton, watchUser } from "./auth-ui.js";
import { cameraAvailable, startScanner } from "./camera.js";
import { firebase, firestore } from "./config.js";
import { $, clear, fmtAgo, fmtClock, fmtDay, fmtTime, h, toDate } from "./dom.js";
import { showMyAttendance } from "./my-attendance.js";
import { notificationsCard } from "./push.js";
import { registerServiceWorker } from "./pwa.js";
import { CODE_DIGITS, extractToken, normalizeCode, parseToken } from "./qr-token.js";
import { deviceId, isTransient, outcomeFor, submitScan } from "./scan-api.js";
import { flush, ScanQueue, settle } from "./scan-queue.js";

const app = $("#app");
const account = $("#account");
const queue = new ScanQueue();
const inFlight = new Set(); // entry ids being sent now
let ctx = null; // {config, auth}
let user = null;
let pendingToken = takeTokenFromUrl();
let scanner = null;
let recordUnsub = null;
let viewCleanup = () => {};
let shown = null; // {view: "scan"|"result"|"inbox"|"attendance", entryId?}
let retryTimer = null;
let inbox = null; // {entries, unread, unsub} once the student's inbox is watched
const tabs = {
  scan: h("button.tab", { type: "button", id: "tab-scan", onclick: () => showScanForm() }, "Check in"),
  attendance: h("button.tab", { type: "button", id: "tab-attendance", onclick: () => showAttendance() }, "Attendance"),
  inbox: h(
    "button.tab",
    { type: "button", id: "tab-inbox", onclick: () => showInbox() },
    "Inbox",
    h("span.badge.is-zero", { id: "inbox-unread" }, "0"),
  ),
};
const nav = h("nav.tabs", { "aria-label": "Student" }, tabs.scan, tabs.attendance, tabs.inbox);
const outboxBar = h("div.outbox", { id: "outbox", role: "status", "aria-live": "polite" });
const view = h("div", { id: "view" });

/** A token in the page's fragment (a phone camera opened the projector's link). */
function takeTokenFromUrl() {
  const raw = location.hash.replace(/^#/, "");
  if (!raw) return null;
  history.replaceState(null, "", location.pathname + location.search); // never resubmit on reload
  return extractToken(decodeURIComponent(raw));
}

function stopScanner() {
  scanner?.stop();
  scanner = null;
}

function stopRecordWatch() {
  recordUnsub?.();
  recordUnsub = null;
}

function leaveView() {
  stopScanner();
  stopRecordWatch();
  viewCleanup();
  viewCleanup = () => {};
}

function setView(name, entryId = null) {
  leaveView();
  shown = { view: name, entryId };
  document.body.dataset.view = name;
  const tab = name === "inbox" || name === "attendance" ? name : "scan";
  for (const [key, el] of Object.entries(tabs)) el.setAttribute("aria-current", String(key === tab));
  renderOutbox();
}

function render() {
  leaveView();
  stopInbox();
  clearTimeout(retryTimer);
  if (!user) {
    shown = null;
    clear(account);
    document.body.dataset.view = "signin";
    clear(
      app,
      pendingToken
        ? h(
            "p.notice",
            { role: "status" },
            "Sign in to finish checking in. If the code has changed by then, scan it again.",
          )
        : null,
      signInForm(ctx.auth, { title: "Check in", intro: "Sign in with your school account." }),
    );
    $("#signin-email")?.focus();
    return;
  }
  clear(account, h("span.who", {}, user.email ?? user.uid), signOutButton(ctx.auth));
  clear(app, nav, outboxBar, view);
  if (pendingToken) {
    const token = pendingToken;
    pendingToken = null;
    checkIn({ kind: "qr", value: token });
  } else {
    showScanForm();
  }
  sendDue({ force: true }); // scans kept from an earlier visit
}

// ---- check-in form -------------------------------------------------------------

function showScanForm(message = "") {
  setView("scan");
  const codeInput = h("input.code-input", {
    id: "typed-code",
    name: "typed-code",
    type: "text",
    inputmode: "numeric",
    pattern: "[0-9 ]*",
    maxlength: CODE_DIGITS + 2,
    autocomplete: "one-time-code",
    enterkeyhint: "send",
    placeholder: "000000",
    "aria-describedby": "typed-help typed-error",
  });
  const codeError = h("p.form-error", { id: "typed-error", role: "alert" }, message);
  const pasteInput = h("input", {
    id: "code",
    name: "code",
    type: "text",
    required: true,
    autocomplete: "off",
    autocapitalize: "none",
    spellcheck: "false",
    enterkeyhint: "send",
    "aria-describedby": "code-help code-error",
  });
  const pasteError = h("p.form-error", { id: "code-error", role: "alert" });
  const video = h("video.camera", {
    id: "camera",
    playsinline: true,
    muted: true,
    hidden: true,
    "aria-label": "Camera preview",
  });
  const cameraStatus = h("p.muted.small", { id: "camera-status", role: "status" });
  const cancel = h("button.btn", { type: "button", hidden: true, onclick: () => closeCamera() }, "Stop camera");
  const scanBtn = h(
    "button.btn.btn-primary.btn-big",
    { type: "button", id: "scan-camera", onclick: () => openCamera() },
    "Scan with the camera",
  );
  if (!cameraAvailable()) {
    scanBtn.disabled = true;
    cameraStatus.textContent = "The camera cannot be used on this page: type the code below.";
  }

  function closeCamera() {
    stopScanner();
    video.hidden = true;
    cancel.hidden = true;
    scanBtn.hidden = false;
    cameraStatus.textContent = "";
  }

  async function openCamera() {
    codeError.textContent = "";
    cameraStatus.textContent = "Starting the camera…";
    scanBtn.hidden = true;
    video.hidden = false;
    cancel.hidden = false;
    try {
      scanner = await startScanner(video, (text) => {
        const token = extractToken(text);
        if (!parseToken(token)) {
          cameraStatus.textContent = "That QR code is not a Rollcall code. Point at the code on the teacher's screen.";
          return false;
        }
        checkIn({ kind: "qr", value: token });
        return true;
      });
      cameraStatus.textContent = "Point the camera at the code on the teacher's screen.";
    } catch (err) {
      closeCamera();
      cameraStatus.textContent =
        err?.name === "NotAllowedError"
          ? "Camera access was refused. Allow it in the browser settings, or type the code below."
          : "The camera could not start. Type the code below.";
    }
  }

  clear(
    view,
    h(
      "section.card.scan-card",
      { "aria-labelledby": "scan-title" },
      h("h1", { id: "scan-title" }, "Check in"),
      h("p.muted", {}, "Scan the code on the teacher's screen."),
      scanBtn,
      video,
      cancel,
      cameraStatus,
      h(
        "form.code-form",
        {
          id: "typed-form",
          novalidate: true,
          onsubmit(ev) {
            ev.preventDefault();
            const code = normalizeCode(codeInput.value);
            if (!code) {
              codeError.textContent = `Type the ${CODE_DIGITS} digits shown under the QR code.`;
              codeInput.focus();
              return;
            }
            checkIn({ kind: "code", value: code });
          },
        },
        h("label", { for: "typed-code" }, "Or type the code"),
        h("p.muted.small", { id: "typed-help" }, `The ${CODE_DIGITS} digits under the QR code. They change with it.`),
        codeInput,
        codeError,
        h("button.btn.btn-primary", { type: "submit", id: "typed-submit" }, "Check in with the code"),
      ),
      h(
        "details.paste",
        { id: "paste" },
        h("summary", {}, "Paste a code or link instead"),
        h(
          "form.code-form",
          {
            id: "code-form",
            onsubmit(ev) {
              ev.preventDefault();
              const token = extractToken(pasteInput.value);
              if (!token) {
                pasteError.textContent = "Paste the code first.";
                pasteInput.focus();
                return;
              }
              checkIn({ kind: "qr", value: token });
            },
          },
          h("label", { for: "code" }, "Code or link"),
          h(
            "p.muted.small",
            { id: "code-help" },
            "A Rollcall link or code someone sent you is refused: it is valid for a few seconds only.",
          ),
          pasteInput,
          pasteError,
          h("button.btn", { type: "submit", id: "code-submit" }, "Check in"),
        ),
      ),
    ),
    recentList(),
    notificationsCard(ctx, user),
  );
}

/** The student's latest decided scans on this phone. */
function recentList() {
  const recent = queue.recent(user.uid).slice(0, 3);
  if (!recent.length) return null;
  return h(
    "section.card.recent",
    { id: "recent", "aria-labelledby": "recent-title" },
    h("h2", { id: "recent-title" }, "Recent scans on this phone"),
    h(
      "ul.plain",
      {},
      recent.map((e) => {
        const outcome = outcomeFor(e.code, e.kind);
        const label = e.state === "accepted" ? `Accepted: ${e.status ?? "present"}` : `Rejected: ${outcome.title}`;
        return h(
          "li",
          { dataset: { state: e.state, code: e.code ?? "" } },
          h(`span.pill.pill-${e.state}`, {}, label),
          h(
            "span.muted.small",
            {},
            ` ${e.kind === "code" ? "typed code" : "QR code"}, taken ${fmtTime(new Date(e.taken_at))}`,
          ),
        );
      }),
    ),
  );
}

// ---- sending -----------------------------------------------------------------------

/** Keep the scan, show it, send it. */
function checkIn({ kind, value }) {
  const entry = queue.add({ uid: user.uid, kind, value, deviceId: deviceId() });
  showEntry(entry.id);
  send(entry);
}

async function sendEntry(entry) {
  let idToken;
  try {
    idToken = await user.getIdToken();
  } catch (err) {
    // offline with an expired ID token: not decided, keep it
    if (err?.code === "auth/network-request-failed") {
      return { state: "failed", code: "network", message: String(err.message ?? err), retry: true };
    }
    return { state: "rejected", code: "unauthenticated", message: String(err?.message ?? err) };
  }
  const scan = entry.kind === "code" ? { code: entry.value } : { qr: entry.value };
  return submitScan({ scanUrl: ctx.config.scanUrl, idToken, device: entry.device_id, ...scan });
}

async function send(entry) {
  if (inFlight.has(entry.id)) return;
  inFlight.add(entry.id);
  changed(entry.id);
  let outcome;
  try {
    outcome = settle(queue, entry, await sendEntry(entry), isTransient);
  } finally {
    inFlight.delete(entry.id);
  }
  changed(entry.id, outcome);
  schedule();
}

/** Send the pending scans that are due (all with force), one at a time. */
async function sendDue({ force = false } = {}) {
  if (!user) return;
  clearTimeout(retryTimer);
  if (navigator.onLine === false) {
    renderOutbox();
    return schedule(); // the `online` event sends them
  }
  const uid = user.uid;
  const outcomes = await flush(
    queue,
    uid,
    async (entry) => {
      inFlight.add(entry.id);
      changed(entry.id);
      try {
        return await sendEntry(entry);
      } finally {
        inFlight.delete(entry.id);
      }
    },
    { force, transient: isTransient, skip: (e) => inFlight.has(e.id) },
  );
  for (const outcome of outcomes) changed(outcome.entry?.id, outcome);
  schedule();
}

function schedule() {
  clearTimeout(retryTimer);
  if (!user) return;
  const next = queue.nextDue(user.uid);
  if (next === null) return;
  // offline: the online event sends them; a slow timer in case it never fires
  const wait = navigator.onLine === false ? 30000 : Math.max(0, next - Date.now());
  retryTimer = setTimeout(() => sendDue({ force: navigator.onLine !== false }), wait);
}

/** An entry moved on: redraw what shows it. A decided scan is shown to the student. */
function changed(entryId, outcome = null) {
  renderOutbox();
  if (!entryId || !user) return;
  if (shown?.view === "result" && shown.entryId === entryId) {
    renderEntry(entryId);
  } else if (outcome?.decided && shown?.view === "scan" && !scanner) {
    showEntry(entryId); // it was pending in the background: say what became of it
  } else if (outcome?.decided) {
    notice(outcome.entry);
  }
}

window.addEventListener("online", () => sendDue({ force: true }));
window.addEventListener("offline", () => renderOutbox());
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") sendDue({ force: true });
});

// ---- outbox bar: what is pending, and what was decided meanwhile --------------------

let lastNotice = null;

function notice(entry) {
  lastNotice = entry;
  renderOutbox();
}

function renderOutbox() {
  if (!user) return;
  const pending = queue.pending(user.uid).filter((e) => !(shown?.view === "result" && shown.entryId === e.id));
  const items = [];
  if (pending.length) {
    const offline = navigator.onLine === false;
    items.push(
      h(
        "div.outbox-pending",
        { dataset: { count: pending.length } },
        h("span.pill.pill-pending", {}, "Pending"),
        ` ${pending.length === 1 ? "1 scan" : `${pending.length} scans`} waiting to be sent (taken ${pending.map((e) => fmtTime(new Date(e.taken_at))).join(", ")}). `,
        offline ? "You are offline: it is sent when the connection is back." : "Sending again shortly.",
        h(
          "button.btn.btn-small",
          { type: "button", id: "outbox-show", onclick: () => showEntry(pending[0].id) },
          "Show",
        ),
      ),
    );
  }
  if (lastNotice && !(shown?.view === "result" && shown.entryId === lastNotice.id)) {
    const e = lastNotice;
    items.push(
      h(
        "div.outbox-done",
        { dataset: { state: e.state } },
        h(`span.pill.pill-${e.state}`, {}, e.state === "accepted" ? "Accepted" : "Rejected"),
        ` Your scan from ${fmtTime(new Date(e.taken_at))}: ${
          e.state === "accepted" ? `checked in, ${e.status ?? "present"}.` : `${outcomeFor(e.code, e.kind).title}.`
        } `,
        h("button.btn.btn-small", { type: "button", onclick: () => showEntry(e.id) }, "Show"),
      ),
    );
  }
  outboxBar.replaceChildren(...items);
  outboxBar.hidden = items.length === 0;
}

// ---- result card -----------------------------------------------------------------------

function showEntry(entryId) {
  setView("result", entryId);
  if (lastNotice?.id === entryId) lastNotice = null;
  renderOutbox();
  const tick = setInterval(() => {
    const e = queue.get(entryId);
    const line = $("#next-try");
    if (e && !e.state && line && !inFlight.has(entryId)) line.textContent = nextTryText(e);
  }, 1000);
  viewCleanup = () => clearInterval(tick);
  renderEntry(entryId);
}

function nextTryText(entry) {
  if (navigator.onLine === false) return "Waiting for the connection to come back.";
  const s = Math.max(0, Math.ceil((entry.next_at - Date.now()) / 1000));
  return s > 0 ? `Trying again in ${s} s.` : "Trying again now…";
}

function renderEntry(entryId) {
  const entry = queue.get(entryId);
  if (!entry) return showScanForm();
  const sending = inFlight.has(entryId);
  const decided = !!entry.state;
  const state = decided ? entry.state : sending && entry.attempts === 0 ? "sending" : "pending";
  const card = h("section.card.result", {
    id: "result",
    role: "status",
    "aria-live": "polite",
    dataset: {
      state,
      entry: entry.id,
      kind: entry.kind,
      code: decided ? (entry.code ?? "") : (entry.last_code ?? ""),
      status: entry.status ?? "",
    },
  });
  const actions = h("div.actions");
  const taken = new Date(entry.taken_at);
  const what = entry.kind === "code" ? "typed code" : "scan";
  if (state === "sending") {
    clear(
      card,
      h("div.result-icon.spinner", { "aria-hidden": "true" }),
      h("h1", {}, "Checking in…"),
      h("p.muted", {}, `Sending your ${what}.`),
    );
  } else if (state === "pending") {
    const busy = entry.last_code === "unavailable";
    clear(
      card,
      h("div.result-icon.pending-icon", { "aria-hidden": "true" }, "↻"),
      h("h1", { id: "result-title" }, busy ? "Rollcall is busy: pending" : "No connection: pending"),
      h(
        "p",
        { id: "result-detail" },
        `Your ${what} from ${fmtClock(taken)} is saved on this phone and will be sent automatically `,
        "when the connection is back, also if you close this page and open it again. Rollcall checks it when it arrives.",
      ),
      h("p.muted.small", { id: "next-try" }, sending ? "Sending…" : nextTryText(entry)),
      actions,
    );
    actions.append(
      h(
        "button.btn.btn-primary",
        { type: "button", id: "send-now", disabled: sending, onclick: () => send(queue.get(entryId) ?? entry) },
        sending ? "Sending…" : "Send now",
      ),
      h("button.btn", { type: "button", id: "scan-again", onclick: () => showScanForm() }, "Back"),
    );
  } else if (state === "accepted") {
    const late = entry.status === "late";
    const delayed = entry.resolved_at - entry.taken_at > 5000;
    clear(
      card,
      h("div.result-icon", { "aria-hidden": "true" }, late ? "◷" : "✓"),
      h("h1", { id: "result-title" }, late ? "Checked in — late" : "Checked in — present"),
      h(
        "p",
        { id: "result-detail" },
        late ? "You were marked late for this session." : "You were marked present for this session.",
      ),
      delayed
        ? h(
            "p.muted.small",
            { id: "result-delay" },
            `Taken at ${fmtClock(taken)}, delivered at ${fmtClock(new Date(entry.resolved_at))}.`,
          )
        : null,
      h("p.muted.small", { id: "result-recorded", dataset: { recorded: "false" } }, "Accepted. Recording…"),
      actions,
    );
    actions.append(
      h("button.btn.btn-primary", { type: "button", id: "done", onclick: () => showScanForm() }, "Done"),
      h("button.btn", { type: "button", id: "open-inbox", onclick: () => showInbox() }, "Open my inbox"),
    );
  } else {
    const outcome = outcomeFor(entry.code, entry.kind);
    const needsSignIn = entry.code === "unauthenticated";
    const late = entry.resolved_at - entry.taken_at > 20000;
    clear(
      card,
      h("div.result-icon", { "aria-hidden": "true" }, "✕"),
      h("h1", { id: "result-title" }, outcome.title),
      h("p", { id: "result-detail" }, outcome.advice),
      late
        ? h(
            "p.muted.small",
            { id: "result-delay" },
            `This ${what} was taken at ${fmtClock(taken)} and could only be sent at ${fmtClock(new Date(entry.resolved_at))}; the code on the screen had changed by then.`,
          )
        : null,
      h("p.muted.small", {}, "Not recorded.", entry.code ? ` Code: ${entry.code}` : ""),
      actions,
    );
    if (needsSignIn) {
      actions.append(
        h("button.btn.btn-primary", { type: "button", onclick: () => ctx.auth.signOut() }, "Sign in again"),
      );
    } else {
      actions.append(
        h(
          "button.btn.btn-primary",
          { type: "button", id: "scan-again", onclick: () => showScanForm() },
          outcome.retry ? "Scan again" : "Back",
        ),
      );
    }
  }
  clear(view, card);
  if (state !== "sending") (card.querySelector(".btn-primary") ?? card.querySelector("button"))?.focus();
  if (state === "accepted") confirmRecorded(entry);
}

/**
 * After a 202: follow the student's own attendance record until it is written. A
 * scanned token names its session; a typed code does not, so the session is learnt
 * from the inbox entry the notify consumer writes for this scan_id.
 */
async function confirmRecorded(entry) {
  if (!user) return;
  const uid = user.uid;
  const line = () => (shown?.view === "result" && shown.entryId === entry.id ? $("#result-recorded") : null);
  let stopped = false;
  let stopRecord = null;
  let stopQuery = null;
  const giveUp = setTimeout(() => {
    if (line()?.dataset.recorded === "false") line().textContent = "Accepted.";
  }, 20000);
  const stop = () => {
    stopped = true;
    clearTimeout(giveUp);
    stopRecord?.();
    stopQuery?.();
  };
  stopRecordWatch();
  recordUnsub = stop;
  try {
    const { db, fs } = await firestore();
    if (stopped || !line()) return;
    watchInbox(); // Firestore is here now: the unread badge comes for free
    const watchRecord = (sessionId) => {
      stopRecord = fs.onSnapshot(
        fs.doc(db, "sessions", sessionId, "attendance", uid),
        (snap) => {
          if (!snap.exists() || !line()) return;
          const rec = snap.data();
          line().textContent = `Recorded at ${fmtTime(toDate(rec.scanned_at) ?? toDate(rec.status_at))}.`;
          line().dataset.recorded = "true";
          stop();
        },
        () => {
          if (line()) line().textContent = "Accepted.";
        },
      );
    };
    const sessionId = entry.kind === "qr" ? parseToken(entry.value)?.sessionId : null;
    if (sessionId) return watchRecord(sessionId);
    if (!entry.scan_id) return;
    stopQuery = fs.onSnapshot(
      fs.query(fs.collection(db, "users", uid, "inbox"), fs.where("scan_id", "==", entry.scan_id), fs.limit(1)),
      (snap) => {
        const found = snap.docs[0]?.data()?.session_id;
        if (found && !stopRecord && !stopped) watchRecord(found);
      },
      () => {},
    );
  } catch {
    // the 202 already said accepted; the confirmation is a bonus
  }
}

// ---- inbox -------------------------------------------------------------------------------

/** Watch users/{uid}/inbox (newest first): the list and the unread badge. */
async function watchInbox() {
  if (inbox || !user) return inbox;
  const uid = user.uid;
  inbox = { entries: [], unread: 0, loaded: false, error: null, unsub: () => {} };
  const mine = inbox;
  try {
    const { db, fs } = await firestore();
    if (inbox !== mine) return null;
    mine.fs = fs;
    mine.db = db;
    mine.unsub = fs.onSnapshot(
      fs.query(fs.collection(db, "users", uid, "inbox"), fs.orderBy("created_at", "desc"), fs.limit(30)),
      (snap) => {
        mine.entries = snap.docs.map((d) => ({ id: d.id, ref: d.ref, ...d.data() }));
        mine.unread = mine.entries.filter((e) => !e.read).length;
        mine.loaded = true;
        mine.error = null;
        renderInboxBadge();
        if (shown?.view === "inbox") renderInboxList();
      },
      (err) => {
        mine.error = err.code ?? err.message;
        if (shown?.view === "inbox") renderInboxList();
      },
    );
  } catch (err) {
    mine.error = String(err.message ?? err);
  }
  return mine;
}

function stopInbox() {
  inbox?.unsub();
  inbox = null;
  renderInboxBadge();
}

function renderInboxBadge() {
  const badge = $("#inbox-unread");
  if (!badge) return;
  const n = inbox?.unread ?? 0;
  badge.textContent = String(n);
  badge.classList.toggle("is-zero", n === 0);
  tabs.inbox.setAttribute("aria-label", n ? `Inbox, ${n} unread` : "Inbox");
}

function showInbox() {
  setView("inbox");
  clear(
    view,
    h(
      "section.card.inbox",
      { "aria-labelledby": "inbox-title" },
      h("h1", { id: "inbox-title" }, "Inbox"),
      h("p.muted", {}, "Messages about your attendance."),
      h("ul.inbox-list.plain", { id: "inbox-list", "aria-busy": "true" }, h("li.muted", {}, "Loading…")),
    ),
  );
  watchInbox().then(() => shown?.view === "inbox" && renderInboxList());
}

function renderInboxList() {
  const list = $("#inbox-list");
  if (!list || !inbox) return;
  if (inbox.error) {
    list.replaceChildren(h("li.form-error", {}, `Cannot read your inbox: ${inbox.error}`));
    return;
  }
  if (!inbox.loaded) return;
  list.removeAttribute("aria-busy");
  if (!inbox.entries.length) {
    list.replaceChildren(
      h("li.muted", { id: "inbox-empty" }, "No messages yet. After you check in, a confirmation appears here."),
    );
    return;
  }
  list.replaceChildren(
    ...inbox.entries.map((e) => {
      const at = toDate(e.created_at);
      return h(
        "li.inbox-item",
        {
          dataset: {
            id: e.id,
            read: String(!!e.read),
            status: e.status ?? "",
            session: e.session_id ?? "",
            type: e.type ?? "",
            kind: e.kind ?? "",
          },
        },
        h(
          "div.inbox-head",
          {},
          h(
            "strong.inbox-title",
            {},
            e.type === "alert" ? h("span.alert-tag", {}, "Alert") : null,
            e.title ?? "Message",
          ),
          h(
            "time.muted.small",
            { datetime: at?.toISOString() ?? "", title: at ? `${fmtDay(at)} ${fmtClock(at)}` : "" },
            at ? fmtAgo(at) : "now",
          ),
        ),
        h("p.inbox-body", {}, e.body ?? ""),
        e.read
          ? null
          : h(
              "button.btn.btn-small.mark-read",
              {
                type: "button",
                async onclick(ev) {
                  const btn = ev.currentTarget;
                  btn.disabled = true;
                  try {
                    // the rules let a student change nothing but `read`
                    await inbox.fs.updateDoc(e.ref, { read: true });
                  } catch (err) {
                    btn.disabled = false;
                    btn.textContent = `Could not mark it read (${err.code ?? err.message})`;
                  }
                },
              },
              "Mark as read",
            ),
      );
    }),
  );
}

// ---- my attendance (my-attendance.js) ----------------------------------------------------

function showAttendance() {
  setView("attendance");
  viewCleanup = showMyAttendance(view, { user });
  watchInbox(); // Firestore is loaded for the figures anyway: the unread badge follows
}

window.addEventListener("hashchange", () => {
  const token = takeTokenFromUrl();
  if (!token) return;
  if (user) checkIn({ kind: "qr", value: token });
  else pendingToken = token;
});

registerServiceWorker(); // offline start and push (decision 0010); the page works without it

(async () => {
  try {
    ctx = await firebase();
  } catch (err) {
    clear(app, h("p.form-error", { role: "alert" }, `Rollcall cannot start: ${err.message ?? err}`));
    return;
  }
  watchUser(ctx.auth, (u) => {
    user = u;
    render();
  });
})();
