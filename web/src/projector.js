// The projector view of one session: a full-screen rotating QR code and the typed
// fallback code, both computed in the page (WebCrypto, see qr-token.js), the course
// and session time in large type, a countdown to the next code, and the live panel
// (counts summed over the tally shards, arrivals per minute, rejected scans, class
// list joined with attendance, with the teacher's override per student), all from
// onSnapshot. The teacher closes the session here (POST sessions/close: everyone
// without a status is then marked absent through the pipeline, and the counts show
// them arriving) and exports its CSV.
import QRCode from "qrcode";

import { drawArrivals } from "./chart.js";
import { firebase, firestore } from "./config.js";
import { clear, coalesce, fmtClock, fmtDay, fmtTime, h, toDate } from "./dom.js";
import { mirror } from "./live.js";
import { OVERRIDE_STATUSES, REJECTION_REASONS, STATUS_LABEL } from "./projector/model.js";
import { groupCode, scanLink, sessionSigner, windowAt } from "./qr-token.js";
import { sessionTiming } from "./sessions.js";
import { arrivalSeries, notYet, sumShards } from "./tally.js";

export { REJECTION_REASONS, STATUS_LABEL };

import { closeErrorText, closeSession, overrideErrorText, submitOverride } from "./teacher-api.js";
import { exportButton } from "./views/export-button.js";

/** sessions/{sid}/devices/{key}: key = first 32 hex chars of sha256(device id). */
async function deviceKey(deviceId) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(deviceId));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0"))
    .join("")
    .slice(0, 32);
}

