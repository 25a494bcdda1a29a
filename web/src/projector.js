// The projector view of one session: a full-screen rotating QR code computed in the
// page (WebCrypto, see qr-token.js), the course and session time in large type, a
// countdown to the next code, and the live panel (counts summed over the tally shards,
// arrivals per minute, class list joined with attendance), all from onSnapshot.
import QRCode from "qrcode";

import { drawArrivals } from "./chart.js";
import { firestore } from "./config.js";
import { $, clear, coalesce, fmtDay, fmtTime, h, toDate } from "./dom.js";
import { scanLink, tokenMinter, windowAt } from "./qr-token.js";
import { arrivalSeries, sumShards } from "./tally.js";

const STATUS_LABEL = { present: "Present", late: "Late", missing: "Not yet" };

export function showSession(root, { sessionId }) {
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
    countdown: h("p.countdown", { id: "countdown", "aria-hidden": "true" }),
    bar: h("span.bar-fill"),
    present: h("strong", { id: "count-present" }, "0"),
    late: h("strong", { id: "count-late" }, "0"),
    total: h("strong", { id: "count-total" }, "0"),
    missing: h("strong", { id: "count-missing" }, "–"),
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
          filterButtons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.filter === f)));
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
    h(
      "div.projector-head",
      {},
      el.course,
      el.when,
    ),
    h(
      "div.qr-stage",
      {},
      el.qr,
      h(
        "div.qr-side",
        {},
        el.state,
        h("div.rotation", {}, h("div.bar", { "aria-hidden": "true" }, el.bar), el.countdown),
        h(
          "dl.big-counts",
          { "aria-live": "off" },
          h("div.count.count-present", {}, h("dt", {}, "Present"), h("dd", {}, el.present)),
          h("div.count.count-late", {}, h("dt", {}, "Late"), h("dd", {}, el.late)),
          h("div.count.count-total", {}, h("dt", {}, "Checked in"), h("dd", {}, el.total)),
          h("div.count.count-missing", {}, h("dt", {}, "Not yet"), h("dd", {}, el.missing)),
        ),
        h("p.scan-hint", {}, "Scan with your phone's camera or the Rollcall scan page: ", h("span.scan-url", {}, `${location.host}/scan.html`)),
      ),
    ),
  );

  clear(
    root,
    h(
      "nav.toolbar",
      { "aria-label": "Session" },
      h("a.btn.btn-quiet", { href: "#/" }, "← My courses"),
      el.live,
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
        "table.roster-table",
        { id: "roster" },
        h(
          "thead",
          {},
          h("tr", {}, h("th", { scope: "col" }, "Student"), h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, "Time")),
        ),
        el.roster,
      ),
    ),
  );

  // ---- state -------------------------------------------------------------------
  let session = null;
  let minter = null;
  let shownWindow = null;
  let tally = sumShards([]);
  let enrolled = new Map(); // uid -> {uid, name, email}
  let attendance = new Map(); // uid -> record
  let stopped = false;
  let chartMinute = null;
  const unsubs = [];
  const renderRosterSoon = coalesce(() => renderRoster());
  const renderTallySoon = coalesce(() => renderTally());

  function fail(message) {
    clear(el.state, message);
    el.state.classList.add("is-error");
    el.qr.replaceChildren();
  }

  // ---- QR rotation ---------------------------------------------------------------
  async function showToken(window) {
    const token = await minter(window);
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
  }

  function tick() {
    if (!session || !minter) return;
    const nowMs = Date.now();
    const start = toDate(session.starts_at);
    const end = toDate(session.ends_at);
    const rotation = Number(session.rotation_seconds) || 10;
    let state = null;
    if (session.status !== "open") state = "This session is closed.";
    else if (end && nowMs >= end.getTime()) state = `This session ended at ${fmtTime(end)}.`;
    else if (start && nowMs < start.getTime()) state = `Check-in opens at ${fmtTime(start)}.`;
    projector.dataset.state = state ? "stopped" : "open";
    if (state) {
      if (el.state.textContent !== state) el.state.textContent = state;
      el.qr.replaceChildren(h("p.qr-stopped", {}, "No code"));
      delete el.qr.dataset.token;
      shownWindow = null;
      el.countdown.textContent = "";
      el.bar.style.transform = "scaleX(0)";
      return;
    }
    const lateAt = start ? new Date(start.getTime() + (Number(session.late_after_minutes) || 0) * 60000) : null;
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
    el.missing.textContent = enrolled.size ? Math.max(0, enrolled.size - tally.total) : "–";
    el.total.parentElement.parentElement.title = enrolled.size ? `${tally.total} of ${enrolled.size}` : "";
    if (session) {
      drawArrivals(
        el.chart,
        arrivalSeries(tally.arrivals, { start: toDate(session.starts_at), end: toDate(session.ends_at) }),
      );
    }
  }

  function renderRoster() {
    const rows = [];
    const term = el.search.value.trim().toLowerCase();
    const students = [...enrolled.values()];
    // a record of a student no longer enrolled still shows
    for (const [uid, rec] of attendance) if (!enrolled.has(uid)) students.push({ uid, name: uid, email: "" });
    students.sort((a, b) => String(a.name ?? a.uid).localeCompare(String(b.name ?? b.uid), undefined, { numeric: true }));
    let arrived = 0;
    for (const s of students) {
      const rec = attendance.get(s.uid);
      const status = rec?.status === "late" ? "late" : rec ? "present" : "missing";
      if (rec) arrived += 1;
      if (filter === "missing" && rec) continue;
      if (filter === "arrived" && !rec) continue;
      if (term && !`${s.name} ${s.email} ${s.uid}`.toLowerCase().includes(term)) continue;
      const at = toDate(rec?.scanned_at);
      rows.push(
        h(
          "tr",
          { dataset: { uid: s.uid, status } },
          h("th", { scope: "row" }, h("span.student-name", {}, s.name ?? s.uid), s.email ? h("span.student-email", {}, s.email) : null),
          h("td", {}, h(`span.status.status-${status}`, {}, STATUS_LABEL[status])),
          h("td.time", {}, at ? fmtTime(at) : ""),
        ),
      );
    }
    el.roster.replaceChildren(...rows);
    el.rosterNote.textContent = `${arrived} of ${enrolled.size} enrolled checked in` + (rows.length !== students.length ? ` · showing ${rows.length}` : "");
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
              minter = await tokenMinter(sessionId, data.secret);
            } catch (err) {
              return fail(err.message ?? String(err));
            }
            shownWindow = null;
          }
          tick();
          renderTallySoon();
          if (courseWatched !== data.course_id) {
            courseWatched = data.course_id;
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
  })().catch((err) => fail(String(err.message ?? err)));

  function watchCourse(db, fs, courseId) {
    fs.getDoc(fs.doc(db, "courses", courseId))
      .then((snap) => {
        const name = snap.exists() ? snap.data().name : courseId;
        el.course.textContent = name;
        document.title = `${name} · Check-in · Rollcall`;
      })
      .catch(() => (el.course.textContent = courseId));
    unsubs.push(
      fs.onSnapshot(
        fs.collection(db, "courses", courseId, "enrollments"),
        (snap) => {
          for (const change of snap.docChanges()) {
            if (change.type === "removed") enrolled.delete(change.doc.id);
            else enrolled.set(change.doc.id, { uid: change.doc.id, ...change.doc.data() });
          }
          renderRosterSoon();
          renderTallySoon();
        },
        (err) => (el.rosterNote.textContent = `Class list unavailable (${err.code})`),
      ),
    );
  }

  return () => {
    stopped = true;
    clearInterval(timer);
    resize.disconnect();
    document.removeEventListener("fullscreenchange", onFullscreen);
    document.body.classList.remove("is-fullscreen");
    unsubs.forEach((u) => u());
  };
}
