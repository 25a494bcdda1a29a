// "My attendance" on the student page (mobile first): per course, the percentage, the
// sessions held, present/late/excused/absent, the projection in words, the state in
// colour, the sessions as a strip, and the alerts Rollcall sent about that course. A
// course with more than one kind of session (theory, practical, tutorial) shows each
// kind side by side under the overall figures: its percentage against its own
// threshold, sessions held, what it allows or needs, its state (standing.js).
//
// Which courses: those the student's claim names (POST /me/claim: the class lists their
// verified email is on), every course where the student has figures (one
// collection-group query, students where uid == me, which the rules allow for one's
// own documents: every course with a closed session), plus those named in the
// student's inbox (a scan in a course whose first session is still open); each
// course's figures document is then followed live. Under each course, the absences and
// late marks the student may still dispute, and their disputes (student/disputes.js).
import { firebase, firestore } from "./config.js";
import { clear, fmtAgo, fmtDay, fmtTime, h, toDate } from "./dom.js";
import { t } from "./i18n/index.js";
import {
  alertsFor,
  coursesFromInbox,
  figureParts,
  pct,
  projection,
  rulesFromCourse,
  stateLabel,
  thresholdFor,
  timeline,
  worstLabel,
} from "./standing.js";
import { createDisputes } from "./student/disputes.js";
import { kindLabel } from "./timetable.js";
import { percentBar } from "./views/percent-bar.js";
import { watchById } from "./watch.js";

const INBOX_LIMIT = 200;
const statusWord = (status) => t(`attendance.status.${status}`, { defaultValue: status });

