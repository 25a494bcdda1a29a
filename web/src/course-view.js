// A course's attendance for its staff (#/course/<id>, under the course card): the
// rules in one line, counts per state, the at-risk list (below the threshold or at
// risk, a filter), and a live table of every enrolled student in roll-number order
// (2 before 10) with roll number, division (and batch, when the roster has them),
// percentage, held sessions, present/late/excused/absent, the current run of absences,
// the projection in words and the state. When the course's figures hold more than one
// kind of session, each kind (theory, practical, tutorial) has a column beside the
// overall percentage: its percentage against its own threshold, sessions held, can
// miss / needs and its state (standing.js figureParts). Figures come from courses/{c}/students/{uid} (written by the
// attendance consumer when a session is closed), names, roll numbers and divisions
// from the enrollments, both by onSnapshot. Also: the course's closed sessions (to
// open or export one) and the course CSV. "Change rules" and the exports show only to
// those the contracts' matrix lets do them (roles.js: a TA sees neither). Disputes, for
// those who may change attendance: teacher/disputes.js.
import { firebase, firestore } from "./config.js";
import { clear, coalesce, fmtDay, fmtTime, h, toDate } from "./dom.js";
import { t } from "./i18n/index.js";
import { mirror } from "./live.js";
import { may, rolesIn } from "./roles.js";
import { sortByRollNo } from "./roll-order.js";
import { sessionKind } from "./sessions.js";
import {
  attentionLabel,
  belowLabel,
  figureParts,
  fromTimetable,
  kindsOf,
  needsAttention,
  pct,
  projection,
  projectionBrief,
  rulesFromCourse,
  rulesLine,
  stateLabel,
  summarize,
  thresholdFor,
  worstLabel,
} from "./standing.js";
import { courseDisputes } from "./teacher/disputes.js";
import { saveCourseSettings, settingsErrorText, settingsFromForm } from "./teacher-api.js";
import { KINDS, kindLabel } from "./timetable.js";
import { exportButton } from "./views/export-button.js";
import { percentBar } from "./views/percent-bar.js";

const COLUMNS = [
  "roll",
  "student",
  "division",
  "batch",
  "pct",
  "held",
  "present",
  "late",
  "excused",
  "absent",
  "run",
  "projection",
  "state",
];
const NUMERIC = new Set(["pct", "held", "present", "late", "excused", "absent", "run"]);

/**
 * The table's columns for what the course has: the batch column when its roster has
 * batches, a column per kind (after the overall percentage) when its figures hold more
 * than one kind. -> [[key, label, kind?]]
 */
function columnsFor({ batches, kinds, rules }) {
  const out = [];
  for (const key of COLUMNS) {
    if (key === "batch" && !batches) continue;
    out.push([key, key === "pct" && kinds.length ? t("courseView.overall") : t(`courseView.col.${key}`)]);
    if (key === "pct")
      for (const kind of kinds)
        out.push([
          `kind-${kind}`,
          t("courseView.kindMin", { kind: kindLabel(kind), need: pct(thresholdFor(rules, kind)) }),
          kind,
        ]);
  }
  return out;
}

