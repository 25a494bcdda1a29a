// Student scan page (mobile first): sign in, scan the code on the teacher's screen
// (camera) or paste it, and see what became of the scan: pending, accepted (then
// recorded), or rejected with the reason and what to do.
//
// Structure for later work: every attempt goes through `checkIn(token)`, which calls
// scan-api's submitScan and hands its ScanResult to `showResult`; an offline queue can
// hold the token and replay it through the same path.
import { signInForm, signOutButton, watchUser } from "./auth-ui.js";
import { cameraAvailable, startScanner } from "./camera.js";
import { firebase, firestore } from "./config.js";
import { $, clear, fmtTime, h, toDate } from "./dom.js";
import { extractToken, parseToken } from "./qr-token.js";
import { deviceId, outcomeFor, submitScan } from "./scan-api.js";

const app = $("#app");
const account = $("#account");
let ctx = null; // {config, auth}
let user = null;
let pendingToken = takeTokenFromUrl();
let scanner = null;
let recordUnsub = null;

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

function render() {
  stopScanner();
  stopRecordWatch();
  if (!user) {
    clear(account);
    document.body.dataset.view = "signin";
    clear(
      app,
      pendingToken
        ? h("p.notice", { role: "status" }, "Sign in to finish checking in. If the code has changed by then, scan it again.")
        : null,
      signInForm(ctx.auth, { title: "Check in", intro: "Sign in with your school account." }),
    );
    $("#signin-email")?.focus();
    return;
  }
  clear(account, h("span.who", {}, user.email ?? user.uid), signOutButton(ctx.auth));
  if (pendingToken) {
    const token = pendingToken;
    pendingToken = null;
    checkIn(token);
    return;
  }
  showScanForm();
}

function showScanForm(message = "") {
  stopScanner();
  stopRecordWatch();
  document.body.dataset.view = "scan";
  const input = h("input", {
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
  const error = h("p.form-error", { id: "code-error", role: "alert" }, message);
  const video = h("video.camera", { id: "camera", playsinline: true, muted: true, hidden: true, "aria-label": "Camera preview" });
  const cameraStatus = h("p.muted.small", { id: "camera-status", role: "status" });
  const cancel = h("button.btn", { type: "button", hidden: true, onclick: () => closeCamera() }, "Stop camera");
  const scanBtn = h(
    "button.btn.btn-primary.btn-big",
    { type: "button", id: "scan-camera", onclick: () => openCamera() },
    "Scan with the camera",
  );
  if (!cameraAvailable()) {
    scanBtn.disabled = true;
    cameraStatus.textContent = "The camera cannot be used on this page: enter the code below.";
  }

  function closeCamera() {
    stopScanner();
    video.hidden = true;
    cancel.hidden = true;
    scanBtn.hidden = false;
    cameraStatus.textContent = "";
  }

  async function openCamera() {
    error.textContent = "";
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
        checkIn(token);
        return true;
      });
      cameraStatus.textContent = "Point the camera at the code on the teacher's screen.";
    } catch (err) {
      closeCamera();
      cameraStatus.textContent =
        err?.name === "NotAllowedError"
          ? "Camera access was refused. Allow it in the browser settings, or enter the code below."
          : "The camera could not start. Enter the code below.";
    }
  }

  clear(
    app,
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
          id: "code-form",
          onsubmit(ev) {
            ev.preventDefault();
            const token = extractToken(input.value);
            if (!token) {
              error.textContent = "Enter the code first.";
              input.focus();
              return;
            }
            checkIn(token);
          },
        },
        h("label", { for: "code" }, "Or enter the code"),
        h("p.muted.small", { id: "code-help" }, "Paste the code or the link shown under the QR code."),
        input,
        error,
        h("button.btn.btn-primary", { type: "submit", id: "code-submit" }, "Check in"),
      ),
    ),
  );
}