/** Mount the section into `root`; `enrolled`: course ids from the claim. Returns the cleanup. */
export function showMyAttendance(root, { user, enrolled = [] }) {
  const list = h("div.my-courses", { id: "my-courses", "aria-busy": "true" }, h("p.muted", {}, t("common.loading")));
  // What a dispute's send or cancel did, for screen readers: one region that outlives
  // the redraws (a region drawn anew with its text is not announced).
  const status = h("p.visually-hidden", { id: "my-attendance-status", role: "status" });
  clear(
    root,
    h(
      "section.card.my-attendance",
      { "aria-labelledby": "attendance-title" },
      h("h1", { id: "attendance-title" }, t("attendance.title")),
      h("p.muted", {}, t("attendance.intro")),
      status,
    ),
    list,
  );
  const uid = user.uid;
  let entries = [];
  let loaded = false;
  let error = null;
  const courses = new Map(); // courseId -> {name, rules, fig, loaded, unsubs}
  const unsubs = [];
  let stopped = false;
  const disputes = createDisputes({
    context: async () => {
      const [{ config }, idToken] = await Promise.all([firebase(), user.getIdToken()]);
      return { scanUrl: config.scanUrl, idToken };
    },
    redraw: () => render(),
    announce: (text) => {
      status.textContent = text;
    },
  });

  function render() {
    if (stopped) return;
    if (error) {
      list.removeAttribute("aria-busy");
      clear(list, h("p.form-error", {}, t("attendance.cannotRead", { error })));
      return;
    }
    if (!loaded) return;
    list.removeAttribute("aria-busy");
    const ids = [...courses.keys()];
    if (!ids.length) {
      clear(list, h("p.card.muted", { id: "my-courses-empty" }, t("attendance.noCourses")));
      return;
    }
    // the courses that need attention first, then by name
    const rank = { below: 0, at_risk: 1, behind: 2, ok: 3 };
    ids.sort((a, b) => {
      const ca = courses.get(a);
      const cb = courses.get(b);
      return (rank[ca.fig?.state] ?? 4) - (rank[cb.fig?.state] ?? 4) || String(ca.name).localeCompare(String(cb.name));
    });
    // the cards are drawn anew: the focused control (a dispute's note or button) keeps
    // the focus, and a note its caret
    const focused = list.contains(document.activeElement) ? document.activeElement : null;
    clear(list, ...ids.map((id) => courseCard(id, courses.get(id))));
    const again = focused?.id ? document.getElementById(focused.id) : null;
    if (again && again !== focused) {
      again.focus();
      if (typeof focused.selectionStart === "number")
        again.setSelectionRange(focused.selectionStart, focused.selectionEnd);
    }
  }

  function courseCard(courseId, c) {
    const fig = c.fig?.held ? c.fig : null;
    const state = fig ? fig.state : "none";
    const rules = c.rules;
    const parts = figureParts(fig, rules);
    const own = parts.overall?.state ?? "none";
    const kinds = parts.kinds.length > 1 ? parts.kinds : [];
    const p = projection(parts.overall, rules, "student");
    const alerts = alertsFor(entries, courseId).slice(0, 3);
    const percent = fig?.percent;
    const sessions = fig ? timeline(fig.sessions) : [];
    const counts = ["present", "late", "excused", "absent"];
    const required = pct(rules.min_attendance_percent);
    return h(
      `article.card.my-course.state-${state}`,
      {
        dataset: { course: courseId, state, projection: p.kind, percent: percent ?? "" },
        "aria-labelledby": `my-course-${courseId}`,
      },
      h(
        "div.my-course-head",
        {},
        h("h2", { id: `my-course-${courseId}`, translate: "no" }, c.name ?? courseId),
        h(`span.standing.standing-${state}`, {}, fig ? worstLabel(fig, rules) : stateLabel(state, rules)),
      ),
      c.loaded && c.courseRead
        ? [
            h(
              `div.my-part.my-overall.state-${fig ? own : "none"}`,
              {},
              h(
                "div.my-pct",
                {},
                h("span.my-pct-value", {}, fig ? pct(percent) : "–"),
                h(
                  "span.my-pct-label",
                  {},
                  fig
                    ? t(kinds.length ? "attendance.overallRequired" : "attendance.required", { need: required })
                    : t("attendance.requiredOnly", { need: required }),
                ),
              ),
              fig ? percentBar(percent, rules.min_attendance_percent, "my") : null,
              h("p.my-projection", {}, p.text),
            ),
            kinds.length
              ? h(
                  "div.my-kinds",
                  { role: "group", "aria-label": t("attendance.byKind") },
                  kinds.map(({ kind, fig: part }) => kindBox(kind, part, rules)),
                )
              : null,
            fig ? h("p.my-held.muted.small", {}, heldLine(fig, rules)) : null,
            fig
              ? h(
                  "dl.my-counts",
                  {},
                  counts.map((k) =>
                    h(`div.my-count.count-${k}`, {}, h("dt", {}, statusWord(k)), h("dd", {}, String(fig[k] ?? 0))),
                  ),
                )
              : null,
            sessions.length
              ? h(
                  "ol.my-strip",
                  { "aria-label": t("attendance.strip") },
                  sessions.map((s) => {
                    const at = s.at ? new Date(s.at) : null;
                    const label = at
                      ? t("attendance.stripItem", { day: fmtDay(at), time: fmtTime(at), status: statusWord(s.status) })
                      : statusWord(s.status);
                    return h(`li.strip-${s.status}`, { title: label }, h("span.visually-hidden", {}, label));
                  }),
                )
              : null,
            disputes.section(sessions, rules),
          ]
        : h("p.muted", {}, t("common.loading")),
      alerts.length
        ? h(
            "ul.plain.my-alerts",
            { "aria-label": t("attendance.alerts") },
            alerts.map((a) => {
              const at = toDate(a.created_at);
              return h(
                "li.my-alert",
                { dataset: { kind: a.kind ?? "" } },
                h("strong.my-alert-title", { translate: "no" }, a.title ?? t("inbox.alert")),
                h("p.my-alert-body", { translate: "no" }, a.body ?? ""),
                at ? h("time.muted.small", { datetime: at.toISOString() }, fmtAgo(at)) : null,
              );
            }),
          )
        : null,
    );
  }

  function follow(db, fs, courseId) {
    if (courses.has(courseId)) return;
    // loaded: the figures have been read; courseRead: the course document too (or it
    // could not be): the card shows its figures with the course's name and rules
    const c = { name: courseId, rules: rulesFromCourse({}), fig: null, loaded: false, courseRead: false };
    courses.set(courseId, c);
    // the course document (name, settings): the rules let an enrolled student get it.
    // Listened to, not read once: a read made while the connection is still coming up
    // (a loaded network, a phone waking) fails as "offline" and would leave the card
    // named by the course's id; the listener gets it whenever it can.
    unsubs.push(
      fs.onSnapshot(
        fs.doc(db, "courses", courseId),
        (snap) => {
          if (snap.exists()) {
            const data = snap.data();
            c.name = data.name ?? courseId;
            c.rules = rulesFromCourse(data);
            c.courseLoaded = true;
          }
          c.courseRead = true;
          render();
        },
        () => {
          c.courseRead = true; // not enrolled any more: the figures may still be readable
          render();
        },
      ),
    );
    // the figures appear with the course's first close, maybe while they are watched
    unsubs.push(
      watchById(fs, fs.collection(db, "courses", courseId, "students"), uid, {
        onData(fig) {
          c.fig = fig;
          // the settings the figures were computed with, until the course's own arrive
          if (!c.courseLoaded && c.fig?.rules) c.rules = rulesFromCourse(c.fig.rules);
          c.loaded = true;
          render();
        },
        onError() {
          c.loaded = true;
          render();
        },
      }),
    );
  }

  (async () => {
    const { db, fs } = await firestore();
    if (stopped) return;
    for (const id of enrolled) follow(db, fs, id);
    unsubs.push(
      fs.onSnapshot(
        fs.query(fs.collection(db, "disputes"), fs.where("uid", "==", uid)),
        (snap) => disputes.set(snap.docs.map((d) => d.data())),
        () => {}, // the page works without them: "Dispute" is offered, the server decides
      ),
    );
    unsubs.push(
      fs.onSnapshot(
        fs.query(fs.collectionGroup(db, "students"), fs.where("uid", "==", uid)),
        (snap) => {
          for (const d of snap.docs) follow(db, fs, d.data().course_id ?? d.ref.parent.parent.id);
          render();
        },
        (err) => {
          error = err.code ?? err.message;
          render();
        },
      ),
    );
    unsubs.push(
      fs.onSnapshot(
        fs.query(fs.collection(db, "users", uid, "inbox"), fs.orderBy("created_at", "desc"), fs.limit(INBOX_LIMIT)),
        (snap) => {
          entries = snap.docs.map((d) => ({ id: d.id, ...d.data() }));
          for (const id of coursesFromInbox(entries)) follow(db, fs, id);
          loaded = true;
          error = null;
          render();
        },
        (err) => {
          error = err.code ?? err.message;
          render();
        },
      ),
    );
  })().catch((err) => {
    error = String(err.message ?? err);
    render();
  });

  return () => {
    stopped = true;
    for (const u of unsubs) u();
  };
}