export function showCourseView(root, { courseId, user, me = null }) {
  const context = async () => {
    const [{ config }, idToken] = await Promise.all([firebase(), user.getIdToken()]);
    return { scanUrl: config.scanUrl, idToken };
  };
  // one name per state, the same in the tiles, the rows and the filters (stateLabel)
  const tile = (key) => {
    const dt = h("dt", { id: `standing-label-${key}` }, key === "all" ? t("courseView.students") : stateLabel(key));
    const dd = h("dd", { id: `standing-count-${key}` }, "–");
    return { dt, dd, el: h(`div.standing-tile.tile-${key}`, {}, dt, dd) };
  };
  const tiles = {
    all: tile("all"),
    below: tile("below"),
    at_risk: tile("at_risk"),
    behind: tile("behind"),
    ok: tile("ok"),
    none: tile("none"),
  };
  const el = {
    rules: h("p.course-rules", { id: "course-rules" }, t("courseView.loadingRules")),
    body: h(
      "tbody",
      { id: "standing-body" },
      h("tr.empty", {}, h("td", { colspan: COLUMNS.length }, t("common.loading"))),
    ),
    colgroup: h("colgroup"),
    head: h("tr"),
    table: null,
    note: h("p.muted.small.standing-note", { id: "standing-note", role: "status" }),
    search: h("input", {
      id: "standing-search",
      type: "search",
      placeholder: t("courseView.find"),
      autocomplete: "off",
    }),
    past: h("ul.plain.past-list", { id: "past-sessions-list" }),
    pastCount: h("span", { id: "past-sessions-count" }, "…"),
  };
  el.table = h("table.data-table.standing-table", { id: "standing" }, el.colgroup, h("thead", {}, el.head), el.body);
  const settingsForm = rulesForm(() => rules, courseId, context);
  // shown once the course says the person may (the contracts' matrix, roles.js)
  let allowed = { change_rules: false, export: false };
  settingsForm.toggle.hidden = true;
  const exportCourse = exportButton({
    id: "export-course",
    label: t("courseView.exportCourse"),
    kind: "courses",
    targetId: courseId,
    context,
  });
  exportCourse.hidden = true;
  const disputes = courseDisputes({ courseId, context, firestore });
  let lastPast = null;
  let filter = "all";
  const chips = {
    attention: h(
      "button.chip.chip-attention",
      { type: "button", id: "filter-attention", "aria-pressed": "false" },
      attentionLabel(),
    ),
    behind: h("button.chip", { type: "button", id: "filter-behind", "aria-pressed": "false" }, stateLabel("behind")),
    all: h("button.chip", { type: "button", id: "filter-all", "aria-pressed": "true" }, t("courseView.all")),
  };
  for (const [name, chip] of Object.entries(chips)) {
    chip.addEventListener("click", () => {
      filter = name;
      for (const [n, c] of Object.entries(chips)) c.setAttribute("aria-pressed", String(n === name));
      render();
    });
  }
  el.search.addEventListener("input", () => render());

  clear(
    root,
    h(
      "section.standing-view",
      { "aria-labelledby": "standing-title" },
      h(
        "div.standing-head",
        {},
        h("div", {}, h("h2", { id: "standing-title" }, t("courseView.title")), el.rules),
        h("div.standing-actions", {}, settingsForm.toggle, exportCourse),
      ),
      settingsForm.form,
      disputes.el,
      h(
        "dl.standing-tiles",
        { "aria-label": t("courseView.perState") },
        Object.values(tiles).map((tl) => tl.el),
      ),
      h(
        "details.past-sessions",
        { id: "past-sessions" },
        h("summary", {}, t("courseView.closedSessions"), el.pastCount, t("courseView.closedSessionsAfter")),
        h("p.muted.small", {}, t("courseView.closedHint")),
        el.past,
      ),
      h(
        "div.standing-controls",
        {},
        h("div.chips", { role: "group", "aria-label": t("courseView.show") }, chips.attention, chips.behind, chips.all),
        h("label.visually-hidden", { for: "standing-search" }, t("courseView.find")),
        el.search,
      ),
      el.note,
      h("div.table-scroll", { tabindex: "0" }, el.table),
    ),
  );

  // ---- state -------------------------------------------------------------------------
  let rules = rulesFromCourse({});
  // the table's columns (columnsFor), laid out again when what the course has changes
  let columns = [];
  let layoutKey = null;
  const enrolled = new Map(); // uid -> {uid, name, email, roll_no, division, batch}
  const figures = new Map(); // uid -> figures document
  const loaded = { enrollments: false, students: false };
  const unsubs = [];
  let stopped = false;
  // While a close streams 500 students' figures in, redraw a few times a second and
  // rebuild only the rows whose figures, name or rules changed (the others are reused).
  const renderSoon = coalesce(() => render(), 200);
  const rowCache = new Map(); // uid -> {fig, name, email, rollNo, division, rules, el}

  function rows() {
    const out = [];
    for (const s of enrolled.values())
      out.push({
        uid: s.uid,
        name: s.name ?? s.uid,
        email: s.email ?? "",
        rollNo: s.roll_no ?? "",
        division: s.division ?? "",
        batch: s.batch ?? "",
        fig: figures.get(s.uid) ?? null,
      });
    // figures of a student no longer enrolled still show
    for (const [uid, fig] of figures)
      if (!enrolled.has(uid))
        out.push({
          uid,
          name: t("courseView.unknownAccount"),
          email: "",
          rollNo: "",
          division: "",
          batch: "",
          fig,
          unenrolled: true,
        });
    return out;
  }

  /** The columns for what the course has now; the header is built again when they change. */
  function layout(all) {
    const kinds = kindsOf(figures.values());
    const next = columnsFor({ batches: all.some((r) => r.batch), kinds: kinds.length > 1 ? kinds : [], rules });
    const key = JSON.stringify(next);
    if (key === layoutKey) return;
    layoutKey = key;
    columns = next;
    rowCache.clear();
    const perKind = next.filter(([, , kind]) => kind).length;
    el.table.dataset.kinds = String(perKind);
    el.colgroup.replaceChildren(...next.map(([k, , kind]) => h(`col.col-${kind ? "kind" : k}`)));
    el.head.replaceChildren(
      ...next.map(([k, label, kind]) =>
        h(NUMERIC.has(k) || kind ? "th.num" : "th", { scope: "col", dataset: kind ? { kind } : undefined }, label),
      ),
    );
  }

  function render() {
    if (stopped) return;
    if (!loaded.enrollments || !loaded.students) return;
    const all = rows();
    layout(all);
    const line = rulesLine(rules, { timetable: fromTimetable(figures.values()) });
    if (el.rules.textContent !== line) el.rules.textContent = line;
    const counts = summarize(all);
    for (const [key, tl] of Object.entries(tiles)) {
      tl.dd.textContent = String(counts[key]);
      if (key === "below") tl.dt.textContent = belowLabel(rules);
    }
    chips.attention.textContent = t("courseView.chip", { label: attentionLabel(rules), count: counts.attention });
    chips.behind.textContent = t("courseView.chip", { label: stateLabel("behind"), count: counts.behind });
    chips.all.textContent = t("courseView.chip", { label: t("courseView.all"), count: counts.all });
    const term = el.search.value.trim().toLowerCase();
    const wanted = (fig) =>
      filter === "attention" ? needsAttention(fig) : filter === "behind" ? fig?.held && fig.state === "behind" : true;
    const shown = sortByRollNo(all).filter(
      (r) => wanted(r.fig) && (!term || `${r.rollNo} ${r.name} ${r.email}`.toLowerCase().includes(term)),
    );
    if (!all.length) {
      el.body.replaceChildren(h("tr.empty", {}, h("td", { colspan: columns.length }, t("courseView.noneEnrolled"))));
    } else if (!shown.length) {
      el.body.replaceChildren(
        h(
          "tr.empty",
          {},
          h(
            "td",
            { colspan: columns.length },
            filter === "attention" && !term
              ? t("courseView.nobodyAtRisk")
              : filter === "behind" && !term
                ? t("courseView.nobodyBehind")
                : t("courseView.noMatch"),
          ),
        ),
      );
    } else {
      const nodes = shown.map(cachedRow);
      const now = el.body.children;
      if (nodes.length !== now.length || nodes.some((n, i) => n !== now[i])) el.body.replaceChildren(...nodes);
    }
    el.note.textContent =
      shown.length === all.length
        ? t("courseView.noteAll", { all: all.length })
        : t("courseView.noteSome", { shown: shown.length, all: all.length });
  }

  function cachedRow(r) {
    const c = rowCache.get(r.uid);
    if (
      c &&
      c.fig === r.fig &&
      c.name === r.name &&
      c.email === r.email &&
      c.rollNo === r.rollNo &&
      c.division === r.division &&
      c.batch === r.batch &&
      c.rules === rules
    )
      return c.el;
    const built = row(r);
    rowCache.set(r.uid, {
      fig: r.fig,
      name: r.name,
      email: r.email,
      rollNo: r.rollNo,
      division: r.division,
      batch: r.batch,
      rules,
      el: built,
    });
    return built;
  }

  function row(r) {
    const fig = r.fig?.held ? r.fig : null;
    const state = fig ? fig.state : "none";
    const parts = figureParts(fig, rules);
    const p = projection(parts.overall, rules, "teacher");
    const num = (v) => h("td.num", {}, fig ? String(v ?? 0) : "–");
    const run = fig?.absence_run ?? 0;
    const runAlert = fig && rules.absence_alert_run > 0 && run >= rules.absence_alert_run;
    const percent = fig?.percent;
    const cells = {
      roll: () => h("td.who.roll-no", { translate: "no" }, r.rollNo || "–"),
      student: () =>
        h(
          "th",
          { scope: "row" },
          h("span.student-name", { translate: "no" }, r.name),
          r.email ? h("span.student-email", { translate: "no" }, r.email) : null,
          r.unenrolled ? h("span.student-email", {}, t("courseView.noLongerEnrolled")) : null,
        ),
      division: () => h("td.who.division", { translate: "no" }, r.division || "–"),
      batch: () => h("td.who.batch", { translate: "no" }, r.batch || "–"),
      pct: () =>
        h(
          "td.num.pct",
          { dataset: { state: fig ? parts.overall.state : "none" } },
          h("span.pct-value", {}, fig ? pct(percent) : "–"),
          fig ? percentBar(percent, rules.min_attendance_percent) : null,
        ),
      held: () => num(fig?.held),
      present: () => num(fig?.present),
      late: () => num(fig?.late),
      excused: () => num(fig?.excused),
      absent: () => num(fig?.absent),
      run: () =>
        h(
          "td.num",
          {},
          fig
            ? h(
                runAlert ? "span.run.is-alert" : "span.run",
                { title: runAlert ? t("courseView.runTitle", { run }) : "" },
                String(run),
              )
            : "–",
        ),
      projection: () =>
        h(
          `td.projection.is-${fig ? parts.overall.state : "none"}`,
          {
            title:
              fig && fig.remaining !== null && fig.remaining !== undefined
                ? t("courseView.left", { count: fig.remaining })
                : "",
          },
          p.text,
        ),
      state: () => h("td", {}, h(`span.standing.standing-${state}`, {}, worstLabel(fig, rules))),
    };
    return h(
      `tr.standing-row.row-${state}`,
      { dataset: { uid: r.uid, state, projection: p.kind, percent: percent ?? "", roll: r.rollNo } },
      columns.map(([key, , kind]) =>
        kind ? kindCell(kind, parts.kinds.find((k) => k.kind === kind)?.fig) : cells[key](),
      ),
    );
  }

  /** One kind's figures in a cell: percentage and bar, held and can miss / needs, its state. */
  function kindCell(kind, part) {
    const held = part?.held ? part : null;
    const state = held ? held.state : "none";
    const label = stateLabel(state, rules, kind);
    const brief = held ? projectionBrief(held, rules, kind).text : "";
    const detail = held
      ? [t("courseView.heldCount", { n: held.held }), brief].filter(Boolean).join(" · ")
      : t("courseView.noneHeld");
    return h(
      `td.num.kind-cell.kind-${state}`,
      {
        dataset: { kind, state, percent: held?.percent ?? "" },
        title: held
          ? t("courseView.kindTitle", {
              kind: kindLabel(kind),
              state: label,
              projection: projection(held, rules, "teacher", kind).text,
            })
          : "",
      },
      h("span.pct-value", {}, held ? pct(held.percent) : "–"),
      held ? percentBar(held.percent, thresholdFor(rules, kind)) : null,
      h("span.kind-detail", {}, detail),
      held && state !== "ok" ? h(`span.standing.kind-state.standing-${state}`, {}, label) : null,
    );
  }

  function renderPast(sessions) {
    lastPast = sessions;
    el.pastCount.textContent = String(sessions.length);
    if (!sessions.length) {
      el.past.replaceChildren(h("li.muted", {}, t("courseView.noClosed")));
      return;
    }
    sessions.sort((a, b) => (toDate(b.starts_at)?.getTime() ?? 0) - (toDate(a.starts_at)?.getTime() ?? 0));
    el.past.replaceChildren(
      ...sessions.map((s) => {
        const start = toDate(s.starts_at);
        const marking = !s.absences_marked_at;
        const kind = sessionKind(s);
        return h(
          "li.past-session",
          { dataset: { session: s.id, kind } },
          h("span.past-kind", {}, kindLabel(kind)),
          h(
            "span.past-when",
            {},
            `${fmtDay(start)} ${fmtTime(start)}–${fmtTime(toDate(s.closed_at) ?? toDate(s.ends_at))}`,
          ),
          marking ? h("span.muted.small", {}, t("courseView.marking")) : null,
          h("a.btn.btn-small", { href: `#/session/${encodeURIComponent(s.id)}` }, t("courseView.classList")),
          allowed.export
            ? exportButton({
                id: `export-${s.id}`,
                label: t("courseView.exportCsv"),
                kind: "sessions",
                targetId: s.id,
                context,
                small: true,
              })
            : null,
        );
      }),
    );
  }

  // ---- listeners ----------------------------------------------------------------------
  (async () => {
    const { db, fs } = await firestore();
    if (stopped) return;
    const failed = (what) => (err) => {
      el.note.textContent = t("courseView.unavailable", { what, code: err.code ?? err.message });
      el.note.classList.add("form-error");
    };
    unsubs.push(
      fs.onSnapshot(
        fs.doc(db, "courses", courseId),
        (snap) => {
          const course = snap.exists() ? snap.data() : {};
          rules = rulesFromCourse(course);
          el.rules.textContent = rulesLine(rules, { timetable: fromTimetable(figures.values()) });
          const roles = rolesIn({ uid: user.uid, course, me });
          const next = { change_rules: may("change_rules", roles), export: may("export", roles) };
          settingsForm.toggle.hidden = !next.change_rules;
          if (!next.change_rules) settingsForm.form.hidden = true;
          exportCourse.hidden = !next.export;
          disputes.allow(may("override", roles));
          if (next.export !== allowed.export) {
            allowed = next;
            if (lastPast) renderPast(lastPast);
          }
          allowed = next;
          renderSoon();
        },
        (err) => (el.rules.textContent = t("courseView.rulesUnavailable", { code: err.code ?? err.message })),
      ),
    );
    unsubs.push(
      mirror(fs, fs.collection(db, "courses", courseId, "enrollments"), enrolled, {
        onChange() {
          loaded.enrollments = true;
          renderSoon();
        },
        onError: failed(t("courseView.classList")),
      }),
    );
    unsubs.push(
      mirror(fs, fs.collection(db, "courses", courseId, "students"), figures, {
        value: (doc) => doc.data(),
        onChange() {
          loaded.students = true;
          renderSoon();
        },
        onError: failed(t("courseView.figures")),
      }),
    );
    unsubs.push(
      fs.onSnapshot(
        // constrained on course_id so the rules can prove the teacher's access
        fs.query(
          fs.collection(db, "sessions"),
          fs.where("course_id", "==", courseId),
          fs.where("status", "==", "closed"),
        ),
        (snap) => renderPast(snap.docs.map((d) => ({ id: d.id, ...d.data() }))),
        (err) =>
          el.past.replaceChildren(
            h("li.form-error", {}, t("courseView.sessionsUnavailable", { code: err.code ?? err.message })),
          ),
      ),
    );
  })().catch((err) => {
    el.note.textContent = String(err.message ?? err);
    el.note.classList.add("form-error");
  });

  return () => {
    stopped = true;
    disputes.stop();
    for (const u of unsubs) u();
  };
}