/** Send one scan and show its outcome. */
async function checkIn(token) {
  stopScanner();
  stopRecordWatch();
  showResult({ state: "pending" });
  let idToken;
  try {
    idToken = await user.getIdToken();
  } catch {
    return showResult({ state: "rejected", code: "unauthenticated", message: "" });
  }
  const result = await submitScan({ scanUrl: ctx.config.scanUrl, idToken, qr: token, device: deviceId() });
  showResult({ ...result, token });
  if (result.state === "accepted") watchRecord(parseToken(token)?.sessionId);
}

function showResult(result) {
  document.body.dataset.view = "result";
  const { state } = result;
  const card = h("section.card.result", {
    id: "result",
    role: "status",
    "aria-live": "polite",
    dataset: { state, code: result.code ?? "", status: result.status ?? "" },
  });
  const actions = h("div.actions");
  if (state === "pending") {
    clear(card, h("div.result-icon.spinner", { "aria-hidden": "true" }), h("h1", {}, "Checking in…"), h("p.muted", {}, "Sending your scan."));
  } else if (state === "accepted") {
    const late = result.status === "late";
    clear(
      card,
      h("div.result-icon", { "aria-hidden": "true" }, late ? "◷" : "✓"),
      h("h1", { id: "result-title" }, late ? "Checked in — late" : "Checked in — present"),
      h("p", { id: "result-detail" }, late ? "You were marked late for this session." : "You were marked present."),
      h("p.muted.small", { id: "result-recorded", dataset: { recorded: "false" } }, "Accepted. Recording…"),
      actions,
    );
    actions.append(h("button.btn", { type: "button", onclick: () => showScanForm() }, "Done"));
  } else {
    const outcome = outcomeFor(result.code);
    const needsSignIn = result.code === "unauthenticated";
    clear(
      card,
      h("div.result-icon", { "aria-hidden": "true" }, "✕"),
      h("h1", { id: "result-title" }, outcome.title),
      h("p", { id: "result-detail" }, outcome.advice),
      h("p.muted.small", {}, state === "failed" ? "Not sent." : "Not recorded.", result.code ? ` Code: ${result.code}` : ""),
      actions,
    );
    if (needsSignIn) {
      actions.append(h("button.btn.btn-primary", { type: "button", onclick: () => ctx.auth.signOut() }, "Sign in again"));
    } else {
      // Not sent, or the server was busy: the same code may still be valid (current
      // or previous window), so offer to send it again before asking for a new scan.
      const resend = result.token && (result.code === "network" || result.code === "unavailable");
      if (resend) {
        actions.append(
          h("button.btn.btn-primary", { type: "button", id: "try-again", onclick: () => checkIn(result.token) }, "Try again"),
        );
      }
      actions.append(
        h(
          resend ? "button.btn" : "button.btn.btn-primary",
          { type: "button", id: "scan-again", onclick: () => showScanForm() },
          outcome.retry ? "Scan again" : "Back",
        ),
      );
    }
  }
  clear(app, card);
  card.querySelector("button")?.focus();
}

/** After a 202: follow the student's own attendance record until it is written. */
async function watchRecord(sessionId) {
  if (!sessionId || !user) return;
  const uid = user.uid;
  try {
    const { db, fs } = await firestore();
    const line = () => $("#result-recorded");
    if (!line()) return;
    recordUnsub = fs.onSnapshot(
      fs.doc(db, "sessions", sessionId, "attendance", uid),
      (snap) => {
        if (!snap.exists() || !line()) return;
        const rec = snap.data();
        line().textContent = `Recorded at ${fmtTime(toDate(rec.scanned_at))}.`;
        line().dataset.recorded = "true";
        stopRecordWatch();
      },
      () => {
        if (line()) line().textContent = "Accepted.";
      },
    );
  } catch {
    // the 202 already said accepted; the confirmation is a bonus
  }
}

window.addEventListener("hashchange", () => {
  const token = takeTokenFromUrl();
  if (!token) return;
  if (user) checkIn(token);
  else pendingToken = token;
});

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