/** "5 of 8 sessions held", "5 sessions held, 10 still planned", "1 session held". */
function heldLine(fig, rules) {
  if (rules.planned_sessions && !Object.values(fig.by_kind ?? {}).some((k) => Number.isInteger(k?.remaining)))
    return t("attendance.heldOf", { count: fig.held, planned: rules.planned_sessions });
  if (Number.isInteger(fig.remaining) && fig.remaining > 0)
    return t("attendance.heldPlanned", { count: fig.held, remaining: fig.remaining });
  return t("attendance.held", { count: fig.held });
}

/** One kind of session's figures, beside the others. */
function kindBox(kind, part, rules) {
  const held = part?.held ? part : null;
  const state = held ? held.state : "none";
  const said = projection(held, rules, "student", kind);
  return h(
    `section.my-kind.my-part.state-${state}`,
    { dataset: { kind, state, percent: held?.percent ?? "", projection: said.kind }, "aria-label": kindLabel(kind) },
    h("h3.my-kind-name", {}, kindLabel(kind)),
    h(
      "p.my-pct",
      {},
      h("span.my-pct-value", {}, held ? pct(held.percent) : "–"),
      h("span.my-pct-label", {}, t("attendance.requiredOnly", { need: pct(thresholdFor(rules, kind)) })),
    ),
    held ? percentBar(held.percent, thresholdFor(rules, kind), "my") : null,
    h(
      "p.my-kind-held.muted.small",
      {},
      [
        held ? t("attendance.kindHeld", { count: held.held }) : "",
        Number.isInteger(part?.remaining) ? t("attendance.kindToCome", { count: part.remaining }) : "",
      ]
        .filter(Boolean)
        .join(", "),
    ),
    h("p.my-kind-projection", {}, said.text),
    held ? h(`span.standing.standing-${state}`, {}, stateLabel(state, rules, kind)) : null,
  );
}