/** The rules form's field of each kind's threshold (teacher-api.js settingsFromForm). */
const KIND_FIELDS = { theory: "minTheory", practical: "minPractical", tutorial: "minTutorial" };

/**
 * "Change rules": the course's attendance rules as a form, saved through POST
 * /courses/settings, which validates them (the form does not: one set of rules, on the
 * server, and its message shown as it comes). The rules line follows by its listener.
 */
function rulesForm(current, courseId, context) {
  const inputs = {
    minPercent: h("input", { id: "rule-min-percent", type: "number", step: "any", inputmode: "decimal" }),
    lateWeight: h("input", { id: "rule-late-weight", type: "number", step: "any", inputmode: "decimal" }),
    excusedPolicy: h(
      "select",
      { id: "rule-excused-policy" },
      h("option", { value: "not_counted" }, t("courseView.rules.notCounted")),
      h("option", { value: "attended" }, t("courseView.rules.attended")),
    ),
    absenceRun: h("input", { id: "rule-absence-run", type: "number", step: "1", inputmode: "numeric" }),
    plannedSessions: h("input", {
      id: "rule-planned-sessions",
      type: "number",
      step: "1",
      inputmode: "numeric",
      placeholder: t("courseView.rules.none"),
    }),
    alertsAfter: h("input", { id: "rule-alerts-after", type: "number", step: "1", inputmode: "numeric" }),
    disputeWindow: h("input", {
      id: "rule-dispute-window",
      type: "number",
      min: "1",
      max: "60",
      step: "1",
      inputmode: "numeric",
    }),
    requestWindow: h("input", {
      id: "rule-request-window",
      type: "number",
      min: "0",
      max: "60",
      step: "1",
      inputmode: "numeric",
    }),
    ...Object.fromEntries(
      KINDS.map((kind) => [
        KIND_FIELDS[kind],
        h("input", {
          id: `rule-min-${kind}`,
          type: "number",
          step: "any",
          inputmode: "decimal",
          placeholder: t("courseView.rules.same"),
        }),
      ]),
    ),
    autoOpen: h("input", { id: "rule-auto-open", type: "checkbox" }),
  };
  const message = h("p.small", { id: "rules-message", role: "status" });
  const save = h("button.btn.btn-primary", { type: "submit", id: "rules-save" }, t("courseView.rules.save"));
  const field = (input, label, hint) =>
    h(
      "div.rules-field",
      {},
      h("label", { for: input.id }, label),
      input,
      hint ? h("span.muted.small", {}, hint) : null,
    );
  const form = h(
    "form.card.rules-form",
    {
      id: "rules-form",
      hidden: true,
      novalidate: true,
      async onsubmit(ev) {
        ev.preventDefault();
        message.className = "small";
        let settings;
        try {
          settings = settingsFromForm(
            Object.fromEntries(
              Object.entries(inputs).map(([k, i]) => [k, i.type === "checkbox" ? i.checked : i.value]),
            ),
          );
        } catch (err) {
          message.className = "small form-error";
          message.textContent = t("courseView.rules.notSaved", { error: err.message });
          return;
        }
        save.disabled = true;
        message.textContent = t("courseView.rules.saving");
        const result = await saveCourseSettings({ ...(await context()), courseId, settings });
        save.disabled = false;
        if (result.state === "saved") {
          message.textContent = t("courseView.rules.saved");
        } else {
          message.className = "small form-error";
          message.textContent = settingsErrorText(result);
        }
      },
    },
    h("h3", {}, t("courseView.rules.title")),
    h(
      "div.rules-grid",
      {},
      field(inputs.minPercent, t("courseView.rules.minPercent"), t("courseView.rules.minPercentHint")),
      field(inputs.lateWeight, t("courseView.rules.lateWeight"), t("courseView.rules.lateWeightHint")),
      field(inputs.excusedPolicy, t("courseView.rules.excused")),
      field(inputs.absenceRun, t("courseView.rules.absenceRun"), t("courseView.rules.absenceRunHint")),
      field(inputs.plannedSessions, t("courseView.rules.planned"), t("courseView.rules.plannedHint")),
      field(inputs.alertsAfter, t("courseView.rules.alertsAfter"), t("courseView.rules.alertsAfterHint")),
      field(inputs.disputeWindow, t("courseView.rules.disputeWindow"), t("courseView.rules.disputeWindowHint")),
      field(inputs.requestWindow, t("courseView.rules.requestWindow"), t("courseView.rules.requestWindowHint")),
    ),
    h(
      "fieldset.rules-kinds",
      {},
      h("legend", {}, t("courseView.rules.perKind")),
      h("p.muted.small", {}, t("courseView.rules.perKindHint")),
      h(
        "div.rules-grid",
        {},
        KINDS.map((kind) => field(inputs[KIND_FIELDS[kind]], kindLabel(kind))),
      ),
    ),
    h(
      "div.rules-check",
      {},
      inputs.autoOpen,
      h("label", { for: inputs.autoOpen.id }, t("courseView.rules.autoOpen")),
      h("span.muted.small", {}, t("courseView.rules.autoOpenHint")),
    ),
    h(
      "div.rules-buttons",
      {},
      save,
      h(
        "button.btn",
        { type: "button", id: "rules-cancel", onclick: () => (form.hidden = true) },
        t("courseView.rules.cancel"),
      ),
    ),
    message,
  );
  const toggle = h(
    "button.btn",
    {
      type: "button",
      id: "rules-edit",
      onclick() {
        const r = current();
        inputs.minPercent.value = r.min_attendance_percent;
        inputs.lateWeight.value = r.late_weight;
        inputs.excusedPolicy.value = r.excused_policy;
        inputs.absenceRun.value = r.absence_alert_run;
        inputs.plannedSessions.value = r.planned_sessions ?? "";
        inputs.alertsAfter.value = r.alerts_after_sessions;
        inputs.disputeWindow.value = r.dispute_window_days;
        inputs.requestWindow.value = r.request_window_days ?? 7;
        for (const kind of KINDS) inputs[KIND_FIELDS[kind]].value = r[`min_attendance_percent_${kind}`] ?? "";
        inputs.autoOpen.checked = r.auto_open === true;
        message.textContent = "";
        form.hidden = !form.hidden;
        if (!form.hidden) inputs.minPercent.focus();
      },
    },
    t("courseView.rules.change"),
  );
  return { form, toggle };
}