export function showSession(root, { sessionId, user }) {
  document.title = "Check-in · Rollcall";
  const el = {
    course: h("h1.course-name", { id: "course-name" }, "…"),
    when: h("p.session-when", { id: "session-when" }),
    state: h("p.session-state", { id: "session-state", role: "status" }),
    qr: h("div.qr", {
      id: "qr",
      role: "img",
      "aria-label": "Check-in QR code",
    }),
    code: h("p.typed-code", { id: "typed-code", "aria-label": "Code to type" }, "··· ···"),
    countdown: h("p.countdown", { id: "countdown", "aria-hidden": "true" }),
    bar: h("span.bar-fill"),
    present: h("strong", { id: "count-present" }, "0"),
    late: h("strong", { id: "count-late" }, "0"),
    total: h("strong", { id: "count-total" }, "0"),
    missing: h("strong", { id: "count-missing" }, "–"),
    excused: h("strong", { id: "count-excused" }, "0"),
    absent: h("strong", { id: "count-absent" }, "0"),
    rejections: h("tbody", { id: "rejections-body" }),
    rejectionCount: h("span.badge", { id: "rejections-count" }, "0"),
    closeArea: h("div.close-area", { id: "close-area" }),
    courseLink: h("a.btn.btn-quiet", { id: "course-link", hidden: true }, "Course attendance"),
    live: h("span.live-dot", { id: "live", title: "Connecting…" }, "Connecting…"),
    chart: h("div.chart", { id: "arrivals-chart" }),
    roster: h("tbody", { id: "roster-body" }),
    rosterNote: h("p.muted.small", { id: "roster-note" }),
    search: h("input", { id: "roster-search", type: "search", placeholder: "Find a student", autocomplete: "off" }),
  };
  let filter = "all";
  const filterButtons = ["all", "missing", "arrived"].map((f) =>
    h(
      "button.chip",
      {
        type: "button",
        "aria-pressed": f === filter ? "true" : "false",
        dataset: { filter: f },
        onclick() {
          filter = f;
          for (const b of filterButtons) b.setAttribute("aria-pressed", String(b.dataset.filter === f));
          renderRoster();
        },
      },
      { all: "All", missing: "Not yet", arrived: "Checked in" }[f],
    ),
  );
  el.search.addEventListener("input", () => renderRoster());

  const projector = h(
    "section.projector",
    { id: "projector", "aria-label": "Check-in code" },
    h("div.projector-head", {}, el.course, el.when),
    h(
      "div.qr-stage",
      {},
      el.qr,
      h(
        "div.qr-side",
        {},
        el.state,
        h(
          "div.typed-box",
          {},
          h("p.typed-label", {}, "No camera? Type this code at ", h("span.scan-url", {}, `${location.host}/scan.html`)),
          el.code,
        ),
        h("div.rotation", {}, h("div.bar", { "aria-hidden": "true" }, el.bar), el.countdown),
        h(
          "dl.big-counts",
          { "aria-live": "off" },
          h("div.count.count-present", {}, h("dt", {}, "Present"), h("dd", {}, el.present)),
          h("div.count.count-late", {}, h("dt", {}, "Late"), h("dd", {}, el.late)),
          h("div.count.count-total", {}, h("dt", {}, "Checked in"), h("dd", {}, el.total)),
          h("div.count.count-missing", {}, h("dt", {}, "Not yet"), h("dd", {}, el.missing)),
          h("div.count.count-excused", {}, h("dt", {}, "Excused"), h("dd", {}, el.excused)),
          h("div.count.count-absent", {}, h("dt", {}, "Absent"), h("dd", {}, el.absent)),
        ),
      ),
    ),
  );

  clear(
    root,
    h(
      "nav.toolbar",
      { "aria-label": "Session" },
      h("a.btn.btn-quiet", { href: "#/" }, "← My courses"),
      el.courseLink,
      el.live,
      el.closeArea,
      exportButton({
        id: "export-session",
        label: "Export CSV",
        kind: "sessions",
        targetId: sessionId,
        context: async () => {
          const [{ config }, idToken] = await Promise.all([firebase(), user.getIdToken()]);
          return { scanUrl: config.scanUrl, idToken };
        },
      }),
      h(
        "button.btn",
        {
          type: "button",
          id: "fullscreen",
          onclick: () =>
            document.fullscreenElement ? document.exitFullscreen() : projector.requestFullscreen?.().catch(() => {}),
        },
        "Full screen",
      ),
    ),
    projector,
    h(
      "section.live-panel",
      { "aria-labelledby": "live-title" },
      h("h2", { id: "live-title" }, "Arrivals per minute"),
      el.chart,
    ),
    h(
      "section.rejections",
      { "aria-labelledby": "rejections-title" },
      h("h2", { id: "rejections-title" }, "Rejected scans ", el.rejectionCount),
      h("p.muted.small", {}, "Scans Rollcall refused, one line per student and reason; repeats add to the count."),
      h(
        "table.data-table",
        { id: "rejections" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Student"),
            h("th", { scope: "col" }, "Reason"),
            h("th", { scope: "col" }, "Device"),
            h("th", { scope: "col" }, "Last"),
            h("th.num", { scope: "col" }, "Count"),
          ),
        ),
        el.rejections,
      ),
    ),
    h(
      "section.roster",
      { "aria-labelledby": "roster-title" },
      h(
        "div.roster-head",
        {},
        h("h2", { id: "roster-title" }, "Class list"),
        h("div.chips", { role: "group", "aria-label": "Show" }, filterButtons),
        h("label.visually-hidden", { for: "roster-search" }, "Find a student"),
        el.search,
      ),
      el.rosterNote,
      h(
        "table.roster-table.data-table",
        { id: "roster" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Student"),
            h("th", { scope: "col" }, "Status"),
            h("th", { scope: "col" }, "Scanned"),
            h("th", { scope: "col" }, h("span.visually-hidden", {}, "Change")),
          ),
        ),
        el.roster,
      ),
    ),
  );
  const overrideDialog = makeOverrideDialog();
  root.append(overrideDialog.dialog);

  // ---- state -------------------------------------------------------------------
  let session = null;
  let signer = null;
  let shownWindow = null;
  let tally = sumShards([]);
  const enrolled = new Map(); // uid -> {uid, name, email}
  const attendance = new Map(); // uid -> record
  const rejections = new Map(); // doc id -> {uid, code, message, device_id, last_at, count}
  const deviceOwners = new Map(); // device id -> uid it is bound to (null: unknown)
  const pendingOverrides = new Map(); // uid -> {overrideId, status}
  let fsRef = null; // {db, fs, sessionRef} once Firestore is loaded
  let stopped = false;
  let chartMinute = null;
  const unsubs = [];
  const renderRosterSoon = coalesce(() => renderRoster());
  const renderTallySoon = coalesce(() => renderTally());
  const renderRejectionsSoon = coalesce(() => renderRejections());

  function fail(message) {
    clear(el.state, message);
    el.state.classList.add("is-error");
    el.qr.replaceChildren();
    el.code.textContent = "";
  }

  // ---- QR rotation ---------------------------------------------------------------
  async function showToken(window) {
    const [token, code] = await Promise.all([signer.token(window), signer.code(window)]);
    if (stopped || window !== shownWindow) return;
    const link = scanLink(location.origin, token);
    const svg = await QRCode.toString(link, {
      type: "svg",
      errorCorrectionLevel: "M",
      margin: 2,
      color: { dark: "#000000", light: "#ffffff" },
    });
    if (stopped || window !== shownWindow) return;
    el.qr.innerHTML = svg;
    el.qr.dataset.token = token;
    el.qr.dataset.window = String(window);
    el.qr.dataset.link = link;
    el.code.textContent = groupCode(code);
    el.code.dataset.code = code;
    el.code.dataset.window = String(window);
  }

  function tick() {
    if (!session || !signer) return;
    const nowMs = Date.now();
    const start = toDate(session.starts_at);
    const end = toDate(session.ends_at);
    const { rotation, lateAfter } = sessionTiming(session);
    let state = null;
    if (session.status !== "open") state = "This session is closed.";
    else if (end && nowMs >= end.getTime()) state = `This session ended at ${fmtTime(end)}.`;
    else if (start && nowMs < start.getTime()) state = `Check-in opens at ${fmtTime(start)}.`;
    projector.dataset.state = state ? "stopped" : "open";
    if (state) {
      if (el.state.textContent !== state) el.state.textContent = state;
      el.qr.replaceChildren(h("p.qr-stopped", {}, "No code"));
      delete el.qr.dataset.token;
      el.code.textContent = "";
      delete el.code.dataset.code;
      shownWindow = null;
      el.countdown.textContent = "";
      el.bar.style.transform = "scaleX(0)";
      return;
    }
    const lateAt = start ? new Date(start.getTime() + lateAfter * 60000) : null;
    const open = lateAt && nowMs < lateAt.getTime() ? `On time until ${fmtTime(lateAt)}` : "Arrivals now count as late";
    if (el.state.textContent !== open) el.state.textContent = open;
    const window = windowAt(nowMs / 1000, rotation);
    if (window !== shownWindow) {
      shownWindow = window;
      showToken(window).catch((err) => fail(`Cannot make the code: ${err.message ?? err}`));
    }
    const minute = Math.floor(nowMs / 60000);
    if (minute !== chartMinute) {
      chartMinute = minute; // the chart's time axis moves on even without arrivals
      renderTallySoon();
    }
    const left = rotation - ((nowMs / 1000) % rotation);
    el.countdown.textContent = `New code in ${Math.ceil(left)} s`;
    el.bar.style.transform = `scaleX(${left / rotation})`;
  }

  // ---- live panel -------------------------------------------------------------------
  function renderTally() {
    el.present.textContent = tally.present;
    el.late.textContent = tally.late;
    el.total.textContent = tally.total;
    el.excused.textContent = tally.excused;
    el.absent.textContent = tally.absent;
    el.missing.textContent = enrolled.size ? notYet(tally, enrolled.size) : "–";
    el.total.parentElement.parentElement.title = enrolled.size ? `${tally.total} of ${enrolled.size}` : "";
    renderCloseResult();
    if (session) {
      drawArrivals(
        el.chart,
        arrivalSeries(tally.arrivals, { start: toDate(session.starts_at), end: toDate(session.ends_at) }),
      );
    }
  }

  function studentName(uid) {
    return enrolled.get(uid)?.name ?? uid;
  }

  function renderRoster() {
    const rows = [];
    const term = el.search.value.trim().toLowerCase();
    const students = [...enrolled.values()];
    // a record of a student no longer enrolled still shows
    for (const [uid] of attendance) if (!enrolled.has(uid)) students.push({ uid, name: uid, email: "" });
    students.sort((a, b) =>
      String(a.name ?? a.uid).localeCompare(String(b.name ?? b.uid), undefined, { numeric: true }),
    );
    const counts = { present: 0, late: 0, excused: 0, absent: 0, missing: 0 };
    for (const s of students) {
      const rec = attendance.get(s.uid);
      const status = rec && STATUS_LABEL[rec.status] ? rec.status : rec ? "present" : "missing";
      counts[status] += 1;
      const checkedIn = status === "present" || status === "late";
      if (filter === "missing" && status !== "missing") continue;
      if (filter === "arrived" && !checkedIn) continue;
      if (term && !`${s.name} ${s.email} ${s.uid}`.toLowerCase().includes(term)) continue;
      const at = toDate(rec?.scanned_at);
      const pending = pendingOverrides.get(s.uid);
      if (pending && rec?.override_id === pending.overrideId) pendingOverrides.delete(s.uid);
      const saving = pendingOverrides.has(s.uid);
      const overridden = rec?.source === "override";
      rows.push(
        h(
          "tr",
          { dataset: { uid: s.uid, status, source: rec?.source ?? "" } },
          h(
            "th",
            { scope: "row" },
            h("span.student-name", {}, s.name ?? s.uid),
            s.email ? h("span.student-email", {}, s.email) : null,
          ),
          h(
            "td",
            {},
            h(`span.status.status-${status}`, {}, STATUS_LABEL[status]),
            saving ? h("span.saving", { role: "status" }, " Saving…") : null,
            overridden
              ? h(
                  "span.override-note",
                  {
                    title: rec.previous_status
                      ? `Was: ${STATUS_LABEL[rec.previous_status] ?? rec.previous_status}`
                      : "Was: not checked in",
                  },
                  `Changed by teacher: ${rec.reason ?? ""}`,
                )
              : null,
          ),
          h("td.time", {}, at ? fmtTime(at) : ""),
          h(
            "td.row-action",
            {},
            h(
              "button.btn.btn-small.override-open",
              {
                type: "button",
                dataset: { uid: s.uid },
                "aria-label": `Change attendance of ${s.name ?? s.uid}`,
                onclick: () => overrideDialog.open(s.uid),
              },
              "Change",
            ),
          ),
        ),
      );
    }
    el.roster.replaceChildren(...rows);
    const extra = [
      counts.excused ? `${counts.excused} excused` : "",
      counts.absent ? `${counts.absent} absent` : "",
    ].filter(Boolean);
    el.rosterNote.textContent =
      `${counts.present + counts.late} of ${enrolled.size} enrolled checked in` +
      (extra.length ? ` · ${extra.join(" · ")}` : "") +
      (rows.length !== students.length ? ` · showing ${rows.length}` : "");
  }

  // ---- rejected scans ---------------------------------------------------------------
  /** Whom a device was bound to in this session (for "phone already used"): looked
   * up once per device, then the list is drawn again. */
  function deviceOwner(deviceId) {
    if (!fsRef || !deviceId) return null;
    if (!deviceOwners.has(deviceId)) {
      deviceOwners.set(deviceId, null);
      (async () => {
        const { db, fs } = fsRef;
        const snap = await fs.getDoc(fs.doc(db, "sessions", sessionId, "devices", await deviceKey(deviceId)));
        if (snap.exists() && snap.data().uid) {
          deviceOwners.set(deviceId, snap.data().uid);
          renderRejectionsSoon();
        }
      })().catch(() => {});
    }
    return deviceOwners.get(deviceId);
  }

  function renderRejections() {
    const list = [...rejections.values()].sort(
      (a, b) => (toDate(b.last_at)?.getTime() ?? 0) - (toDate(a.last_at)?.getTime() ?? 0),
    );
    el.rejectionCount.textContent = String(list.length);
    el.rejectionCount.classList.toggle("is-zero", list.length === 0);
    if (!list.length) {
      el.rejections.replaceChildren(h("tr.empty", {}, h("td", { colspan: 5 }, "No rejected scans.")));
      return;
    }
    el.rejections.replaceChildren(
      ...list.map((r) => {
        const known = enrolled.get(r.uid);
        let reason = REJECTION_REASONS[r.code] ?? r.code;
        if (r.code === "device_in_use") {
          const owner = deviceOwner(r.device_id);
          if (owner) reason += `: ${studentName(owner)}`;
        }
        const device = r.device_id ?? "";
        return h(
          "tr",
          { dataset: { uid: r.uid, code: r.code } },
          known
            ? h(
                "th",
                { scope: "row" },
                h("span.student-name", {}, known.name ?? r.uid),
                known.email ? h("span.student-email", {}, known.email) : null,
              )
            : h(
                "th",
                { scope: "row" },
                h("span.student-name.unknown", {}, "Not on the class list"),
                h("span.student-email", { title: "Firebase user id" }, r.uid),
              ),
          h("td", { title: r.message ?? "" }, h(`span.reason.reason-${r.code}`, {}, reason)),
          h("td.device", { title: device }, device.length > 12 ? `${device.slice(0, 4)}…${device.slice(-4)}` : device),
          h("td.time", {}, fmtClock(toDate(r.last_at))),
          h("td.num", {}, String(r.count ?? 1)),
        );
      }),
    );
  }

  // ---- override -----------------------------------------------------------------------
  function makeOverrideDialog() {
    const title = h("h2", { id: "override-title" }, "Change attendance");
    const who = h("p.muted", { id: "override-student" });
    const error = h("p.form-error", { id: "override-error", role: "alert" });
    const reason = h("textarea", {
      oninput: () => (error.textContent = ""),
      id: "override-reason",
      name: "reason",
      rows: 3,
      maxlength: 500,
      required: true,
      placeholder: "For example: doctor's note; scanned on a friend's phone",
    });
    const submit = h("button.btn.btn-primary", { type: "submit", id: "override-submit" }, "Save");
    const radios = OVERRIDE_STATUSES.map((st) =>
      h(
        "label.choice",
        { dataset: { status: st } },
        h("input", { type: "radio", name: "status", value: st, required: true }),
        h(`span.status.status-${st}`, {}, STATUS_LABEL[st]),
      ),
    );
    let uid = null;
    const form = h(
      "form.override-form",
      {
        novalidate: true,
        async onsubmit(ev) {
          ev.preventDefault();
          const status = form.elements.status.value;
          const text = reason.value.trim();
          error.textContent = "";
          if (!status) {
            error.textContent = "Choose the new status.";
            return;
          }
          if (!text) {
            error.textContent = "Give a reason: it goes into the record and to the student.";
            return reason.focus();
          }
          submit.disabled = true;
          submit.textContent = "Saving…";
          try {
            const [{ config }, idToken] = await Promise.all([firebase(), user.getIdToken()]);
            const result = await submitOverride({
              scanUrl: config.scanUrl,
              idToken,
              sessionId,
              uid,
              status,
              reason: text,
            });
            if (result.state === "accepted") {
              pendingOverrides.set(uid, { overrideId: result.overrideId, status });
              dialog.close();
              renderRoster();
            } else {
              error.textContent = overrideErrorText(result);
            }
          } catch (err) {
            error.textContent = `Could not send the change: ${err.message ?? err}`;
          } finally {
            submit.disabled = false;
            submit.textContent = "Save";
          }
        },
      },
      title,
      who,
      h("fieldset.choices", {}, h("legend", {}, "New status"), radios),
      h("label", { for: "override-reason" }, "Reason ", h("span.muted.small", {}, "(required; the student sees it)")),
      reason,
      error,
      h(
        "div.dialog-actions",
        {},
        h("button.btn", { type: "button", id: "override-cancel", onclick: () => dialog.close() }, "Cancel"),
        submit,
      ),
    );
    const dialog = h("dialog.override-dialog", { id: "override-dialog", "aria-labelledby": "override-title" }, form);
    return {
      dialog,
      open(forUid) {
        uid = forUid;
        const rec = attendance.get(uid);
        const current = rec ? (STATUS_LABEL[rec.status] ?? rec.status) : STATUS_LABEL.missing;
        title.textContent = `Change attendance: ${studentName(uid)}`;
        who.textContent = `Now: ${current}${rec?.source === "override" ? ` (changed by teacher: ${rec.reason})` : ""}`;
        form.reset();
        error.textContent = "";
        dialog.showModal();
        radios
          .find((r) => r.dataset.status !== rec?.status)
          ?.querySelector("input")
          ?.focus();
      },
    };
  }

  // ---- close ---------------------------------------------------------------------------
  // The close goes to the scan function (POST sessions/close), which closes the session
  // and marks every enrolled student without a status absent through the pipeline: the
  // Absent count then grows to what was "Not yet" at the close.
  let closedHere = null; // {expected, absences} once this page closed the session
  let closing = null; // {expected, absences} while this page's close is in flight

  function renderCloseArea() {
    if (!session) {
      el.closeArea.replaceChildren();
      return;
    }
    if (closedHere || session.status !== "open") {
      if (!el.closeArea.querySelector("#close-result")) {
        el.closeArea.replaceChildren(h("span.close-result", { id: "close-result", role: "status" }));
      }
      renderCloseResult();
      return;
    }
    if (el.closeArea.dataset.confirm === "true") return;
    el.closeArea.replaceChildren(
      h("button.btn.btn-danger-quiet", { type: "button", id: "close-session", onclick: confirmClose }, "Close session"),
    );
  }

  /** "Closed. Marking N absences…", then "Closed. N absences marked." as they arrive. */
  function renderCloseResult() {
    const line = el.closeArea.querySelector("#close-result");
    if (!line || !session) return;
    const waiting = enrolled.size ? notYet(tally, enrolled.size) : null;
    const absences = (n) => `${n} ${n === 1 ? "absence" : "absences"}`;
    // the session's snapshot may say closed before the close's answer arrives
    const closed = closedHere ?? closing;
    let text;
    let state;
    if (closed && closed.absences === "marked") {
      text = "Closed. Absences had already been marked.";
      state = "marked";
    } else if (closed) {
      const n = closed.expected;
      if (n === 0) [text, state] = ["Closed. Everyone has a status: no absences to mark.", "marked"];
      else if (waiting === null || waiting > 0) [text, state] = [`Closed. Marking ${absences(n)}…`, "marking"];
      else [text, state] = [`Closed. ${absences(n)} marked.`, "marked"];
    } else {
      const at = toDate(session.closed_at);
      const when = at ? ` at ${fmtTime(at)}` : "";
      if (waiting) [text, state] = [`Closed${when}. Marking absences… (${waiting} to go)`, "marking"];
      else [text, state] = [`Closed${when}. ${tally.absent} absent.`, "marked"];
    }
    if (line.textContent !== text) line.textContent = text;
    line.dataset.state = state;
  }

  function confirmClose() {
    el.closeArea.dataset.confirm = "true";
    const error = h("span.form-error.inline", { id: "close-error", role: "alert" });
    const yes = h(
      "button.btn.btn-danger",
      {
        type: "button",
        id: "close-confirm",
        async onclick() {
          yes.disabled = true;
          yes.textContent = "Closing…";
          error.textContent = "";
          delete error.dataset.code;
          // who has no status now: the absences the close will mark
          const expected = enrolled.size ? notYet(tally, enrolled.size) : 0;
          closing = { expected, absences: "marking" };
          let result;
          try {
            const [{ config }, idToken] = await Promise.all([firebase(), user.getIdToken()]);
            result = await closeSession({ scanUrl: config.scanUrl, idToken, sessionId });
          } catch (err) {
            result = { state: "failed", code: "unauthenticated", message: String(err.message ?? err) };
          }
          closing = null;
          if (result.state === "closed") {
            closedHere = { expected, absences: result.absences };
            delete el.closeArea.dataset.confirm;
            renderCloseArea();
            return;
          }
          yes.disabled = false;
          yes.textContent = "Close now";
          error.textContent = closeErrorText(result);
          error.dataset.code = result.code;
        },
      },
      "Close now",
    );
    el.closeArea.replaceChildren(
      h(
        "span.confirm-text",
        {},
        "Close the session? Scans will be refused and everyone without a status is marked absent.",
      ),
      yes,
      h(
        "button.btn.btn-quiet",
        {
          type: "button",
          id: "close-cancel",
          onclick() {
            delete el.closeArea.dataset.confirm;
            renderCloseArea();
          },
        },
        "Cancel",
      ),
      error,
    );
    yes.focus();
  }

  function setLive(ok, text) {
    el.live.classList.toggle("is-live", ok);
    el.live.textContent = text;
    el.live.title = text;
  }

  // ---- wiring ---------------------------------------------------------------------
  const timer = setInterval(tick, 250);
  let chartWidth = 0;
  const resize = new ResizeObserver(() => {
    if (el.chart.clientWidth !== chartWidth) {
      chartWidth = el.chart.clientWidth;
      renderTallySoon();
    }
  });
  resize.observe(el.chart);
  const onFullscreen = () => document.body.classList.toggle("is-fullscreen", !!document.fullscreenElement);
  document.addEventListener("fullscreenchange", onFullscreen);

  (async () => {
    const { db, fs } = await firestore();
    if (stopped) return;
    const sessionRef = fs.doc(db, "sessions", sessionId);
    fsRef = { db, fs, sessionRef };
    let courseWatched = null;
    unsubs.push(
      fs.onSnapshot(
        sessionRef,
        { includeMetadataChanges: true },
        async (snap) => {
          if (!snap.exists()) return fail("No such session.");
          setLive(!snap.metadata.fromCache, snap.metadata.fromCache ? "Reconnecting…" : "Live");
          const data = snap.data();
          const secretChanged = !session || session.secret !== data.secret;
          session = data;
          const start = toDate(data.starts_at);
          el.when.textContent = `${fmtDay(start)} · ${fmtTime(start)}–${fmtTime(toDate(data.ends_at))}`;
          if (secretChanged) {
            try {
              signer = await sessionSigner(sessionId, data.secret);
            } catch (err) {
              return fail(err.message ?? String(err));
            }
            shownWindow = null;
          }
          renderCloseArea();
          tick();
          renderTallySoon();
          if (courseWatched !== data.course_id) {
            courseWatched = data.course_id;
            el.courseLink.href = `#/course/${encodeURIComponent(data.course_id)}`;
            el.courseLink.hidden = false;
            watchCourse(db, fs, data.course_id);
          }
        },
        (err) =>
          fail(
            err.code === "permission-denied"
              ? "This session does not exist, or it is not one of your courses."
              : `Cannot read the session: ${err.code ?? err.message}`,
          ),
      ),
    );
    unsubs.push(
      fs.onSnapshot(
        fs.collection(sessionRef, "tally"),
        (snap) => {
          tally = sumShards(snap.docs.map((d) => d.data()));
          renderTallySoon();
        },
        (err) => setLive(false, `Counts unavailable (${err.code})`),
      ),
    );
    unsubs.push(
      fs.onSnapshot(
        fs.collection(sessionRef, "attendance"),
        (snap) => {
          for (const change of snap.docChanges()) {
            if (change.type === "removed") attendance.delete(change.doc.id);
            else attendance.set(change.doc.id, change.doc.data());
          }
          renderRosterSoon();
        },
        (err) => (el.rosterNote.textContent = `Attendance unavailable (${err.code})`),
      ),
    );
    unsubs.push(
      fs.onSnapshot(
        fs.collection(sessionRef, "rejections"),
        (snap) => {
          for (const change of snap.docChanges()) {
            if (change.type === "removed") rejections.delete(change.doc.id);
            else rejections.set(change.doc.id, change.doc.data());
          }
          renderRejectionsSoon();
        },
        (err) =>
          el.rejections.replaceChildren(
            h("tr.empty", {}, h("td", { colspan: 5 }, `Rejected scans unavailable (${err.code})`)),
          ),
      ),
    );
  })().catch((err) => fail(String(err.message ?? err)));
  renderRejections();

  function watchCourse(db, fs, courseId) {
    fs.getDoc(fs.doc(db, "courses", courseId))
      .then((snap) => {
        const name = snap.exists() ? snap.data().name : courseId;
        el.course.textContent = name;
        document.title = `${name} · Check-in · Rollcall`;
      })
      .catch(() => (el.course.textContent = courseId));
    unsubs.push(
      mirror(fs, fs.collection(db, "courses", courseId, "enrollments"), enrolled, {
        onChange() {
          renderRosterSoon();
          renderTallySoon();
          renderRejectionsSoon();
        },
        onError: (err) => (el.rosterNote.textContent = `Class list unavailable (${err.code})`),
      }),
    );
  }

  return () => {
    stopped = true;
    clearInterval(timer);
    resize.disconnect();
    document.removeEventListener("fullscreenchange", onFullscreen);
    document.body.classList.remove("is-fullscreen");
    if (overrideDialog.dialog.open) overrideDialog.dialog.close();
    for (const u of unsubs) u();
  };
}
